//! The wire form of the contract: the generated `lienthong.v1` protobuf types
//! and their translation to and from the core. Both transports carry these
//! messages — gRPC as its request and reply bodies, AMQP as message bodies —
//! so the translation lives here once, and only the edge modules (`grpc`,
//! `amqp`) use it.

pub mod from_proto;
pub mod to_proto;

/// The generated `lienthong.v1` types, clients and servers.
pub mod pb {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("lienthong.v1");

    /// Encoded descriptors of the contract, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/lienthong_descriptor.bin"));
}
