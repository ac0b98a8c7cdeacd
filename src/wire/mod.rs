//! The wire form of the contract: the generated `lienthong.v1` protobuf types
//! and their translation to and from the core. Both transports carry these
//! messages — gRPC as its request and reply bodies, AMQP as message bodies —
//! so the translation lives here once, and only the edge modules (`grpc`,
//! `amqp`) use it.

pub mod from_proto;
pub mod to_proto;

/// The generated `lienthong.v1` types, clients and servers.
pub use lienthong_proto::v1 as pb;
