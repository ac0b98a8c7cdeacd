//! What the hub reports to `crate::metrics`: each decided command (its
//! type, outcome code and acknowledgement time) and, at scrape time, the
//! committed seq, the data directory's size and every destination's lag.
//!
//! A destination's lag is read off its durable cursor and the committed
//! seq (events), and off the one committed event after the cursor (its
//! age, in seconds): one cursor read and at most one outbox read per
//! destination and scrape, never a scan of the outbox.

use super::{CursorId, Hub, HubError};
use crate::domain::UnixMillis;
use crate::metrics::{DestinationKind, Lag, Metrics, Scrape};
use std::time::Instant;

impl Hub {
    /// Where the hub and its edges report what they count.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub(super) fn count_command<T>(
        &self,
        command: &'static str,
        decided: &Result<T, HubError>,
        arrived: Instant,
    ) {
        let code = match decided {
            Ok(_) => "OK",
            Err(e) => e.code().name(),
        };
        self.metrics.command(command, code, arrived.elapsed());
    }

    /// The metrics in the Prometheus text format, with the scrape-time
    /// values computed now. Reads the store: call it off the async runtime.
    pub fn render_metrics(&self) -> String {
        self.metrics.encode(&self.scrape())
    }

    fn scrape(&self) -> Scrape {
        let committed = *self.engine.committed().borrow();
        let now = UnixMillis::now().0;
        let mut consumers: Vec<(DestinationKind, String, CursorId)> = self
            .partners
            .all()
            .iter()
            .filter(|p| p.subscription.is_some())
            .map(|p| {
                let id = CursorId::Partner(p.id.clone());
                (DestinationKind::Partner, p.id.clone(), id)
            })
            .collect();
        for destination in self.destinations.iter() {
            let (kind, name) = match &destination.cursor {
                CursorId::Partner(id) => (DestinationKind::Partner, id.clone()),
                CursorId::Adapter(id) if id.starts_with("notify.") => {
                    (DestinationKind::Notification, id.clone())
                }
                CursorId::Adapter(id) => (DestinationKind::Adapter, id.clone()),
                CursorId::AmqpEvents => (DestinationKind::Amqp, "events".to_string()),
                CursorId::Workspace(id) => (DestinationKind::Workspace, id.clone()),
            };
            consumers.push((kind, name, destination.cursor.clone()));
        }
        let lags = consumers
            .into_iter()
            .filter_map(|(kind, id, cursor)| {
                // A store in its fault answers nothing: no lag this scrape.
                let at = self.store.cursor(&cursor).ok()?;
                let events = committed.saturating_sub(at);
                let seconds = if events == 0 {
                    0.0
                } else {
                    self.store
                        .first_event_time_after(at)
                        .ok()?
                        .map(|at| (now - at.0).max(0) as f64 / 1000.0)
                        .unwrap_or(0.0)
                };
                Some(Lag {
                    kind,
                    id,
                    events,
                    seconds,
                })
            })
            .collect();
        Scrape {
            committed_seq: committed,
            data_directory_bytes: self.store.size_on_disk().ok(),
            lags,
        }
    }
}
