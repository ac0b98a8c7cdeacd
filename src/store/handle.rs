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
//! Every reopen after a fault bumps a *generation*: work applied to one
//! handle and flushed through another is never acknowledged (`Txn::apply`,
//! `Store::flush_generation`).
//!
//! The same machinery also reopens the store on purpose, now and then
//! (`Handle::reopen_planned`, asked for by the writer between groups): sled
//! 0.34 writes the snapshot of its page table only when it opens a
//! directory, so recovery after `kill -9` replays every log segment written
//! since the process opened it — 34 s after a million dossiers' lives. A
//! reopen writes a fresh snapshot, which bounds that replay to what was
//! written since. It waits until no one holds the handle (`Lease`), flushes
//! and drops it, and opens again; callers that come meanwhile wait for it
//! instead of being refused, and the generation stays (nothing was lost).

mod switch;

use super::StoreError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
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
/// How long a caller waits for a reopen in progress before giving up: a
/// planned reopen of a large directory takes a second or two (sled replays
/// the log written since the last open and writes its snapshot).
const REOPEN_WAIT: Duration = Duration::from_secs(15);
/// How often a planned reopen looks again whether the handle's last lease
/// is back.
const DRAIN_POLL: Duration = Duration::from_millis(1);

/// A share of the open sled handle. A planned reopen waits until every
/// lease but its own is dropped, so hold one only for one operation (a
/// scan of many keys takes a new one per chunk).
pub(super) type Lease = Arc<sled::Db>;

/// A named sled tree and the lease it was opened through: a tree keeps
/// the directory open as its handle does, so a planned reopen must wait
/// for it too.
pub(super) struct TreeLease {
    tree: sled::Tree,
    _lease: Lease,
}

impl TreeLease {
    pub(super) fn open(lease: Lease, name: &str) -> sled::Result<TreeLease> {
        Ok(TreeLease {
            tree: lease.open_tree(name)?,
            _lease: lease,
        })
    }
}

impl std::ops::Deref for TreeLease {
    type Target = sled::Tree;

    fn deref(&self) -> &sled::Tree {
        &self.tree
    }
}

/// What a planned reopen did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlannedReopen {
    /// Closed and opened again; how long callers waited for it.
    Reopened { paused: Duration },
    /// Someone held the handle longer than the drain allows: nothing was
    /// done; try again later.
    Busy,
    /// The store is in a fault (its recovery reopens it) or already
    /// reopening: nothing was done.
    NotNow,
}

/// Whether the store accepts writes now, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageCondition {
    Writable,
    RefusingWrites { reason: String },
}

pub(super) struct Handle {
    /// The data directory (its disk reserve); sled's files are in
    /// `Slot::sled_dir`, this directory itself or one level down (`layout`).
    dir: PathBuf,
    cache_capacity_bytes: u64,
    slot: Mutex<Slot>,
    reopened: Condvar,
    condition: watch::Sender<StorageCondition>,
}

struct Slot {
    /// `None` only while a reopen is in progress.
    db: Option<Lease>,
    generation: u64,
    fault: Option<String>,
    /// A planned reopen waits for the leases out: no new ones are handed.
    draining: bool,
    /// Where sled's files are (`layout::current`); changes when an online
    /// compaction switches to its copy.
    sled_dir: PathBuf,
    /// Counts every open of a sled handle into the slot: a compaction
    /// watches the handle it started on, and gives up if another replaced
    /// it (a fault's recovery).
    opened: u64,
    /// An online compaction is copying: planned reopens wait for it (its
    /// switch writes a fresh snapshot as they would).
    compacting: bool,
}

/// The sled handle an online compaction starts from.
pub(super) struct CompactionStart {
    pub(super) db: Lease,
    pub(super) opened: u64,
    pub(super) sled_dir: PathBuf,
    pub(super) data_dir: PathBuf,
    pub(super) cache_capacity_bytes: u64,
}

/// What a reopen of the live store during a compaction did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum CompactionReopen {
    /// Closed and opened again as `opened`; how long callers waited.
    Reopened { opened: u64, paused: Duration },
    /// Someone held the handle past the drain: nothing changed, try later.
    Busy,
    /// The handle the compaction started on is gone (a fault, a stop).
    Gone,
}

