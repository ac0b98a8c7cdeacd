//! The interface between the hub and a partner adapter.
//!
//! An adapter translates between the canonical contract (`lienthong.v1`, the
//! `pb` types) and one partner's own protocol. Like a Vector sink and source,
//! it has two small halves, and the hub does everything around them:
//!
//! - **outbound** — a [`Sink`]: the hub hands it, one at a time per dossier and
//!   in order, each event the partner subscribed to; the sink answers only
//!   once the PARTNER accepted it (or says why not). Cursors, retries with
//!   backoff, parking and re-drive are the hub's job.
//! - **inbound** — HTTP routes (webhooks, callbacks) and background tasks
//!   (pollers) that turn the partner's calls into hub commands through
//!   [`HubApi`], acting as that partner.
//!
//! Adapter crates depend on this crate, the contract and the pure core model
//! only: never on the hub's internals, its storage or its broker client.
//!
//! Besides the interface, the toolkit every adapter needs alike: `settings`
//! (strict reading, checks that name their key), `auth` (bearer tokens and
//! shared secrets, constant time), `event` (the dossier of an event),
//! `http` (the partner client and its failures), `jsonpath` (a partner's JSON read and written by dotted field names), `vietnam_time` (partner
//! date-times on the one calendar), `ma_xac_thuc` (the pipe-joined SHA-256
//! signature), `simulator` (serving a partner simulator) and the planner of
//! status reports (`domain::planner`). What an adapter must remember across
//! a restart it keeps through [`HubApi`]'s state calls (`state`), in the
//! hub's store: never in a file of its own. `adapters/README.md` has the layout
//! every adapter crate follows.

/// The core model (statuses, the transition table and its planner, the
/// Vietnam calendar): pure data and functions, shared with the hub.
pub use lienthong_domain as domain;
pub use lienthong_proto::v1 as pb;
/// Why the hub refused a call, with the one rule for what to retry.
pub use lienthong_proto::ErrorCode;
/// The contract's well-known types (`Timestamp`), so adapters need not
/// depend on prost-types themselves.
pub use prost_types;

pub mod auth;
pub mod delivery;
pub mod event;
pub mod http;
pub mod jsonpath;
pub mod kind;
pub mod ma_xac_thuc;
pub mod settings;
pub mod simulator;
pub mod state;
pub mod sync;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod vietnam_time;

pub use delivery::{classify_http_status, Accepted, DeliveryError, Sink};
pub use kind::{every, Adapter, AdapterKind, BuildAdapter, Partner, Stop, Task, TaskStarter};
pub use settings::{AdapterConfigError, AdapterSettings, CheckSettings};
pub use simulator::{serve_simulator, Served};
pub use state::{Durable, StateError};

/// A refusal from the hub, as a gRPC caller would see it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct HubCallError {
    /// Displayed as its canonical name, e.g. `FAILED_PRECONDITION`.
    pub code: ErrorCode,
    pub message: String,
}

impl HubCallError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        HubCallError {
            code,
            message: message.into(),
        }
    }

    /// The hub could not decide now: try again later
    /// (`ErrorCode::is_retryable`, the one rule).
    pub fn is_retryable(&self) -> bool {
        self.code.is_retryable()
    }
}

/// Inbound: what an adapter may ask of the hub, always acting as its own
/// partner (with that partner's rights) — and its durable state (`state`),
/// kept in the hub's store under that partner alone.
#[async_trait::async_trait]
pub trait HubApi: Send + Sync + 'static {
    async fn execute(&self, request: pb::CommandRequest) -> Result<pb::CommandReply, HubCallError>;
    async fn publish_catalog(
        &self,
        request: pb::PublishCatalogRequest,
    ) -> Result<pb::PublishCatalogReply, HubCallError>;
    async fn get_dossier(
        &self,
        dossier: pb::DossierRef,
    ) -> Result<pb::GetDossierReply, HubCallError>;

    /// The value at `key` of this adapter's state, if one was put.
    async fn state_get(&self, key: &str) -> Result<Option<Vec<u8>>, StateError>;
    /// Puts `value` at `key` (`state::check_key`, `state::check_value`);
    /// durable when this returns.
    async fn state_put(&self, key: &str, value: Vec<u8>) -> Result<(), StateError>;
    /// Removes `key` (nothing to remove is fine); durable when this returns.
    async fn state_delete(&self, key: &str) -> Result<(), StateError>;
    /// The entries whose key starts with `prefix` and sorts after `after`
    /// (empty: from the first), in key order, at most `limit` (itself at
    /// most `state::MAX_SCAN_ENTRIES`).
    async fn state_scan(
        &self,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StateError>;
}
