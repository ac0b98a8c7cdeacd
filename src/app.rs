//! Assembling a running hub from a configuration: open the store, start the
//! engine and retention, bind the gRPC listener, serve; and stopping it in
//! the right order (stop accepting, end feeds, drain the writer).

use crate::adapters;
use crate::amqp::{self, AmqpSettings};
use crate::config::{ConfigError, LoadedConfig};
use crate::engine::EngineSettings;
use crate::grpc::{self, ServeSettings};
use crate::hub::DeadLetters;
use crate::hub::{AdapterDeliveries, AuditSettings, Hub, HubError, RetentionSettings};
/// The file in the data directory that keeps disk space for the store to
/// recover on a full disk (not data: tools that measure the data skip it).
pub use crate::store::RESERVE_FILE as DISK_RESERVE_FILE;
pub use crate::store::{DataUsage, UsageRow};
use crate::store::{Store, StoreError};
use crate::tls::Listener;
use crate::web::{self, WebError};
use crate::workspace::{self, WorkspaceError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Web(#[from] WebError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("audit.signing_key_file: {0}")]
    AuditKey(crate::audit::AuditError),
    #[error("the gRPC server failed: {0}")]
    Serve(String),
    #[error("TLS: {source} (key `{key}`)", key = .source.key())]
    Tls {
        #[from]
        source: crate::tls::TlsError,
    },
}

/// A hub serving gRPC in this process.
pub struct RunningHub {
    pub addr: SocketAddr,
    /// Where partners' webhooks are served (`[hub] http_listen`).
    pub http_addr: Option<SocketAddr>,
    /// Where the hosted modules' pages are served (`[web] listen`).
    pub web_addr: Option<SocketAddr>,
    /// Where metrics and probes are served (`[admin] listen`).
    pub admin_addr: Option<SocketAddr>,
    /// Read only through [`RunningHub::write_totals`].
    store: Store,
    pub data_dir: std::path::PathBuf,
    /// The hub itself, for what runs in the same process (hosted modules).
    pub hub: Hub,
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<Result<(), AppError>>,
}

/// Starts a hub from a checked configuration.
pub async fn start(loaded: &LoadedConfig) -> Result<RunningHub, AppError> {
    let config = &loaded.sections;
    let settings = &config.hub;
    // The store creates the data directory itself, private (0700).
    let store = Store::open(&settings.data_dir, settings.cache_capacity_bytes)?;
    store.set_compaction_reopen_after_read_bytes(settings.store_compaction_reopen_after_read_bytes);
    let partners = loaded.partners.clone();
    let engine = EngineSettings {
        max_group_commands: settings.group_commit_max_commands,
        queue_capacity: settings.writer_queue_capacity,
        max_dossier_bytes: settings.dossier_limit_bytes(),
        cache_dossiers: settings.writer_cache_dossiers,
        reopen_after_written_bytes: settings.store_reopen_after_written_bytes,
        compact_after_written_bytes: settings.store_compact_after_written_bytes,
        sites: config.site.as_ref().map(|site| Arc::new(site.map())),
    };
    let retention = RetentionSettings {
        delivered_event_retention: Duration::from_secs(
            config.retention.delivered_event_retention_seconds,
        ),
        idempotency_retention: Duration::from_secs(config.retention.idempotency_retention_seconds),
        sweep_interval: Duration::from_secs(config.retention.sweep_interval_seconds),
        archive_after: Some(Duration::from_secs(
            config.retention.archive_after_days * 86_400,
        )),
    };
    let amqp_settings = AmqpSettings::from_config(&config.amqp, config.hub.max_message_bytes);
    let mut destinations: Vec<_> = amqp_settings.iter().map(|_| amqp::destination()).collect();
    // `[site]` needs `[amqp]` (checked): one destination per peer site.
    if let Some(site) = &config.site {
        destinations.extend(amqp::sites::destinations(site));
    }
    destinations.extend(adapters::destinations(&partners));
    if let Some(settings) = &loaded.notifications {
        destinations.extend(crate::notify::destinations(settings));
    }
    if let Some(web) = &config.web {
        destinations.push(workspace::destination(&web.one_stop_partner));
    }
    let audit = AuditSettings {
        signing_key: match &config.audit.signing_key_file {
            Some(path) => Some(Arc::new(
                crate::audit::SigningKey::read(path).map_err(AppError::AuditKey)?,
            )),
            None => None,
        },
        checkpoint_interval: Duration::from_secs(config.audit.checkpoint_interval_seconds),
    };
    match &audit.signing_key {
        Some(key) => tracing::info!(public_key = %key.public_key().to_hex(), "audit checkpoints signed"),
        None => tracing::warn!("no [audit] signing_key_file: the audit log is written but never signed, and partners get no receipts"),
    }
    let (hub, runtime) = Hub::start(
        store.clone(),
        partners,
        destinations,
        engine,
        retention,
        audit,
    )?;
    let limits = crate::limits::Limiter::new(loaded.limits.iter().map(|(id, l)| (id.as_str(), *l)));
    let hub = hub
        .with_working_time(loaded.working_time.clone())
        .with_limits(Arc::new(limits));
    let adapters = adapters::start(&hub, loaded)?;
    let in_process = hub.clone();
    let (amqp_runtime, dead_letters) = match &amqp_settings {
        Some(settings) => {
            tracing::info!(broker = %amqp::redact(&settings.url), prefix = %settings.names.prefix, "AMQP transport on");
            let dead_letters: Arc<dyn DeadLetters> =
                Arc::new(amqp::dead_letters(hub.partners(), settings));
            (
                Some(amqp::start(&hub, settings, config.site.as_ref())),
                Some(dead_letters),
            )
        }
        None => (None, None),
    };
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|source| AppError::Bind {
            addr: settings.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| AppError::Bind {
        addr: settings.listen,
        source,
    })?;
    let http = match settings.http_listen {
        Some(addr) => {
            let listener = adapters::bind(addr)
                .await
                .map_err(|source| AppError::Bind { addr, source })?;
            let bound = listener
                .local_addr()
                .map_err(|source| AppError::Bind { addr, source })?;
            Some((listener, bound))
        }
        None => None,
    };
    let http_addr = http.as_ref().map(|(_, addr)| *addr);
    let admin = match &config.admin {
        Some(section) => {
            let addr = section.listen;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| AppError::Bind { addr, source })?;
            let bound = listener
                .local_addr()
                .map_err(|source| AppError::Bind { addr, source })?;
            Some((listener, bound))
        }
        None => None,
    };
    let admin_addr = admin.as_ref().map(|(_, addr)| *addr);
    // TLS: the files read again (they were checked at load, and may have
    // changed since), then watched for changes for as long as a listener runs.
    let server_tls = match &loaded.tls.files {
        Some(files) => {
            let tls = crate::tls::ServerTls::load(files)?;
            tls.watch();
            Some(tls)
        }
        None => None,
    };
    let tls_for = |listener: Listener| server_tls.clone().filter(|_| loaded.tls.secured(listener));
    let (web_server, workspace_task) = match &config.web {
        Some(section) => {
            let (workspace, task) =
                workspace::start(&hub, &section.one_stop_partner, loaded.working_time.clone())
                    .await?;
            let mut settings = section.settings(&loaded.origin)?;
            // Served over TLS here: cookies are `Secure` and HSTS is sent.
            settings.served_over_https |= tls_for(Listener::Web).is_some();
            let operations = web::Operations {
                hub: hub.clone(),
                deliveries: adapters.relays.clone(),
                dead_letters: dead_letters.clone(),
            };
            let server =
                web::prepare(&hub, settings, section.officers(), workspace, operations).await?;
            (Some(server), Some(task))
        }
        None => (None, None),
    };
    let web_addr = web_server.as_ref().map(|server| server.addr);
    let open = [
        (Listener::Grpc, Some(addr)),
        (Listener::Http, http_addr),
        (Listener::Web, web_addr),
        (Listener::Admin, admin_addr),
    ];
    for (listener, bound) in open {
        if let (Some(bound), None) = (bound, tls_for(listener)) {
            tracing::warn!(
                listener = listener.name(),
                addr = %bound,
                "PLAINTEXT LISTENER: `{}` serves without TLS (tls.plaintext_listeners): tokens, \
                 dossiers and passwords cross the network in clear; development only",
                listener.name()
            );
        }
    }
    let http_tls = tls_for(Listener::Http);
    let web_tls = tls_for(Listener::Web);
    let admin_tls = tls_for(Listener::Admin);
    let deliveries: Arc<dyn AdapterDeliveries> = adapters.relays.clone();
    let (stop, stop_rx) = oneshot::channel::<()>();
    let serve_settings = ServeSettings {
        max_message_bytes: settings.max_message_bytes,
        stream_window_commands: settings.stream_window_commands,
        tls: tls_for(Listener::Grpc),
    };
    let grace = Duration::from_secs(settings.shutdown_grace_seconds);
    let mut adapters = adapters;
    let done = tokio::spawn(async move {
        let (server_stop_tx, server_stop_rx) = oneshot::channel::<()>();
        let mut stopping = hub.stopping();
        let http_server = http.map(|(listener, _)| {
            let routes = std::mem::take(&mut adapters.routes);
            let metrics = hub.metrics().clone();
            tokio::spawn(adapters::serve(
                listener,
                routes,
                http_tls,
                metrics,
                async move {
                    let _ = stopping.wait_for(|stop| *stop).await;
                },
            ))
        });
        let admin_task = admin.map(|(listener, _)| {
            let mut stopping = hub.stopping();
            let stop = async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            };
            tokio::spawn(crate::admin::serve(listener, hub.clone(), admin_tls, stop))
        });
        let web_task = web_server.map(|server| {
            let mut stopping = hub.stopping();
            let stop = async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            };
            match web_tls {
                Some(tls) => tokio::spawn(server.serve_tls(tls, stop)),
                None => tokio::spawn(server.serve(stop)),
            }
        });
        let server = tokio::spawn(grpc::serve(
            hub,
            dead_letters,
            deliveries,
            listener,
            serve_settings,
            async {
                let _ = server_stop_rx.await;
            },
        ));
        let _ = stop_rx.await;
        tracing::info!("stopping: no new calls; ending subscription streams");
        runtime.begin_stop();
        if let Some(amqp) = amqp_runtime {
            amqp.join().await;
        }
        if let Some(http) = http_server {
            let _ = http.await;
        }
        if let Some(web) = web_task {
            if let Ok(Err(e)) = web.await {
                tracing::warn!(error = %e, "the web listener ended with an error");
            }
        }
        if let Some(admin) = admin_task {
            let _ = admin.await;
        }
        if let Some(task) = workspace_task {
            task.join().await;
        }
        adapters.join().await;
        let _ = server_stop_tx.send(());
        let served = match tokio::time::timeout(grace, server).await {
            Ok(Ok(result)) => result.map_err(|e| AppError::Serve(e.to_string())),
            Ok(Err(join)) => Err(AppError::Serve(join.to_string())),
            Err(_) => {
                tracing::warn!(
                    grace_seconds = grace.as_secs(),
                    "calls still in flight after the grace period; stopping anyway"
                );
                Ok(())
            }
        };
        runtime.stop().await;
        tracing::info!("stopped");
        served
    });
    Ok(RunningHub {
        addr,
        http_addr,
        web_addr,
        admin_addr,
        store,
        data_dir: settings.data_dir.clone(),
        hub: in_process,
        stop,
        done,
    })
}

