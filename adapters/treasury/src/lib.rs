//! lienthong adapter for the State Treasury (Kho bạc Nhà nước, DOMAIN.md
//! §6), kind `treasury_kbnn`.
//!
//! - **Outbound**: `payment_recorded` → a credit notice (báo có) for the
//!   settled payment ([`sink`], [`notice`]).
//! - **Reconciliation** (đối soát): [`reconcile::reconcile`] is the pure
//!   matching of the gateway's settled transactions against the treasury's
//!   credited records (the `lienthong-reconcile` crate, which the hub's
//!   `AdminService.Reconcile` runs too), whose [`reconcile::files`] reads
//!   and writes the CSV files; [`run`] fetches both files for a day and
//!   writes the report to `report_dir`.
//! - **Task**: the daily run at `reconcile_at` ([`schedule`]).
//! - **Inbound**: `POST reconcile` runs it now ([`routes`]).
//! - **Simulator**: the treasury itself ([`simulator`]).

pub mod client;
pub mod error;
pub mod notice;
pub mod protocol;
pub mod routes;
pub mod run;
pub mod schedule;
pub mod settings;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod sink;

pub use error::TreasuryError;
pub use lienthong_reconcile as reconcile;
pub use reconcile::{reconcile, Credited, Outcome, Report, Settled, Summary};
pub use settings::Settings;

use lienthong_adapter::{Adapter, AdapterConfigError, BuildAdapter, Partner};
use std::sync::Arc;

/// The `kind` of `[partners.adapter]` this crate builds.
/// Builds treasury adapters from configuration.
pub struct TreasuryKind;

impl BuildAdapter for TreasuryKind {
    const KIND: &'static str = "treasury_kbnn";
    type Settings = Settings;

    fn build_from(&self, partner: Partner<Settings>) -> Result<Adapter, AdapterConfigError> {
        let settings = Arc::new(partner.settings);
        let client = Arc::new(
            client::Client::new(settings.clone())
                .map_err(|e| AdapterConfigError::new("endpoint", e.to_string()))?,
        );
        let reconciler = Arc::new(run::Reconciler::new(
            &partner.id,
            client.clone(),
            settings.report_dir.clone(),
        ));
        let minute = settings.reconcile_minute();
        let task_reconciler = reconciler.clone();
        Ok(Adapter {
            sink: Some(Arc::new(sink::TreasurySink {
                partner_id: partner.id,
                settings: settings.clone(),
                client,
            })),
            routes: Some(routes::router(reconciler, settings.trigger_token.clone())),
            tasks: vec![Box::new(move |stop| {
                Box::pin(schedule::run(task_reconciler, minute, stop))
            })],
        })
    }
}
