//! The `lienthong` command: `serve`, `demo`, `validate-config`, `bench`,
//! `audit` (keys, verification, receipts), `legal` (the texts followed).

mod bench;
mod demo;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lienthong::adapters::kinds;
use lienthong::config::{HubConfig, LoadedConfig, LogFormat, EMBEDDED_NAME};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

// glibc's allocator was the writer thread's largest cost in profiles of
// `lienthong bench`; mimalloc is markedly cheaper for its many small buffers.
// The `system-allocator` feature leaves glibc's, for heap profilers.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "lienthong",
    version,
    about = "Integration hub for Vietnam's public services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the hub. With no --config, runs the embedded development configuration.
    Serve {
        /// A configuration file (see config/lienthong.example.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Overrides hub.data_dir.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Overrides hub.listen (use port 0 for any free port).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Overrides web.listen (use port 0 for any free port).
        #[arg(long)]
        web_listen: Option<SocketAddr>,
        /// Overrides admin.listen (use port 0 for any free port).
        #[arg(long)]
        admin_listen: Option<SocketAddr>,
        /// Overrides log.format.
        #[arg(long, value_parser = ["text", "json"])]
        log_format: Option<String>,
    },
    /// Checks a configuration file without starting anything.
    ValidateConfig {
        /// The configuration file.
        config: PathBuf,
    },
    /// Reads a password on standard input and prints its argon2 hash, for
    /// `password_argon2` of an officer in `[[web.officers]]`.
    HashPassword,
    /// Lists or re-drives messages parked in RabbitMQ (needs `[amqp] url`).
    Parked {
        #[command(subcommand)]
        action: ParkedAction,
    },
    /// The tamper-evident audit log: keys, verification, receipts (README,
    /// "Audit log").
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Measures the hub against raw sled on this machine (see README).
    Bench(bench::BenchArgs),
    /// One side of `bench --sled-limit`, in a process of its own.
    #[command(hide = true)]
    SledLimitChild(bench::SledChildArgs),
    /// One online compaction's copy, written by a process of its own from
    /// the frames the hub sends on stdin.
    #[command(hide = true)]
    StoreCopyChild {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        cache_capacity_bytes: u64,
    },
    /// Runs a day of dossiers through the hub and simulated partners, with
    /// faults, and checks that nothing was lost (needs nothing else running).
    Demo(demo::DemoArgs),
    /// Prints the legal texts the hub's statuses, steps and code maps follow,
    /// what replaced what, and how far each reference was checked.
    Legal,
    /// Where a stopped hub's data directory spends its bytes: records and
    /// bytes per sled tree and key prefix, and the files on disk.
    DataUsage {
        /// The data directory (`hub.data_dir`) of a stopped hub.
        data_dir: PathBuf,
    },
    /// Copies a stopped hub's data directory, record for record, into a new
    /// directory (sled's files never shrink; the copy takes what the records
    /// take). Swap the directories while the hub is stopped (README).
    Compact {
        /// The data directory (`hub.data_dir`) of a stopped hub.
        data_dir: PathBuf,
        /// Where the compacted copy goes; must not exist.
        #[arg(long)]
        into: PathBuf,
    },
}

