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
//! | `u`    | `s` first index               | a sealed segment: `SEGMENT_ENTRIES` entries |
//!
//! Audit entries are never removed (retention leaves them alone): the chain
//! must verify from entry 0. Old entries are *sealed* (`Store::seal_audit`,
//! run by the retention sweep): every `SEGMENT_ENTRIES` consecutive entries
//! below the head leave their keys for ONE record holding their stored
//! values unchanged, byte for byte —
//!
//! ```text
//! u8      format (1)
//! u32 BE  count
//! count × (u32 BE length, the entry's stored value: canonical bytes, SHA-256)
//! ```
//!
//! — in one atomic batch under the chain's lock. Nothing a hash or a
//! signature covers changes, so verification is the same: `AuditReader`
//! and the receipt reads hand out the same (index, stored value) pairs
//! whether an entry is sealed or not, and `audit verify` checks every
//! entry's bytes, hash, link and every checkpoint as before; a changed byte
//! inside a sealed segment is named at its entry, a segment that no longer
//! decodes is named by its key. Why: each sled key costs a few hundred
//! bytes of disk beyond its own (`lienthong data-usage` against the
//! directory's size); the chain held five keys per dossier.

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

/// Entries per sealed segment.
pub const SEGMENT_ENTRIES: u64 = 1024;
const SEGMENT_FORMAT: u8 = 1;

fn segment_key(first: u64) -> Vec<u8> {
    let mut key = vec![AUDIT, b's'];
    key.extend_from_slice(&first.to_be_bytes());
    key
}