/// Copies a stopped hub's data directory, record for record, into the new
/// directory `into` (`lienthong compact`): sled's files keep the high-water
/// mark of what was ever live; the copy takes what the records take.
pub fn compact(
    data_dir: &std::path::Path,
    into: &std::path::Path,
) -> Result<crate::store::Compacted, AppError> {
    Ok(crate::store::compact(data_dir, into)?)
}

/// From now on this process's online compactions write their copy through
/// `program store-copy-child`, a process of their own (`lienthong serve`
/// names itself; `store/online_compact/child.rs` says why).
pub fn copy_compactions_in_child(program: std::path::PathBuf) {
    crate::store::copy_in_child(program)
}

/// `lienthong store-copy-child`: one online compaction's copy, written from
/// the frames on stdin into the sled directory `dir`.
pub fn store_copy_child(
    dir: &std::path::Path,
    cache_capacity_bytes: u64,
) -> Result<(), crate::store::CopyChildError> {
    crate::store::run_copy_child(dir, cache_capacity_bytes)
}

/// The directory sled's files are in, inside a hub's data directory (the
/// directory itself, or the copy an online compaction made current).
pub fn sled_dir(data_dir: &std::path::Path) -> Result<std::path::PathBuf, AppError> {
    Ok(crate::store::sled_dir(data_dir)?)
}

