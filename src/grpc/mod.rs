//! The gRPC edge: the only module that knows tonic.
//!
//! `status` is the one place where a `HubError` becomes a gRPC status; the
//! service files are thin: authenticate, translate (with `wire`), call the
//! hub, translate back.

// `tonic::Status` is large, but it is the error type tonic's services return.
#![allow(clippy::result_large_err)]

mod admin_service;
mod audit_service;
mod auth;
mod catalog_service;
mod command_stream;
mod dossier_service;
mod event_service;
mod reconcile;
mod server;
mod status;
mod tls_incoming;

pub use server::{serve, ServeSettings};
pub use status::to_status;

pub use crate::wire::pb;
use crate::wire::{from_proto, to_proto};
