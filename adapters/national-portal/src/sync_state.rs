//! What has been synced to the portal, per dossier, and how late.
//!
//! Syncing to the national portal is a scored indicator (DOMAIN.md §3), so
//! the adapter records for every dossier the last version it saw from the
//! hub, the last one the portal accepted, when, and the lag (sync time −
//! event time). It also remembers what it knows of the portal's copy (exists?
//! progress up to which version?) so the normal path needs no lookups; that
//! knowledge is dropped whenever an answer went missing. The catalogue and
//! push-down tasks report here too, so one route shows the whole picture.
//!
//! The per-dossier records survive a restart: each is kept in the adapter's
//! state in the hub's store (`sync/<MaHoSo>`, `lienthong_adapter::state`),
//! with what is known of the portal's copy, and all of them are read back
//! before the first event or status request after a start ([`SyncState::
//! load`]). So after a restart `GET sync/{ma_ho_so}` answers what it
//! answered before, and an event redelivered by the hub for a version the
//! portal already accepted is answered from the record, without a lookup
//! and without sending it again. The record is written "in doubt" (the
//! portal's copy unknown) before the adapter writes to the portal, and with
//! the new copy only once the portal accepted everything: a crash in
//! between leaves a record whose next event asks the portal (`TraCuuHoSo`,
//! the truth) instead of trusting a copy that may be behind. The catalogue
//! pulls, the push-down poller and the unknown fields are kept in memory
//! only: each poll rebuilds them.

