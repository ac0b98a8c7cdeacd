//! Writes that are not commands: retention.
//!
//! They only delete what no reader may need any more (acknowledged events,
//! expired idempotency records), so they go to sled directly rather than
//! through the group commit. (Cursors, the other such write, are in
//! `cursors.rs`.)

use super::records::{decode, IdempotencyRecord};
use super::{keys, Store, StoreError};
use crate::domain::{Event, UnixMillis};

impl Store {
    /// Removes outbox events from the oldest on, for as long as
    /// `delivered` says an event is no longer needed. Stops at the first one
    /// still needed, so the outbox stays one contiguous run of seqs.
    pub fn remove_events_while(
        &self,
        delivered: impl Fn(&Event) -> bool,
    ) -> Result<usize, StoreError> {
        let mut removed = 0;
        for item in self.db()?.scan_prefix([keys::EVENT]) {
            let (key, value) = item.map_err(|e| self.failed("reading the outbox", e))?;
            let event: Event = decode(&key, &value)?;
            if !delivered(&event) {
                break;
            }
            self.write_db()?
                .remove(&key)
                .map_err(|e| self.failed("removing delivered events", e))?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Removes idempotency records created before `older_than`, in
    /// batches (a week of a province's commands is millions of records).
    pub fn remove_idempotency_before(&self, older_than: UnixMillis) -> Result<usize, StoreError> {
        const BATCH: usize = 1024;
        let mut removed = 0;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for item in self.db()?.scan_prefix([keys::IDEMPOTENCY]) {
            let (key, value) = item.map_err(|e| self.failed("reading idempotency records", e))?;
            let record: IdempotencyRecord = decode(&key, &value)?;
            if record.created_at < older_than {
                batch.remove(key);
                in_batch += 1;
                if in_batch == BATCH {
                    self.write_db()?
                        .apply_batch(std::mem::take(&mut batch))
                        .map_err(|e| self.failed("removing idempotency records", e))?;
                    removed += in_batch;
                    in_batch = 0;
                }
            }
        }
        if in_batch > 0 {
            self.write_db()?
                .apply_batch(batch)
                .map_err(|e| self.failed("removing idempotency records", e))?;
            removed += in_batch;
        }
        Ok(removed)
    }
}
