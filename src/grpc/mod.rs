//! The gRPC edge: the only module that knows prost and tonic types.
//!
//! `pb` is the generated `lienthong.v1` contract; `to_proto`/`from_proto`
//! translate between it and the core; `status` is the one place where a
//! `HubError` becomes a gRPC status; the service files are thin: authenticate,
//! translate, call the hub, translate back.

// `tonic::Status` is large, but it is the error type tonic's services return.
#![allow(clippy::result_large_err)]

mod auth;
mod catalog_service;
mod dossier_service;
mod event_service;
mod from_proto;
mod server;
mod status;
mod to_proto;

pub use server::{serve, ServeSettings};
pub use status::to_status;

/// The generated `lienthong.v1` types, clients and servers.
pub mod pb {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("lienthong.v1");

    /// Encoded descriptors of the contract, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/lienthong_descriptor.bin"));
}
