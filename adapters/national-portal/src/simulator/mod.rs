//! A simulated national portal (DVCQG) on loopback, for tests and the demo.
//!
//! It speaks the protocol profile it is given (`SimConfig::profile`, the
//! built-in default unless a test gives another): login with `dstcode`,
//! sessions, `DongBoHoSoMC`, `CapNhatTienDoHoSoMC`, every catalogue read,
//! `TraCuuHoSo`, `LayDanhSachHoSoMoi`, `DongBoDanhGia`, `DongBoHoiDap` —
//! under that profile's paths, parameter names, encodings and field names,
//! refusing a write that carries a field the profile does not name or
//! lacks one it requires — and keeps what it accepted so a
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
//! - [`Simulator::set_duplicates`]: the push-down list repeats every dossier;
//! - [`Simulator::set_raw_answer`]: answer an operation with these wire
//!   records as they are (a deployment that differs from the profile).
//!
//! The server stops when the `Simulator` is dropped.

mod feedback;
mod server;
pub mod state;

pub use state::{CallRecord, SimConfig, StoredDossier};

// What a driver of the simulator needs besides: the operation names its
// switches take and the dossier filed on it (its date-times are written
// with `lienthong_adapter::vietnam_time`).
pub use crate::protocol::{ops, DanhGia, HoSo, HoiDap};

pub use crate::profile::{Op, Profile};
use crate::protocol::{CoQuan, LinhVuc, ThuTuc, TienDo};
use lienthong_adapter::Served;
use state::SimState;
use std::sync::Mutex;
use std::time::Duration;

pub struct Simulator {
    served: Served<Mutex<SimState>>,
}

impl Simulator {
    /// Starts on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let state = Mutex::new(SimState::new(config));
        let served = Served::start("national portal", state, server::router).await?;
        Ok(Simulator { served })
    }

    /// Base URL, e.g. `http://127.0.0.1:40123` (the adapter's `endpoint`).
    pub fn url(&self) -> &str {
        self.served.url()
    }

    /// The `[partners.adapter]` table of a portal adapter logging in to
    /// this simulator for unit `madonvi` (`kind` and the tasks' periods
    /// left to the caller).
    pub fn adapter_settings(&self, madonvi: &str) -> toml::Table {
        let c = self.config();
        let mut table = toml::Table::new();
        for (key, value) in [
            ("endpoint", self.url()),
            ("username", &c.username),
            ("password", &c.password),
            ("dstcode", &c.dstcode),
            ("madonvi", madonvi),
        ] {
            table.insert(key.into(), value.into());
        }
        table
    }

    pub fn config(&self) -> SimConfig {
        self.served.lock().config.clone()
    }

    // ---- switches ----

    pub fn set_delay(&self, delay: Duration) {
        self.served.lock().faults.delay = delay;
    }

    pub fn fail_next(&self, n: u32) {
        self.served.lock().faults.fail_next = n;
    }

    pub fn fail_next_of(&self, op: Op, n: u32) {
        self.served.lock().faults.fail_next_of.insert(op, n);
    }

    pub fn lose_reply_of(&self, op: Op, n: u32) {
        self.served.lock().faults.lose_reply_of.insert(op, n);
    }

    pub fn expire_sessions(&self) {
        self.served.lock().expire_sessions();
    }

    pub fn set_duplicates(&self, on: bool) {
        self.served.lock().faults.duplicates = on;
    }

    /// The portal already holds this dossier (as if synced by someone else).
    pub fn preload(&self, ho_so: HoSo) {
        self.served.lock().dossiers.insert(
            ho_so.MaHoSo.clone(),
            StoredDossier {
                ho_so,
                ..Default::default()
            },
        );
    }

    /// A citizen files this dossier on the portal for unit `madonvi`.
    pub fn file_on_portal(&self, madonvi: &str, ho_so: HoSo) {
        self.served.lock().filed.push((madonvi.to_string(), ho_so));
    }

    pub fn set_procedures(&self, list: Vec<ThuTuc>) {
        self.served.lock().procedures = list;
    }

    pub fn set_agencies(&self, list: Vec<CoQuan>) {
        self.served.lock().agencies = list;
    }

    pub fn set_sectors(&self, list: Vec<LinhVuc>) {
        self.served.lock().sectors = list;
    }

    /// One of the other catalogues (`seed::record_of`), records in
    /// canonical names.
    pub fn set_catalog(&self, op: Op, list: Vec<serde_json::Value>) {
        self.served.lock().catalogs.insert(op, list);
    }

    /// Answers `op` with these records exactly as given (wire names).
    pub fn set_raw_answer(&self, op: Op, list: Vec<serde_json::Value>) {
        self.served.lock().raw_answers.insert(op, list);
    }

    /// The profile it speaks.
    pub fn profile(&self) -> std::sync::Arc<Profile> {
        self.served.lock().config.profile.clone()
    }

    // ---- records ----

    pub fn dossier(&self, ma_ho_so: &str) -> Option<StoredDossier> {
        self.served.lock().dossiers.get(ma_ho_so).cloned()
    }

    pub fn progress(&self, ma_ho_so: &str) -> Vec<TienDo> {
        self.dossier(ma_ho_so)
            .map(|d| d.progress)
            .unwrap_or_default()
    }

    /// The ratings it accepted (`DongBoDanhGia`), by MaHoSo.
    pub fn ratings(&self) -> Vec<DanhGia> {
        self.served.lock().ratings.values().cloned().collect()
    }

    /// The questions with answers it accepted (`DongBoHoiDap`).
    pub fn answers(&self) -> Vec<HoiDap> {
        self.served.lock().answers.values().cloned().collect()
    }

    pub fn dossier_count(&self) -> usize {
        self.served.lock().dossiers.len()
    }

    pub fn calls(&self) -> Vec<CallRecord> {
        self.served.lock().log.clone()
    }

    pub fn calls_of(&self, op: Op) -> Vec<CallRecord> {
        self.calls()
            .into_iter()
            .filter(|c| c.op == Some(op))
            .collect()
    }

    pub fn logins(&self) -> u64 {
        self.served.lock().logins
    }

    /// Progress entries that arrived out of order or twice.
    pub fn order_violations(&self) -> Vec<String> {
        self.served.lock().order_violations.clone()
    }
}
