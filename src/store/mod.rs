//! Durable state on sled, behind an API that speaks only core types.
//!
//! Everything lives in one sled tree under one-letter key prefixes (see
//! `keys`), so that one command's writes — dossier, history line, outbox
//! event, indexes, counters and idempotency record — go to disk as ONE atomic
//! `apply_batch`, and one `flush` makes a whole group of commands durable.
//! Reads go straight to sled; writes go through `Txn`, which only the engine's
//! writer thread holds. No module outside this one names a sled type.
//! `handle` keeps the sled handle and recovers from a failed write (a full
//! disk) without a restart; `dir` keeps the data directory private;
//! `audit` keeps the audit chain, written in the batches it records;
//! `attachments` the portal's attached files by their SHA-256; `records`
//! the storage encoding of the big records (dossier, history line, event,
//! idempotency record), versioned and apart from the domain types;
//! `adapter_state` the adapters' durable state, a key-value space per
//! partner.

mod adapter_state;
mod applicants;
mod archive;
mod attachments;
mod audit;
mod audit_search;
mod compact;
mod cursors;
mod deliveries;
mod dir;
mod error;
mod expiry;
mod feedback;
mod first_layout;
mod handle;
mod indexes;
mod keys;
mod layout;
mod maintenance;
mod notifications;
mod officers;
mod online_compact;
mod reads;
mod receipt_lookups;
mod records;
mod txn;
mod usage;
mod workspace;

pub use audit::{AuditItem, AuditReader};
pub use compact::{compact, Compacted};
pub use cursors::CursorId;
pub use deliveries::{DeliveredEvent, DeliveryState, DeliveryStats, ParkedDelivery};
pub use error::StoreError;
pub use first_layout::EmbeddedAnswer;
pub use handle::{PlannedReopen, StorageCondition, RESERVE_BYTES, RESERVE_FILE, RESUME_FREE_BYTES};
pub use layout::POINTER as STORE_POINTER_FILE;
pub use notifications::{NotificationOutcome, NotificationRecord};
pub use online_compact::child::{run as run_copy_child, CopyChildError};
pub use online_compact::{
    copy_in_child, CompactionReport, CompactionStarted, CompactionStatus, MAX_WRITTEN_KEYS,
};
pub use reads::ListFilter;
pub use records::{IdempotencyRecord, StoredAnswer};
pub use txn::{DossierCache, Txn};
pub use usage::{DataUsage, UsageRow};

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The directory sled's files are in, inside the data directory `dir` of
/// a hub (`layout`: the directory itself, or the `store.<n>` its pointer
/// names); an error if `dir` holds no store.
pub fn sled_dir(dir: &Path) -> Result<std::path::PathBuf, StoreError> {
    handle::require_data_dir(dir)
}

#[derive(Clone)]
pub struct Store {
    handle: Arc<handle::Handle>,
    stats: Arc<WriteStats>,
    /// The audit chain's lock and head (`audit.rs`).
    chain: Arc<audit::Chain>,
    /// Online compaction (`online_compact`): at most one at a time.
    compactions: Arc<online_compact::Compactions>,
}

/// What the writer has written since the store was opened.
#[derive(Debug, Default)]
pub struct WriteStats {
    writes: AtomicU64,
    bytes: AtomicU64,
    /// `bytes` when the directory was last (re)opened on purpose.
    opened_at_bytes: AtomicU64,
    /// `bytes` when the store was opened or last compacted.
    compacted_at_bytes: AtomicU64,
}

