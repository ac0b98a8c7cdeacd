//! Writes that are not commands: retention.
//!
//! They only delete what no reader may need any more (acknowledged events,
//! expired idempotency records), so they go to sled directly rather than
//! through the group commit. (Cursors, the other such write, are in
//! `cursors.rs`.)

use super::records::{decode, IdempotencyRecord};
use super::{keys, Store, StoreError};
use crate::domain::{Event, UnixMillis};

/// Keys one scan reads before it lets go of the store for a moment: a
/// planned reopen (`handle`) waits for every reader, and the outbox or the
/// idempotency records of a province can be millions of keys.
const SCAN_CHUNK: usize = 1024;

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
            let chunk = self.chunk_after(&[keys::EVENT], None)?;
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

    /// Removes idempotency records created before `older_than`, in
    /// batches (a week of a province's commands is millions of records).
    pub fn remove_idempotency_before(&self, older_than: UnixMillis) -> Result<usize, StoreError> {
        let mut removed = 0;
        let mut after: Option<Vec<u8>> = None;
        loop {
            let chunk = self.chunk_after(&[keys::IDEMPOTENCY], after.as_deref())?;
            let full = chunk.len() == SCAN_CHUNK;
            after = chunk.last().map(|(key, _)| key.clone());
            let mut batch = sled::Batch::default();
            let mut in_batch = 0;
            for (key, value) in chunk {
                let record: IdempotencyRecord = decode(&key, &value)?;
                if record.created_at < older_than {
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

    /// Up to `SCAN_CHUNK` keys and values under `prefix` after `after` (from
    /// the first when `None`), read through one lease that is dropped
    /// before the caller writes.
    fn chunk_after(&self, prefix: &[u8], after: Option<&[u8]>) -> Result<Chunk, StoreError> {
        let db = self.db()?;
        let range = match after {
            Some(after) => db.range((
                std::ops::Bound::Excluded(after.to_vec()),
                std::ops::Bound::Unbounded,
            )),
            None => db.range(prefix.to_vec()..),
        };
        let mut chunk = Vec::with_capacity(SCAN_CHUNK);
        for item in range {
            let (key, value) = item.map_err(|e| self.failed("reading for retention", e))?;
            if !key.starts_with(prefix) || chunk.len() == SCAN_CHUNK {
                break;
            }
            chunk.push((key.to_vec(), value.to_vec()));
        }
        Ok(chunk)
    }
}
