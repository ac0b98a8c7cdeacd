//! Online compaction: the data directory copied record for record into a
//! fresh sled directory while the hub serves, then switched to.
//!
//! sled 0.34 never gives back what its history took: the files keep the
//! high-water mark of what was ever live, and its page table — held in
//! memory from the moment it opens — follows every page the directory ever
//! had. A directory a million dossiers lived in opens at 1.1 GiB resident
//! and takes 2.4–4.9 s to recover after `kill -9`; the same records in a
//! fresh directory serve in 250–350 MiB and recover in 0.6 s (README,
//! Performance). `lienthong compact` does that copy on a stopped hub; this
//! module does it on a running one:
//!
//! 1. **Watch.** A sled subscriber on every tree records which keys are
//!    written from now on (the keys only, in a set: what counts is their
//!    value at the switch, not the order they changed in).
//! 2. **Copy.** Every tree, in key order, in chunks, each chunk read
//!    through a lease of its own so that planned work (a fault's recovery,
//!    readers) never waits for the whole copy; the copy goes to
//!    `store.<n>` beside the live store (`layout`). sled 0.34 keeps in
//!    memory every page a read brings in, far past its cache (spacejam/sled
//!    #1036, #1093): reading a million dossiers' store whole took the hub
//!    from 1.0 to 3.5 GiB. So every `hub.store_compaction_reopen_after_read_bytes`
//!    read, the live store is closed and opened again
//!    (`Handle::reopen_compacting`, callers waiting as for a planned
//!    reopen), the watch paused while nobody writes and resumed on the new
//!    handle before anyone writes through it.
//! 3. **Settle.** While callers still write, the keys seen so far are read
//!    from the live store and set or removed in the copy, in rounds, until
//!    few are left (`settle`): the switch's pause is the catch-up's length,
//!    and a long copy under load leaves hundreds of thousands of keys.
//!    The same happens between two chunks of the copy whenever the watch
//!    holds more than `SETTLE_WHILE_COPYING_ABOVE` keys, so that writers
//!    outpacing the copy make it longer, not give up.
//! 4. **Switch** (`handle::switch`). With nobody holding the store, every
//!    key written since is read from the live store and set or removed
//!    in the copy, trees opened meanwhile are copied whole, the copy is
//!    flushed, the pointer file names it, and it becomes the live store;
//!    the old files are removed. Callers wait for the switch (its length is
//!    the catch-up's), none is refused.
//!
//! A compaction gives up — the live store untouched, the copy removed — if
//! the store falls into a fault (its handle is replaced), if the hub stops,
//! if more than `MAX_WRITTEN_KEYS` keys change between two settle rounds
//! (the set would cost memory and the switch would be long: writers faster
//! than the copy reads; a later compaction will find them gone), or if a tree is dropped
//! while it copies (sled tells subscribers nothing of that).

pub mod child;
mod target;
mod written;

use super::handle::{CompactionReopen, CompactionStart, Handle, Lease, Switch};
use super::{dir, layout, StoreError};
use sled::IVec;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
pub use target::copy_in_child;
use target::{write_here, CopyTarget};
use written::Written;

/// Keys with their value to set, or `None` to remove them: one batch for
/// one tree of the copy.
type Entries = Vec<(IVec, Option<IVec>)>;
/// Writes one batch into the copy's tree of that name (through the
/// `CopyTarget`, or into the copy opened here).
type WriteCopy<'a> = dyn FnMut(&[u8], &Entries) -> Result<(), StoreError> + 'a;

/// sled's cache for the copy while it is written: it is opened afresh with
/// the hub's own at the switch, and a large one here only holds the nodes
/// just written (the copy goes in key order), on top of the live store's.
const COPY_CACHE_BYTES: u64 = 32 << 20;
/// Records per chunk of the copy, each read under a lease of its own.
const CHUNK: usize = 4096;
/// Keys written while the copy runs beyond which the compaction gives up.
pub const MAX_WRITTEN_KEYS: usize = 1 << 20;
/// How long one switch waits for readers to let go of the store.
const SWITCH_DRAIN: Duration = Duration::from_secs(1);
/// Rounds of catching up while callers still write, before the switch
/// (`settle`), and the keys left at which the switch is worth its pause.
const SETTLE_ROUNDS: u32 = 8;
const SETTLED_KEYS: usize = 4096;
/// Keys the watch may hold while the copy runs before a settle round
/// brings them level between two chunks: a long copy beside a bulk
/// migration would otherwise reach `MAX_WRITTEN_KEYS` and give up, and
/// the set costs the hub memory (~100 bytes a key).
const SETTLE_WHILE_COPYING_ABOVE: usize = 1 << 18;
/// Switches tried before giving up (a reader that keeps the store busy).
const SWITCH_ATTEMPTS: u32 = 30;

/// What a finished compaction did.
#[derive(Clone, Debug, PartialEq)]
pub struct CompactionReport {
    pub trees: usize,
    pub records: u64,
    /// Keys written while it copied, brought level while callers still
    /// wrote, in `settle_rounds` rounds before the switch.
    pub settled_meanwhile: u64,
    pub settle_rounds: u32,
    /// Keys written since, brought level at the switch (callers waiting).
    pub written_meanwhile: u64,
    /// From the start to the switch.
    pub took: Duration,
    /// How long callers waited for the switch.
    pub paused: Duration,
    /// Reopens of the live store while it copied
    /// (`hub.store_compaction_reopen_after_read_bytes`), and how long
    /// callers waited for them in all.
    pub reopens: u32,
    pub reopens_paused: Duration,
    /// The sled directory serving now.
    pub sled_dir: PathBuf,
    /// The peak resident bytes of the process that wrote the copy
    /// (`child`); `None` when the hub's own process wrote it.
    pub copy_process_peak_bytes: Option<u64>,
}

