//! The sled handle behind `Store`, and what happens when a write fails.
//!
//! sled 0.34 keeps the first I/O error of its log (a full disk, EIO) as a
//! sticky "global error": from then on every operation that needs the log —
//! every write and flush, and also reads that must split or merge a node on
//! their way — fails with it until the database is opened again, even after
//! space is back. Its memory also still holds writes that never reached disk
//! (a group applied in memory whose flush failed), which readers would see
//! and a restart would lose. So a failed write puts the store in a *fault*:
//!
//! - writes are refused at once with `StoreError::Unavailable` (nothing is
//!   handed to sled, so nothing half-written can appear), and the
//!   `StorageCondition` watch says why (gRPC health turns NOT_SERVING);
//! - a recovery thread releases the disk reserve (a file of
//!   `RESERVE_BYTES` kept in the data directory for this moment: sled cannot
//!   even open on a disk with no free byte), drops the poisoned handle and
//!   opens the directory again, so reads serve exactly what was flushed;
//! - once `RESUME_FREE_BYTES` are free again it takes the reserve back,
//!   lifts the fault and writes are accepted again.
//!
//! Every open bumps a *generation*: work applied to one handle and flushed
//! through another is never acknowledged (`Txn::apply`, `Store::flush_generation`).

use super::StoreError;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Space kept free in the data directory for the store to reopen and serve
/// reads on a disk that filled up.
pub const RESERVE_BYTES: u64 = 8 << 20;
/// Free space (beside the reserve) needed before writes resume.
pub const RESUME_FREE_BYTES: u64 = RESERVE_BYTES + (8 << 20);
/// The reserve's file name inside the data directory.
pub const RESERVE_FILE: &str = "disk-reserve";

const RECHECK: Duration = Duration::from_millis(250);
/// How long a reader waits for a reopen in progress before giving up.
const READ_WAIT: Duration = Duration::from_secs(2);

/// Whether the store accepts writes now, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageCondition {
    Writable,
    RefusingWrites { reason: String },
}

pub(super) struct Handle {
    dir: PathBuf,
    cache_capacity_bytes: u64,
    slot: Mutex<Slot>,
    reopened: Condvar,
    condition: watch::Sender<StorageCondition>,
}

struct Slot {
    /// `None` only while a reopen is in progress.
    db: Option<sled::Db>,
    generation: u64,
    fault: Option<String>,
}

