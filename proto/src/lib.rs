//! The public contract of lienthong, `lienthong.v1`, as Rust types.
//!
//! Generated at build time from `proto/lienthong/v1/*.proto` with protox (no
//! system `protoc`). It is its own crate so that partner adapters and outside
//! clients depend on the contract alone, never on the hub's internals.
//! [`ErrorCode`] is the contract's error vocabulary, shared by every
//! transport and by the adapter interface.

pub mod codec;
mod error_code;

pub use error_code::ErrorCode;

/// The generated `lienthong.v1` types, clients and servers.
pub mod v1 {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("lienthong.v1");

    /// Encoded descriptors of the contract, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/lienthong_descriptor.bin"));
}