/// Where online compaction stands, for the admin listener and metrics.
#[derive(Clone, Debug, Default)]
pub struct CompactionStatus {
    /// Since when one runs, if one does.
    pub running_since: Option<std::time::SystemTime>,
    /// How the last one ended: its report, or why it gave up.
    pub last: Option<Result<CompactionReport, String>>,
    pub finished: u64,
    pub abandoned: u64,
}

/// The answer to a request for a compaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompactionStarted {
    Started,
    AlreadyRunning,
    /// Not now, and why (the store is in a fault or reopening).
    NotNow(String),
}

/// The store's compactions: at most one at a time.
#[derive(Default)]
pub(super) struct Compactions {
    status: Mutex<CompactionStatus>,
    /// Bumped by every `drop_tree`: a compaction that sees it move gives up.
    pub(super) trees_dropped: AtomicU64,
    /// Held while a tree is dropped and while a compaction opens a tree of
    /// the live store: sled's `open_tree` makes a missing tree, so a
    /// compaction opening one just dropped would make it again, empty, in
    /// the live store. Under this lock it sees the drop counted first and
    /// gives up instead.
    dropping: Mutex<()>,
    /// Bytes a compaction reads between two reopens of the live store
    /// (`hub.store_compaction_reopen_after_read_bytes`); 0: never.
    pub(super) reopen_after_read_bytes: AtomicU64,
}

impl Compactions {
    pub(super) fn status(&self) -> CompactionStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Drops the tree `name` of the live store, counted so that a
    /// compaction copying now gives up (sled tells its subscribers nothing
    /// of a drop, and a tree made again under the same name would be
    /// watched by nobody).
    pub(super) fn drop_tree(&self, db: &sled::Db, name: &[u8]) -> sled::Result<bool> {
        let _held = self.dropping.lock().unwrap_or_else(|p| p.into_inner());
        self.trees_dropped.fetch_add(1, Ordering::SeqCst);
        db.drop_tree(name)
    }

    /// Starts a compaction in a thread of its own; `done` runs with its
    /// report when it switched.
    pub(super) fn start(
        self: &Arc<Self>,
        handle: &Arc<Handle>,
        done: impl FnOnce(&CompactionReport) + Send + 'static,
    ) -> CompactionStarted {
        // The status's lock is held while the handle's flag changes, at the
        // start and at the end, so the two always agree.
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let Some(start) = handle.begin_compaction() else {
            if status.running_since.is_some() {
                return CompactionStarted::AlreadyRunning;
            }
            return CompactionStarted::NotNow(
                "the store is recovering from a failed write or being reopened".into(),
            );
        };
        status.running_since = Some(std::time::SystemTime::now());
        // Counted from here: a drop after the start makes it give up.
        let dropped_before = self.trees_dropped.load(Ordering::SeqCst);
        let reopen_after_read_bytes = self.reopen_after_read_bytes.load(Ordering::Relaxed);
        let (weak, this) = (Arc::downgrade(handle), self.clone());
        let spawned = std::thread::Builder::new()
            .name("lienthong-compaction".into())
            .spawn(move || {
                let drops = Drops {
                    compactions: &this,
                    before: dropped_before,
                };
                let outcome = compact(&weak, start, drops, reopen_after_read_bytes);
                match &outcome {
                    Ok(report) => {
                        tracing::info!(records = report.records, settled_meanwhile = report.settled_meanwhile, settle_rounds = report.settle_rounds, written_meanwhile = report.written_meanwhile, took_ms = report.took.as_millis() as u64, paused_ms = report.paused.as_millis() as u64, reopens = report.reopens, reopens_paused_ms = report.reopens_paused.as_millis() as u64, copy_process_peak_mib = report.copy_process_peak_bytes.map(|b| b >> 20), dir = %report.sled_dir.display(), "store compacted while serving");
                        done(report);
                    }
                    Err(e) => tracing::warn!(error = %e, "online compaction gave up; the store is as it was"),
                }
                let mut status = this.status.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(handle) = weak.upgrade() {
                    handle.end_compaction();
                }
                status.running_since = None;
                match outcome {
                    Ok(_) => status.finished += 1,
                    Err(_) => status.abandoned += 1,
                }
                status.last = Some(outcome.map_err(|e| e.to_string()));
            });
        if let Err(e) = spawned {
            handle.end_compaction();
            status.running_since = None;
            return CompactionStarted::NotNow(format!("cannot start its thread: {e}"));
        }
        CompactionStarted::Started
    }
}

/// The live store's handle, while the hub runs.
fn live(handle: &Weak<Handle>) -> Result<Arc<Handle>, StoreError> {
    handle.upgrade().ok_or_else(|| abandoned("the hub stopped"))
}

/// The live handle and a lease of the store it opened as `opened`: one
/// chunk's read of the copy or of a settle round.
fn leased(handle: &Weak<Handle>, opened: u64) -> Result<(Arc<Handle>, Lease), StoreError> {
    let live = live(handle)?;
    let lease = live
        .lease_of(opened)?
        .ok_or_else(|| abandoned("the store was reopened after a fault"))?;
    Ok((live, lease))
}

