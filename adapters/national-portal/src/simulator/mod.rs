//! A simulated national portal (DVCQG) on loopback, for tests and the demo.
//!
//! It speaks the portal's protocol as `protocol` describes it (login with
//! `dstcode`, sessions, `DongBoHoSoMC`, `CapNhatTienDoHoSoMC`, catalogue
//! reads, `TraCuuHoSo`, `LayDanhSachHoSoMoi`), keeps what it accepted so a
//! test can check that nothing was lost, doubled or reordered, and can
//! misbehave on demand:
//!
//! - [`Simulator::set_delay`]: slow answers;
//! - [`Simulator::fail_next`] / [`Simulator::fail_next_of`]: HTTP 500 for
//!   the next N calls (all, or of one operation), applying nothing;
//! - [`Simulator::lose_reply_of`]: apply the next N calls of an operation,
//!   then answer 500 — the lost reply that makes a retried create meet
//!   "already exists";
//! - [`Simulator::expire_sessions`]: every session becomes invalid;
//! - [`Simulator::preload`]: a dossier the portal already has ("already
//!   exists" on create);
//! - [`Simulator::set_duplicates`]: the push-down list repeats every dossier.
//!
//! The server stops when the `Simulator` is dropped.

mod server;
pub mod state;

pub use state::{CallRecord, SimConfig, StoredDossier};

// What a driver of the simulator needs besides: the operation names its
// switches take and the dossier filed on it (its date-times are written
// with `lienthong_adapter::vietnam_time`).
pub use crate::protocol::{ops, HoSo};

use crate::protocol::{CoQuan, LinhVuc, ThuTuc, TienDo};
use server::{lock, Shared};
use state::SimState;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct Simulator {
    url: String,
    shared: Shared,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Simulator {
    /// Starts on `127.0.0.1:0`.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        Self::start_on("127.0.0.1:0", config).await
    }

    /// Starts on a given address (the demo may want a fixed port).
    pub async fn start_on(addr: &str, config: SimConfig) -> std::io::Result<Simulator> {
        let shared: Shared = Arc::new(Mutex::new(SimState::new(config)));
        let (url, tx) = lienthong_adapter::serve_simulator(addr, "national portal", |_| {
            server::router(shared.clone())
        })
        .await?;
        Ok(Simulator {
            url,
            shared,
            shutdown: Some(tx),
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:40123` (the adapter's `endpoint`).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn config(&self) -> SimConfig {
        lock(&self.shared).config.clone()
    }

    // ---- switches ----

    pub fn set_delay(&self, delay: Duration) {
        lock(&self.shared).faults.delay = delay;
    }

    pub fn fail_next(&self, n: u32) {
        lock(&self.shared).faults.fail_next = n;
    }

    pub fn fail_next_of(&self, op: &str, n: u32) {
        lock(&self.shared)
            .faults
            .fail_next_of
            .insert(op.to_string(), n);
    }

    pub fn lose_reply_of(&self, op: &str, n: u32) {
        lock(&self.shared)
            .faults
            .lose_reply_of
            .insert(op.to_string(), n);
    }

    pub fn expire_sessions(&self) {
        lock(&self.shared).expire_sessions();
    }

    pub fn set_duplicates(&self, on: bool) {
        lock(&self.shared).faults.duplicates = on;
    }

    /// The portal already holds this dossier (as if synced by someone else).
    pub fn preload(&self, ho_so: HoSo) {
        lock(&self.shared).dossiers.insert(
            ho_so.MaHoSo.clone(),
            StoredDossier {
                ho_so,
                ..Default::default()
            },
        );
    }

    /// A citizen files this dossier on the portal for unit `madonvi`.
    pub fn file_on_portal(&self, madonvi: &str, ho_so: HoSo) {
        lock(&self.shared).filed.push((madonvi.to_string(), ho_so));
    }

    pub fn set_procedures(&self, list: Vec<ThuTuc>) {
        lock(&self.shared).procedures = list;
    }

    pub fn set_agencies(&self, list: Vec<CoQuan>) {
        lock(&self.shared).agencies = list;
    }

    pub fn set_sectors(&self, list: Vec<LinhVuc>) {
        lock(&self.shared).sectors = list;
    }

    // ---- records ----

    pub fn dossier(&self, ma_ho_so: &str) -> Option<StoredDossier> {
        lock(&self.shared).dossiers.get(ma_ho_so).cloned()
    }

    pub fn progress(&self, ma_ho_so: &str) -> Vec<TienDo> {
        self.dossier(ma_ho_so)
            .map(|d| d.progress)
            .unwrap_or_default()
    }

    pub fn dossier_count(&self) -> usize {
        lock(&self.shared).dossiers.len()
    }

    pub fn calls(&self) -> Vec<CallRecord> {
        lock(&self.shared).log.clone()
    }

    pub fn calls_of(&self, op: &str) -> Vec<CallRecord> {
        self.calls()
            .into_iter()
            .filter(|c| c.service == op)
            .collect()
    }

    pub fn logins(&self) -> u64 {
        lock(&self.shared).logins
    }

    /// Progress entries that arrived out of order or twice.
    pub fn order_violations(&self) -> Vec<String> {
        lock(&self.shared).order_violations.clone()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
