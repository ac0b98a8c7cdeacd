//! The compaction's watch (`store::online_compact`): which keys were
//! written in each tree since the copy began, collected from sled's
//! subscribers by one thread per tree. Only the keys count, not the order
//! they changed in: at the switch each takes its value in the old store,
//! which nobody writes then. The set outlives reopens of the live store:
//! the watch pauses while nobody holds it and resumes on the new handle's
//! trees before anyone writes through them.

use super::{abandoned, tree_of, MAX_WRITTEN_KEYS};
use crate::store::StoreError;
use sled::IVec;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// How long a collector sleeps between polls when no wake comes, before
/// looking again (and whether to stop).
const COLLECT_POLL: Duration = Duration::from_millis(20);

/// The keys written in every watched tree since the watch began, collected
/// by one thread per tree from sled's subscribers. The set outlives a
/// reopen of the live store: the watch pauses while nobody writes and
/// resumes on the new handle's trees (`pause`, `resume`).
pub(super) struct Written {
    keys: Arc<Mutex<HashSet<(usize, IVec)>>>,
    overflowed: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    collectors: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl Written {
    pub(super) fn watch(db: &sled::Db, names: &[IVec]) -> Result<Written, StoreError> {
        let written = Written {
            keys: Default::default(),
            overflowed: Default::default(),
            stop: Default::default(),
            collectors: Mutex::new(Vec::with_capacity(names.len())),
        };
        written.resume(db, names)?;
        Ok(written)
    }

    fn collectors(&self) -> std::sync::MutexGuard<'_, Vec<std::thread::JoinHandle<()>>> {
        self.collectors.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Watches every tree of `db` named in `names` (the n-th name's keys
    /// are counted as tree n), on top of the keys already seen.
    pub(super) fn resume(&self, db: &sled::Db, names: &[IVec]) -> Result<(), StoreError> {
        self.stop.store(false, Ordering::SeqCst);
        let mut collectors = self.collectors();
        for (index, name) in names.iter().enumerate() {
            let tree =
                tree_of(db, name).map_err(|e| StoreError::io("watching a tree to compact", e))?;
            let subscriber = tree.watch_prefix(Vec::<u8>::new());
            let (keys, overflowed, stop) = (
                self.keys.clone(),
                self.overflowed.clone(),
                self.stop.clone(),
            );
            let collector = std::thread::Builder::new()
                .name("lienthong-compaction-watch".into())
                .spawn(move || collect(subscriber, index, &keys, &overflowed, &stop))
                .map_err(|e| abandoned(format!("cannot start a watching thread: {e}")))?;
            collectors.push(collector);
        }
        Ok(())
    }

    /// Stops watching, keeping the keys seen; only once nobody writes (the
    /// handle watched is about to close).
    pub(super) fn pause(&self) {
        self.stop.store(true, Ordering::SeqCst);
        for collector in self.collectors().drain(..) {
            let _ = collector.join();
        }
    }

    /// Gives up when too many keys changed.
    pub(super) fn check(&self) -> Result<(), StoreError> {
        if self.overflowed.load(Ordering::Relaxed) {
            return Err(abandoned(format!(
                "more than {MAX_WRITTEN_KEYS} keys were written between two of its settle rounds"
            )));
        }
        Ok(())
    }

    /// The keys seen so far, if there are more than `at_most`; the watch
    /// goes on collecting into an empty set. A key written again after it
    /// was taken comes back, so the switch still sees every key written
    /// after the value the caller brings level (`online_compact`, settle).
    pub(super) fn take_more_than(
        &self,
        at_most: usize,
    ) -> Result<Option<HashSet<(usize, IVec)>>, StoreError> {
        self.check()?;
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() <= at_most {
            return Ok(None);
        }
        Ok(Some(std::mem::take(&mut *keys)))
    }

    /// How many keys the watch holds now.
    #[cfg(test)]
    pub(super) fn seen(&self) -> usize {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Every key written until now; only once nobody writes.
    pub(super) fn stop(&self) -> Result<HashSet<(usize, IVec)>, StoreError> {
        // Each collector ends once its subscriber has nothing more.
        self.pause();
        self.check()?;
        Ok(std::mem::take(
            &mut *self.keys.lock().unwrap_or_else(|p| p.into_inner()),
        ))
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        self.pause();
    }
}

/// Records the keys `subscriber` reports until `stop` is set and nothing
/// is left to report, or the tree is gone.
///
/// The subscriber is polled as the `Future` it is, not through
/// `Subscriber::next_timeout`: in sled 0.34 that call reports
/// `Disconnected` both for an event whose write is still in flight when
/// the timeout runs out and for the abandoned event of a write that changed
/// nothing (a key set to the value it had), and after the latter it reports
/// it for ever. A watch that took either for the end of the tree stopped
/// seeing writes, and the compaction's switch lost every one written after
/// (acknowledged changes missing after a restart: the crash test, about one
/// run in eight). Polled, an abandoned event is skipped, one in flight stays
/// pending, and only a closed tree ends it.
fn collect(
    mut subscriber: sled::Subscriber,
    tree: usize,
    keys: &Mutex<HashSet<(usize, IVec)>>,
    overflowed: &AtomicBool,
    stop: &AtomicBool,
) {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    loop {
        match Pin::new(&mut subscriber).poll(&mut context) {
            Poll::Ready(Some(event)) => {
                let key = (tree, event.key().clone());
                let mut keys = keys.lock().unwrap_or_else(|p| p.into_inner());
                if keys.len() >= MAX_WRITTEN_KEYS && !keys.contains(&key) {
                    // Still drained: sled's writers wait for a full channel.
                    overflowed.store(true, Ordering::Relaxed);
                    continue;
                }
                keys.insert(key);
            }
            // Every sender is gone: the tree was closed.
            Poll::Ready(None) => return,
            // Nothing to report now. Once stopped nobody writes, so nothing
            // is in flight either; otherwise wait for a wake (or the poll
            // interval, should a wake be missed).
            Poll::Pending => {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::park_timeout(COLLECT_POLL);
            }
        }
    }
}

/// Wakes the collector's thread when sled has an event for it.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_changes_nothing_does_not_end_the_watch() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::handle::open_db(dir.path(), 8 << 20).unwrap();
        db.insert(b"same", b"v").unwrap();
        let names = vec![IVec::from(&b"__sled__default"[..])];
        let written = Written::watch(&db, &names).unwrap();
        // sled abandons the event of a write that changes nothing; a watch
        // that took that for its subscriber's end missed every later write.
        db.insert(b"same", b"v").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        for n in 0..100u32 {
            db.insert(n.to_be_bytes(), b"later").unwrap();
        }
        let keys = written.stop().unwrap();
        for n in 0..100u32 {
            let key = (0, IVec::from(&n.to_be_bytes()[..]));
            assert!(keys.contains(&key), "write {n} after the no-op was seen");
        }
    }
}
