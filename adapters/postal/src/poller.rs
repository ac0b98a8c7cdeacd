//! Inbound by polling, for providers that offer no webhook (`mode = "poll"`).
//!
//! Every `poll_interval_seconds` the task reads the provider's event feed
//! after its cursor, takes each event in order, and moves the cursor past an
//! event only once it was taken. An event that cannot be taken (the hub is
//! unavailable, or a code is unmapped) stops the round there: the cursor
//! stays, the error is logged and shown by `GET status`, and the next round
//! tries again — so nothing is skipped and nothing is guessed. The cursor is
//! kept in the adapter's state in the hub's store (`poll/cursor`), stored
//! after every round that moved it, so a restart reads on from there; a
//! cursor stored late only means events read again, which the tracking's
//! event ids and the hub's idempotency keys make harmless.

use crate::client::Client;
use crate::error::PostalError;
use crate::intake::Intake;
use lienthong_adapter::sync::lock;
use lienthong_adapter::{Durable, Stop, Task};
use std::sync::{Arc, Mutex};

/// Where the cursor is kept in the adapter's state.
pub const CURSOR_KEY: &str = "poll/cursor";

/// The poller's progress, for `GET status`.
#[derive(Debug, Default)]
pub struct PollStatus {
    inner: Mutex<(u64, Option<String>)>,
}

impl PollStatus {
    pub fn snapshot(&self) -> (u64, Option<String>) {
        lock(&self.inner).clone()
    }

    fn set(&self, cursor: u64, error: Option<String>) {
        let mut g = lock(&self.inner);
        *g = (cursor, error);
    }
}

pub struct Poller {
    pub intake: Arc<Intake>,
    pub client: Client,
    pub status: Arc<PollStatus>,
    pub state: Durable,
}

impl Poller {
    /// The background task the hub starts.
    pub fn task(self) -> Box<dyn FnOnce(Stop) -> Task + Send> {
        Box::new(move |stop: Stop| -> Task { Box::pin(self.run(stop)) })
    }

    async fn run(self, mut stop: Stop) {
        let config = self.intake.config().clone();
        // The stored cursor first: a round before it would re-read the feed.
        let mut cursor = loop {
            match self.state.get::<u64>(CURSOR_KEY).await {
                Ok(stored) => break stored.unwrap_or(0),
                Err(e) => {
                    tracing::error!(error = %e, "postal poll cursor not read; trying again");
                    self.status.set(0, Some(e.to_string()));
                }
            }
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(config.poll_interval) => {}
            }
        };
        let mut stored = cursor;
        self.status.set(cursor, None);
        tracing::info!(cursor, "postal poller started");
        loop {
            tokio::select! {
                _ = &mut stop => break,
                result = self.round(&mut cursor) => {
                    let error = result.err().map(|e| e.to_string());
                    if let Some(e) = &error {
                        tracing::error!(cursor, error = %e, "postal polling round stopped");
                    }
                    self.status.set(cursor, error);
                }
            }
            self.store(cursor, &mut stored).await;
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(config.poll_interval) => {}
            }
        }
        self.store(cursor, &mut stored).await;
        tracing::info!(cursor, "postal poller stopped");
    }

    /// Stores the cursor when it moved; a failure is logged and the next
    /// round stores it again.
    async fn store(&self, cursor: u64, stored: &mut u64) {
        if cursor == *stored {
            return;
        }
        match self.state.put(CURSOR_KEY, &cursor).await {
            Ok(()) => *stored = cursor,
            Err(e) => tracing::warn!(cursor, error = %e, "postal poll cursor not stored"),
        }
    }

    /// Reads pages until the feed is exhausted or an event cannot be taken.
    async fn round(&self, cursor: &mut u64) -> Result<(), PostalError> {
        let page_size = self.intake.config().poll_page_size;
        loop {
            let page = self
                .client
                .events(*cursor, page_size)
                .await
                .map_err(|e| PostalError::Poll(e.to_string()))?;
            if page.events.is_empty() {
                return Ok(());
            }
            for event in &page.events {
                self.intake.take(event).await?;
                *cursor = (*cursor).max(event.seq);
            }
            *cursor = (*cursor).max(page.next_cursor);
            self.status.set(*cursor, None);
            if page.events.len() < page_size as usize {
                return Ok(());
            }
        }
    }
}
