//! The hub's metrics: the one module that names the Prometheus client crate.
//!
//! Operators need to see the hub without reading logs: how many commands it
//! decides and how (type and outcome code), how long a caller waits for its
//! acknowledgement, how the writer groups and flushes, and for every
//! destination how far behind the committed seq it is, in events and in
//! seconds. The hub, the engine and the edges report here through plain
//! methods (a command's name, an error code's name, a destination's kind and
//! id) and never see a metric type; `encode` renders the Prometheus text
//! format (0.0.4) for the admin listener's `/metrics`.
//!
//! Labels are bounded by construction: a command's name and an outcome code
//! are fixed vocabularies, a destination is a configured partner id (or
//! `events` for the AMQP publisher), a route is the router's template (never
//! the path a client sent). No label ever carries a dossier id or a MaHoSo.
//! Lags are computed at scrape time from the cursors and the committed seq
//! (`Scrape`), with one outbox read per destination — never a scan.

pub mod http;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

/// The `Content-Type` of what `encode` renders.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// What kind of consumer a destination is, as its `kind` label says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DestinationKind {
    /// A partner's gRPC subscription (its cursor moves with its acks).
    Partner,
    /// The delivery relay to a partner's adapter.
    Adapter,
    /// The AMQP publisher to the events exchange.
    Amqp,
    /// The hosted one-stop workspace's read model.
    Workspace,
    /// A notification channel's relay (e-mail, SMS).
    Notification,
    /// Another site's hub (`[site]`): its cursor moves when that hub
    /// acknowledges what it was handed.
    Site,
}

impl DestinationKind {
    pub fn name(self) -> &'static str {
        match self {
            DestinationKind::Partner => "partner",
            DestinationKind::Adapter => "adapter",
            DestinationKind::Amqp => "amqp",
            DestinationKind::Workspace => "workspace",
            DestinationKind::Notification => "notification",
            DestinationKind::Site => "site",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    command: &'static str,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DestinationLabels {
    kind: &'static str,
    destination: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabels {
    connection: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    listener: &'static str,
    route: String,
    status: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Every metric the hub exports; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    commands: Family<CommandLabels, Counter>,
    acknowledgement: Histogram,
    group_commands: Histogram,
    flush: Histogram,
    store_reopen: Histogram,
    committed_seq: Gauge,
    compactions: Family<CompactionLabels, Gauge>,
    lag_events: Family<DestinationLabels, Gauge>,
    lag_seconds: Family<DestinationLabels, FloatGauge>,
    deliveries: Family<DestinationLabels, Counter>,
    retries: Family<DestinationLabels, Counter>,
    parked: Family<DestinationLabels, Counter>,
    amqp_confirms: Counter,
    amqp_nacks: Counter,
    amqp_returns: Counter,
    amqp_reconnects: Family<ConnectionLabels, Counter>,
    streams: Gauge,
    command_streams: Gauge,
    stream_in_flight: Gauge,
    data_dir: Gauge,
    http: Family<HttpLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("lienthong");
        let commands = Family::<CommandLabels, Counter>::default();
        registry.register(
            "commands",
            "Commands decided, by command type and outcome code (OK or the gRPC code name)",
            commands.clone(),
        );
        // 0.5 ms .. ~8 s: a flush is milliseconds, a queue under load more.
        let acknowledgement = Histogram::new(exponential_buckets(0.0005, 2.0, 15));
        registry.register(
            "acknowledgement_latency_seconds",
            "Time from a command reaching the hub to its answer (after its group's flush)",
            acknowledgement.clone(),
        );
        let group_commands = Histogram::new(exponential_buckets(1.0, 2.0, 11));
        registry.register(
            "group_commands",
            "Commands per group the writer applied as one batch",
            group_commands.clone(),
        );
        let flush = Histogram::new(exponential_buckets(0.0002, 2.0, 15));
        registry.register(
            "flush_seconds",
            "Time of one flush of the store (covering one or more groups)",
            flush.clone(),
        );
        // 1 ms .. ~33 s: a planned reopen replays what was written since the
        // last one and writes sled's snapshot.
        let store_reopen = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        registry.register(
            "store_reopen_seconds",
            "Time commands waited while the writer reopened the data directory to bound crash recovery (hub.store_reopen_after_written_bytes)",
            store_reopen.clone(),
        );
        let committed_seq = Gauge::default();
        registry.register(
            "committed_seq",
            "The newest committed (flushed) outbox seq",
            committed_seq.clone(),
        );
        let lag_events = Family::<DestinationLabels, Gauge>::default();
        registry.register(
            "destination_lag_events",
            "Outbox events after the destination's durable cursor (committed seq minus cursor)",
            lag_events.clone(),
        );
        let lag_seconds = Family::<DestinationLabels, FloatGauge>::default();
        registry.register(
            "destination_lag_seconds",
            "Age of the oldest committed event after the destination's cursor (0 when caught up)",
            lag_seconds.clone(),
        );
        let deliveries = Family::<DestinationLabels, Counter>::default();
        registry.register(
            "destination_deliveries",
            "Events a destination took (streamed, accepted by the adapter, confirmed by the broker, applied)",
            deliveries.clone(),
        );
        let retries = Family::<DestinationLabels, Counter>::default();
        registry.register(
            "destination_retries",
            "Delivery attempts that failed retryably and will be tried again",
            retries.clone(),
        );
        let parked = Family::<DestinationLabels, Counter>::default();
        registry.register(
            "destination_parked",
            "Events parked for an operator (refused or out of attempts)",
            parked.clone(),
        );
        let amqp_confirms = Counter::default();
        registry.register(
            "amqp_confirms",
            "Publisher confirms (acks) the broker sent for events",
            amqp_confirms.clone(),
        );
        let amqp_nacks = Counter::default();
        registry.register(
            "amqp_nacks",
            "Publisher confirms that were nacks",
            amqp_nacks.clone(),
        );
        let amqp_returns = Counter::default();
        registry.register(
            "amqp_returns",
            "Events the broker returned as unroutable",
            amqp_returns.clone(),
        );
        let amqp_reconnects = Family::<ConnectionLabels, Counter>::default();
        // Both connections show from the start (at zero), so that a query
        // or a rule on them finds the series before the first reconnect.
        for connection in ["events", "commands"] {
            let _ = amqp_reconnects.get_or_create(&ConnectionLabels { connection });
        }
        registry.register(
            "amqp_reconnects",
            "Connections to the broker opened again after the first (events, commands)",
            amqp_reconnects.clone(),
        );
        let streams = Gauge::default();
        registry.register(
            "subscription_streams_open",
            "gRPC subscription streams open now",
            streams.clone(),
        );
        let command_streams = Gauge::default();
        registry.register(
            "command_streams_open",
            "gRPC command streams (ExecuteStream) open now",
            command_streams.clone(),
        );
        let stream_in_flight = Gauge::default();
        registry.register(
            "stream_commands_in_flight",
            "Commands read from command streams and not yet answered to their clients, all streams (each at most [hub] stream_window_commands)",
            stream_in_flight.clone(),
        );
        let compactions = Family::<CompactionLabels, Gauge>::default();
        registry.register(
            "store_compactions",
            "Online compactions of the store since the hub started, by outcome: finished (switched to the copy), abandoned (the store left as it was), running (0 or 1)",
            compactions.clone(),
        );
        let data_dir = Gauge::default();
        registry.register(
            "data_directory_bytes",
            "Bytes the store takes on disk, as sled reports it",
            data_dir.clone(),
        );
        let http = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by listener, route template and status class",
            http.clone(),
        );
        Metrics {
            inner: Arc::new(Inner {
                registry,
                compactions,
                commands,
                acknowledgement,
                group_commands,
                flush,
                store_reopen,
                committed_seq,
                lag_events,
                lag_seconds,
                deliveries,
                retries,
                parked,
                amqp_confirms,
                amqp_nacks,
                amqp_returns,
                amqp_reconnects,
                streams,
                command_streams,
                stream_in_flight,
                data_dir,
                http,
            }),
        }
    }