use lienthong_adapter::{vietnam_time, Durable, StateError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;

/// Where a dossier's record is kept in the adapter's state.
fn key(ma_ho_so: &str) -> String {
    format!("{PREFIX}{ma_ho_so}")
}

const PREFIX: &str = "sync/";

/// A dossier's record as stored: the record the routes show, and what is
/// known of the portal's copy (not shown).
#[derive(Serialize, Deserialize)]
struct Kept {
    record: DossierSync,
    portal: Option<PortalCopy>,
}

/// What the adapter knows of the portal's copy of one dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalCopy {
    pub exists: bool,
    /// The highest history version among its progress entries.
    pub version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSync {
    pub ma_ho_so: String,
    /// The last dossier version the hub handed over.
    pub last_version_seen: u64,
    /// The last version whose dossier and progress the portal accepted.
    pub last_version_synced: u64,
    pub synced: bool,
    /// `yyyyMMddHHmmss`, Vietnam time; empty before the first sync.
    pub synced_at: String,
    pub synced_at_unix_ms: i64,
    /// Sync time − event time of the last synced version.
    pub lag_ms: i64,
    pub failed_attempts: u32,
    pub last_error: Option<String>,
    #[serde(skip)]
    pub portal: Option<PortalCopy>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CatalogStatus {
    pub version: u64,
    pub entries: usize,
    /// Portal records left out (a required field missing, a bad code, no
    /// name).
    pub skipped: usize,
    /// Why records were left out, by wire field name (the first few).
    pub problems: Vec<String>,
    pub published_at: String,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PushdownStatus {
    pub submitted: u64,
    /// Already in the hub (duplicates, re-reads).
    pub already_there: u64,
    /// The latest dossiers that could not be submitted, with the reason.
    pub refused: VecDeque<Refusal>,
    pub last_poll_at: String,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub ma_ho_so: String,
    pub reason: String,
}

const MAX_REFUSALS: usize = 100;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The protocol profile in use: name, version and source.
    pub profile: String,
    pub dossiers: usize,
    pub synced: usize,
    pub pending: usize,
    pub max_lag_ms: i64,
    pub logins: u64,
    pub catalogs: BTreeMap<String, CatalogStatus>,
    pub pushdown: PushdownStatus,
    /// Per operation (its wire name), the fields the portal sent that the
    /// profile does not name: read past, reported so the profile can be
    /// corrected.
    pub unknown_fields: BTreeMap<String, BTreeSet<String>>,
}

/// A dossier's last error is kept to this many characters.
const MAX_ERROR_CHARS: usize = 1000;

/// At most this many unknown field names kept per operation.
const MAX_UNKNOWN: usize = 50;

pub struct SyncState {
    inner: Mutex<Inner>,
    durable: Durable,
    /// Set once the stored records were read back after the start.
    loaded: tokio::sync::OnceCell<()>,
}

#[derive(Default)]
struct Inner {
    dossiers: HashMap<String, DossierSync>,
    catalogs: BTreeMap<String, CatalogStatus>,
    pushdown: PushdownStatus,
    unknown_fields: BTreeMap<String, BTreeSet<String>>,
}

impl SyncState {
    pub fn new(durable: Durable) -> SyncState {
        SyncState {
            inner: Mutex::default(),
            durable,
            loaded: tokio::sync::OnceCell::new(),
        }
    }

    /// Reads the stored records back, once (a failure is tried again at
    /// the next call). Every path that reads or changes a dossier's record
    /// awaits this first; a record changed before is newer and stays.
    pub async fn load(&self) -> Result<(), StateError> {
        self.loaded
            .get_or_try_init(|| async {
                let kept = self.durable.scan::<Kept>(PREFIX).await?;
                let count = kept.len();
                self.with(|inner| {
                    for (_, k) in kept {
                        let mut record = k.record;
                        record.portal = k.portal;
                        inner
                            .dossiers
                            .entry(record.ma_ho_so.clone())
                            .or_insert(record);
                    }
                });
                tracing::info!(records = count, "national portal sync records read back");
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// Stores the dossier's record as it is now in memory.
    pub async fn save(&self, ma_ho_so: &str) -> Result<(), StateError> {
        let Some(record) = self.dossier(ma_ho_so) else {
            return Ok(());
        };
        let kept = Kept {
            portal: record.portal,
            record,
        };
        self.durable.put(&key(ma_ho_so), &kept).await
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut guard = lienthong_adapter::sync::lock(&self.inner);
        f(&mut guard)
    }

    fn with_dossier<T>(&self, ma_ho_so: &str, f: impl FnOnce(&mut DossierSync) -> T) -> T {
        self.with(|inner| {
            let entry = inner
                .dossiers
                .entry(ma_ho_so.to_string())
                .or_insert_with(|| DossierSync {
                    ma_ho_so: ma_ho_so.to_string(),
                    ..DossierSync::default()
                });
            f(entry)
        })
    }

    pub fn portal_copy(&self, ma_ho_so: &str) -> Option<PortalCopy> {
        self.with(|i| i.dossiers.get(ma_ho_so).and_then(|d| d.portal))
    }

    pub fn set_portal_copy(&self, ma_ho_so: &str, copy: Option<PortalCopy>) {
        self.with_dossier(ma_ho_so, |d| d.portal = copy);
    }

    pub fn seen(&self, ma_ho_so: &str, version: u64) {
        self.with_dossier(ma_ho_so, |d| {
            d.last_version_seen = d.last_version_seen.max(version);
            d.synced = d.last_version_synced >= d.last_version_seen;
        });
    }

    pub fn synced(&self, ma_ho_so: &str, version: u64, event_at_ms: i64) {
        let now = vietnam_time::now_millis();
        self.with_dossier(ma_ho_so, |d| {
            // A redelivery of a version already synced keeps the first
            // sync's time and lag (the hub offers events again after a
            // restart; the portal accepted them once).
            if version > d.last_version_synced || d.synced_at_unix_ms == 0 {
                d.last_version_synced = version;
                d.synced_at_unix_ms = now;
                d.synced_at = vietnam_time::format(now.div_euclid(1000));
                d.lag_ms = if event_at_ms > 0 {
                    (now - event_at_ms).max(0)
                } else {
                    0
                };
            }
            d.synced = d.last_version_synced >= d.last_version_seen;
            d.failed_attempts = 0;
            d.last_error = None;
        });
    }

    pub fn failed(&self, ma_ho_so: &str, error: &str) {
        self.with_dossier(ma_ho_so, |d| {
            d.failed_attempts = d.failed_attempts.saturating_add(1);
            // Cut, so the stored record stays small whatever the portal said.
            d.last_error = Some(error.chars().take(MAX_ERROR_CHARS).collect());
        });
    }

    pub fn dossier(&self, ma_ho_so: &str) -> Option<DossierSync> {
        self.with(|i| i.dossiers.get(ma_ho_so).cloned())
    }

    pub fn catalog_published(
        &self,
        kind: &str,
        version: u64,
        entries: usize,
        skipped: usize,
        problems: Vec<String>,
    ) {
        self.with(|i| {
            i.catalogs.insert(
                kind.to_string(),
                CatalogStatus {
                    version,
                    entries,
                    skipped,
                    problems,
                    published_at: vietnam_time::format(vietnam_time::now_millis().div_euclid(1000)),
                    last_error: None,
                },
            );
        });
    }

    pub fn catalog_failed(&self, kind: &str, error: &str) {
        self.with(|i| {
            i.catalogs.entry(kind.to_string()).or_default().last_error = Some(error.to_string());
        });
    }

    pub fn pushdown_submitted(&self, already_there: bool) {
        self.with(|i| {
            if already_there {
                i.pushdown.already_there += 1;
            } else {
                i.pushdown.submitted += 1;
            }
        });
    }

    pub fn pushdown_refused(&self, ma_ho_so: &str, reason: &str) {
        self.with(|i| {
            let list = &mut i.pushdown.refused;
            if let Some(existing) = list.iter_mut().find(|r| r.ma_ho_so == ma_ho_so) {
                existing.reason = reason.to_string();
                return;
            }
            if list.len() == MAX_REFUSALS {
                list.pop_front();
            }
            list.push_back(Refusal {
                ma_ho_so: ma_ho_so.to_string(),
                reason: reason.to_string(),
            });
        });
    }

    pub fn pushdown_polled(&self, error: Option<String>) {
        self.with(|i| {
            i.pushdown.last_poll_at =
                vietnam_time::format(vietnam_time::now_millis().div_euclid(1000));
            i.pushdown.last_error = error;
        });
    }

    /// Fields of an answer to `op` that the profile does not name.
    pub fn unknown_fields(&self, op: &str, names: &[String]) {
        if names.is_empty() {
            return;
        }
        tracing::warn!(op, fields = %names.join(", "), "the national portal sent fields the protocol profile does not name");
        self.with(|i| {
            let set = i.unknown_fields.entry(op.to_string()).or_default();
            for name in names {
                if set.len() < MAX_UNKNOWN {
                    // `result[3].X` and `result[0].X` are the same field.
                    set.insert(without_indexes(name));
                }
            }
        });
    }

    pub fn summary(&self, logins: u64) -> Summary {
        self.with(|i| {
            let synced = i.dossiers.values().filter(|d| d.synced).count();
            Summary {
                profile: String::new(),
                dossiers: i.dossiers.len(),
                synced,
                pending: i.dossiers.len() - synced,
                max_lag_ms: i.dossiers.values().map(|d| d.lag_ms).max().unwrap_or(0),
                logins,
                catalogs: i.catalogs.clone(),
                pushdown: i.pushdown.clone(),
                unknown_fields: i.unknown_fields.clone(),
            }
        })
    }
}

/// A field's path with its list positions left out.
fn without_indexes(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut skipping = false;
    for c in name.chars() {
        match c {
            '[' => skipping = true,
            ']' => skipping = false,
            c if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::testing::FakeHub;

    fn state() -> (std::sync::Arc<FakeHub>, SyncState) {
        let hub = std::sync::Arc::new(FakeHub::default());
        (hub.clone(), SyncState::new(Durable::new(hub)))
    }

    #[tokio::test]
    async fn records_are_stored_and_read_back_with_the_portal_copy() {
        let (hub, s) = state();
        s.load().await.unwrap();
        s.seen("A", 3);
        s.synced("A", 3, vietnam_time::now_millis() - 10);
        s.set_portal_copy(
            "A",
            Some(PortalCopy {
                exists: true,
                version: 3,
            }),
        );
        s.save("A").await.unwrap();
        let before = s.dossier("A").unwrap();
        let again = SyncState::new(Durable::new(hub.clone()));
        again.load().await.unwrap();
        assert_eq!(again.dossier("A").unwrap(), before);
        assert_eq!(again.portal_copy("A").unwrap().version, 3);
        // A redelivered version keeps the first sync's time.
        again.synced("A", 3, 1);
        assert_eq!(
            again.dossier("A").unwrap().synced_at_unix_ms,
            before.synced_at_unix_ms
        );
        assert_eq!(hub.kept()[0].0, "sync/A");
    }

    #[test]
    fn synced_means_the_last_seen_version_was_accepted() {
        let (_hub, s) = state();
        s.seen("A", 1);
        assert!(!s.dossier("A").unwrap().synced);
        s.synced("A", 1, vietnam_time::now_millis() - 1500);
        let d = s.dossier("A").unwrap();
        assert!(d.synced && d.lag_ms >= 1500 && d.synced_at.len() == 14);
        s.seen("A", 2);
        s.failed("A", "portal down");
        let sum = s.summary(1);
        assert_eq!((sum.dossiers, sum.synced, sum.pending), (1, 0, 1));
        assert_eq!(s.dossier("A").unwrap().failed_attempts, 1);
    }
}
