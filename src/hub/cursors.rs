//! Durable cursors of the hub's own consumers (an adapter's relay, the AMQP
//! publisher), kept without stopping them for an fsync.
//!
//! The consumer says how far it got with [`CursorSaver::advance`]; a task of
//! the saver's own stores the newest value whenever it moves, one write and
//! flush at a time, and once more when the consumer finishes. A cursor that
//! lags after a crash only means some events are offered again, which every
//! consumer already tolerates (same event id, same seq).

use crate::store::{CursorId, Store};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct CursorSaver {
    latest: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl CursorSaver {
    pub(super) fn start(store: Store, id: CursorId, saved: u64) -> CursorSaver {
        let (latest, changes) = watch::channel(saved);
        let task = tokio::spawn(save_loop(store, id, changes, saved));
        CursorSaver { latest, task }
    }

    /// Everything up to `seq` is done with. Never moves the cursor back.
    pub fn advance(&self, seq: u64) {
        self.latest.send_if_modified(|latest| {
            let moved = seq > *latest;
            if moved {
                *latest = seq;
            }
            moved
        });
    }

    /// The newest value given (stored already, or soon).
    pub fn latest(&self) -> u64 {
        *self.latest.borrow()
    }

    /// Stores the newest value and waits until that is done.
    pub async fn finish(self) {
        drop(self.latest);
        let _ = self.task.await;
    }
}

async fn save_loop(store: Store, id: CursorId, mut latest: watch::Receiver<u64>, mut saved: u64) {
    loop {
        let closed = latest.changed().await.is_err();
        let seq = *latest.borrow_and_update();
        if seq > saved {
            let (store, cursor) = (store.clone(), id.clone());
            match tokio::task::spawn_blocking(move || store.advance_cursor(&cursor, seq)).await {
                Ok(Ok(_)) => saved = seq,
                Ok(Err(e)) => {
                    tracing::warn!(cursor = %id, error = %e, seq, "could not store a cursor; later events may be offered again")
                }
                Err(e) => tracing::warn!(cursor = %id, error = %e, "the cursor saver failed"),
            }
        }
        if closed {
            return;
        }
    }
}
