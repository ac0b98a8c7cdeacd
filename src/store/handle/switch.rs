//! The handle's side of an online compaction (`store::online_compact`):
//! handing the copier the handle it starts from, leases on that same handle
//! only, reopens of the live store while it copies (what the copy's reads
//! brought into sled's memory goes with the old handle), and the switch to
//! the copy.
//!
//! The switch is a planned reopen into another directory: it waits until
//! no one holds the handle (callers that come meanwhile wait), flushes the
//! old handle, lets the copier catch up on what was written while it
//! copied (nobody writes now), names the copy in the pointer file, closes
//! both and opens the copy afresh. The generation stays: everything the
//! old handle held, flushed or not yet acknowledged, is in the copy, which
//! is flushed before the pointer names it.
//!
//! The copy is opened afresh rather than served through the handle that
//! wrote it: that handle's memory is what a million inserts built (its
//! cache full of freshly written nodes, 540 MiB resident after copying
//! 50 000 dossiers where a fresh open of the same directory takes 100 MiB,
//! `bench --scale`), and the open of a compacted directory is short (its
//! page table is as small as its records).

use super::{open_db, CompactionReopen, Handle, Lease, Slot, Switch};
use crate::store::{layout, StoreError};
use std::path::Path;
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

impl Handle {
    /// The handle a compaction copies from, and marks the store as
    /// compacting; `None` while the store is in a fault or already
    /// compacting. A planned reopen in progress is waited for (it is short,
    /// and frequent with a small `hub.store_reopen_after_written_bytes`).
    pub(in crate::store) fn begin_compaction(&self) -> Option<super::CompactionStart> {
        let deadline = Instant::now() + super::REOPEN_WAIT;
        let mut slot = self.slot();
        let db = loop {
            if slot.fault.is_some() || slot.compacting {
                return None;
            }
            match &slot.db {
                Some(db) if !slot.draining => break db.clone(),
                _ => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            slot = self
                .reopened
                .wait_timeout(slot, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        };
        slot.compacting = true;
        Some(super::CompactionStart {
            db,
            opened: slot.opened,
            sled_dir: slot.sled_dir.clone(),
            data_dir: self.dir.clone(),
            cache_capacity_bytes: self.cache_capacity_bytes,
        })
    }

    /// The compaction is over, switched or not.
    pub(in crate::store) fn end_compaction(&self) {
        self.slot().compacting = false;
    }

    /// A lease on the handle opened as `opened`, waiting for a planned
    /// reopen in progress; `None` once another handle replaced it.
    pub(in crate::store) fn lease_of(&self, opened: u64) -> Result<Option<Lease>, StoreError> {
        let lease = self.read()?;
        let slot = self.slot();
        let same =
            slot.opened == opened && slot.db.as_ref().is_some_and(|db| Arc::ptr_eq(db, &lease));
        drop(slot);
        Ok(same.then_some(lease))
    }

    /// Switches the store from the handle opened as `opened` to the copy
    /// in `copy_dir`, once `catch_up` has brought the copy level with the
    /// old handle (it runs while nobody else holds either). Waits up to
    /// `drain` for other leases to go. The copy's handle is taken (and
    /// closed) once the pointer names it; it stays with the caller
    /// otherwise.
    pub(in crate::store) fn switch_to_copy(
        self: &Arc<Self>,
        opened: u64,
        drain: Duration,
        copy: &mut Option<sled::Db>,
        copy_dir: &Path,
        catch_up: impl FnOnce(&sled::Db, &sled::Db) -> Result<(), StoreError>,
    ) -> Result<Switch, StoreError> {
        let started = Instant::now();
        let (mut slot, old) = match self.take_drained(opened, started, drain) {
            Ok(taken) => taken,
            Err(Untaken::Busy) => return Ok(Switch::Busy),
            Err(Untaken::Gone) => return Ok(Switch::Gone),
        };
        let Some(written) = copy.as_ref() else {
            self.put_back(slot, old);
            return Ok(Switch::Gone);
        };
        let done = level_and_point(&old, written, &self.dir, copy_dir, catch_up);
        if let Err(e) = done {
            self.put_back(slot, old);
            return Err(match e {
                Failed::Store(e) => e,
                Failed::Sled(action, e) => self.failed(action, e),
            });
        }
        // The pointer names the copy: from here the slot opens nothing else.
        let old_dir = std::mem::replace(&mut slot.sled_dir, copy_dir.to_path_buf());
        drop(slot);
        // Nobody holds the old handle: sled closes it here, and its files
        // can go (a crash before they do leaves them to the next open).
        drop(old);
        drop(copy.take());
        self.open_again(false);
        let paused = started.elapsed();
        let removed = if old_dir == self.dir {
            layout::remove_sled_files(&old_dir)
        } else {
            layout::remove_sled_dir(&old_dir)
        };
        if let Err(e) = removed {
            tracing::warn!(error = %e, "the old store's files stay until the next start removes them");
        }
        Ok(Switch::Switched { paused })
    }

    /// Closes the handle opened as `opened` and opens its directory again
    /// while a compaction copies it: what the copy's reads brought into
    /// sled's memory goes with the old handle (sled 0.34 never evicts it:
    /// reading a whole store grows it far past its cache, README). Waits
    /// up to `drain` for the other leases to go; callers meanwhile wait.
    /// `pause` runs once nobody holds the store, before the old handle
    /// closes, and `resume` on the new handle before anyone else is handed
    /// it: the compaction's watch of written keys stops and starts there,
    /// and no write falls between. The generation stays: the old handle is
    /// flushed before it closes, so nothing acknowledged or waiting for a
    /// flush is lost (the flusher's next flush goes through the new one).
    pub(in crate::store) fn reopen_compacting(
        self: &Arc<Self>,
        opened: u64,
        drain: Duration,
        pause: impl FnOnce(),
        resume: impl FnOnce(&sled::Db) -> Result<(), StoreError>,
    ) -> Result<CompactionReopen, StoreError> {
        let started = Instant::now();
        let (slot, old) = match self.take_drained(opened, started, drain) {
            Ok(taken) => taken,
            Err(Untaken::Busy) => return Ok(CompactionReopen::Busy),
            Err(Untaken::Gone) => return Ok(CompactionReopen::Gone),
        };
        // With the slot empty every caller waits (`lease`); the slot's lock
        // is not held through sled's open, which takes seconds at a million.
        let sled_dir = slot.sled_dir.clone();
        drop(slot);
        if let Err(e) = old.flush() {
            self.put_back(self.slot(), old);
            return Err(self.failed("flushing before a reopen during a compaction", e));
        }
        pause();
        drop(old);
        let db = match open_db(&sled_dir, self.cache_capacity_bytes) {
            Ok(db) => db,
            Err(e) => {
                // Opened again the way a planned reopen is, retrying until
                // it opens; the compaction gives up (its handle is gone).
                self.open_again(false);
                return Err(e);
            }
        };
        let resumed = resume(&db);
        let opened = {
            let mut slot = self.slot();
            slot.db = Some(Arc::new(db));
            slot.draining = false;
            slot.opened += 1;
            slot.opened
        };
        self.reopened.notify_all();
        resumed?;
        Ok(CompactionReopen::Reopened {
            opened,
            paused: started.elapsed(),
        })
    }

    /// Runs `f` on the handle opened as `opened` while nobody else holds
    /// it (waiting up to `drain` for the others to go; callers meanwhile
    /// wait); `None` when the drain ran out or another handle serves.
    pub(in crate::store) fn with_drained<T>(
        &self,
        opened: u64,
        drain: Duration,
        f: impl FnOnce(&sled::Db) -> T,
    ) -> Option<T> {
        let slot = self.slot();
        if !slot.serves(opened) {
            return None;
        }
        let mut slot = self.drained(slot, Instant::now(), drain)?;
        let result = slot.db.as_ref().map(|db| f(db));
        slot.draining = false;
        drop(slot);
        self.reopened.notify_all();
        result
    }

    /// The handle opened as `opened`, taken out of the slot once nobody
    /// else holds it (waiting up to `drain` from `started`); the slot comes
    /// back locked and empty, so callers wait for whatever comes next.
    fn take_drained(
        &self,
        opened: u64,
        started: Instant,
        drain: Duration,
    ) -> Result<(MutexGuard<'_, Slot>, Lease), Untaken> {
        let slot = self.slot();
        if !slot.serves(opened) {
            return Err(Untaken::Gone);
        }
        let mut slot = self.drained(slot, started, drain).ok_or(Untaken::Busy)?;
        let old = slot.db.take().ok_or(Untaken::Gone)?;
        Ok((slot, old))
    }

    /// Gives the old handle back after a switch that failed.
    fn put_back(&self, mut slot: MutexGuard<'_, Slot>, old: Lease) {
        slot.db = Some(old);
        slot.draining = false;
        drop(slot);
        self.reopened.notify_all();
    }
}

impl Slot {
    /// Whether the handle opened as `opened` is the one serving, with no
    /// fault: what a compaction started on it may still act on.
    fn serves(&self, opened: u64) -> bool {
        self.fault.is_none() && self.opened == opened && self.db.is_some()
    }
}

/// Why `take_drained` took nothing: someone held the handle past the
/// drain, or another handle (or none) serves now.
enum Untaken {
    Busy,
    Gone,
}

enum Failed {
    Store(StoreError),
    Sled(&'static str, sled::Error),
}

/// Everything the old handle holds made durable, the copy brought level
/// and flushed, and the pointer naming it.
fn level_and_point(
    old: &sled::Db,
    copy: &sled::Db,
    data_dir: &Path,
    copy_dir: &Path,
    catch_up: impl FnOnce(&sled::Db, &sled::Db) -> Result<(), StoreError>,
) -> Result<(), Failed> {
    old.flush()
        .map_err(|e| Failed::Sled("flushing before switching to the compacted copy", e))?;
    catch_up(old, copy).map_err(Failed::Store)?;
    copy.flush()
        .map_err(|e| Failed::Store(StoreError::io("flushing the compacted copy", e)))?;
    layout::point_to(data_dir, copy_dir).map_err(Failed::Store)
}
