//! Integration tests: the real hub on real sled in a temporary directory,
//! called over real gRPC on loopback. Nothing here is mocked.

mod bad_input;
mod catalog;
mod common;
mod config;
mod crash;
mod idempotency;
mod retention;
mod subscription;
mod transitions;
