//! Writes that are not commands: retention.
//!
//! They only delete what no reader may need any more (acknowledged events,
//! expired idempotency records, found through their expiry index,
//! `expiry.rs`, with the receipt lookups of the same keys,
//! `receipt_lookups.rs`), so they go to sled directly rather than
//! through the group commit. (Cursors, the other such write, are in
//! `cursors.rs`.)

use super::records::decode;
use super::{expiry, keys, receipt_lookups, Store, StoreError};
use crate::domain::{Event, UnixMillis};

/// Keys one scan reads before it lets go of the store for a moment: a
/// planned reopen (`handle`) waits for every reader, and the outbox or the
/// idempotency records of a province can be millions of keys.
const SCAN_CHUNK: usize = 1024;
/// Group records of the expiry index read at once: each lists a group's
/// keys (up to a few hundred), each of which is read before it goes.
const GROUP_CHUNK: usize = 16;

/// Keys and values read in one chunk, in key order.
type Chunk = Vec<(Vec<u8>, Vec<u8>)>;

impl Store {
    /// Removes outbox events from the oldest on, for as long as
    /// `delivered` says an event is no longer needed. Stops at the first one
    /// still needed, so the outbox stays one contiguous run of seqs.
    pub fn remove_events_while(
        &self,
        delivered: impl Fn(&Event) -> bool,
    ) -> Result<usize, StoreError> {
        let mut removed = 0;
        loop {
            let chunk = self.chunk_after(&[keys::EVENT], None, SCAN_CHUNK)?;
            let full = chunk.len() == SCAN_CHUNK;
            for (key, value) in chunk {
                let event: Event = decode(&key, &value)?;
                if !delivered(&event) {
                    return Ok(removed);
                }
                self.write_db()?
                    .remove(&key)
                    .map_err(|e| self.failed("removing delivered events", e))?;
                removed += 1;
            }
            if !full {
                return Ok(removed);
            }
        }
    }

    /// Removes idempotency records created before `older_than`: those the
    /// expiry index lists (`expiry.rs`), from the oldest group on, which
    /// reads only what is due; and, when `full_pass` and the directory
    /// still may hold records written before the index, every record older
    /// than that (a pass over all of them). Returns how many were removed.
    pub fn expire_idempotency(
        &self,
        older_than: UnixMillis,
        full_pass: bool,
    ) -> Result<usize, StoreError> {
        let mut removed = self.remove_listed_idempotency(older_than)?;
        if full_pass {
            if let Some(unindexed_before) = self.idempotency_unindexed_before()? {
                removed += self.remove_idempotency_before(older_than)?;
                if older_than > unindexed_before {
                    // Every record written before the index was older than
                    // this pass's cutoff and is gone.
                    self.write_db()?
                        .insert(expiry::MARKER, &0u64.to_be_bytes())
                        .map_err(|e| self.failed("closing the full expiry passes", e))?;
                    tracing::info!("idempotency records written before the expiry index have expired: no more full passes");
                }
            }
        }
        Ok(removed)
    }

    /// `Some(time)` while records written before the expiry index, up to
    /// that time, may be stored.
    pub fn idempotency_unindexed_before(&self) -> Result<Option<UnixMillis>, StoreError> {
        let value = self
            .db()?
            .get(expiry::MARKER)
            .map_err(|e| self.failed("reading the expiry marker", e))?;
        expiry::unindexed_before(value.as_deref())
    }

    /// The index's part of `expire_idempotency`: each group record older
    /// than `older_than` goes, with every record it lists that is still
    /// older than that (a key written again since is newer and stays).
    fn remove_listed_idempotency(&self, older_than: UnixMillis) -> Result<usize, StoreError> {
        let mut removed = 0;
        loop {
            let chunk = self.chunk_after(&[expiry::EXPIRY], None, GROUP_CHUNK)?;
            let full = chunk.len() == GROUP_CHUNK;
            let mut batch = sled::Batch::default();
            let mut due = 0;
            for (key, value) in &chunk {
                if expiry::group_time(key)? >= older_than {
                    break;
                }
                due += 1;
                for listed in expiry::listed(key, value)? {
                    let stored = self
                        .db()?
                        .get(&listed)
                        .map_err(|e| self.failed("reading an expiring record", e))?;
                    if let Some(stored) = stored {
                        if expiry::expired(&listed, &stored, older_than)? {
                            // A receipt is found by this key no longer.
                            batch.remove(receipt_lookups::lookup_of(&listed));
                            batch.remove(listed);
                            removed += 1;
                        }
                    }
                }
                batch.remove(key.as_slice());
            }
            if due > 0 {
                self.write_db()?
                    .apply_batch(batch)
                    .map_err(|e| self.failed("removing idempotency records", e))?;
            }
            if !full || due < chunk.len() {
                return Ok(removed);
            }
        }
    }

    /// Removes every idempotency record created before `older_than`, in
    /// batches: a pass over all of them, for those the expiry index does
    /// not list (written before it existed).
    fn remove_idempotency_before(&self, older_than: UnixMillis) -> Result<usize, StoreError> {
        let mut removed = 0;
        let mut after: Option<Vec<u8>> = None;
        loop {
            let chunk = self.chunk_after(&[keys::IDEMPOTENCY], after.as_deref(), SCAN_CHUNK)?;
            let full = chunk.len() == SCAN_CHUNK;
            after = chunk.last().map(|(key, _)| key.clone());
            let mut batch = sled::Batch::default();
            let mut in_batch = 0;
            for (key, value) in chunk {
                if expiry::expired(&key, &value, older_than)? {
                    batch.remove(receipt_lookups::lookup_of(&key));
                    batch.remove(key);
                    in_batch += 1;
                }
            }
            if in_batch > 0 {
                self.write_db()?
                    .apply_batch(batch)
                    .map_err(|e| self.failed("removing idempotency records", e))?;
                removed += in_batch;
            }
            if !full {
                return Ok(removed);
            }
        }
    }

    /// Up to `limit` keys and values under `prefix` after `after` (from
    /// the first when `None`), read through one lease that is dropped
    /// before the caller writes.
    pub(super) fn chunk_after(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Chunk, StoreError> {
        let db = self.db()?;
        let range = match after {
            Some(after) => db.range((
                std::ops::Bound::Excluded(after.to_vec()),
                std::ops::Bound::Unbounded,
            )),
            None => db.range(prefix.to_vec()..),
        };
        let mut chunk = Vec::with_capacity(limit);
        for item in range {
            let (key, value) = item.map_err(|e| self.failed("reading for retention", e))?;
            if !key.starts_with(prefix) || chunk.len() == limit {
                break;
            }
            chunk.push((key.to_vec(), value.to_vec()));
        }
        Ok(chunk)
    }
}
