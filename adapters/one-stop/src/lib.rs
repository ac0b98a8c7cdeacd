//! Provincial one-stop systems (Hệ thống thông tin một cửa điện tử) as
//! lienthong partners — adapter kind `one_stop_rest`.
//!
//! - **outbound** ([`sink`]): dossiers routed to the system are posted
//!   to it, and every later change after them, with the hub's event id.
//! - **inbound** ([`routes`]): `POST status`, the system's status reports
//!   in its own vocabulary, mapped through `status_map` to the ten
//!   canonical codes and turned into the one canonical command that leads
//!   there from where the dossier is ([`commands`], on the planner of
//!   `domain::planner`).
//! - [`simulator`]: a one-stop system, for tests and `lienthong demo`.

pub mod client;
pub mod commands;
pub mod error;
pub mod protocol;
pub mod routes;
pub mod settings;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod sink;

use lienthong_adapter::{Adapter, AdapterConfigError, BuildAdapter, Partner};
use settings::Settings;
use std::sync::Arc;

/// Builds one-stop adapters from `[partners.adapter]` settings.
pub struct OneStopKind;

impl BuildAdapter for OneStopKind {
    const KIND: &'static str = "one_stop_rest";
    type Settings = Settings;

    fn build_from(&self, partner: Partner<Settings>) -> Result<Adapter, AdapterConfigError> {
        let settings = Arc::new(partner.settings);
        let sink = sink::OneStopSink::new(settings.clone(), &partner.id)
            .map_err(|problem| AdapterConfigError::new("endpoint", problem))?;
        Ok(Adapter {
            sink: Some(Arc::new(sink)),
            routes: Some(routes::router(partner.hub, settings)),
            tasks: Vec::new(),
        })
    }
}
