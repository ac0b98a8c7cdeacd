//! Durable state on sled, behind an API that speaks only core types.
//!
//! Everything lives in one sled tree under one-letter key prefixes (see
//! `keys`), so that one command's writes — dossier, history line, outbox
//! event, indexes, counters and idempotency record — go to disk as ONE atomic
//! `apply_batch`, and one `flush` makes a whole group of commands durable.
//! Reads go straight to sled; writes go through `Txn`, which only the engine's
//! writer thread holds. No module outside this one names a sled type.

mod cursors;
mod deliveries;
mod error;
mod keys;
mod maintenance;
mod notifications;
mod officers;
mod reads;
mod txn;
mod workspace;

pub use cursors::CursorId;
pub use deliveries::{DeliveryState, DeliveryStats, ParkedDelivery};
pub use error::StoreError;
pub use notifications::{NotificationOutcome, NotificationRecord};
pub use reads::ListFilter;
pub use txn::{DossierCache, IdempotencyRecord, Txn};

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    stats: std::sync::Arc<WriteStats>,
}

/// What the writer has written since the store was opened.
#[derive(Debug, Default)]
pub struct WriteStats {
    writes: AtomicU64,
    bytes: AtomicU64,
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
}

impl Store {
    pub fn open(path: &Path, cache_capacity_bytes: u64) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(cache_capacity_bytes)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|source| StoreError::Open {
                path: path.display().to_string(),
                source,
            })?;
        Ok(Store {
            db,
            stats: Default::default(),
        })
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
        self.db
            .size_on_disk()
            .map_err(|e| StoreError::io("measuring disk use", e))
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        self.db
            .flush()
            .map(|_| ())
            .map_err(|e| StoreError::io("flushing", e))
    }

    fn get_json<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, StoreError> {
        read_one(&self.db, key, "reading")
    }

    fn get_u64(&self, key: &[u8]) -> Result<Option<u64>, StoreError> {
        match self.db.get(key).map_err(|e| StoreError::io("reading", e))? {
            None => Ok(None),
            Some(bytes) => keys::read_u64(key, &bytes).map(Some),
        }
    }
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: keys::printable(key),
        reason: e.to_string(),
    })
}

/// The value at `key` in `tree`, decoded; `reading` says what failed.
fn read_one<T: DeserializeOwned>(
    tree: &sled::Tree,
    key: &[u8],
    reading: &'static str,
) -> Result<Option<T>, StoreError> {
    match tree.get(key).map_err(|e| StoreError::io(reading, e))? {
        None => Ok(None),
        Some(bytes) => decode(key, &bytes).map(Some),
    }
}

/// Every value under `prefix` in `tree`, in key order, decoded.
fn read_all<T: DeserializeOwned>(
    tree: &sled::Tree,
    prefix: Vec<u8>,
    reading: &'static str,
) -> Result<Vec<T>, StoreError> {
    tree.scan_prefix(prefix)
        .map(|item| {
            let (key, value) = item.map_err(|e| StoreError::io(reading, e))?;
            decode(&key, &value)
        })
        .collect()
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