/// The drops of trees a compaction must not miss: counted from its start.
#[derive(Clone, Copy)]
struct Drops<'a> {
    compactions: &'a Compactions,
    before: u64,
}

impl Drops<'_> {
    fn check(&self) -> Result<(), StoreError> {
        if self.compactions.trees_dropped.load(Ordering::SeqCst) != self.before {
            return Err(abandoned("a tree was dropped while it copied"));
        }
        Ok(())
    }

    /// The live store's tree `name`, unless a tree was dropped since the
    /// start (opening it would make it again in the live store).
    fn live_tree(
        &self,
        live: &Arc<Handle>,
        db: &sled::Db,
        name: &[u8],
    ) -> Result<sled::Tree, StoreError> {
        let _held = self
            .compactions
            .dropping
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        self.check()?;
        tree_of(db, name).map_err(|e| live.failed("opening a tree to compact", e))
    }
}

fn abandoned(reason: impl Into<String>) -> StoreError {
    StoreError::CompactionAbandoned {
        reason: reason.into(),
    }
}

/// The whole compaction; the copy is removed unless it was switched to.
fn compact(
    handle: &Weak<Handle>,
    start: CompactionStart,
    drops: Drops,
    reopen_after_read_bytes: u64,
) -> Result<CompactionReport, StoreError> {
    let started = Instant::now();
    let copy_dir = layout::next(&start.data_dir, &start.sled_dir);
    layout::remove_sled_dir(&copy_dir)?;
    let result = (|| {
        dir::prepare(&copy_dir)?;
        let copy = CopyTarget::open(&copy_dir, COPY_CACHE_BYTES.min(start.cache_capacity_bytes))?;
        copy_and_switch(
            handle,
            start,
            copy,
            &copy_dir,
            drops,
            reopen_after_read_bytes,
            started,
        )
    })();
    if result.is_err() {
        if let Err(e) = layout::remove_sled_dir(&copy_dir) {
            tracing::warn!(error = %e, "the abandoned copy stays until the next start removes it");
        }
    }
    result
}

fn copy_and_switch(
    handle: &Weak<Handle>,
    start: CompactionStart,
    mut copy: CopyTarget,
    copy_dir: &Path,
    drops: Drops,
    reopen_after_read_bytes: u64,
    started: Instant,
) -> Result<CompactionReport, StoreError> {
    let cache_capacity_bytes = start.cache_capacity_bytes;
    let opened = start.opened;
    drop(start.db);
    // The watch begins with nobody writing: a write already past sled's
    // subscriber check when the watch began would reach the store unseen,
    // after the copy may have read the key's old value (a lost update the
    // unit test met once in CI).
    let mut watched = None;
    for _ in 0..SWITCH_ATTEMPTS {
        let live = live(handle)?;
        match live.with_drained(opened, SWITCH_DRAIN, |db| {
            let names = db.tree_names();
            Written::watch(db, &names).map(|written| (names, written))
        }) {
            Some(result) => {
                watched = Some(result?);
                break;
            }
            None if live.lease_of(opened)?.is_none() => {
                return Err(abandoned("the store was reopened after a fault"))
            }
            None => {}
        }
    }
    let (names, written) =
        watched.ok_or_else(|| abandoned("readers held the store through every try to start"))?;
    let mut copier = Copier::new(
        handle,
        opened,
        drops,
        &mut copy,
        &written,
        &names,
        reopen_after_read_bytes,
    );
    for name in &names {
        copier.copy_tree(name)?;
    }
    let Copier {
        opened,
        records,
        reopens,
        reopens_paused,
        settled: settled_while_copying,
        settle_rounds: rounds_while_copying,
        ..
    } = copier;
    let trees = names.len();
    let copy_cache_bytes = COPY_CACHE_BYTES.min(cache_capacity_bytes);
    // Closed and opened once here, while the hub serves: a directory's
    // first open writes its first snapshot (7 s for a million dossiers'
    // copy, README), which the switch's open would otherwise make callers
    // wait for.
    let mut copy = copy.reopened(copy_dir, copy_cache_bytes)?;
    let (mut settled_meanwhile, mut settle_rounds) = settle(
        handle,
        opened,
        drops,
        &mut |name, entries| copy.write(name, entries),
        &written,
        &names,
    )?;
    // A child's copy is opened here once it has exited; what was written
    // while it closed and this opened is settled again, here.
    let (copy, copy_process_peak_bytes) = copy.opened_here(copy_dir, copy_cache_bytes)?;
    if copy_process_peak_bytes.is_some() {
        let (settled, rounds) = settle(
            handle,
            opened,
            drops,
            &mut |name, entries| write_here(&copy, name, entries),
            &written,
            &names,
        )?;
        settled_meanwhile += settled;
        settle_rounds += rounds;
    }
    settled_meanwhile += settled_while_copying;
    settle_rounds += rounds_while_copying;
    let mut copy = Some(copy);
    for attempt in 1..=SWITCH_ATTEMPTS {
        let live = live(handle)?;
        let mut level = None;
        let switched =
            live.switch_to_copy(opened, SWITCH_DRAIN, &mut copy, copy_dir, |old, copy| {
                drops.check()?;
                let keys = written.stop()?;
                level = Some(keys.len() as u64);
                catch_up(old, copy, &names, keys)
            })?;
        match switched {
            Switch::Switched { paused } => {
                return Ok(CompactionReport {
                    trees,
                    records,
                    settled_meanwhile,
                    settle_rounds,
                    written_meanwhile: level.unwrap_or(0),
                    took: started.elapsed(),
                    paused,
                    reopens,
                    reopens_paused,
                    sled_dir: copy_dir.to_path_buf(),
                    copy_process_peak_bytes,
                })
            }
            Switch::Gone => return Err(abandoned("the store was reopened after a fault")),
            Switch::Busy => {
                written.check()?;
                tracing::debug!(
                    attempt,
                    "compaction's switch put off: a reader held the store"
                );
            }
        }
    }
    Err(abandoned(format!(
        "readers held the store through {SWITCH_ATTEMPTS} switches"
    )))
}

