//! One subscriber's feed: read the outbox after a cursor, keep what the
//! filter matches, send it down a bounded channel, then wait for the next
//! committed group. A slow reader slows only its own feed.

use super::HubError;
use crate::domain::Event;
use crate::partners::SubscriptionFilter;
use crate::store::Store;
use tokio::sync::{mpsc, watch};

/// Events in flight to one subscriber before its feed waits.
const FEED_CAPACITY: usize = 256;
/// Events read from the outbox at a time.
const READ_BATCH: usize = 512;

pub(super) fn spawn(
    store: Store,
    filter: SubscriptionFilter,
    after: u64,
    committed: watch::Receiver<u64>,
    stopping: watch::Receiver<bool>,
) -> mpsc::Receiver<Result<Event, HubError>> {
    let (tx, rx) = mpsc::channel(FEED_CAPACITY);
    tokio::spawn(feed(store, filter, after, committed, stopping, tx));
    rx
}

async fn feed(
    store: Store,
    filter: SubscriptionFilter,
    mut after: u64,
    mut committed: watch::Receiver<u64>,
    mut stopping: watch::Receiver<bool>,
    tx: mpsc::Sender<Result<Event, HubError>>,
) {
    loop {
        if *stopping.borrow() {
            return;
        }
        // Only what is flushed is visible to subscribers: an event must never
        // reach a partner and then vanish in a crash.
        let durable = *committed.borrow_and_update();
        while after < durable {
            let events = match store.events_after(after, READ_BATCH) {
                Ok(events) => events,
                Err(e) => {
                    let _ = tx.send(Err(e.into())).await;
                    return;
                }
            };
            if events.is_empty() {
                break;
            }
            for event in events {
                if event.seq > durable {
                    break;
                }
                after = event.seq;
                if filter.matches(&event) && tx.send(Ok(event)).await.is_err() {
                    return; // the reader went away
                }
            }
        }
        tokio::select! {
            changed = committed.changed() => if changed.is_err() { return },
            _ = tx.closed() => return,
            _ = stopping.changed() => return,
        }
    }
}
