//! One subscriber's feed: a [`Follower`] from the subscriber's position,
//! each matching event sent down a bounded channel. A slow reader slows
//! only its own feed.

use super::follower::Follower;
use super::HubError;
use crate::domain::Event;
use tokio::sync::mpsc;

/// Events in flight to one subscriber before its feed waits.
const FEED_CAPACITY: usize = 256;
/// Events read from the outbox at a time.
const READ_BATCH: usize = 512;

/// Counts the feed as an open stream while it runs, and each event it
/// hands to the reader as a delivery.
pub(super) struct Counted {
    pub(super) open: crate::metrics::StreamGuard,
    pub(super) delivered: crate::metrics::DestinationMetrics,
}

pub(super) fn spawn(
    follower: Follower,
    counted: Counted,
) -> mpsc::Receiver<Result<Event, HubError>> {
    let (tx, rx) = mpsc::channel(FEED_CAPACITY);
    tokio::spawn(feed(follower, tx, counted));
    rx
}

async fn feed(mut follower: Follower, tx: mpsc::Sender<Result<Event, HubError>>, counted: Counted) {
    let _open = counted.open;
    loop {
        let batch = tokio::select! {
            batch = follower.next(READ_BATCH) => batch,
            _ = tx.closed() => return, // the reader went away
        };
        match batch {
            Ok(Some(batch)) => {
                for event in batch.events {
                    if tx.send(Ok(event)).await.is_err() {
                        return;
                    }
                    counted.delivered.delivered(1);
                }
            }
            Ok(None) => return, // the hub is stopping
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        }
    }
}
