//! The generic legacy-system adapter (`kind = "legacy_rest"`).
//!
//! Ministries run legacy systems that speak REST/JSON with their own field
//! names and status codes. This adapter lets one connect by configuration
//! only: `fields` maps legacy field names to canonical paths for what the hub
//! sends (`sink`), `status_map` maps the legacy status codes to the ten
//! canonical ones both ways, and `commands` says where a legacy update keeps
//! the dossier number, status, note and dates, so it can be turned into the
//! right hub command (`commands`, `routes`). A simulator of such a system
//! ships in `simulator`.
//!
//! Module map: `settings` (strict settings), `paths` (canonical paths and
//! their values), `lienthong_adapter::jsonpath` (dotted legacy names, shared with the national portal's protocol profiles), `dates`, `error`.

pub mod client;
pub mod commands;
pub mod dates;
pub mod error;
pub mod paths;
pub mod routes;
pub mod settings;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod sink;

use lienthong_adapter::{Adapter, AdapterConfigError, BuildAdapter, Partner};
use settings::Settings;
use std::sync::Arc;

pub use error::LegacyError;

/// Builds legacy adapters from `[partners.adapter] kind = "legacy_rest"`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LegacyKind;

impl BuildAdapter for LegacyKind {
    const KIND: &'static str = "legacy_rest";
    type Settings = Settings;

    fn build_from(&self, partner: Partner<Settings>) -> Result<Adapter, AdapterConfigError> {
        let config = Arc::new(partner.settings);
        let sink: Option<Arc<dyn lienthong_adapter::Sink>> = match &config.outbound {
            Some(out) => Some(Arc::new(
                sink::LegacySink::new(config.clone(), out, &partner.id)
                    .map_err(|e| AdapterConfigError::new("timeout_seconds", e))?,
            )),
            None => None,
        };
        let routes = routes::router(config.clone(), partner.hub, &partner.id);
        tracing::info!(
            partner = %partner.id,
            outbound = config.outbound.is_some(),
            inbound = config.inbound.is_some(),
            "legacy adapter built"
        );
        Ok(Adapter {
            sink,
            routes,
            tasks: Vec::new(),
        })
    }
}
