//! lienthong adapter for the online payment platform (PayGov-style,
//! DOMAIN.md §6), kind `payment_paygov`.
//!
//! - **Outbound**: `financial_obligation_requested` → INIT with the
//!   dossier's outstanding fees and the receipt information the treasury
//!   needs; the payment URL is the partner's reference ([`sink`]).
//! - **Inbound**: `POST callback` (verified, idempotent `record_payment`)
//!   and `GET payments/{reference}`, with the `read_token` bearer only
//!   ([`routes`]).
//! - **Task**: re-QUERY of pending payments until final, and GET_BILL of
//!   paid ones ([`requery`]).
//! - **Simulator**: the gateway itself, with misbehaviour switches
//!   ([`simulator`]).
//!
//! The wire format and the field order of every `MaXacThuc` are in
//! [`protocol`].

pub mod client;
pub mod core;
pub mod error;
pub mod ledger;
pub mod obligation;
pub mod protocol;
pub mod requery;
pub mod routes;
pub mod settings;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod sink;

pub use error::PaymentError;
pub use settings::Settings;

use lienthong_adapter::{Adapter, AdapterConfigError, BuildAdapter, Partner};
use std::sync::Arc;

/// The `kind` of `[partners.adapter]` this crate builds.
/// Builds payment-platform adapters from configuration.
pub struct PaymentKind;

impl BuildAdapter for PaymentKind {
    const KIND: &'static str = "payment_paygov";
    type Settings = Settings;

    fn build_from(&self, partner: Partner<Settings>) -> Result<Adapter, AdapterConfigError> {
        let settings = Arc::new(partner.settings);
        let client = client::Client::new(settings.clone())
            .map_err(|e| AdapterConfigError::new("endpoint", e.to_string()))?;
        // A former state file is read once here, to be imported into the
        // hub's store at the first start (`ledger`); it is never written.
        let import = match &settings.state_file {
            Some(path) => Some((
                path.display().to_string(),
                ledger::read_state_file(path)
                    .map_err(|e| AdapterConfigError::new("state_file", e.to_string()))?,
            )),
            None => None,
        };
        let ledger =
            ledger::Ledger::new(lienthong_adapter::Durable::new(partner.hub.clone()), import);
        let core = Arc::new(core::Core::new(
            &partner.id,
            settings,
            client,
            ledger,
            partner.hub,
        ));
        let task_core = core.clone();
        Ok(Adapter {
            sink: Some(Arc::new(sink::PaymentSink::new(core.clone()))),
            routes: Some(routes::router(core)),
            tasks: vec![Box::new(move |stop| {
                Box::pin(requery::run(task_core, stop))
            })],
        })
    }
}