    /// A command decided: its name, `OK` or its error code's name, and the
    /// time from its arrival to its answer.
    pub fn command(&self, command: &'static str, code: &'static str, took: Duration) {
        self.inner
            .commands
            .get_or_create(&CommandLabels { command, code })
            .inc();
        self.inner.acknowledgement.observe(took.as_secs_f64());
    }

    /// The writer applied a group of `commands` as one batch.
    pub fn group(&self, commands: usize) {
        self.inner.group_commands.observe(commands as f64);
    }

    /// One flush of the store took `took`.
    pub fn flush(&self, took: Duration) {
        self.inner.flush.observe(took.as_secs_f64());
    }

    /// The writer reopened the store on purpose; commands waited `paused`.
    pub fn store_reopened(&self, paused: Duration) {
        self.inner.store_reopen.observe(paused.as_secs_f64());
    }

    /// The counters of one destination, to keep and bump without a lookup.
    pub fn destination(&self, kind: DestinationKind, id: &str) -> DestinationMetrics {
        let labels = DestinationLabels {
            kind: kind.name(),
            destination: id.to_string(),
        };
        DestinationMetrics {
            deliveries: self.inner.deliveries.get_or_create_owned(&labels),
            retries: self.inner.retries.get_or_create_owned(&labels),
            parked: self.inner.parked.get_or_create_owned(&labels),
        }
    }

    /// What one destination's counters hold now (since the process
    /// started), for the operator console.
    pub fn destination_counts(&self, kind: DestinationKind, id: &str) -> DestinationCounts {
        let labels = DestinationLabels {
            kind: kind.name(),
            destination: id.to_string(),
        };
        DestinationCounts {
            delivered: self.inner.deliveries.get_or_create(&labels).get(),
            retries: self.inner.retries.get_or_create(&labels).get(),
            parked: self.inner.parked.get_or_create(&labels).get(),
        }
    }