/// Where a stopped hub's data directory spends its bytes, per sled tree
/// and key prefix (`lienthong data-usage`, `bench --scale`).
pub fn data_usage(data_dir: &std::path::Path) -> Result<DataUsage, AppError> {
    Ok(DataUsage::read(data_dir)?)
}

/// Checks the audit log of a stopped hub's data directory (`lienthong
/// audit verify`): `Ok(Err(_))` names where the chain first breaks.
pub fn verify_audit(
    dir: &std::path::Path,
    public_key: Option<crate::audit::PublicKey>,
) -> Result<Result<crate::audit::Report, crate::audit::Broken>, AppError> {
    let reader = crate::store::AuditReader::open(dir)?;
    let checkpoints = match crate::audit::read_checkpoints(reader.checkpoints()?) {
        Ok(checkpoints) => checkpoints,
        Err(broken) => return Ok(Err(broken)),
    };
    let mut verifier = crate::audit::Verifier::new(checkpoints, public_key);
    for stored in reader.entries() {
        let (index, value) = stored?;
        if let Err(broken) = verifier.entry(index, &value) {
            return Ok(Err(broken));
        }
    }
    Ok(verifier.finish())
}

impl RunningHub {
    /// Officers' sessions and failed sign-ins of the one-stop module.
    pub fn officer_records(&self) -> crate::hub::OfficerRecords {
        crate::hub::OfficerRecords::new(self.store.clone())
    }

    /// The portal's applicants: accounts, sessions, dossiers filed online.
    pub fn applicant_records(&self) -> crate::hub::ApplicantRecords {
        crate::hub::ApplicantRecords::new(self.store.clone())
    }

    /// The files attached to dossiers filed on the portal.
    pub fn attachment_records(&self) -> crate::hub::AttachmentRecords {
        crate::hub::AttachmentRecords::new(self.store.clone())
    }

    /// (record writes, bytes of keys and values) the writer has applied
    /// since the hub started: what one command costs the store, for
    /// `lienthong bench` to write as much in its raw-sled run.
    pub fn write_totals(&self) -> (u64, u64) {
        self.store.write_stats().totals()
    }

    /// Stops gracefully and waits until every accepted command is answered.
    pub async fn stop(self) -> Result<(), AppError> {
        // The writer ends once every handle on the hub is gone: ours first.
        let RunningHub {
            stop, done, hub, ..
        } = self;
        drop(hub);
        let _ = stop.send(());
        done.await.map_err(|e| AppError::Serve(e.to_string()))?
    }
}
