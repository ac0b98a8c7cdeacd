//! A simulator of the State Treasury, for tests and `lienthong demo`: a
//! small HTTP server on `127.0.0.1:0` taking credit notices (báo có) as
//! [`crate::protocol`] describes, idempotent by `MaGiaoDich` (a repeat
//! answers `MaLoi 02` with the existing `SoChungTu`), and exporting its
//! credited records as the daily CSV file reconciliation reads.
//!
//! Switches ([`Switches`]): slow answers, HTTP 500 for the next N calls,
//! 500 after crediting (a lost answer), a notice credited twice, a credit
//! recorded with a different amount. Tests and the demo can also add a
//! credit by hand ([`Simulator::add_credit`]), e.g. one the
//! gateway never settled. It stops when dropped.

mod api;
mod state;

pub use state::Switches;

use crate::reconcile::files::{of_day, write_credited};
use crate::reconcile::Credited;
use lienthong_adapter::serve_simulator;
use state::{lock, SimState};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Who the simulated treasury knows: one partner and its shared secret.
pub type SimConfig = lienthong_adapter::ma_xac_thuc::SharedSecret;

/// A running treasury simulator; stops when dropped.
pub struct Simulator {
    state: Arc<SimState>,
    base_url: String,
    _shutdown: oneshot::Sender<()>,
}

impl Simulator {
    /// Starts the treasury on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let state = Arc::new(SimState {
            partner_code: config.partner_code,
            secret: config.secret,
            ..Default::default()
        });
        let (base_url, shutdown) =
            serve_simulator("127.0.0.1:0", "treasury", |_| api::router(state.clone())).await?;
        Ok(Simulator {
            state,
            base_url,
            _shutdown: shutdown,
        })
    }

    /// `http://127.0.0.1:<port>`: the adapter's `endpoint`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn switches(&self) -> &Switches {
        &self.state.switches
    }

    /// The `[partners.adapter]` table of a treasury adapter calling this
    /// treasury (`kind` left to the caller): its URL, partner code and
    /// secret, a quick timeout for a treasury on loopback, the account
    /// credited, and `report_dir` for its reconciliation reports. The
    /// `settlement_*` keys come from the gateway it reconciles against (the
    /// payment simulator's `settlement_settings`).
    pub fn adapter_settings(&self, report_dir: &std::path::Path) -> toml::Table {
        let mut table = toml::Table::new();
        for (key, value) in [
            ("endpoint", self.base_url()),
            ("partner_code", &self.state.partner_code),
            ("secret", &self.state.secret),
            ("treasury_code", "0011"),
            ("revenue_account", "7111"),
        ] {
            table.insert(key.into(), value.into());
        }
        table.insert("timeout_seconds".into(), 2.into());
        table.insert("report_dir".into(), report_dir.display().to_string().into());
        table
    }

    /// Every credited record, in crediting order.
    pub fn credits(&self) -> Vec<Credited> {
        lock(&self.state.credits).clone()
    }

    /// How many credit notices arrived (including failed ones).
    pub fn notices_received(&self) -> u64 {
        self.state.notices.load(Ordering::SeqCst)
    }

    /// Credits a record by hand (not through a notice).
    pub fn add_credit(&self, credit: Credited) {
        lock(&self.state.credits).push(credit);
    }

    /// The credit file of `date` (`yyyyMMdd`, by credit date), or all.
    pub fn credit_csv(&self, date: Option<&str>) -> String {
        credit_file(&lock(&self.state.credits), date)
    }
}

/// The credit file (`lienthong-reconcile`'s CSV) of the records credited on
/// `date` (`yyyyMMdd`), or of all.
fn credit_file(credits: &[Credited], date: Option<&str>) -> String {
    write_credited(&of_day(credits, date, |c| &c.credited_at))
}