/// What a compaction's switch did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Switch {
    /// The copy serves now; how long callers waited.
    Switched { paused: Duration },
    /// Someone held the handle past the drain: nothing changed, try later.
    Busy,
    /// The handle the compaction started on is gone (a fault, a stop).
    Gone,
}

impl Handle {
    /// Opens sled in `sled_dir` for the data directory `dir`.
    pub(super) fn open(
        dir: &Path,
        sled_dir: &Path,
        cache_capacity_bytes: u64,
    ) -> Result<Handle, StoreError> {
        let db = open_db(sled_dir, cache_capacity_bytes)?;
        let handle = Handle {
            dir: dir.to_path_buf(),
            cache_capacity_bytes,
            slot: Mutex::new(Slot {
                db: Some(Arc::new(db)),
                generation: 0,
                fault: None,
                draining: false,
                sled_dir: sled_dir.to_path_buf(),
                opened: 1,
                compacting: false,
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

    /// The handle to read through (waits for a reopen in progress).
    pub(super) fn read(&self) -> Result<Lease, StoreError> {
        self.lease(false, false).map(|(db, _)| db)
    }

    /// The handle to write through and its generation, unless writes are
    /// refused now (waits for a planned reopen in progress).
    pub(super) fn write(&self) -> Result<(Lease, u64), StoreError> {
        self.lease(true, false)
    }

    /// The handle to flush, even while a planned reopen drains: a caller
    /// may flush while it holds a lease (a tree), and the reopen waits for
    /// that lease.
    pub(super) fn flush_handle(&self) -> Result<(Lease, u64), StoreError> {
        self.lease(true, true)
    }

    fn lease(&self, writing: bool, even_draining: bool) -> Result<(Lease, u64), StoreError> {
        let deadline = Instant::now() + REOPEN_WAIT;
        let mut slot = self.slot();
        loop {
            if writing {
                if let Some(reason) = &slot.fault {
                    return Err(StoreError::Unavailable {
                        reason: reason.clone(),
                    });
                }
            }
            match &slot.db {
                Some(db) if even_draining || !slot.draining => {
                    return Ok((db.clone(), slot.generation))
                }
                _ => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StoreError::Unavailable {
                    reason: "the data directory is being reopened".into(),
                });
            }
            slot = self
                .reopened
                .wait_timeout(slot, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Closes the handle and opens the directory again, so that sled writes
    /// a fresh snapshot and a crash later replays only what is written after
    /// it (see the module's paragraph). Waits up to `drain` for every other
    /// lease to be dropped; callers that ask for one meanwhile wait. The
    /// caller makes sure nothing it applied waits for a flush through the
    /// old handle (the writer drains its flusher first); the generation stays.
    pub(super) fn reopen_planned(
        self: &Arc<Self>,
        drain: Duration,
    ) -> Result<PlannedReopen, StoreError> {
        let started = Instant::now();
        let db = {
            let slot = self.slot();
            if slot.fault.is_some() || slot.draining || slot.db.is_none() || slot.compacting {
                return Ok(PlannedReopen::NotNow);
            }
            match self.drained(slot, started, drain) {
                Some(slot) => slot,
                None => return Ok(PlannedReopen::Busy),
            }
            .db
            .take()
        };
        let Some(db) = db else {
            return Ok(PlannedReopen::NotNow);
        };
        // Flushed here, where a failure can be told; sled flushes again
        // when the last tree goes, and a tree someone took from the old
        // handle (not a lease) keeps its directory lock until then.
        let flushed = db.flush();
        drop(db);
        if let Err(e) = flushed {
            // An I/O error puts the store in its fault, as after any failed
            // write, and the recovery thread opens it again; any other
            // error leaves no fault, so the directory is opened here.
            let failure = self.failed("flushing before a planned reopen", e);
            if self.slot().fault.is_none() {
                self.open_again(false);
            }
            return Err(failure);
        }
        self.open_again(false);
        let paused = started.elapsed();
        tracing::info!(dir = %self.dir.display(), paused_ms = paused.as_millis() as u64, "data directory reopened to bound recovery after a crash");
        Ok(PlannedReopen::Reopened { paused })
    }

    /// Marks the slot draining and waits, up to `drain` from `started`,
    /// until the slot's handle is the only lease left; the slot comes back
    /// locked and still draining. `None`: the drain ran out, nothing
    /// changed (draining lifted, waiters woken).
    fn drained<'a>(
        &'a self,
        mut slot: MutexGuard<'a, Slot>,
        started: Instant,
        drain: Duration,
    ) -> Option<MutexGuard<'a, Slot>> {
        slot.draining = true;
        loop {
            let only_ours = slot
                .db
                .as_ref()
                .is_some_and(|db| Arc::strong_count(db) == 1);
            if only_ours {
                return Some(slot);
            }
            if started.elapsed() >= drain {
                slot.draining = false;
                drop(slot);
                self.reopened.notify_all();
                return None;
            }
            drop(slot);
            std::thread::sleep(DRAIN_POLL);
            slot = self.slot();
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
    pub(super) fn failed(self: &Arc<Self>, action: &'static str, e: sled::Error) -> StoreError {
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
                let handle = Arc::downgrade(self);
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
        self.open_again(true);
    }

    /// Opens the directory into the empty slot, retrying until it opens,
    /// and wakes whoever waits for it.
    fn open_again(&self, after_fault: bool) {
        let mut wait = Duration::from_millis(10);
        let mut attempts = 0u32;
        loop {
            let sled_dir = self.slot().sled_dir.clone();
            match open_db(&sled_dir, self.cache_capacity_bytes) {
                Ok(db) => {
                    {
                        let mut slot = self.slot();
                        slot.db = Some(Arc::new(db));
                        slot.draining = false;
                        slot.opened += 1;
                    }
                    self.reopened.notify_all();
                    if after_fault {
                        tracing::info!(dir = %self.dir.display(), "data directory reopened");
                    }
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
    open_waiting_for_lock(dir, || {
        sled_config(dir).cache_capacity(cache_capacity_bytes).open()
    })
}

/// Runs `open` until it succeeds, fails for another reason than the lock,
/// or `LOCK_WAIT` has passed.
fn open_waiting_for_lock(
    dir: &Path,
    open: impl Fn() -> sled::Result<sled::Db>,
) -> Result<sled::Db, StoreError> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match open() {
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

/// The sled directory of the hub's data directory `dir` (`layout`),
/// unless `dir` is not a hub's data directory (no sled `conf` file where
/// the layout says): the offline tools (`audit verify`, `data-usage`,
/// `compact`) read a hub's directory and must never create an empty one by
/// mistake.
pub(super) fn require_data_dir(dir: &Path) -> Result<PathBuf, StoreError> {
    let sled_dir = super::layout::current(dir)?;
    if sled_dir.join("conf").exists() {
        return Ok(sled_dir);
    }
    Err(StoreError::DataDir {
        path: dir.display().to_string(),
        problem: "is not a data directory (no sled `conf` file in it)".into(),
    })
}

/// Opens `dir` with sled as it is: no disk reserve, not made private. For
/// the offline tools and the compacted copy. It waits for the lock like
/// the hub does: `compact` followed at once by `audit verify` on the copy
/// found the lock still held by the copy's closing flusher (CI, 2 Dec).
pub(super) fn open_as_is(dir: &Path) -> Result<sled::Db, StoreError> {
    open_waiting_for_lock(dir, || sled_config(dir).open())
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

    #[test]
    fn an_offline_open_waits_for_a_store_that_is_closing() {
        // `compact` then `audit verify` on the copy: the copy's handle is
        // still going away when the offline tool opens it.
        let dir = tempfile::tempdir().unwrap();
        let closing = open_db(dir.path(), 1 << 20).unwrap();
        let released = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(closing);
        });
        let opened = open_as_is(dir.path());
        released.join().unwrap();
        opened.expect("the offline open waited for the lock");
    }

    /// The stable log position of the newest snapshot sled wrote in `dir`
    /// (`snap.<lsn in hex>`), if any.
    fn snapshot_lsn(dir: &Path) -> Option<u64> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| u64::from_str_radix(name.strip_prefix("snap.")?, 16).ok())
            .max()
    }

    fn put(handle: &Handle, n: u64) {
        let db = handle.write().unwrap().0;
        for i in 0..n {
            db.insert(i.to_be_bytes(), vec![7u8; 512]).unwrap();
        }
        db.flush().unwrap();
    }

    #[test]
    fn a_planned_reopen_keeps_every_write_and_leaves_a_fresher_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let handle = Arc::new(Handle::open(dir.path(), dir.path(), 1 << 20).unwrap());
        put(&handle, 2000);
        let before = snapshot_lsn(dir.path()).unwrap_or(0);
        let generation = handle.generation();
        let done = handle.reopen_planned(Duration::from_secs(1)).unwrap();
        assert!(matches!(done, PlannedReopen::Reopened { .. }), "{done:?}");
        let after = snapshot_lsn(dir.path()).expect("a snapshot after the reopen");
        assert!(
            after > before,
            "the snapshot covers the log written before the reopen: {before:#x} then {after:#x}"
        );
        assert_eq!(
            handle.generation(),
            generation,
            "nothing was lost: same generation"
        );
        let db = handle.read().unwrap();
        assert_eq!(db.len(), 2000);
        assert_eq!(db.get(1999u64.to_be_bytes()).unwrap().unwrap().len(), 512);
    }

    #[test]
    fn a_planned_reopen_gives_up_while_someone_holds_the_store_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let handle = Arc::new(Handle::open(dir.path(), dir.path(), 1 << 20).unwrap());
        put(&handle, 10);
        let held = handle.read().unwrap();
        let done = handle.reopen_planned(Duration::from_millis(50)).unwrap();
        assert_eq!(done, PlannedReopen::Busy);
        // Nothing was closed: the held lease and new ones read and write.
        assert_eq!(held.len(), 10);
        handle.write().unwrap().0.insert(b"more", b"x").unwrap();
        drop(held);
        let done = handle.reopen_planned(Duration::from_secs(1)).unwrap();
        assert!(matches!(done, PlannedReopen::Reopened { .. }), "{done:?}");
        let db = handle.read().unwrap();
        assert_eq!(db.len(), 11);
    }

    #[test]
    fn a_planned_reopen_waits_for_a_held_tree_whose_holder_may_still_flush() {
        let dir = tempfile::tempdir().unwrap();
        let handle = Arc::new(Handle::open(dir.path(), dir.path(), 1 << 20).unwrap());
        put(&handle, 11);
        // A named tree keeps the directory open as its handle does.
        let tree = TreeLease::open(handle.read().unwrap(), "named").unwrap();
        let reopening = {
            let handle = handle.clone();
            std::thread::spawn(move || handle.reopen_planned(Duration::from_secs(30)).unwrap())
        };
        while !handle.slot().draining {
            std::thread::sleep(Duration::from_millis(1));
        }
        // The holder writes and flushes while the reopen waits for it.
        tree.insert(b"in the tree", b"y").unwrap();
        handle.flush_handle().unwrap().0.flush().unwrap();
        assert!(
            handle.slot().draining,
            "the reopen still waits for the tree"
        );
        drop(tree);
        let done = reopening.join().unwrap();
        assert!(matches!(done, PlannedReopen::Reopened { .. }), "{done:?}");
        let db = handle.read().unwrap();
        assert_eq!(db.len(), 11);
        let tree = db.open_tree("named").unwrap();
        assert_eq!(tree.get(b"in the tree").unwrap().unwrap().as_ref(), b"y");
    }

    #[test]
    fn callers_during_planned_reopens_wait_for_them_and_are_never_refused() {
        let dir = tempfile::tempdir().unwrap();
        let handle = Arc::new(Handle::open(dir.path(), dir.path(), 1 << 20).unwrap());
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers: Vec<_> = (0..2u64)
            .map(|w| {
                let (handle, stop) = (handle.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut n = 0u64;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let key = [w.to_be_bytes(), n.to_be_bytes()].concat();
                        let (db, _) = handle.write().expect("never refused");
                        db.insert(&key, b"v").unwrap();
                        drop(db);
                        let read = handle.read().expect("never refused");
                        assert!(read.get(&key).unwrap().is_some(), "write {w}/{n} seen");
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        let mut reopened = 0;
        while reopened < 5 {
            if let PlannedReopen::Reopened { .. } =
                handle.reopen_planned(Duration::from_secs(5)).unwrap()
            {
                reopened += 1;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let written: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
        handle.write().unwrap().0.flush().unwrap();
        assert_eq!(handle.read().unwrap().len() as u64, written);
    }
}