impl WriteStats {
    fn record(&self, writes: u64, bytes: u64) {
        self.writes.fetch_add(writes, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// (record writes, bytes of keys and values) applied so far.
    pub fn totals(&self) -> (u64, u64) {
        (
            self.writes.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        )
    }

    /// Bytes of keys and values applied since the store was opened or
    /// last reopened on purpose: what recovery after a crash would replay.
    pub fn bytes_since_open(&self) -> u64 {
        self.bytes
            .load(Ordering::Relaxed)
            .saturating_sub(self.opened_at_bytes.load(Ordering::Relaxed))
    }

    /// Bytes of keys and values applied since the store was opened or
    /// last compacted: what grew sled's page table since.
    pub fn bytes_since_compaction(&self) -> u64 {
        self.bytes
            .load(Ordering::Relaxed)
            .saturating_sub(self.compacted_at_bytes.load(Ordering::Relaxed))
    }
}

impl Store {
    /// Opens (creating it, private) the data directory; refuses one that
    /// its group or others may write to.
    pub fn open(path: &Path, cache_capacity_bytes: u64) -> Result<Store, StoreError> {
        dir::prepare(path)?;
        let sled_dir = layout::current(path)?;
        let handle = handle::Handle::open(path, &sled_dir, cache_capacity_bytes)?;
        // Only once sled's lock is ours: a copy beside a store another hub
        // still serves is that hub's compaction at work, not a leftover.
        layout::remove_leftovers(path, &sled_dir)?;
        dir::make_private(path)?;
        records::migrate::run(&*handle.read()?)?;
        indexes::build(&*handle.read()?)?;
        expiry::begin(&*handle.read()?)?;
        receipt_lookups::begin(&*handle.read()?)?;
        Ok(Store {
            handle: Arc::new(handle),
            stats: Default::default(),
            chain: Default::default(),
            compactions: Default::default(),
        })
    }

    /// Has every online compaction reopen the live store whenever it has
    /// read `bytes` of records since the last reopen (0: never), so that
    /// what its reads bring into sled's memory is let go of as it goes
    /// (`hub.store_compaction_reopen_after_read_bytes`).
    pub fn set_compaction_reopen_after_read_bytes(&self, bytes: u64) {
        self.compactions
            .reopen_after_read_bytes
            .store(bytes, Ordering::Relaxed);
    }

    /// Starts an online compaction in the background (`online_compact`),
    /// unless one runs or the store cannot now.
    pub fn start_compaction(&self) -> CompactionStarted {
        let stats = self.stats.clone();
        self.compactions.start(&self.handle, move |_| {
            // The copy's open wrote a fresh snapshot, as a planned reopen.
            let (_, bytes) = stats.totals();
            stats.opened_at_bytes.store(bytes, Ordering::Relaxed);
            stats.compacted_at_bytes.store(bytes, Ordering::Relaxed);
        })
    }

    /// Starts a compaction when `after_bytes` (not 0) were written since
    /// the last one or the open; true when one started.
    pub fn start_compaction_if_due(&self, after_bytes: u64) -> bool {
        if after_bytes == 0 || self.stats.bytes_since_compaction() < after_bytes {
            return false;
        }
        let started = self.start_compaction();
        if started != CompactionStarted::AlreadyRunning {
            // Started, or not possible now: counted again from here, so a
            // store in a fault is not asked at every group.
            let (_, bytes) = self.stats.totals();
            self.stats
                .compacted_at_bytes
                .store(bytes, Ordering::Relaxed);
        }
        started == CompactionStarted::Started
    }

    /// Where online compaction stands.
    pub fn compaction_status(&self) -> CompactionStatus {
        self.compactions.status()
    }

    /// Whether writes are accepted now; changes when a write fails and when
    /// the store has recovered.
    pub fn condition(&self) -> tokio::sync::watch::Receiver<StorageCondition> {
        self.handle.condition()
    }

    /// The sled handle to read through. Held for one operation only: a
    /// planned reopen waits for every lease (`handle::Lease`).
    fn db(&self) -> Result<handle::Lease, StoreError> {
        self.handle.read()
    }

    /// The sled handle to write through, unless writes are refused now.
    fn write_db(&self) -> Result<handle::Lease, StoreError> {
        self.handle.write().map(|(db, _)| db)
    }

    /// The named tree `name` (the hosted modules' own trees), held with
    /// its lease; `opening` says what failed.
    fn tree(&self, name: &str, opening: &'static str) -> Result<handle::TreeLease, StoreError> {
        handle::TreeLease::open(self.db()?, name).map_err(|e| self.failed(opening, e))
    }

    /// Closes and opens the data directory again so that a crash from now
    /// on replays only the log written after this (`handle`'s paragraph).
    /// Only the writer asks, between groups, once everything it applied is
    /// flushed; it waits up to `drain` for other readers to finish.
    pub fn reopen_planned(&self, drain: Duration) -> Result<PlannedReopen, StoreError> {
        let done = self.handle.reopen_planned(drain)?;
        if matches!(done, PlannedReopen::Reopened { .. }) {
            let (_, bytes) = self.stats.totals();
            self.stats.opened_at_bytes.store(bytes, Ordering::Relaxed);
        }
        Ok(done)
    }

    /// Turns a sled failure into a `StoreError`; an I/O failure puts the
    /// store in its fault (see `handle`).
    fn failed(&self, action: &'static str, e: sled::Error) -> StoreError {
        self.handle.failed(action, e)
    }

    /// Starts collecting the writes of a group of commands.
    pub fn begin<'a>(&'a self, cache: &'a mut DossierCache) -> Txn<'a> {
        Txn::new(self, cache)
    }

    pub fn write_stats(&self) -> &WriteStats {
        &self.stats
    }

    /// Bytes the data directory takes on disk, as sled reports it.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db()?
            .size_on_disk()
            .map_err(|e| self.failed("measuring disk use", e))
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        self.flush_generation().map(|_| ())
    }

    /// Makes every write applied so far durable; returns the generation of
    /// the handle it flushed (writes applied to another are not covered).
    pub fn flush_generation(&self) -> Result<u64, StoreError> {
        let (db, generation) = self.handle.flush_handle()?;
        db.flush().map_err(|e| self.failed("flushing", e))?;
        Ok(generation)
    }

    fn get_json<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, StoreError> {
        let db = self.db()?;
        self.read_one(&db, key, "reading")
    }

    /// A record of the storage format (`records`) at `key`.
    fn get_record<R: records::Record>(&self, key: &[u8]) -> Result<Option<R>, StoreError> {
        match self.db()?.get(key).map_err(|e| self.failed("reading", e))? {
            None => Ok(None),
            Some(bytes) => records::decode(key, &bytes).map(Some),
        }
    }

    fn get_u64(&self, key: &[u8]) -> Result<Option<u64>, StoreError> {
        match self.db()?.get(key).map_err(|e| self.failed("reading", e))? {
            None => Ok(None),
            Some(bytes) => keys::read_u64(key, &bytes).map(Some),
        }
    }

    /// The value at `key` in `tree`, decoded; `reading` says what failed.
    fn read_one<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        key: &[u8],
        reading: &'static str,
    ) -> Result<Option<T>, StoreError> {
        match tree.get(key).map_err(|e| self.failed(reading, e))? {
            None => Ok(None),
            Some(bytes) => decode(key, &bytes).map(Some),
        }
    }

