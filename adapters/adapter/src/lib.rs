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

/// The core model (statuses, the transition table and its planner, the
/// Vietnam calendar): pure data and functions, shared with the hub.
pub use lienthong_domain as domain;
pub use lienthong_proto::v1 as pb;
/// The contract's well-known types (`Timestamp`), so adapters need not
/// depend on prost-types themselves.
pub use prost_types;

pub mod ma_xac_thuc;
pub mod query;
pub mod vietnam_time;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Why a delivery did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again later: the partner is down, slow, answered 5xx,
    /// or the network failed. The hub retries with backoff.
    #[error("partner unavailable: {reason}")]
    Retry { reason: String },
    /// The partner refused this event for good (a 4xx, a business error).
    /// The hub parks it, visible with the reason, until an operator
    /// re-drives it; later events of the same dossier wait behind it.
    #[error("partner rejected the event: {reason}")]
    Reject { reason: String },
}

impl DeliveryError {
    pub fn retry(reason: impl Into<String>) -> Self {
        DeliveryError::Retry {
            reason: reason.into(),
        }
    }

    pub fn reject(reason: impl Into<String>) -> Self {
        DeliveryError::Reject {
            reason: reason.into(),
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, DeliveryError::Retry { .. })
    }
}

/// How an HTTP answer of a partner classifies: 2xx accepted; 408, 429 and
/// 5xx worth retrying; any other status a refusal.
pub fn classify_http_status(status: u16, body: &str) -> Result<(), DeliveryError> {
    let detail = || {
        format!(
            "HTTP {status}: {}",
            body.chars().take(300).collect::<String>()
        )
    };
    match status {
        200..=299 => Ok(()),
        408 | 429 | 500..=599 => Err(DeliveryError::retry(detail())),
        _ => Err(DeliveryError::reject(detail())),
    }
}

/// The partner's acceptance of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    /// The partner's own reference, when it gives one (an order number, a
    /// payment URL, a sync id); empty when the event needed no action.
    pub partner_reference: String,
}

/// Outbound: events to the partner.
#[async_trait::async_trait]
pub trait Sink: Send + Sync + 'static {
    /// Delivers one event. Returns only when the partner has accepted or
    /// refused it; a socket write is not an acceptance.
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError>;
}

/// A refusal from the hub, as a gRPC caller would see it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct HubCallError {
    /// The gRPC status code name, e.g. `FAILED_PRECONDITION`.
    pub code: String,
    pub message: String,
}

impl HubCallError {
    /// The hub could not decide now (stopping, storage): try again later.
    pub fn is_retryable(&self) -> bool {
        self.code == "UNAVAILABLE" || self.code == "INTERNAL"
    }
}

/// Inbound: what an adapter may ask of the hub, always acting as its own
/// partner (with that partner's rights).
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
}

/// A background task of an adapter (a poller); it ends when `stop` resolves.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A resolved future that signals the hub is stopping.
pub type Stop = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// What one configured partner's adapter consists of.
#[derive(Default)]
pub struct Adapter {
    pub sink: Option<Arc<dyn Sink>>,
    /// Mounted by the hub under `/partners/<partner id>/`.
    pub routes: Option<axum::Router>,
    /// Started by the hub; each gets its own stop signal.
    pub tasks: Vec<Box<dyn FnOnce(Stop) -> Task + Send>>,
}

/// A configuration problem inside a partner's `[partners.adapter]` table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key `{key}`: {problem}")]
pub struct AdapterConfigError {
    /// Relative to the partner's `adapter` table, e.g. `endpoint`.
    pub key: String,
    pub problem: String,
}

impl AdapterConfigError {
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        AdapterConfigError {
            key: key.into(),
            problem: problem.into(),
        }
    }

    /// Reads a settings table strictly (unknown keys are errors).
    pub fn parse<T: serde::de::DeserializeOwned>(
        settings: &toml::Table,
    ) -> Result<T, AdapterConfigError> {
        T::deserialize(toml::Value::Table(settings.clone()))
            .map_err(|e| AdapterConfigError::new("adapter", e.to_string()))
    }
}

/// Serves a simulator's routes on `addr` (`127.0.0.1:0` for any free port)
/// until the returned sender is dropped or fired; returns its base URL.
pub async fn serve_simulator(
    addr: &str,
    name: &'static str,
    app: axum::Router,
) -> std::io::Result<(String, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let stopped = async {
            let _ = stopped.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::warn!(error = %e, simulator = name, "simulator stopped with an error");
        }
    });
    Ok((url, stop))
}

/// Checks that a setting is an `http://` or `https://` URL with a host.
pub fn check_http_url(key: &str, value: &str) -> Result<(), AdapterConfigError> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !value.contains(char::is_whitespace) => Ok(()),
        _ => Err(AdapterConfigError::new(
            key,
            format!("`{value}` is not an http:// or https:// URL"),
        )),
    }
}

/// Builds adapters of one kind from configuration.
pub trait AdapterKind: Send + Sync {
    /// The `kind` in `[partners.adapter]`, e.g. `postal_http`.
    fn kind(&self) -> &'static str;
    /// Checks the settings without building anything (`validate-config`).
    fn validate(&self, settings: &toml::Table) -> Result<(), AdapterConfigError>;
    /// Builds the partner's adapter; `hub` acts as `partner_id`.
    fn build(
        &self,
        partner_id: &str,
        settings: &toml::Table,
        hub: Arc<dyn HubApi>,
    ) -> Result<Adapter, AdapterConfigError>;
}
