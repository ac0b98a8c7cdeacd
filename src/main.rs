//! The `lienthong` command: `serve`, `demo`, `validate-config`, `bench`.

mod bench;
mod demo;

use anyhow::Context;
use clap::{Parser, Subcommand};
use lienthong::adapters::kinds;
use lienthong::config::{HubConfig, LoadedConfig, LogFormat, EMBEDDED_NAME};
use std::net::SocketAddr;
use std::path::PathBuf;

// glibc's allocator was the writer thread's largest cost in profiles of
// `lienthong bench`; mimalloc is markedly cheaper for its many small buffers.
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
    /// Measures the hub against raw sled on this machine (see README).
    Bench(bench::BenchArgs),
    /// Runs a day of dossiers through the hub and simulated partners, with
    /// faults, and checks that nothing was lost (needs nothing else running).
    Demo(demo::DemoArgs),
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

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::ValidateConfig { config } => {
            let loaded = HubConfig::load(&config, &kinds())?;
            println!(
                "{}: valid ({} partners)",
                config.display(),
                loaded.sections.partners.len()
            );
            Ok(())
        }
        Command::Serve {
            config,
            data_dir,
            listen,
            web_listen,
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
            runtime()?.block_on(serve(loaded, embedded))
        }
        Command::HashPassword => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password on standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            anyhow::ensure!(!password.is_empty(), "no password on standard input");
            println!("{}", lienthong::web::hash_password(password)?);
            Ok(())
        }
        Command::Parked { action } => {
            lienthong::telemetry::init(LogFormat::Text, "warn");
            runtime()?.block_on(parked(action))
        }
        Command::Bench(args) => {
            lienthong::telemetry::init(LogFormat::Text, "warn");
            runtime()?.block_on(bench::run(args))
        }
        Command::Demo(args) => {
            // Injected faults make the hub log warnings; the demo prints its
            // own account of them (RUST_LOG=warn shows the logs too).
            lienthong::telemetry::init(LogFormat::Text, "error");
            runtime()?.block_on(demo::run(args))?;
            Ok(())
        }
    }
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
        println!("web on http://{addr}");
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
