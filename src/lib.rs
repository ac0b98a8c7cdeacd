//! lienthong: an integration hub for Vietnam's public services.
//!
//! See ARCHITECTURE.md for the codemap. In short: `domain` is the core model
//! (no wire or storage types), `store` keeps it on sled, `engine` is the only
//! writer, `hub` is the facade every transport calls, and `grpc` is one such
//! transport.

pub mod adapters;
pub mod admin;
pub mod amqp;
pub mod app;
pub mod audit;
pub mod config;
/// The core model is its own crate (`src/domain/`, no wire, transport or
/// storage dependency) so adapters can share its transition table and
/// calendar; the hub keeps reaching it as `crate::domain`.
pub use lienthong_domain as domain;
pub mod engine;
pub mod grpc;
pub mod hub;
pub mod limits;
pub mod metrics;
pub mod notify;
pub mod partners;
pub mod portal;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod web;
pub mod wire;
pub mod workspace;