/// The copy in progress: the live handle it reads (`opened`), the copy's
/// handle it writes, and how much it read since the live store was last
/// reopened.
struct Copier<'a> {
    handle: &'a Weak<Handle>,
    opened: u64,
    drops: Drops<'a>,
    copy: &'a mut CopyTarget,
    written: &'a Written,
    names: &'a [IVec],
    /// `hub.store_compaction_reopen_after_read_bytes`; 0: never.
    reopen_after_read_bytes: u64,
    read_since_reopen: u64,
    records: u64,
    reopens: u32,
    reopens_paused: Duration,
    /// Keys the watch may hold before a settle round between two chunks
    /// (`SETTLE_WHILE_COPYING_ABOVE`), and what such rounds brought level.
    settle_above: usize,
    settled: u64,
    settle_rounds: u32,
}

impl<'a> Copier<'a> {
    /// A copy about to start: nothing read, copied or settled yet.
    fn new(
        handle: &'a Weak<Handle>,
        opened: u64,
        drops: Drops<'a>,
        copy: &'a mut CopyTarget,
        written: &'a Written,
        names: &'a [IVec],
        reopen_after_read_bytes: u64,
    ) -> Self {
        Copier {
            handle,
            opened,
            drops,
            copy,
            written,
            names,
            reopen_after_read_bytes,
            read_since_reopen: 0,
            records: 0,
            reopens: 0,
            reopens_paused: Duration::ZERO,
            settle_above: SETTLE_WHILE_COPYING_ABOVE,
            settled: 0,
            settle_rounds: 0,
        }
    }

    /// Copies one tree of the live handle into the copy, a chunk per lease,
    /// the live store reopened whenever the chunks read since the last
    /// reopen reach `reopen_after_read_bytes`.
    fn copy_tree(&mut self, name: &IVec) -> Result<(), StoreError> {
        let mut after: Option<IVec> = None;
        loop {
            self.written.check()?;
            let (live, lease) = leased(self.handle, self.opened)?;
            let from = self.drops.live_tree(&live, &lease, name)?;
            let range = match &after {
                None => from.range::<&[u8], _>(..),
                Some(key) => from.range((
                    std::ops::Bound::Excluded(key.clone()),
                    std::ops::Bound::Unbounded,
                )),
            };
            let mut entries = Entries::with_capacity(CHUNK);
            let mut bytes = 0;
            for item in range.take(CHUNK) {
                let (key, value) =
                    item.map_err(|e| live.failed("reading the store to compact", e))?;
                bytes += (key.len() + value.len()) as u64;
                after = Some(key.clone());
                entries.push((key, Some(value)));
            }
            drop((from, lease, live));
            let in_chunk = entries.len();
            self.copy.write(name, &entries)?;
            self.settle_if_many()?;
            self.records += in_chunk as u64;
            self.read_since_reopen += bytes;
            if in_chunk < CHUNK {
                return Ok(());
            }
            if self.reopen_after_read_bytes != 0
                && self.read_since_reopen >= self.reopen_after_read_bytes
            {
                self.reopen_live()?;
            }
        }
    }

    /// A settle round between two chunks once the watch holds more than
    /// `settle_above` keys.
    fn settle_if_many(&mut self) -> Result<(), StoreError> {
        let Some(keys) = self.written.take_more_than(self.settle_above)? else {
            return Ok(());
        };
        self.settle_rounds += 1;
        self.settled += keys.len() as u64;
        let copy = &mut *self.copy;
        settle_keys(
            self.handle,
            self.opened,
            self.drops,
            &mut |name, entries| copy.write(name, entries),
            self.names,
            keys,
        )
    }

    /// Reopens the live store with the watch carried across
    /// (`Handle::reopen_compacting`). A reader holding the live store past
    /// the drain puts the reopen off to the next chunk. The copy's handle
    /// is not reopened here: closing and opening a sled directory while it
    /// is being filled left the copy a quarter larger on disk at 200 000
    /// dossiers (7 635 B per dossier against 5 869 B; README), for ~50 MiB
    /// less at the peak.
    fn reopen_live(&mut self) -> Result<(), StoreError> {
        let live = live(self.handle)?;
        let (written, names) = (self.written, self.names);
        match live.reopen_compacting(
            self.opened,
            SWITCH_DRAIN,
            || written.pause(),
            |db| written.resume(db, names),
        )? {
            CompactionReopen::Reopened { opened, paused } => {
                self.opened = opened;
                self.read_since_reopen = 0;
                self.reopens += 1;
                self.reopens_paused += paused;
                tracing::debug!(
                    records = self.records,
                    paused_ms = paused.as_millis() as u64,
                    "compaction reopened the live store to let go of what it read"
                );
            }
            CompactionReopen::Busy => {}
            CompactionReopen::Gone => {
                return Err(abandoned("the store was reopened after a fault"))
            }
        }
        Ok(())
    }
}