impl Handle {
    pub(super) fn open(dir: &Path, cache_capacity_bytes: u64) -> Result<Handle, StoreError> {
        let db = open_db(dir, cache_capacity_bytes)?;
        let handle = Handle {
            dir: dir.to_path_buf(),
            cache_capacity_bytes,
            slot: Mutex::new(Slot {
                db: Some(db),
                generation: 0,
                fault: None,
            }),
            reopened: Condvar::new(),
            condition: watch::Sender::new(StorageCondition::Writable),
        };
        if let Err(e) = take_reserve(dir) {
            tracing::warn!(dir = %dir.display(), error = %e, bytes = RESERVE_BYTES, "cannot keep a disk reserve; on a full disk reads may fail until space is back");
        }
        Ok(handle)
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        // A panic while holding this lock cannot leave the slot half-changed
        // (each change is one assignment), so a poisoned lock is still usable.
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The handle to read through (waits briefly for a reopen in progress).
    pub(super) fn read(&self) -> Result<sled::Db, StoreError> {
        let deadline = Instant::now() + READ_WAIT;
        let mut slot = self.slot();
        loop {
            if let Some(db) = &slot.db {
                return Ok(db.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StoreError::Unavailable {
                    reason: "the data directory is being reopened after a write failure".into(),
                });
            }
            slot = self
                .reopened
                .wait_timeout(slot, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The handle to write through and its generation, unless writes are
    /// refused now.
    pub(super) fn write(&self) -> Result<(sled::Db, u64), StoreError> {
        let slot = self.slot();
        if let Some(reason) = &slot.fault {
            return Err(StoreError::Unavailable {
                reason: reason.clone(),
            });
        }
        match &slot.db {
            Some(db) => Ok((db.clone(), slot.generation)),
            None => Err(StoreError::Unavailable {
                reason: "the data directory is being reopened".into(),
            }),
        }
    }

    pub(super) fn generation(&self) -> u64 {
        self.slot().generation
    }

    pub(super) fn condition(&self) -> watch::Receiver<StorageCondition> {
        self.condition.subscribe()
    }

    /// Records a failed sled operation: an I/O error puts the store in a
    /// fault (once) and starts its recovery, and is answered as
    /// `Unavailable` whoever met it first — a writer, a reader whose read had
    /// to split a node, a background sweep —, so the caller hears "retry
    /// later" (UNAVAILABLE) and not an internal failure.
    pub(super) fn failed(
        self: &std::sync::Arc<Self>,
        action: &'static str,
        e: sled::Error,
    ) -> StoreError {
        if matches!(e, sled::Error::Io(_)) {
            let mut slot = self.slot();
            if slot.fault.is_none() {
                let reason = format!("{action} failed: {e}");
                tracing::error!(dir = %self.dir.display(), reason = %reason, "storage refuses writes until it has recovered");
                slot.fault = Some(reason.clone());
                // No reader is handed the failing handle any more: sled may
                // already show, in memory, a batch its log never took (a
                // refused command). Readers wait for the reopen, which reads
                // only what was flushed.
                let failing = slot.db.take();
                slot.generation += 1;
                drop(slot);
                drop(failing);
                self.condition
                    .send_replace(StorageCondition::RefusingWrites { reason });
                // Weak: a hub that stops during the fault lets its store go.
                let handle = std::sync::Arc::downgrade(self);
                let started = std::thread::Builder::new()
                    .name("lienthong-store-recovery".into())
                    .spawn(move || Handle::recover(handle));
                if let Err(e) = started {
                    tracing::error!(error = %e, "cannot start the storage recovery; restart the hub once space is back");
                }
            }
            return StoreError::Unavailable {
                reason: format!("{action} failed: {e}"),
            };
        }
        StoreError::io(action, e)
    }

    /// Runs in its own thread while the store is in a fault; ends when the
    /// fault is lifted or the store is gone.
    fn recover(handle: std::sync::Weak<Handle>) {
        {
            let Some(this) = handle.upgrade() else { return };
            // Room for sled to open again; then a clean handle for readers.
            let _ = std::fs::remove_file(this.dir.join(RESERVE_FILE));
            this.reopen();
        }
        loop {
            std::thread::sleep(RECHECK);
            let Some(this) = handle.upgrade() else { return };
            let free = fs2::available_space(&this.dir).unwrap_or(0);
            if free < RESUME_FREE_BYTES {
                continue;
            }
            if let Err(e) = take_reserve(&this.dir) {
                tracing::warn!(error = %e, "cannot take the disk reserve back yet");
                continue;
            }
            // The handle opened on the full disk may have failed a write of
            // its own since (a read that split a node): open again, so that
            // no sticky error outlives the fault.
            this.reopen();
            this.slot().fault = None;
            this.condition.send_replace(StorageCondition::Writable);
            tracing::warn!(dir = %this.dir.display(), free_bytes = free, "storage accepts writes again");
            return;
        }
    }

    /// Drops the current handle and opens the directory again, retrying
    /// until it opens (sled's lock is free only once every clone of the old
    /// handle is gone; a full disk may refuse the open for a while).
    fn reopen(&self) {
        let old = {
            let mut slot = self.slot();
            slot.generation += 1;
            slot.db.take()
        };
        drop(old);
        let mut wait = Duration::from_millis(10);
        let mut attempts = 0u32;
        loop {
            match open_db(&self.dir, self.cache_capacity_bytes) {
                Ok(db) => {
                    self.slot().db = Some(db);
                    self.reopened.notify_all();
                    tracing::info!(dir = %self.dir.display(), "data directory reopened");
                    return;
                }
                Err(e) => {
                    attempts += 1;
                    // The old handle's lock goes within milliseconds; a
                    // refusal that lasts is the disk, and is said once.
                    if attempts == 10 {
                        tracing::error!(dir = %self.dir.display(), error = %e, "cannot reopen the data directory; reads fail until it opens (free disk space)");
                    }
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(1));
                }
            }
        }
    }
}

/// How long an open waits for the directory's lock. sled holds it until
/// its last handle is gone: a store closed a moment ago in this process (a
/// restart, a reopen after a fault, `audit verify` right after a stop) may
/// still be finishing its flusher thread. Another live hub on the same
/// directory keeps it, and the open fails after this wait.
const LOCK_WAIT: Duration = Duration::from_secs(5);

pub(super) fn open_db(dir: &Path, cache_capacity_bytes: u64) -> Result<sled::Db, StoreError> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        let opened = sled_config(dir).cache_capacity(cache_capacity_bytes).open();
        match opened {
            Err(e) if lock_held(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => {
                return other.map_err(|source| StoreError::Open {
                    path: dir.display().to_string(),
                    source,
                })
            }
        }
    }
}

/// How to open the data directory `dir` with sled, whoever opens it (the
/// hub, `audit verify`, `data-usage`). sled's own compression (its
/// `compression` feature, zstd) is not used: measured at `bench --scale
/// 100000` it halved the directory (16 → 8 KB per dossier) but cut the
/// command rate from 11.8k to 4.3k per second, doubled the restart and
/// raised the resident memory (README, Performance). Its other knobs were
/// measured on plain sled at the hub's shape (`bench --sled-limit`, README
/// "Raw sled at the same shape"): none brings the restart after `kill -9`
/// or the memory under issue 12's targets — sled 0.34.7 writes its
/// page-table snapshot only when it opens (`snapshot_after_ops` does
/// nothing), so recovery replays the log written since the last open.
fn sled_config(dir: &Path) -> sled::Config {
    sled::Config::new().path(dir)
}

/// Refuses `dir` unless it is a hub's data directory (sled's `conf` file
/// in it): the offline tools (`audit verify`, `data-usage`, `compact`) read
/// a hub's directory and must never create an empty one by mistake.
pub(super) fn require_data_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.join("conf").exists() {
        return Ok(());
    }
    Err(StoreError::DataDir {
        path: dir.display().to_string(),
        problem: "is not a data directory (no sled `conf` file in it)".into(),
    })
}

/// Opens `dir` with sled as it is: no disk reserve, not made private, no
/// wait for the lock. For the offline tools and the compacted copy.
pub(super) fn open_as_is(dir: &Path) -> Result<sled::Db, StoreError> {
    sled_config(dir).open().map_err(|source| StoreError::Open {
        path: dir.display().to_string(),
        source,
    })
}

/// Whether sled refused to open because the directory's lock is held. sled
/// 0.34 says so only in its message (an `Other` I/O error).
fn lock_held(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().starts_with("could not acquire lock"))
}

/// Makes sure the reserve file holds `RESERVE_BYTES` of allocated space.
fn take_reserve(dir: &Path) -> std::io::Result<()> {
    let path = dir.join(RESERVE_FILE);
    let file = super::dir::private_file(&path)?;
    if let Err(e) = fs2::FileExt::allocate(&file, RESERVE_BYTES) {
        // Half a reserve is worse than none: it would hide that there is none.
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_a_live_store_holds_is_refused_naming_it_and_opens_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = open_db(dir.path(), 1 << 20).unwrap();
        match open_db(dir.path(), 1 << 20) {
            Err(StoreError::Open { path, source }) => {
                assert_eq!(path, dir.path().display().to_string());
                assert!(lock_held(&source), "{source}");
            }
            other => panic!("a held directory opened: {other:?}"),
        }
        drop(first);
        // Released (its flusher may take a moment): the wait covers it.
        open_db(dir.path(), 1 << 20).expect("opens once the first store is gone");
    }
}