    /// The broker confirmed (`true`) or nacked one published event.
    pub fn amqp_confirm(&self, acked: bool) {
        if acked {
            self.inner.amqp_confirms.inc();
        } else {
            self.inner.amqp_nacks.inc();
        }
    }

    /// The broker returned an event as unroutable.
    pub fn amqp_return(&self) {
        self.inner.amqp_returns.inc();
    }

    /// A connection (`events` or `commands`) to the broker was opened again.
    pub fn amqp_reconnect(&self, connection: &'static str) {
        self.inner
            .amqp_reconnects
            .get_or_create(&ConnectionLabels { connection })
            .inc();
    }

    /// A subscription stream opened; it counts as open until the guard drops.
    pub fn stream_opened(&self) -> StreamGuard {
        self.inner.streams.inc();
        StreamGuard {
            streams: self.inner.streams.clone(),
        }
    }

    /// A command stream opened; it counts as open until the guard drops.
    pub fn command_stream_opened(&self) -> StreamGuard {
        self.inner.command_streams.inc();
        StreamGuard {
            streams: self.inner.command_streams.clone(),
        }
    }

    /// A command read from a command stream; it counts as in flight until
    /// the guard drops (its answer handed to the client's stream).
    pub fn stream_command_read(&self) -> StreamGuard {
        self.inner.stream_in_flight.inc();
        StreamGuard {
            streams: self.inner.stream_in_flight.clone(),
        }
    }

    /// An HTTP request on `listener` answered with `status`; `route` is the
    /// router's template (e.g. `/mot-cua/ho-so/{ma_ho_so}`), never a path.
    pub fn http_request(&self, listener: &'static str, route: &str, status: u16) {
        let status = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let labels = HttpLabels {
            listener,
            route: route.to_string(),
            status,
        };
        self.inner.http.get_or_create(&labels).inc();
    }

    /// Renders every metric, with the scrape-time values of `scrape`.
    pub fn encode(&self, scrape: &Scrape) -> String {
        let inner = &self.inner;
        inner.committed_seq.set(gauge_value(scrape.committed_seq));
        if let Some(bytes) = scrape.data_directory_bytes {
            inner.data_dir.set(gauge_value(bytes));
        }
        let outcomes = [
            ("finished", scrape.compactions.finished),
            ("abandoned", scrape.compactions.abandoned),
            ("running", scrape.compactions.running),
        ];
        for (outcome, count) in outcomes {
            inner
                .compactions
                .get_or_create(&CompactionLabels { outcome })
                .set(gauge_value(count));
        }
        for lag in &scrape.lags {
            let labels = DestinationLabels {
                kind: lag.kind.name(),
                destination: lag.id.clone(),
            };
            inner
                .lag_events
                .get_or_create(&labels)
                .set(gauge_value(lag.events));
            inner.lag_seconds.get_or_create(&labels).set(lag.seconds);
            // A destination with nothing delivered yet still shows zeros.
            let _ = inner.deliveries.get_or_create(&labels);
            let _ = inner.retries.get_or_create(&labels);
            let _ = inner.parked.get_or_create(&labels);
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &inner.registry);
        text
    }
}

fn gauge_value(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// One destination's counters as read (see `Metrics::destination_counts`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DestinationCounts {
    pub delivered: u64,
    pub retries: u64,
    pub parked: u64,
}

/// One destination's counters (see `Metrics::destination`).
#[derive(Clone, Debug)]
pub struct DestinationMetrics {
    deliveries: Counter,
    retries: Counter,
    parked: Counter,
}

impl DestinationMetrics {
    pub fn delivered(&self, events: u64) {
        self.deliveries.inc_by(events);
    }

    pub fn retried(&self) {
        self.retries.inc();
    }

    pub fn parked(&self) {
        self.parked.inc();
    }
}

/// Keeps a stream counted as open (or a streamed command as in flight).
#[derive(Debug)]
pub struct StreamGuard {
    streams: Gauge,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.streams.dec();
    }
}

/// What is computed at scrape time (by `Hub::scrape`).
#[derive(Clone, Debug, Default)]
pub struct Scrape {
    pub committed_seq: u64,
    pub data_directory_bytes: Option<u64>,
    pub compactions: CompactionCounts,
    pub lags: Vec<Lag>,
}

/// Online compactions since the start, for `store_compactions`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompactionCounts {
    pub finished: u64,
    pub abandoned: u64,
    pub running: u64,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CompactionLabels {
    outcome: &'static str,
}

/// How far one destination is behind the committed seq.
#[derive(Clone, Debug)]
pub struct Lag {
    pub kind: DestinationKind,
    pub id: String,
    pub events: u64,
    pub seconds: f64,
}
