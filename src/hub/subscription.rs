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

pub(super) fn spawn(follower: Follower) -> mpsc::Receiver<Result<Event, HubError>> {
    let (tx, rx) = mpsc::channel(FEED_CAPACITY);
    tokio::spawn(feed(follower, tx));
    rx
}

async fn feed(mut follower: Follower, tx: mpsc::Sender<Result<Event, HubError>>) {
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
