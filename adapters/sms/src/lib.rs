//! The SMS-gateway adapter: short messages to applicants through a
//! brandname SMS gateway of a Vietnamese carrier or aggregator.
//!
//! Unlike the partner adapters it does not follow the outbox itself: the
//! hub's notifications turn events into texts (templates are the hub's
//! configuration) and hand each one to [`Client::send`] with a client
//! reference that makes a retry harmless. The crate keeps the common adapter
//! layout (adapters/README.md): `settings` (read strictly from a TOML
//! table), `protocol` (the wire shape), `client` (the calls), `error` (what
//! failed and whether a retry can help), `simulator` (behind the `simulator`
//! feature), and `phone` (numbers in the `84xxxxxxxxx` form gateways want).
//! It has no `sink.rs`, `routes.rs` or `…Kind`: it reads no events and
//! serves no calls, so it is not registered as a partner kind.
//!
//! The protocol is PROVISIONAL: see `protocol` for the shape modelled and
//! what must be checked against the contract of the gateway finally chosen.

pub mod client;
pub mod error;
pub mod phone;
pub mod protocol;
pub mod settings;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use client::{Client, SentSms};
pub use error::SmsError;
pub use settings::Settings;
