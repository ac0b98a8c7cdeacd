//! Inbound by polling, for providers that offer no webhook (`mode = "poll"`).
//!
//! Every `poll_interval_seconds` the task reads the provider's event feed
//! after its cursor, takes each event in order, and moves the cursor past an
//! event only once it was taken. An event that cannot be taken (the hub is
//! unavailable, or a code is unmapped) stops the round there: the cursor
//! stays, the error is logged and shown by `GET status`, and the next round
//! tries again — so nothing is skipped and nothing is guessed. The cursor can
//! be kept in a file (`poll_cursor_file`); without one, a restart re-reads the
//! feed from the start, which the hub's idempotency keys make harmless.

use crate::client::Client;
use crate::error::PostalError;
use crate::intake::Intake;
use lienthong_adapter::sync::lock;
use lienthong_adapter::{Stop, Task};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
}

impl Poller {
    /// The background task the hub starts.
    pub fn task(self) -> Box<dyn FnOnce(Stop) -> Task + Send> {
        Box::new(move |stop: Stop| -> Task { Box::pin(self.run(stop)) })
    }

    async fn run(self, mut stop: Stop) {
        let config = self.intake.config().clone();
        let file = config.poll_cursor_file.clone();
        let mut cursor = file.as_deref().map(load_cursor).unwrap_or(0);
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
            if let Some(path) = &file {
                save_cursor(path, cursor);
            }
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(config.poll_interval) => {}
            }
        }
        if let Some(path) = &file {
            save_cursor(path, cursor);
        }
        tracing::info!(cursor, "postal poller stopped");
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

fn load_cursor(path: &Path) -> u64 {
    match std::fs::read_to_string(path) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| {
            tracing::warn!(path = %path.display(), "unreadable poll cursor file; starting from 0");
            0
        }),
        Err(_) => 0,
    }
}

fn save_cursor(path: &Path, cursor: u64) {
    let tmp: PathBuf = path.with_extension("tmp");
    let result =
        std::fs::write(&tmp, cursor.to_string()).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        tracing::warn!(path = %path.display(), error = %e, "cannot save the poll cursor");
    }
}
