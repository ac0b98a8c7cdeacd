//! What the hub reports to `crate::metrics`: each decided command (its
//! type, outcome code and acknowledgement time) and, at scrape time, the
//! committed seq, the data directory's size and every destination's lag.
//!
//! A destination's lag is read off its durable cursor and the committed
//! seq (events), and off the one committed event after the cursor (its
//! age, in seconds): one cursor read and at most one outbox read per
//! destination and scrape, never a scan of the outbox. The destinations
//! are `Hub::destinations` (`operations.rs`), the console's too.

use super::{Hub, HubError};
use crate::domain::UnixMillis;
use crate::metrics::{Lag, Metrics, Scrape};
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
        let now = UnixMillis::now();
        let lags = self
            .destinations()
            .into_iter()
            .filter_map(|destination| {
                // A store in its fault answers nothing: no lag this scrape.
                let lag = self.lag(committed, &destination.cursor, now).ok()?;
                Some(Lag {
                    kind: destination.kind,
                    id: destination.name,
                    events: lag.events,
                    seconds: lag.seconds,
                })
            })
            .collect();
        let compactions = self.store.compaction_status();
        Scrape {
            committed_seq: committed,
            data_directory_bytes: self.store.size_on_disk().ok(),
            compactions: crate::metrics::CompactionCounts {
                finished: compactions.finished,
                abandoned: compactions.abandoned,
                running: u64::from(compactions.running_since.is_some()),
            },
            lags,
        }
    }
}
