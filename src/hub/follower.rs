//! The one way anything in the hub follows the outbox.
//!
//! A gRPC subscription feed, an adapter's delivery relay and the AMQP
//! publisher all do the same thing: from a position, read the events after
//! it, keep those a filter matches, and wait for the next commit when there
//! are none. A [`Follower`] does it once for all of them:
//!
//! - it never reads past the committed seq, so nobody sees an event that a
//!   crash could still take back (sled shows a group before its flush);
//! - each read runs on tokio's blocking pool, never on the async runtime;
//! - a read takes at most the number of events the caller has room for;
//! - it returns `None` once the hub begins to stop.
//!
//! Storing how far a consumer got is a separate matter (`cursors.rs`): a
//! partner moves its own cursor by acknowledging, the relay and the publisher
//! only once an event is settled or confirmed.

use super::HubError;
use crate::domain::Event;
use crate::partners::SubscriptionFilter;
use crate::store::{Store, StoreError};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Committed events read in one go.
#[derive(Debug)]
pub struct Batch {
    /// The events the filter matched, in seq order.
    pub events: Vec<Event>,
    /// Every event up to this seq has been read, matched or not: the
    /// follower's position after this batch.
    pub through: u64,
}

/// Follows the outbox from a position; see the module documentation.
pub struct Follower {
    store: Store,
    filter: Arc<SubscriptionFilter>,
    position: u64,
    committed: watch::Receiver<u64>,
    stopping: watch::Receiver<bool>,
    /// A read on the blocking pool; kept across a cancelled `next` so that
    /// a caller selecting over several futures loses nothing.
    reading: Option<JoinHandle<Result<Batch, StoreError>>>,
}

impl Follower {
    pub(super) fn new(
        store: Store,
        filter: SubscriptionFilter,
        after: u64,
        committed: watch::Receiver<u64>,
        stopping: watch::Receiver<bool>,
    ) -> Follower {
        Follower {
            store,
            filter: Arc::new(filter),
            position: after,
            committed,
            stopping,
            reading: None,
        }
    }

    /// Every event up to this seq has been handed out (or did not match).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Whether `next` would return without waiting for a commit.
    pub fn behind(&self) -> bool {
        self.reading.is_some() || *self.committed.borrow() > self.position
    }

    /// The next batch: up to `limit` outbox events after the position (at
    /// least one is read), none past the committed seq, only those the
    /// filter matches. Waits while nothing new is committed; `None` once the
    /// hub is stopping. Cancel-safe: a read already started is kept for the
    /// next call, and the position moves only when a batch is returned.
    pub async fn next(&mut self, limit: usize) -> Result<Option<Batch>, HubError> {
        loop {
            if self.reading.is_none() {
                if *self.stopping.borrow() {
                    return Ok(None);
                }
                let committed = *self.committed.borrow_and_update();
                if committed <= self.position {
                    tokio::select! {
                        changed = self.committed.changed() => if changed.is_err() { return Ok(None) },
                        changed = self.stopping.changed() => if changed.is_err() { return Ok(None) },
                    }
                    continue;
                }
                let (store, filter, after) =
                    (self.store.clone(), self.filter.clone(), self.position);
                self.reading = Some(tokio::task::spawn_blocking(move || {
                    read(&store, &filter, after, committed, limit)
                }));
            }
            let reading = self.reading.as_mut().expect("a read was just started");
            let read = reading.await;
            self.reading = None;
            let batch = match read {
                Ok(batch) => batch?,
                // The reader panicked: fail the consumer as an inline read would have.
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // The runtime is shutting down.
                Err(_) => return Ok(None),
            };
            self.position = batch.through;
            return Ok(Some(batch));
        }
    }
}

/// One read, on the blocking pool: events in `(after, committed]`, at most
/// `limit` of them.
///
/// (An operator's one look at what is on its way — `operations.rs`'s
/// ledger — reads through `committed_window` below, under the same bound.)
fn read(
    store: &Store,
    filter: &SubscriptionFilter,
    after: u64,
    committed: u64,
    limit: usize,
) -> Result<Batch, StoreError> {
    let in_range = usize::try_from(committed - after).unwrap_or(usize::MAX);
    let limit = limit.clamp(1, in_range);
    let read = store.events_after(after, limit)?;
    // A read that ends before its limit, or at an event not yet committed,
    // has seen every committed event: whatever is missing below the committed
    // seq was removed by retention and will never appear.
    let mut seen_all = read.len() < limit;
    let mut through = after;
    let mut events = Vec::new();
    for event in read {
        if event.seq > committed {
            seen_all = true;
            break;
        }
        through = event.seq;
        if filter.matches(&event) {
            events.push(event);
        }
    }
    if seen_all {
        through = committed;
    }
    Ok(Batch { events, through })
}

/// The committed events after `after`, at most `limit` of them, read once
/// for an operator's look at what is still on its way (a dossier's ledger),
/// never past `committed`. Blocking: call it off the async runtime.
pub(super) fn committed_window(
    store: &Store,
    after: u64,
    committed: u64,
    limit: usize,
) -> Result<Vec<crate::domain::Event>, StoreError> {
    if committed <= after {
        return Ok(Vec::new());
    }
    let in_range = usize::try_from(committed - after).unwrap_or(usize::MAX);
    let mut read = store.events_after(after, limit.min(in_range))?;
    read.retain(|event| event.seq <= committed);
    Ok(read)
}
