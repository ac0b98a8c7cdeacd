//! What has been synced to the portal, per dossier, and how late.
//!
//! Syncing to the national portal is a scored indicator (DOMAIN.md §3), so
//! the adapter records for every dossier the last version it saw from the
//! hub, the last one the portal accepted, when, and the lag (sync time −
//! event time). It also remembers what it knows of the portal's copy (exists?
//! progress up to which version?) so the normal path needs no lookups; that
//! knowledge is dropped whenever an answer went missing. The catalogue and
//! push-down tasks report here too, so one route shows the whole picture.
//! Kept in memory: after a restart the records start again (the portal's
//! own copy, read back with `TraCuuHoSo`, stays the truth).

use lienthong_adapter::vietnam_time;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;

/// What the adapter knows of the portal's copy of one dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalCopy {
    pub exists: bool,
    /// The highest history version among its progress entries.
    pub version: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
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

/// At most this many unknown field names kept per operation.
const MAX_UNKNOWN: usize = 50;

#[derive(Default)]
pub struct SyncState {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    dossiers: HashMap<String, DossierSync>,
    catalogs: BTreeMap<String, CatalogStatus>,
    pushdown: PushdownStatus,
    unknown_fields: BTreeMap<String, BTreeSet<String>>,
}

impl SyncState {
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
            if version >= d.last_version_synced {
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
            d.last_error = Some(error.to_string());
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

    #[test]
    fn synced_means_the_last_seen_version_was_accepted() {
        let s = SyncState::default();
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
