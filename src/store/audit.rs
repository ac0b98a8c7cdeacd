//! Where the audit chain is kept, and the one way it grows.
//!
//! Every audited write — the engine's group batch, a partner's cursor
//! acknowledgement, an accepted delivery, a re-drive, a refusal that
//! changed nothing — goes through [`Store::apply_audited`]: under the
//! chain's lock it builds the change's batch, chains the records onto the
//! head (index, previous hash), puts the entries into that same batch and
//! applies it as one atomic sled batch. So an entry exists exactly when the
//! change it records does, and the head is never written by two threads.
//! No flush is added: an entry is as durable as the batch it rides in.
//!
//! | prefix | key                           | value                                   |
//! |--------|-------------------------------|-----------------------------------------|
//! | `u`    | `e` index                     | entry bytes (audit::Entry), then SHA-256 |
//! | `u`    | `c` size                      | signed checkpoint bytes, then signature |
//! | `u`    | `k` partner 0 idempotency key | index of the accepted command's entry   |
//!
//! Audit keys are never removed (retention leaves them alone): the chain
//! must verify from entry 0.

use super::{keys, Store, StoreError};
use crate::audit::{self, Entry, Hash, Record, Signed};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

pub const AUDIT: u8 = b'u';

fn entry_key(index: u64) -> Vec<u8> {
    let mut key = vec![AUDIT, b'e'];
    key.extend_from_slice(&index.to_be_bytes());
    key
}

fn checkpoint_key(size: u64) -> Vec<u8> {
    let mut key = vec![AUDIT, b'c'];
    key.extend_from_slice(&size.to_be_bytes());
    key
}

fn receipt_key(partner: &str, idempotency_key: &str) -> Vec<u8> {
    let mut key = vec![AUDIT, b'k'];
    key.extend_from_slice(partner.as_bytes());
    key.push(0);
    key.extend_from_slice(idempotency_key.as_bytes());
    key
}

/// A record to append, and whether it is an accepted command a partner may
/// ask a receipt for (by its own idempotency key).
pub struct AuditItem {
    pub record: Record,
    pub receipt: bool,
}

impl AuditItem {
    pub fn plain(record: Record) -> AuditItem {
        AuditItem {
            record,
            receipt: false,
        }
    }
}

/// The chain's head as last written through one store handle.
#[derive(Clone, Copy)]
struct Head {
    generation: u64,
    next: u64,
    hash: Hash,
}

/// The lock every audited write takes; holds the head.
#[derive(Default)]
pub(super) struct Chain {
    head: Mutex<Option<Head>>,
}

impl Chain {
    fn lock(&self) -> MutexGuard<'_, Option<Head>> {
        // The head is replaced in one assignment after a successful batch,
        // so a panic elsewhere cannot leave it half-changed.
        self.head.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The stored value of an entry: its canonical bytes, then their hash.
fn stored(entry: &Entry) -> (Vec<u8>, Hash) {
    let mut bytes = entry.encode();
    let hash = audit::hash(&bytes);
    bytes.extend_from_slice(&hash);
    (bytes, hash)
}

fn stored_hash(key: &[u8], value: &[u8]) -> Result<Hash, StoreError> {
    value
        .get(value.len().saturating_sub(32)..)
        .and_then(|tail| tail.try_into().ok())
        .ok_or_else(|| StoreError::Corrupt {
            key: keys::printable(key),
            reason: format!("an audit entry of {} bytes", value.len()),
        })
}

/// The head as stored: the last entry's index + 1 and hash.
fn load_head(store: &Store, db: &sled::Db, generation: u64) -> Result<Head, StoreError> {
    let last = db
        .scan_prefix([AUDIT, b'e'])
        .next_back()
        .transpose()
        .map_err(|e| store.failed("reading the audit head", e))?;
    Ok(match last {
        None => Head {
            generation,
            next: 0,
            hash: [0; 32],
        },
        Some((key, value)) => Head {
            generation,
            next: keys::trailing_u64(&key).unwrap_or(0) + 1,
            hash: stored_hash(&key, &value)?,
        },
    })
}

impl Store {
    /// Under the chain's lock: builds a batch with `build` (which may read
    /// through the handle it is given), chains `items` onto it and applies
    /// it atomically. `generation`: refuse unless the handle is still the
    /// one the caller read from. Returns the handle's generation and the
    /// first appended index.
    pub(super) fn apply_audited(
        &self,
        action: &'static str,
        generation: Option<u64>,
        items: Vec<AuditItem>,
        build: impl FnOnce(&sled::Db, &mut sled::Batch) -> Result<(u64, u64), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut guard = self.chain.lock();
        let (db, current) = self.handle.write()?;
        if generation.is_some_and(|g| g != current) {
            return Err(StoreError::Unavailable {
                reason: "the data directory was reopened while the group was applied".into(),
            });
        }
        let mut head = match *guard {
            Some(head) if head.generation == current => head,
            _ => load_head(self, &db, current)?,
        };
        let mut batch = sled::Batch::default();
        let (mut writes, mut bytes) = build(&db, &mut batch)?;
        if writes == 0 && items.is_empty() {
            return Ok(current);
        }
        for item in items {
            let receipt = item
                .receipt
                .then(|| receipt_key(&item.record.actor, &item.record.request));
            let entry = Entry {
                index: head.next,
                previous: head.hash,
                record: item.record,
            };
            let (value, hash) = stored(&entry);
            let key = entry_key(entry.index);
            writes += 1;
            bytes += (key.len() + value.len()) as u64;
            batch.insert(key, value);
            if let Some(key) = receipt {
                writes += 1;
                bytes += key.len() as u64 + 8;
                batch.insert(key, entry.index.to_be_bytes().to_vec());
            }
            head.next += 1;
            head.hash = hash;
        }
        db.apply_batch(batch).map_err(|e| self.failed(action, e))?;
        self.stats.record(writes, bytes);
        *guard = Some(head);
        Ok(current)
    }

