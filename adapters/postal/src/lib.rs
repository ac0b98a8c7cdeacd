//! The postal provider adapter (`kind = "postal_http"`), DOMAIN.md §5.
//!
//! Public postal service (bưu chính công ích, Decision 45/2016/QĐ-TTg) has
//! the post collect a dossier from the applicant, carry the result back, or
//! both. This crate turns hub events into the provider's pickup and delivery
//! orders (`sink`), takes the provider's tracking events in by signed webhook
//! or by polling (`routes`, `poller`, `intake`), keeps each order's tracking
//! state (`tracking`), and ships a simulator of the provider (`simulator`).
//! What it must remember across a restart — each dossier's tracking, the
//! poller's cursor — it keeps in the hub's store through the adapter state
//! calls (`lienthong_adapter::state`), never in a file.
//!
//! Module map: `settings` (strict settings), `vocabulary` (canonical states),
//! `protocol` (the provider's messages), `signature` (webhook HMAC),
//! `orders` (order building), `client` (the provider's API), `error`.

pub mod client;
pub mod error;
pub mod intake;
pub mod orders;
pub mod poller;
pub mod protocol;
pub mod routes;
pub mod settings;
pub mod signature;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod sink;
pub mod tracking;
pub mod vocabulary;

use lienthong_adapter::{Adapter, AdapterConfigError, BuildAdapter, Durable, Partner};
use settings::{Mode, Settings};
use std::sync::Arc;

pub use error::PostalError;

/// Builds postal adapters from `[partners.adapter] kind = "postal_http"`.
#[derive(Debug, Default, Clone, Copy)]
pub struct PostalKind;

impl BuildAdapter for PostalKind {
    const KIND: &'static str = "postal_http";
    type Settings = Settings;

    fn build_from(&self, partner: Partner<Settings>) -> Result<Adapter, AdapterConfigError> {
        let config = Arc::new(partner.settings);
        let client = client::Client::new(&config)
            .map_err(|e| AdapterConfigError::new("timeout_seconds", e))?;
        let state = Durable::new(partner.hub.clone());
        let tracking = Arc::new(tracking::Tracking::new(state.clone()));
        let intake = Arc::new(intake::Intake::new(
            config.clone(),
            tracking.clone(),
            partner.hub,
        ));
        let poll_status = Arc::new(poller::PollStatus::default());
        let mut tasks = Vec::new();
        if config.mode == Mode::Poll {
            let poller = poller::Poller {
                intake: intake.clone(),
                client: client.clone(),
                status: poll_status.clone(),
                state,
            };
            tasks.push(poller.task());
        }
        tracing::info!(partner = %partner.id, mode = ?config.mode, "postal adapter built");
        Ok(Adapter {
            sink: Some(Arc::new(sink::PostalSink::new(config, client, tracking))),
            routes: Some(routes::router(intake, poll_status)),
            tasks,
        })
    }
}