/// Brings the copy level with the live store while callers still write, so
/// that the switch, which they wait for, has only what was written during
/// the last round to catch up on. Writes during a long copy are many: at a
/// million dossiers, 86 000 commands during a 215 s copy left 532 904 keys
/// and a 12 s switch (README). Each round takes the keys seen so far (the
/// watch goes on), reads their values now, a chunk per lease, and writes
/// them into the copy; a key written again after it was read is seen again
/// and comes back at the next round or the switch. Rounds stop once no
/// more than `SETTLED_KEYS` keys wait, or after `SETTLE_ROUNDS` (writers
/// faster than a round: the switch takes the rest). Returns the keys
/// brought level and the rounds.
fn settle(
    handle: &Weak<Handle>,
    opened: u64,
    drops: Drops,
    copy: &mut WriteCopy,
    written: &Written,
    names: &[IVec],
) -> Result<(u64, u32), StoreError> {
    let (mut settled, mut rounds) = (0u64, 0u32);
    while rounds < SETTLE_ROUNDS {
        let Some(keys) = written.take_more_than(SETTLED_KEYS)? else {
            break;
        };
        rounds += 1;
        settled += keys.len() as u64;
        settle_keys(handle, opened, drops, copy, names, keys)?;
    }
    Ok((settled, rounds))
}

/// One settle round: each of `keys` read from the live store now, a chunk
/// per lease, and set or removed in the copy.
fn settle_keys(
    handle: &Weak<Handle>,
    opened: u64,
    drops: Drops,
    copy: &mut WriteCopy,
    names: &[IVec],
    keys: HashSet<(usize, IVec)>,
) -> Result<(), StoreError> {
    // In tree and key order: neighbouring keys share sled's pages, read
    // while they are still cached, instead of jumping across the whole
    // directory in the set's hash order (a round over a lived directory is
    // random reads; README, "The copy in a process of its own": a million
    // keys settled in 5 rounds on a fast disk, the order's share not
    // separated from the disk's).
    let mut keys: Vec<(usize, IVec)> = keys.into_iter().collect();
    keys.sort_unstable();
    for chunk in keys.chunks(CHUNK) {
        let (live, lease) = leased(handle, opened)?;
        let from = names
            .iter()
            .map(|name| drops.live_tree(&live, &lease, name))
            .collect::<Result<Vec<_>, _>>()?;
        let batches = level_batches(&from, chunk.iter().cloned())
            .map_err(|e| live.failed("reading the store to settle the copy", e))?;
        drop((from, lease, live));
        write_batches(copy, names, &batches)?;
    }
    Ok(())
}

/// One batch per watched tree (`from`, in the watch's order) setting each
/// key of `keys` in the copy to its value in `from` now, or removing it
/// there.
fn level_batches(
    from: &[sled::Tree],
    keys: impl IntoIterator<Item = (usize, IVec)>,
) -> sled::Result<Vec<Entries>> {
    let mut batches: Vec<Entries> = from.iter().map(|_| Entries::new()).collect();
    for (tree, key) in keys {
        let value = from[tree].get(&key)?;
        batches[tree].push((key, value));
    }
    Ok(batches)
}

/// Writes each watched tree's batch that has something in it.
fn write_batches(
    copy: &mut WriteCopy,
    watched: &[IVec],
    batches: &[Entries],
) -> Result<(), StoreError> {
    for (name, batch) in watched.iter().zip(batches) {
        if !batch.is_empty() {
            copy(name, batch)?;
        }
    }
    Ok(())
}

/// Brings the copy level with the old store, which nobody writes now:
/// every key written since the watch takes its value there (or goes), trees
/// opened since are copied whole, trees gone since go.
fn catch_up(
    old: &sled::Db,
    copy: &sled::Db,
    watched: &[IVec],
    keys: HashSet<(usize, IVec)>,
) -> Result<(), StoreError> {
    let reading = |e| StoreError::io("reading the store to catch up", e);
    let writing = |e| StoreError::io("writing the compacted copy", e);
    let from = watched
        .iter()
        .map(|name| tree_of(old, name))
        .collect::<sled::Result<Vec<_>>>()
        .map_err(reading)?;
    let batches = level_batches(&from, keys).map_err(reading)?;
    write_batches(
        &mut |name, entries| write_here(copy, name, entries),
        watched,
        &batches,
    )?;
    let now = old.tree_names();
    for name in now.iter().filter(|n| !watched.contains(n)) {
        let from = tree_of(old, name).map_err(reading)?;
        let into = tree_of(copy, name).map_err(writing)?;
        for item in from.iter() {
            let (key, value) = item.map_err(reading)?;
            into.insert(key, value).map_err(writing)?;
        }
    }
    for name in watched.iter().filter(|n| !now.contains(n)) {
        copy.drop_tree(name).map_err(writing)?;
    }
    Ok(())
}

/// The tree `name` of `db`. sled's default tree is the `Db` itself: its
/// name also opens, but as a second handle with a root and subscribers of
/// its own that the `Db`'s writes never see (sled 0.34), so it is never
/// opened by name here.
fn tree_of(db: &sled::Db, name: &[u8]) -> sled::Result<sled::Tree> {
    if name == DEFAULT_TREE {
        return Ok(sled::Tree::clone(db));
    }
    db.open_tree(name)
}