    /// Appends records that go with no other change (refusals, operator
    /// actions on the broker).
    pub fn append_audit(&self, items: Vec<AuditItem>) -> Result<(), StoreError> {
        self.apply_audited("appending to the audit log", None, items, |_, _| Ok((0, 0)))
            .map(|_| ())
    }

    /// Runs `f` holding the chain's lock: for read-modify-writes of keys
    /// that audited batches also change (delivery counters).
    pub(super) fn with_chain_lock<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.chain.lock();
        f()
    }

    /// How many entries the chain holds, and the last one's hash.
    pub fn audit_head(&self) -> Result<(u64, Hash), StoreError> {
        let guard = self.chain.lock();
        let db = self.db()?;
        let generation = self.handle.generation();
        let head = match *guard {
            Some(head) if head.generation == generation => head,
            _ => load_head(self, &db, generation)?,
        };
        Ok((head.next, head.hash))
    }

    /// The stored bytes (canonical encoding, without the hash) of entry `index`.
    pub fn audit_entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let key = entry_key(index);
        match self
            .db()?
            .get(&key)
            .map_err(|e| self.failed("reading an audit entry", e))?
        {
            None => Ok(None),
            Some(value) => Ok(Some(value[..value.len().saturating_sub(32)].to_vec())),
        }
    }

    /// The stored hashes of entries `from` … `to - 1`.
    pub fn audit_hashes(&self, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
        self.db()?
            .range(entry_key(from)..entry_key(to))
            .map(|item| {
                let (key, value) = item.map_err(|e| self.failed("reading audit entries", e))?;
                stored_hash(&key, &value)
            })
            .collect()
    }

    /// The newest checkpoint, if any.
    pub fn last_checkpoint(&self) -> Result<Option<Signed>, StoreError> {
        let last = self
            .db()?
            .scan_prefix([AUDIT, b'c'])
            .next_back()
            .transpose()
            .map_err(|e| self.failed("reading checkpoints", e))?;
        last.map(|(key, value)| decode_checkpoint(&key, &value))
            .transpose()
    }

    /// The first checkpoint that covers entry `index`.
    pub fn checkpoint_covering(&self, index: u64) -> Result<Option<Signed>, StoreError> {
        let found = self
            .db()?
            .range(checkpoint_key(index + 1)..checkpoint_key(u64::MAX))
            .next()
            .transpose()
            .map_err(|e| self.failed("reading checkpoints", e))?;
        found
            .map(|(key, value)| decode_checkpoint(&key, &value))
            .transpose()
    }

    /// Stores a checkpoint and makes it durable.
    pub fn put_checkpoint(&self, signed: &Signed) -> Result<(), StoreError> {
        self.write_db()?
            .insert(checkpoint_key(signed.checkpoint.size), signed.to_bytes())
            .map_err(|e| self.failed("storing a checkpoint", e))?;
        self.flush()
    }

    /// The entry index of a partner's accepted command with this key.
    pub fn receipt_index(&self, partner: &str, key: &str) -> Result<Option<u64>, StoreError> {
        self.get_u64(&receipt_key(partner, key))
    }
}

fn decode_checkpoint(key: &[u8], value: &[u8]) -> Result<Signed, StoreError> {
    Signed::from_bytes(value).map_err(|e| StoreError::Corrupt {
        key: keys::printable(key),
        reason: e.to_string(),
    })
}

/// A stopped hub's audit log, read for `lienthong audit verify`: stored
/// entries in index order, then every checkpoint. Opens the directory
/// without changing it (no disk reserve, not made private).
pub struct AuditReader {
    db: sled::Db,
}

impl AuditReader {
    pub fn open(dir: &Path) -> Result<AuditReader, StoreError> {
        if !dir.join("conf").exists() {
            return Err(StoreError::DataDir {
                path: dir.display().to_string(),
                problem: "is not a data directory (no sled `conf` file in it)".into(),
            });
        }
        let db = super::handle::sled_config(dir)
            .open()
            .map_err(|source| StoreError::Open {
                path: dir.display().to_string(),
                source,
            })?;
        Ok(AuditReader { db })
    }

    /// Every stored entry: (index in its key, stored value).
    pub fn entries(&self) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        self.db.scan_prefix([AUDIT, b'e']).map(|item| {
            let (key, value) = item.map_err(|e| StoreError::io("reading audit entries", e))?;
            let index = keys::trailing_u64(&key).unwrap_or(u64::MAX);
            Ok((index, value.to_vec()))
        })
    }

    /// Every stored checkpoint as stored, oldest first: (the size in its
    /// key, its bytes), for the verifier to read and judge.
    pub fn checkpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.db
            .scan_prefix([AUDIT, b'c'])
            .map(|item| {
                let (key, value) = item.map_err(|e| StoreError::io("reading checkpoints", e))?;
                Ok((keys::trailing_u64(&key).unwrap_or(0), value.to_vec()))
            })
            .collect()
    }
}

// Keep the key layout in one place: this prefix is listed in keys.rs too.
const _: () = assert!(AUDIT != keys::EVENT && AUDIT != keys::IDEMPOTENCY);