    /// Every value under `prefix` in `tree`, in key order, decoded.
    fn read_all<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        prefix: Vec<u8>,
        reading: &'static str,
    ) -> Result<Vec<T>, StoreError> {
        tree.scan_prefix(prefix)
            .map(|item| {
                let (key, value) = item.map_err(|e| self.failed(reading, e))?;
                decode(&key, &value)
            })
            .collect()
    }

    /// The rest of every key under `prefix` in `tree`, as text, in key
    /// order: the members of a set kept as empty-valued keys (an
    /// applicant's dossiers, an attachment's carriers).
    fn key_suffixes(
        &self,
        tree: &sled::Tree,
        prefix: &[u8],
        reading: &'static str,
    ) -> Result<Vec<String>, StoreError> {
        tree.scan_prefix(prefix)
            .keys()
            .map(|key| {
                let key = key.map_err(|e| self.failed(reading, e))?;
                Ok(String::from_utf8_lossy(&key[prefix.len()..]).into_owned())
            })
            .collect()
    }
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: keys::printable(key),
        reason: e.to_string(),
    })
}

/// A store in a fresh temporary directory, for this module's unit tests.
#[cfg(test)]
fn test_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 1 << 20).unwrap();
    (dir, store)
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own plain structs to JSON cannot fail (no maps with
    // non-string keys, no custom serialisers that error).
    serde_json::to_vec(value).expect("core records serialise to JSON")
}