/// sled's name for its default tree, as `tree_names` gives it.
const DEFAULT_TREE: &[u8] = b"__sled__default";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{handle, Store};
    use std::collections::BTreeMap;
    use std::sync::atomic::AtomicBool;

    fn finished(store: &Store, before: u64) -> CompactionStatus {
        loop {
            let status = store.compaction_status();
            if status.running_since.is_none() && status.finished + status.abandoned > before {
                return status;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// `main` is sled's default tree, as the hub writes it (through the
    /// `Db`); other names are named trees.
    fn named(db: &sled::Db, name: &str) -> sled::Tree {
        if name == "main" {
            return sled::Tree::clone(db);
        }
        db.open_tree(name).unwrap()
    }

    fn write(store: &Store, tree: &str, key: u64, value: &[u8]) {
        let db = store.write_db().unwrap();
        named(&db, tree).insert(key.to_be_bytes(), value).unwrap();
    }

    /// Waits until the watch has seen `keys` writes (it sees them on its
    /// own thread); fails after 60 s rather than hang if it misses some.
    fn wait_until_seen(written: &Written, keys: usize) {
        let waited = Instant::now();
        while written.seen() < keys {
            assert!(
                waited.elapsed() < Duration::from_secs(60),
                "the watch saw {} of {keys} writes",
                written.seen()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// What one tree holds, as the store serves it.
    fn tree(store: &Store, name: &str) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let db = store.db().unwrap();
        let tree = named(&db, name);
        tree.iter()
            .map(|item| {
                let (k, v) = item.unwrap();
                (k.to_vec(), v.to_vec())
            })
            .collect()
    }

    #[test]
    fn a_store_written_while_it_is_compacted_switches_to_the_copy_with_every_last_write() {
        let report = compacted_while_written(0);
        assert_eq!(report.reopens, 0, "{report:?}");
    }

    #[test]
    fn keys_written_while_it_copies_are_brought_level_before_the_switch_and_come_back_if_written_again(
    ) {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path(), 8 << 20).unwrap();
        let start = store.handle.begin_compaction().unwrap();
        let names = start.db.tree_names();
        let main = names.iter().position(|n| n == DEFAULT_TREE).unwrap();
        let written = Written::watch(&start.db, &names).unwrap();
        drop(start.db);
        let keys = 10_000u64;
        for key in 0..keys {
            write(&store, "main", key, b"first");
        }
        wait_until_seen(&written, keys as usize);
        let copy_dir = tempfile::tempdir().unwrap();
        let copy = handle::open_db(copy_dir.path(), 8 << 20).unwrap();
        let weak = Arc::downgrade(&store.handle);
        let drops = Drops {
            compactions: &store.compactions,
            before: 0,
        };
        let mut into = |name: &[u8], entries: &Entries| write_here(&copy, name, entries);
        let (settled, rounds) =
            settle(&weak, start.opened, drops, &mut into, &written, &names).unwrap();
        assert_eq!((settled, rounds), (keys, 1), "one round took them all");
        for key in 0..keys {
            let value = copy.get(key.to_be_bytes()).unwrap();
            assert_eq!(value.as_deref(), Some(&b"first"[..]), "key {key} level");
        }
        // Below SETTLED_KEYS: no round; the switch takes them.
        write(&store, "main", 5, b"again");
        remove(&store, "main", 6);
        assert_eq!(
            settle(&weak, start.opened, drops, &mut into, &written, &names).unwrap(),
            (0, 0)
        );
        let left = written.stop().unwrap();
        let expected: HashSet<(usize, IVec)> = [5u64, 6]
            .iter()
            .map(|k| (main, IVec::from(&k.to_be_bytes()[..])))
            .collect();
        assert_eq!(left, expected, "only what was written after its round");
        let db = store.db().unwrap();
        catch_up(&db, &copy, &names, left).unwrap();
        assert_eq!(
            copy.get(5u64.to_be_bytes()).unwrap().as_deref(),
            Some(&b"again"[..])
        );
        assert_eq!(copy.get(6u64.to_be_bytes()).unwrap(), None);
        assert_eq!(
            copy.len(),
            keys as usize - 1,
            "nothing else reached the copy"
        );
        drop(db);
        store.handle.end_compaction();
    }

    #[test]
    fn a_tree_dropped_while_it_settles_makes_it_give_up_without_making_the_tree_again() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path(), 8 << 20).unwrap();
        write(&store, "t", 0, b"before");
        let start = store.handle.begin_compaction().unwrap();
        let names = start.db.tree_names();
        let written = Written::watch(&start.db, &names).unwrap();
        drop(start.db);
        let keys = SETTLED_KEYS as u64 + 1;
        for key in 0..keys {
            write(&store, "t", key, b"written");
        }
        wait_until_seen(&written, keys as usize);
        let drops = Drops {
            compactions: &store.compactions,
            before: store.compactions.trees_dropped.load(Ordering::SeqCst),
        };
        {
            let db = store.write_db().unwrap();
            assert!(store.compactions.drop_tree(&db, b"t").unwrap());
        }
        let copy_dir = tempfile::tempdir().unwrap();
        let copy = handle::open_db(copy_dir.path(), 8 << 20).unwrap();
        let weak = Arc::downgrade(&store.handle);
        let mut into = |name: &[u8], entries: &Entries| write_here(&copy, name, entries);
        match settle(&weak, start.opened, drops, &mut into, &written, &names) {
            Err(StoreError::CompactionAbandoned { reason }) => {
                assert!(reason.contains("a tree was dropped"), "{reason}")
            }
            other => panic!("settled over a dropped tree: {other:?}"),
        }
        let db = store.db().unwrap();
        assert!(
            !db.tree_names().iter().any(|n| n == b"t"),
            "the dropped tree is not made again in the live store"
        );
        assert!(
            copy.tree_names().iter().all(|n| n != b"t"),
            "nor in the copy"
        );
        drop(db);
        written.stop().unwrap();
        store.handle.end_compaction();
    }

    #[test]
    fn keys_written_while_it_copies_are_settled_between_chunks_once_the_watch_holds_many() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path(), 8 << 20).unwrap();
        for key in 0..(2 * CHUNK as u64 + 1) {
            write(&store, "main", key, b"copied");
        }
        write(&store, "other", 0, b"before");
        // With what the store wrote of its own when it opened.
        let in_main = store.db().unwrap().len() as u64;
        let start = store.handle.begin_compaction().unwrap();
        let names = start.db.tree_names();
        let main = names.iter().position(|n| n == DEFAULT_TREE).unwrap();
        let written = Written::watch(&start.db, &names).unwrap();
        drop(start.db);
        // Written beside the copy in a tree it does not copy now: only a
        // settle round can bring these into the copy.
        for key in 0..100u64 {
            write(&store, "other", key, b"beside");
        }
        wait_until_seen(&written, 100);
        let copy_dir = tempfile::tempdir().unwrap();
        let mut copy = CopyTarget::Here(handle::open_db(copy_dir.path(), 8 << 20).unwrap());
        let weak = Arc::downgrade(&store.handle);
        let drops = Drops {
            compactions: &store.compactions,
            before: 0,
        };
        let mut copier = Copier::new(&weak, start.opened, drops, &mut copy, &written, &names, 0);
        copier.settle_above = 10;
        copier.copy_tree(&names[main]).unwrap();
        assert_eq!(
            (copier.settled, copier.settle_rounds, copier.records),
            (100, 1, in_main),
            "one round after the first chunk took the 100 keys"
        );
        assert_eq!(written.seen(), 0);
        let CopyTarget::Here(copy) = copy else {
            unreachable!()
        };
        let other = copy.open_tree("other").unwrap();
        for key in 0..100u64 {
            assert_eq!(
                other.get(key.to_be_bytes()).unwrap().as_deref(),
                Some(&b"beside"[..]),
                "key {key} brought level while the copy ran"
            );
        }
        written.stop().unwrap();
        store.handle.end_compaction();
    }

    #[test]
    fn a_store_reopened_while_it_is_compacted_and_written_loses_no_write_across_the_reopens() {
        // ~10 000 records of ~72 bytes: a chunk (4 096 records) reads more
        // than the bound, so the store is reopened after every full chunk.
        let report = compacted_while_written(128 << 10);
        assert!(report.reopens >= 2, "{report:?}");
    }

    /// A store with history, compacted while a writer keeps writing
    /// (inserts, overwrites, removals, a tree opened meanwhile), the live
    /// store reopened every `reopen_after_read_bytes` read (0: never): the
    /// switched store serves, and holds on disk, every last write.
    fn compacted_while_written(reopen_after_read_bytes: u64) -> CompactionReport {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path(), 8 << 20).unwrap();
        store.set_compaction_reopen_after_read_bytes(reopen_after_read_bytes);
        let served = |store: &Store| -> BTreeMap<(&str, Vec<u8>), Vec<u8>> {
            let mut all = BTreeMap::new();
            for name in ["main", "opened-meanwhile"] {
                for (k, v) in tree(store, name) {
                    all.insert((name, k), v);
                }
            }
            all
        };
        // What the store wrote of its own when it opened, then the test's.
        let mut expected = served(&store);
        // History the copy leaves behind: written, overwritten, removed.
        for round in 0..3u8 {
            for key in 0..20_000u64 {
                write(&store, "main", key, &[round; 64]);
                expected.insert(("main", key.to_be_bytes().to_vec()), vec![round; 64]);
            }
        }
        for key in 0..10_000u64 {
            remove(&store, "main", key);
            expected.remove(&("main", key.to_be_bytes().to_vec()));
        }
        store.flush().unwrap();
        // A writer keeps going through the copy and the switch: inserts,
        // overwrites, removals, and a tree opened meanwhile.
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (store, stop) = (store.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) || n < 5_000 {
                    let key = 10_000 + n % 30_000;
                    write(&store, "main", key, &n.to_be_bytes());
                    expected.insert(
                        ("main", key.to_be_bytes().to_vec()),
                        n.to_be_bytes().to_vec(),
                    );
                    if n % 7 == 0 {
                        let key = 15_000 + n % 5_000;
                        remove(&store, "main", key);
                        expected.remove(&("main", key.to_be_bytes().to_vec()));
                    }
                    if n % 3 == 0 {
                        write(&store, "opened-meanwhile", n, b"new");
                        expected.insert(
                            ("opened-meanwhile", n.to_be_bytes().to_vec()),
                            b"new".to_vec(),
                        );
                    }
                    n += 1;
                }
                expected
            })
        };
        assert_eq!(store.start_compaction(), CompactionStarted::Started);
        let status = finished(&store, 0);
        stop.store(true, Ordering::Relaxed);
        let expected = writer.join().unwrap();
        let report = match status.last {
            Some(Ok(report)) => report,
            other => panic!("the compaction did not finish: {other:?}"),
        };
        assert_eq!((status.finished, status.abandoned), (1, 0));
        assert_eq!(report.sled_dir, data.path().join("store.1"));
        assert!(
            report.settled_meanwhile + report.written_meanwhile > 0,
            "{report:?}"
        );
        store.flush().unwrap();
        let now = served(&store);
        let missing = expected.keys().filter(|k| !now.contains_key(*k)).count();
        let extra = now.keys().filter(|k| !expected.contains_key(*k)).count();
        let differ = expected
            .iter()
            .filter(|(k, v)| now.get(*k).is_some_and(|n| n != *v))
            .count();
        assert!(now == expected, "the switched store serves every last write: {missing} missing, {extra} extra, {differ} differ of {}; {report:?}", expected.len());
        assert_eq!(
            std::fs::read_to_string(data.path().join(layout::POINTER)).unwrap(),
            "store.1\n"
        );
        assert!(
            !data.path().join("conf").exists(),
            "the old store's files are gone"
        );
        assert!(!data.path().join("db").exists());
        assert!(
            data.path().join("disk-reserve").exists(),
            "the hub's own file stays"
        );
        // What the switched store serves is what it holds on disk.
        drop(store);
        let reopened = Store::open(data.path(), 8 << 20).unwrap();
        assert!(
            served(&reopened) == expected,
            "the reopened copy holds every last write"
        );
        report
    }

    fn remove(store: &Store, tree: &str, key: u64) {
        let db = store.write_db().unwrap();
        named(&db, tree).remove(key.to_be_bytes()).unwrap();
    }

    #[test]
    fn the_next_compaction_goes_one_directory_further_and_removes_the_last() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path(), 8 << 20).unwrap();
        for key in 0..1_000u64 {
            write(&store, "t", key, b"v");
        }
        for n in 1..=2u64 {
            assert_eq!(store.start_compaction(), CompactionStarted::Started);
            let status = finished(&store, n - 1);
            assert_eq!(status.finished, n, "{:?}", status.last);
        }
        assert!(!data.path().join("store.1").exists());
        assert!(data.path().join("store.2").join("conf").exists());
        assert_eq!(tree(&store, "t").len(), 1_000);
        // A planned reopen opens the live copy, not the directory it left.
        let done = store.reopen_planned(Duration::from_secs(5)).unwrap();
        assert!(
            matches!(done, super::super::PlannedReopen::Reopened { .. }),
            "{done:?}"
        );
        assert_eq!(tree(&store, "t").len(), 1_000);
    }

    #[test]
    fn a_tree_dropped_while_it_copies_makes_it_give_up_and_leave_the_store_as_it_was() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path(), 8 << 20).unwrap();
        for key in 0..1_000u64 {
            write(&store, "t", key, b"v");
        }
        // Counted as a drop would count it, before the compaction's switch.
        store
            .compactions
            .trees_dropped
            .fetch_add(1, Ordering::SeqCst);
        let before = store.compactions.trees_dropped.load(Ordering::SeqCst);
        assert_eq!(before, 1);
        // The count moves while the copy runs: held up by a lease so the
        // switch cannot happen before the drop is counted.
        let held = store.db().unwrap();
        assert_eq!(store.start_compaction(), CompactionStarted::Started);
        assert_eq!(store.start_compaction(), CompactionStarted::AlreadyRunning);
        store
            .compactions
            .trees_dropped
            .fetch_add(1, Ordering::SeqCst);
        drop(held);
        let status = finished(&store, 0);
        assert_eq!((status.finished, status.abandoned), (0, 1));
        match status.last {
            Some(Err(reason)) => assert!(reason.contains("a tree was dropped"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert!(!data.path().join(layout::POINTER).exists());
        assert!(
            !data.path().join("store.1").exists(),
            "the copy was removed"
        );
        assert!(data.path().join("conf").exists());
        assert_eq!(tree(&store, "t").len(), 1_000);
    }

    #[test]
    fn what_a_compaction_left_when_the_process_died_goes_at_the_next_open() {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path(), 8 << 20).unwrap();
        for key in 0..500u64 {
            write(&store, "main", key, b"before");
        }
        store.flush().unwrap();
        drop(store);
        // Died while copying: a half-written store.1, no pointer.
        {
            let copy = handle::open_db(&data.path().join("store.1"), 1 << 20).unwrap();
            copy.insert(b"half", b"copied").unwrap();
            copy.flush().unwrap();
        }
        let store = Store::open(data.path(), 8 << 20).unwrap();
        assert!(
            !data.path().join("store.1").exists(),
            "the half copy is gone"
        );
        assert_eq!(
            tree(&store, "main")
                .get(&7u64.to_be_bytes()[..])
                .map(Vec::as_slice),
            Some(&b"before"[..])
        );
        assert!(!tree(&store, "main").contains_key(&b"half"[..]));
        // Died after the pointer moved, before the old files went.
        assert_eq!(store.start_compaction(), CompactionStarted::Started);
        assert_eq!(finished(&store, 0).finished, 1);
        drop(store);
        for name in ["conf", "db", "snap.0000000000ff"] {
            std::fs::write(data.path().join(name), b"old").unwrap();
        }
        let store = Store::open(data.path(), 8 << 20).unwrap();
        for name in ["conf", "db", "snap.0000000000ff"] {
            assert!(!data.path().join(name).exists(), "{name} is gone");
        }
        assert_eq!(
            tree(&store, "main")
                .get(&7u64.to_be_bytes()[..])
                .map(Vec::as_slice),
            Some(&b"before"[..])
        );
        assert!(data.path().join("store.1").join("conf").exists());
    }
}