#[derive(Subcommand)]
enum ParkedAction {
    /// Prints parked messages, oldest first, without consuming them.
    List {
        #[arg(long)]
        config: PathBuf,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Sends parked messages back to the queue they came from.
    Redrive {
        #[arg(long)]
        config: PathBuf,
        /// A message id to re-drive (repeatable).
        #[arg(long = "id", required_unless_present = "all")]
        ids: Vec<String>,
        /// Re-drive every parked message.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// Who approves the re-drive: named on every re-driven command.
        #[arg(long)]
        operator: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Writes a new Ed25519 signing key (for `[audit] signing_key_file`)
    /// and prints its public key.
    Keygen {
        /// Where to write the key (created 0600; never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Prints the public key of a signing key file, for partners.
    PublicKey {
        /// The signing key file.
        #[arg(long)]
        key: PathBuf,
    },
    /// Checks a stopped hub's whole audit chain and every checkpoint;
    /// names the first broken entry and exits 1 on failure.
    Verify {
        #[arg(long)]
        data_dir: PathBuf,
        /// The hub's public key file; without it signatures are not checked.
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
    /// Checks a receipt file offline with the hub's public key.
    VerifyReceipt {
        /// The receipt (JSON, as `GetReceipt` returns in `document`).
        receipt: PathBuf,
        #[arg(long)]
        public_key: PathBuf,
    },
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Audit { action } => audit(action),
        Command::ValidateConfig { config } => {
            let loaded = HubConfig::load(&config, &kinds())?;
            println!(
                "{}: valid ({} partners)",
                config.display(),
                loaded.sections.partners.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            config,
            data_dir,
            listen,
            web_listen,
            admin_listen,
            log_format,
        } => {
            let embedded = config.is_none();
            let origin = match &config {
                Some(path) => path.display().to_string(),
                None => EMBEDDED_NAME.to_string(),
            };
            let mut config = match &config {
                Some(path) => HubConfig::read(path)?,
                None => HubConfig::embedded_default(),
            };
            if let Some(dir) = data_dir {
                config.hub.data_dir = dir;
            }
            if let Some(addr) = listen {
                config.hub.listen = addr;
            }
            if let (Some(addr), Some(web)) = (web_listen, config.web.as_mut()) {
                web.listen = addr;
            }
            if let (Some(addr), Some(admin)) = (admin_listen, config.admin.as_mut()) {
                admin.listen = addr;
            }
            if let Some(format) = log_format {
                config.log.format = if format == "json" {
                    LogFormat::Json
                } else {
                    LogFormat::Text
                };
            }
            // Checked once, with the command line's changes.
            let loaded = config.check(&origin, &kinds())?;
            let log = &loaded.sections.log;
            lienthong::telemetry::init(log.format, &log.level);
            // The running executable itself, even if its file was replaced
            // by an upgrade since it started.
            let this = PathBuf::from("/proc/self/exe");
            let this = if this.exists() {
                this
            } else {
                std::env::current_exe()?
            };
            lienthong::app::copy_compactions_in_child(this);
            runtime()?.block_on(serve(loaded, embedded))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::HashPassword => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password on standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            anyhow::ensure!(!password.is_empty(), "no password on standard input");
            println!("{}", lienthong::web::hash_password(password)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Parked { action } => {
            lienthong::telemetry::init(LogFormat::Text, "warn");
            runtime()?.block_on(parked(action))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => {
            lienthong::telemetry::init(LogFormat::Text, "warn");
            runtime()?.block_on(bench::run(args))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::StoreCopyChild {
            dir,
            cache_capacity_bytes,
        } => {
            lienthong::app::store_copy_child(&dir, cache_capacity_bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::SledLimitChild(args) => {
            bench::sled_limit_child(args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Legal => {
            print!("{}", lienthong::domain::legal::report());
            Ok(ExitCode::SUCCESS)
        }
        Command::Compact { data_dir, into } => {
            let copied = lienthong::app::compact(&data_dir, &into)?;
            println!(
                "{} records of {} trees copied into {}",
                copied.records,
                copied.trees,
                into.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::DataUsage { data_dir } => {
            let usage = lienthong::app::data_usage(&data_dir)?;
            print!("{}", data_usage_table(&usage, None));
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            // Injected faults make the hub log warnings; the demo prints its
            // own account of them (RUST_LOG=warn shows the logs too).
            lienthong::telemetry::init(LogFormat::Text, "error");
            match args.sites {
                Some(sites) => {
                    runtime()?.block_on(demo::sites::run(&args, sites))?;
                }
                None => {
                    runtime()?.block_on(demo::run(args))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn audit(action: AuditAction) -> anyhow::Result<ExitCode> {
    use lienthong::audit::{PublicKey, Receipt, SigningKey};
    match action {
        AuditAction::Keygen { out } => {
            let (key, seed) = SigningKey::generate()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&out).with_context(|| {
                format!(
                    "creating {} (an existing key is never overwritten)",
                    out.display()
                )
            })?;
            std::io::Write::write_all(&mut file, format!("{seed}\n").as_bytes())
                .with_context(|| format!("writing {}", out.display()))?;
            println!("{}", key.public_key().to_hex());
        }
        AuditAction::PublicKey { key } => {
            println!("{}", SigningKey::read(&key)?.public_key().to_hex());
        }
        AuditAction::Verify {
            data_dir,
            public_key,
        } => {
            let key = public_key.as_deref().map(PublicKey::read).transpose()?;
            match lienthong::app::verify_audit(&data_dir, key)? {
                Ok(report) => {
                    println!(
                        "audit log intact: {} entries, {} checkpoints ({}), {} entries after the last checkpoint",
                        report.entries,
                        report.checkpoints,
                        if report.signatures_checked {
                            "signatures verified"
                        } else {
                            "signatures NOT checked: no --public-key"
                        },
                        report.unsigned_entries
                    );
                }
                Err(broken) => {
                    eprintln!("audit log BROKEN at {broken}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        AuditAction::VerifyReceipt {
            receipt,
            public_key,
        } => {
            let key = PublicKey::read(&public_key)?;
            let text = std::fs::read_to_string(&receipt)
                .with_context(|| format!("reading {}", receipt.display()))?;
            let verified = Receipt::from_document(&text).and_then(|r| {
                let entry = r.verify(&key)?;
                Ok((entry, r.checkpoint.checkpoint))
            });
            match verified {
                Ok((entry, checkpoint)) => {
                    let r = &entry.record;
                    println!(
                        "receipt valid: entry {} of checkpoint {} ({} entries), {} {} by {} on {} (idempotency key {:?}): {}, event seq {}, at {} Unix ms",
                        entry.index,
                        checkpoint.number,
                        checkpoint.size,
                        r.kind.as_str(),
                        r.action,
                        r.actor,
                        r.subject,
                        r.request,
                        r.outcome,
                        r.seq,
                        r.at_millis
                    );
                }
                Err(e) => {
                    eprintln!("receipt INVALID: {e}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

async fn serve(config: LoadedConfig, embedded: bool) -> anyhow::Result<()> {
    let running = lienthong::app::start(&config).await?;
    // Scripts and tests wait for this exact line.
    println!(
        "lienthong listening on {} (data in {})",
        running.addr,
        running.data_dir.display()
    );
    if let Some(addr) = running.web_addr {
        let secured = config.tls.secured(lienthong::tls::Listener::Web);
        println!("web on {}://{addr}", if secured { "https" } else { "http" });
    }
    if let Some(addr) = running.admin_addr {
        let secured = config.tls.secured(lienthong::tls::Listener::Admin);
        let scheme = if secured { "https" } else { "http" };
        println!("admin (metrics, probes) on {scheme}://{addr}");
    }
    // The log says it too; this is for whoever reads the terminal.
    use lienthong::tls::Listener;
    let open = [
        (Listener::Grpc, true),
        (Listener::Http, running.http_addr.is_some()),
        (Listener::Web, running.web_addr.is_some()),
        (Listener::Admin, running.admin_addr.is_some()),
    ];
    let plaintext: Vec<&str> = open
        .iter()
        .filter(|(listener, open)| *open && !config.tls.secured(*listener))
        .map(|(listener, _)| listener.name())
        .collect();
    if !plaintext.is_empty() {
        println!(
            "WARNING: PLAINTEXT listeners (tls.plaintext_listeners): {}; development only",
            plaintext.join(", ")
        );
    }
    if embedded {
        println!("embedded development configuration: partners and their PUBLIC tokens");
        for p in &config.sections.partners {
            println!(
                "  {:<16} token {}",
                p.id,
                p.token.as_deref().unwrap_or(if p.kind == "module" {
                    "(none: a module acts inside the hub)"
                } else {
                    "(sha256 only)"
                })
            );
        }
        if let Some(web) = &config.sections.web {
            println!("one-stop officers (sign in at /mot-cua/) and their PUBLIC passwords");
            for o in &web.officers {
                println!(
                    "  {:<16} {:<14} password {}",
                    o.login,
                    o.role,
                    o.password.as_deref().unwrap_or("(argon2 only)")
                );
            }
        }
    }
    shutdown_signal().await;
    running.stop().await?;
    Ok(())
}

async fn parked(action: ParkedAction) -> anyhow::Result<()> {
    use lienthong::hub::DeadLetters;
    let path = match &action {
        ParkedAction::List { config, .. } | ParkedAction::Redrive { config, .. } => config,
    };
    let config = HubConfig::load(path, &kinds())?;
    let settings = lienthong::amqp::AmqpSettings::from_config(
        &config.sections.amqp,
        config.sections.hub.max_message_bytes,
    )
    .with_context(|| {
        format!(
            "{}: key `amqp.url` is not set: without a broker nothing is parked",
            path.display()
        )
    })?;
    let lot = lienthong::amqp::dead_letters(&config.partners, &settings);
    match action {
        ParkedAction::List { limit, .. } => {
            let parked = lot.list(limit).await?;
            println!("{} parked message(s)", parked.len());
            for m in parked {
                let at = m
                    .parked_at
                    .map(|t| t.portal_format())
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{}  {}  from {}  redriven {}  parked {}  reason: {}",
                    m.message_id, m.message_type, m.source_queue, m.redriven, at, m.reason
                );
            }
        }
        ParkedAction::Redrive {
            ids, all, operator, ..
        } => {
            if operator.trim().is_empty() {
                anyhow::bail!("--operator: name who approves the re-drive");
            }
            let count = lot.redrive(&operator, &ids, all).await?;
            println!("{count} message(s) re-driven");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// `lienthong data-usage`'s table (also printed by `bench --scale`).
/// With `dossiers`, each row's bytes per dossier too.
pub(crate) fn data_usage_table(
    usage: &lienthong::app::DataUsage,
    dossiers: Option<usize>,
) -> String {
    let mut out = format!(
        "{:<20} {:<6} {:>12} {:>14} {:>14} {:>12}\n",
        "tree",
        "prefix",
        "records",
        "key bytes",
        "value bytes",
        if dossiers.is_some() {
            "per dossier"
        } else {
            ""
        }
    );
    for row in &usage.rows {
        let per = dossiers
            .map(|n| {
                format!(
                    "{:.0}",
                    (row.key_bytes + row.value_bytes) as f64 / n.max(1) as f64
                )
            })
            .unwrap_or_default();
        out += &format!(
            "{:<20} {:<6} {:>12} {:>14} {:>14} {:>12}\n",
            row.tree, row.prefix, row.records, row.key_bytes, row.value_bytes, per
        );
    }
    out += &format!(
        "records' keys and values: {} bytes; files on disk: {} bytes (of which the disk reserve {})\n",
        usage.logical_bytes(),
        usage.file_bytes,
        usage.reserve_bytes
    );
    out
}
