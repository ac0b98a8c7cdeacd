//! The national portal (Cổng Dịch vụ công quốc gia, DVCQG) as a lienthong
//! partner — adapter kind `national_portal_dvcqg`.
//!
//! - **outbound** ([`sink`]): every dossier event is synced to the portal as
//!   an idempotent upsert (`DongBoHoSoMC`) followed, strictly after the
//!   dossier exists, by its progress entries (`CapNhatTienDoHoSoMC`), in
//!   order; the per-dossier sync state and lag are recorded ([`sync_state`]),
//!   durably, in the hub's store through the adapter state calls.
//!   Ratings and published answers of the hosted portal, when the partner
//!   subscribes to them, become `DongBoDanhGia` and `DongBoHoiDap` calls
//!   ([`citizen`]).
//! - **inbound**: `GET sync` and `GET sync/{ma_ho_so}` ([`routes`]); a
//!   catalogue puller ([`catalog`]) and a push-down poller ([`pushdown`])
//!   that submits dossiers filed on the portal into the hub.
//! - [`simulator`]: the portal itself, for tests and `lienthong demo`.
//!
//! The portal's protocol is not published (DOMAIN.md §3): every wire name,
//! path and encoding comes from a protocol profile ([`profile`]), the
//! built-in one following the public implementations; [`protocol`] holds
//! the records in their canonical names.

pub mod catalog;
pub mod citizen;
pub mod client;
pub mod error;
pub mod mapping;
pub mod profile;
pub mod protocol;
pub mod pushdown;
pub mod routes;
pub mod settings;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod sink;
pub mod sync_state;

use lienthong_adapter::{Adapter, AdapterConfigError, BuildAdapter, HubApi, Partner, Stop, Task};
use settings::Settings;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Builds national-portal adapters from `[partners.adapter]` settings.
pub struct NationalPortalKind;

impl BuildAdapter for NationalPortalKind {
    const KIND: &'static str = "national_portal_dvcqg";
    type Settings = Settings;

    fn build_from(&self, partner: Partner<Settings>) -> Result<Adapter, AdapterConfigError> {
        let parts = Parts::new(&partner.settings, partner.hub)?;
        tracing::debug!(partner = %partner.id, "national portal adapter built");
        Ok(parts.adapter(&partner.settings))
    }
}

/// The pieces of one adapter, also usable on their own (tests, demo).
pub struct Parts {
    pub client: Arc<client::Client>,
    pub state: Arc<sync_state::SyncState>,
    pub hub: Arc<dyn HubApi>,
}

impl Parts {
    pub fn new(settings: &Settings, hub: Arc<dyn HubApi>) -> Result<Parts, AdapterConfigError> {
        let client = client::Client::new(settings)
            .map_err(|problem| AdapterConfigError::new("endpoint", problem))?;
        Ok(Parts {
            client: Arc::new(client),
            state: Arc::new(sync_state::SyncState::new(lienthong_adapter::Durable::new(
                hub.clone(),
            ))),
            hub,
        })
    }

    pub fn sink(&self, settings: &Settings) -> sink::PortalSink {
        sink::PortalSink {
            client: self.client.clone(),
            state: self.state.clone(),
            hub: self.hub.clone(),
            batch_size: settings.progress_batch_size,
        }
    }

    pub fn catalog_puller(&self, settings: &Settings) -> catalog::CatalogPuller {
        catalog::CatalogPuller {
            client: self.client.clone(),
            hub: self.hub.clone(),
            state: self.state.clone(),
            procedure_details: settings.catalog_procedure_details,
            published: Mutex::default(),
        }
    }

    pub fn pushdown(&self, settings: &Settings) -> pushdown::Pushdown {
        pushdown::Pushdown {
            client: self.client.clone(),
            hub: self.hub.clone(),
            state: self.state.clone(),
            actor: settings.actor.clone(),
            lookback_seconds: settings.pushdown_lookback_hours as i64 * 3600,
            cursor: Mutex::new(None),
            recent: Mutex::default(),
        }
    }

    pub fn routes(&self, settings: &Settings) -> axum::Router {
        routes::router(
            self.state.clone(),
            self.client.clone(),
            settings.sync_status_token.clone(),
        )
    }

    pub fn adapter(&self, settings: &Settings) -> Adapter {
        let mut tasks: Vec<Box<dyn FnOnce(Stop) -> Task + Send>> = Vec::new();
        if settings.catalog_poll_interval_seconds > 0 {
            let puller = self.catalog_puller(settings);
            let every = Duration::from_secs(settings.catalog_poll_interval_seconds);
            tasks.push(Box::new(move |stop| Box::pin(puller.run(every, stop))));
        }
        if settings.pushdown_poll_interval_seconds > 0 {
            let poller = self.pushdown(settings);
            let every = Duration::from_secs(settings.pushdown_poll_interval_seconds);
            tasks.push(Box::new(move |stop| Box::pin(poller.run(every, stop))));
        }
        Adapter {
            sink: Some(Arc::new(self.sink(settings))),
            routes: Some(self.routes(settings)),
            tasks,
        }
    }
}
