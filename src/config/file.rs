//! The shape of the configuration file, with its defaults.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    #[serde(default)]
    pub hub: HubSection,
    #[serde(default)]
    pub retention: RetentionSection,
    /// The tamper-evident audit log's signing key and checkpoints.
    #[serde(default)]
    pub audit: AuditSection,
    #[serde(default)]
    pub log: LogSection,
    #[serde(default)]
    pub amqp: AmqpSection,
    #[serde(default)]
    pub delivery: DeliverySection,
    #[serde(default)]
    pub partners: Vec<PartnerSection>,
    /// Working time: the holiday table and the unit's hours and afternoon
    /// cut-off, for appointment dates; read into `LoadedConfig::working_time`.
    #[serde(default)]
    pub calendar: crate::domain::working_time::CalendarSection,
    /// The hosted modules' pages. Absent: no web listener.
    #[serde(default)]
    pub web: Option<super::WebSection>,
    /// Each partner's rate and concurrency limits; read into
    /// `LoadedConfig::limits`. Absent: no limits.
    #[serde(default)]
    pub limits: Option<super::LimitsSection>,
    /// E-mail and SMS to applicants; read into `LoadedConfig::notifications`.
    #[serde(default)]
    pub notifications: Option<toml::Table>,
    /// The operators' listener: metrics and probes. Absent: none.
    #[serde(default)]
    pub admin: Option<super::AdminSection>,
    /// TLS on the listeners; read into `LoadedConfig::tls`. Required: a
    /// listener without TLS must be named in `plaintext_listeners`.
    #[serde(default)]
    pub tls: Option<super::TlsSection>,
    /// This hub's site and its peer sites (`config/site.rs`). Absent: a
    /// hub alone.
    #[serde(default)]
    pub site: Option<super::SiteSection>,
}

/// How the hub delivers events to partners through their adapters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySection {
    /// Attempts of one event before it is parked (retryable failures).
    pub max_attempts: u32,
    /// Retry backoff: first wait, doubled up to the maximum.
    pub initial_backoff_milliseconds: u64,
    pub max_backoff_seconds: u64,
    /// Deliveries in progress at once, per partner (different dossiers).
    pub concurrency: usize,
}

impl Default for DeliverySection {
    fn default() -> Self {
        DeliverySection {
            max_attempts: 10,
            initial_backoff_milliseconds: 200,
            max_backoff_seconds: 60,
            concurrency: 16,
        }
    }
}

/// RabbitMQ. With no `url`, the hub runs on sled alone (the embedded default).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AmqpSection {
    /// `amqp://user:password@host:5672/vhost` or `amqps://…`.
    pub url: Option<String>,
    /// The other nodes of the same RabbitMQ cluster, tried in order after
    /// `url` whenever a connection is (re)opened: with quorum queues, a
    /// node stopped is then a reconnect, not an outage. Same scheme, user
    /// and vhost as `url`.
    pub failover_urls: Vec<String>,
    /// First word of every exchange and queue name the hub declares.
    pub prefix: String,
    /// Events published and not yet confirmed by the broker, at most.
    pub publish_window_messages: usize,
    /// How long to wait for a publisher confirm before reconnecting.
    pub confirm_timeout_seconds: u64,
    /// Reconnect backoff: first wait, doubled up to the maximum.
    pub reconnect_initial_backoff_milliseconds: u64,
    pub reconnect_max_backoff_seconds: u64,
    /// Consume commands from `<prefix>.commands`.
    pub consume_commands: bool,
    /// Command messages handled at once (the consumer's prefetch).
    pub command_prefetch_messages: u16,
    /// `amqps://`: the CA (PEM) that signed the broker's certificate;
    /// absent: the system's trusted roots.
    pub ca_file: Option<PathBuf>,
    /// `amqps://`: the hub's client certificate (PEM chain) for a broker
    /// that verifies its peers, and its key (PEM, PKCS#8).
    pub client_cert_file: Option<PathBuf>,
    pub client_key_file: Option<PathBuf>,
}