/// A sealed segment's value from consecutive stored entries.
fn seal(values: &[Vec<u8>]) -> Vec<u8> {
    let total: usize = values.iter().map(|v| 4 + v.len()).sum();
    let mut out = Vec::with_capacity(5 + total);
    out.push(SEGMENT_FORMAT);
    out.extend_from_slice(&(values.len() as u32).to_be_bytes());
    for value in values {
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// The stored values a sealed segment holds, in index order.
fn unseal(key: &[u8], value: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
    let corrupt = |reason: &str| StoreError::Corrupt {
        key: keys::printable(key),
        reason: format!("a sealed audit segment: {reason}"),
    };
    let (format, rest) = value.split_first().ok_or_else(|| corrupt("empty"))?;
    if *format != SEGMENT_FORMAT {
        return Err(corrupt(&format!("unknown format {format}")));
    }
    let read_u32 = |bytes: &[u8]| -> Option<(usize, usize)> {
        let array: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
        Some((u32::from_be_bytes(array) as usize, 4))
    };
    let (count, _) = read_u32(rest).ok_or_else(|| corrupt("no count"))?;
    let mut at = 4;
    let mut values = Vec::with_capacity(count.min(SEGMENT_ENTRIES as usize));
    for n in 0..count {
        let (len, _) = read_u32(&rest[at..])
            .ok_or_else(|| corrupt(&format!("entry {n} of {count} has no length")))?;
        at += 4;
        let bytes = rest
            .get(at..at + len)
            .ok_or_else(|| corrupt(&format!("entry {n} of {count} is cut short")))?;
        values.push(bytes.to_vec());
        at += len;
    }
    if at != rest.len() {
        return Err(corrupt("bytes after its last entry"));
    }
    Ok(values)
}

/// Every stored entry with index in `from..to`, in index order, sealed or
/// not: (index, stored value).
pub(super) fn stored_between(
    store: &Store,
    db: &sled::Db,
    from: u64,
    to: u64,
) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    let reading = |e| store.failed("reading audit entries", e);
    let mut found = Vec::new();
    // Sealed segments lie below every unsealed entry: the one that holds
    // `from` (if sealed), then the next ones.
    let holding = db
        .range(segment_key(0)..=segment_key(from))
        .next_back()
        .transpose()
        .map_err(reading)?
        .and_then(|(key, _)| keys::trailing_u64(&key))
        .filter(|first| from < first + SEGMENT_ENTRIES);
    let start = segment_key(holding.unwrap_or(from));
    for item in db.range(start..segment_key(to)) {
        let (key, value) = item.map_err(reading)?;
        let first = keys::trailing_u64(&key).unwrap_or(0);
        for (n, stored) in unseal(&key, &value)?.into_iter().enumerate() {
            let index = first + n as u64;
            if (from..to).contains(&index) {
                found.push((index, stored));
            }
        }
    }
    for item in db.range(entry_key(from)..entry_key(to)) {
        let (key, value) = item.map_err(reading)?;
        found.push((keys::trailing_u64(&key).unwrap_or(0), value.to_vec()));
    }
    Ok(found)
}

fn checkpoint_key(size: u64) -> Vec<u8> {
    let mut key = vec![AUDIT, b'c'];
    key.extend_from_slice(&size.to_be_bytes());
    key
}

pub(super) fn receipt_key(partner: &str, idempotency_key: &str) -> Vec<u8> {
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

    /// The stored bytes (canonical encoding, without the hash) of entry
    /// `index`, sealed or not.
    pub fn audit_entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let db = self.db()?;
        let found = stored_between(self, &db, index, index.saturating_add(1))?;
        Ok(found
            .into_iter()
            .next()
            .map(|(_, value)| value[..value.len().saturating_sub(32)].to_vec()))
    }

    /// The stored hashes of entries `from` … `to - 1`, sealed or not.
    pub fn audit_hashes(&self, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
        let db = self.db()?;
        stored_between(self, &db, from, to)?
            .into_iter()
            .map(|(index, value)| stored_hash(&entry_key(index), &value))
            .collect()
    }

    /// Seals every full run of `SEGMENT_ENTRIES` entries from the lowest
    /// unsealed one, as long as an unsealed entry stays after it (the head
    /// is read from the last one). One batch per segment, each under the
    /// chain's lock so that the writer waits for one segment at most. A gap
    /// in the stored indexes is left as it is, for `audit verify` to name.
    /// Returns how many entries it sealed.
    pub fn seal_audit(&self) -> Result<u64, StoreError> {
        let mut sealed = 0;
        loop {
            let _guard = self.chain.lock();
            let db = self.write_db()?;
            let reading = |e| self.failed("reading audit entries", e);
            let Some((first_key, _)) = db
                .scan_prefix([AUDIT, b'e'])
                .next()
                .transpose()
                .map_err(reading)?
            else {
                return Ok(sealed);
            };
            let first = keys::trailing_u64(&first_key).unwrap_or(0);
            let end = first + SEGMENT_ENTRIES;
            // An entry must stay unsealed after the segment.
            if db.get(entry_key(end)).map_err(reading)?.is_none() {
                return Ok(sealed);
            }
            let mut batch = sled::Batch::default();
            let mut values = Vec::with_capacity(SEGMENT_ENTRIES as usize);
            for item in db.range(entry_key(first)..entry_key(end)) {
                let (key, value) = item.map_err(reading)?;
                if keys::trailing_u64(&key) != Some(first + values.len() as u64) {
                    tracing::warn!(
                        first,
                        "audit entries missing before the head: left unsealed for `audit verify`"
                    );
                    return Ok(sealed);
                }
                values.push(value.to_vec());
                batch.remove(key);
            }
            if values.len() as u64 != SEGMENT_ENTRIES {
                return Ok(sealed);
            }
            batch.insert(segment_key(first), seal(&values));
            db.apply_batch(batch)
                .map_err(|e| self.failed("sealing audit entries", e))?;
            sealed += SEGMENT_ENTRIES;
        }
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
        let sled_dir = super::handle::require_data_dir(dir)?;
        let db = super::handle::open_as_is(&sled_dir)?;
        Ok(AuditReader { db })
    }

    /// Every stored entry, sealed segments first (they hold the oldest),
    /// then the unsealed ones: (index in its key or place in its segment,
    /// stored value).
    pub fn entries(&self) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        let sealed = self.db.scan_prefix([AUDIT, b's']).flat_map(|item| {
            let expanded = item
                .map_err(|e| StoreError::io("reading sealed audit entries", e))
                .and_then(|(key, value)| {
                    let first = keys::trailing_u64(&key).unwrap_or(u64::MAX);
                    let values = unseal(&key, &value)?;
                    Ok(values
                        .into_iter()
                        .enumerate()
                        .map(move |(n, stored)| Ok((first.saturating_add(n as u64), stored)))
                        .collect::<Vec<_>>())
                });
            match expanded {
                Ok(entries) => entries,
                Err(e) => vec![Err(e)],
            }
        });
        let unsealed = self.db.scan_prefix([AUDIT, b'e']).map(|item| {
            let (key, value) = item.map_err(|e| StoreError::io("reading audit entries", e))?;
            let index = keys::trailing_u64(&key).unwrap_or(u64::MAX);
            Ok((index, value.to_vec()))
        });
        sealed.chain(unsealed)
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