impl AmqpSection {
    /// The TLS files, as the AMQP edge connects with them.
    pub fn tls(&self) -> crate::amqp::AmqpTls {
        crate::amqp::AmqpTls {
            ca_file: self.ca_file.clone(),
            client_cert_file: self.client_cert_file.clone(),
            client_key_file: self.client_key_file.clone(),
        }
    }
}

impl Default for AmqpSection {
    fn default() -> Self {
        AmqpSection {
            url: None,
            failover_urls: Vec::new(),
            prefix: "lienthong".into(),
            publish_window_messages: 512,
            confirm_timeout_seconds: 30,
            reconnect_initial_backoff_milliseconds: 200,
            reconnect_max_backoff_seconds: 30,
            consume_commands: true,
            command_prefetch_messages: 64,
            ca_file: None,
            client_cert_file: None,
            client_key_file: None,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubSection {
    /// Where sled keeps its files.
    pub data_dir: PathBuf,
    /// gRPC listen address.
    pub listen: SocketAddr,
    /// HTTP listen address for partners' webhooks and callbacks (adapters'
    /// inbound routes, under `/partners/<id>/`). Absent: no HTTP server.
    pub http_listen: Option<SocketAddr>,
    /// Largest gRPC message accepted or sent.
    pub max_message_bytes: usize,
    /// How large a dossier with its history may grow, as the hub sends it;
    /// absent: `max_message_bytes` less `MESSAGE_HEADROOM_BYTES`.
    pub max_dossier_bytes: Option<usize>,
    /// sled's page cache.
    pub cache_capacity_bytes: u64,
    /// Decoded dossiers the writer keeps in memory at most (the ones it
    /// wrote most recently), so that a command on a dossier written a
    /// moment ago does not read and decode it again.
    pub writer_cache_dossiers: usize,
    /// Commands that share one atomic batch and one flush at most.
    pub group_commit_max_commands: usize,
    /// Bytes of records written after which the writer closes and reopens
    /// the data directory between two groups (commands wait for it, a
    /// second or two at a million dossiers), so that recovery after a crash
    /// replays at most about this much log: sled 0.34 snapshots its page
    /// table only when it opens a directory. 0: never.
    pub store_reopen_after_written_bytes: u64,
    /// Bytes of records written after which the hub copies its store into
    /// a fresh sled directory while it serves and switches to it (online
    /// compaction): sled keeps in memory, and replays on every open, a page
    /// table that follows everything the directory ever held, not what it
    /// holds now. Counted from the start of the process. 0 (the default):
    /// only when an operator asks (`POST /store/compaction` on the admin
    /// listener) — a compaction of a million dossiers' directory peaked at
    /// 2.9-3.0 GiB resident in the hub and 1.9-2.1 GiB in the process
    /// writing the copy (README), which an operator should plan for.
    pub store_compact_after_written_bytes: u64,
    /// Bytes of records an online compaction reads between two reopens of
    /// the live store (callers wait for each, as for a planned reopen):
    /// sled 0.34 keeps in memory whatever a read brought in, far past its
    /// cache, so a compaction reading a whole store would otherwise hold
    /// all of it until the switch. 0: never reopen while copying.
    pub store_compaction_reopen_after_read_bytes: u64,
    /// Commands that may wait for the writer before callers wait to enqueue.
    pub writer_queue_capacity: usize,
    /// Commands one `ExecuteStream` may have read and not yet answered to
    /// its client: past this, the hub stops reading that stream (HTTP/2
    /// flow control then slows the sender).
    pub stream_window_commands: usize,
    /// How long `serve` waits for in-flight calls on shutdown.
    pub shutdown_grace_seconds: u64,
}

/// What a message about a dossier carries besides the dossier and its
/// history (an event's envelope, a reply's fields), with room to spare.
pub const MESSAGE_HEADROOM_BYTES: usize = 16 * 1024;

impl HubSection {
    /// The dossier-size limit in force: the key's value, or as much as fits
    /// in a message.
    pub fn dossier_limit_bytes(&self) -> usize {
        self.max_dossier_bytes.unwrap_or(
            self.max_message_bytes
                .saturating_sub(MESSAGE_HEADROOM_BYTES),
        )
    }
}

impl Default for HubSection {
    fn default() -> Self {
        HubSection {
            data_dir: PathBuf::from("lienthong-data"),
            listen: "127.0.0.1:50051".parse().expect("valid default address"),
            http_listen: None,
            max_message_bytes: 8 * 1024 * 1024,
            max_dossier_bytes: None,
            cache_capacity_bytes: 256 * 1024 * 1024,
            writer_cache_dossiers: 16_384,
            group_commit_max_commands: 512,
            store_reopen_after_written_bytes: 1 << 30,
            store_compact_after_written_bytes: 0,
            store_compaction_reopen_after_read_bytes: 0,
            writer_queue_capacity: 8192,
            stream_window_commands: 1024,
            shutdown_grace_seconds: 10,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSection {
    /// How long an event every subscriber acknowledged stays for replay.
    pub delivered_event_retention_seconds: u64,
    /// How long an idempotency key is remembered.
    pub idempotency_retention_seconds: u64,
    pub sweep_interval_seconds: u64,
    /// How many days a terminal dossier (refused, withdrawn, result
    /// returned) stays unchanged before it moves into the compact archive
    /// (still read by id and MaHoSo; not listed). 0: at the next sweep.
    pub archive_after_days: u64,
}

impl Default for RetentionSection {
    fn default() -> Self {
        RetentionSection {
            delivered_event_retention_seconds: 24 * 3600,
            idempotency_retention_seconds: 7 * 24 * 3600,
            sweep_interval_seconds: 60,
            archive_after_days: 30,
        }
    }
}

/// The audit log is always written; these keys only sign it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSection {
    /// The Ed25519 key (64 hex digits, `lienthong audit keygen`) that signs
    /// checkpoints. Absent: nothing is signed and receipts are refused.
    pub signing_key_file: Option<PathBuf>,
    /// How often the chain head is signed when entries were added.
    pub checkpoint_interval_seconds: u64,
}

impl Default for AuditSection {
    fn default() -> Self {
        AuditSection {
            signing_key_file: None,
            checkpoint_interval_seconds: 300,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `lienthong=debug,info`.
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerSection {
    pub id: String,
    /// national_portal, one_stop, postal, payment, treasury, legacy, module
    pub kind: String,
    /// The bearer token in clear (development only) …
    #[serde(default)]
    pub token: Option<String>,
    /// … or its SHA-256 in hex (what production configuration should hold).
    #[serde(default)]
    pub token_sha256: Option<String>,
    /// Command names, or `["*"]`.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Agency codes this partner may act for and read, or `["*"]`.
    #[serde(default)]
    pub agencies: Vec<String>,
    /// Absent: the partner receives no events.
    #[serde(default)]
    pub subscription: Option<SubscriptionSection>,
    /// The partner's adapter: `kind` plus that adapter's own settings. With
    /// an adapter, the partner's events go through it.
    #[serde(default)]
    pub adapter: Option<toml::Table>,
    /// The client certificate that identifies the partner on the mutual-TLS
    /// listeners (needs `tls.client_ca_file`).
    #[serde(default)]
    pub client_certificate: Option<ClientCertificateSection>,
}

/// `[partners.client_certificate]`: the partner is whoever presents a
/// certificate (signed by `tls.client_ca_file`) with one of these
/// fingerprints or one of these names.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCertificateSection {
    /// SHA-256 of the certificate's DER bytes, 64 hexadecimal digits
    /// (`:` separators allowed); several, to rotate.
    #[serde(default)]
    pub sha256: Vec<String>,
    /// DNS or URI subject alternative names, or the subject common name.
    #[serde(default)]
    pub names: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionSection {
    /// Event type names; empty: all.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Agency codes; empty: all.
    #[serde(default)]
    pub agencies: Vec<String>,
    /// Procedure codes; empty: all.
    #[serde(default)]
    pub procedures: Vec<String>,
    /// Also the hosted portal's ratings and published answers
    /// (`dossier_rated`, `answer_published`), which an empty `event_types`
    /// does not include. Default false.
    #[serde(default)]
    pub citizen_feedback: bool,
    /// `grpc` (EventService.Subscribe, the default) or `amqp` (a durable
    /// queue `<prefix>.partner.<id>`; needs `[amqp] url`).
    #[serde(default)]
    pub delivery: Option<String>,
}
