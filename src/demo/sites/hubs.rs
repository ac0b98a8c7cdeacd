//! One site's hub as its own `lienthong serve` process (this very binary),
//! with its own configuration file, data directory, ports, log file and
//! vhost: separate processes, so one can be SIGKILLed in the middle of a
//! transfer and started again on the same data, as a real site's would be.
//! Its addresses are read from what `serve` prints; its pending transfers
//! from its own metrics (`lienthong_destination_lag_*{kind="site"}`), as an
//! operator's monitoring reads them.

use super::broker::Broker;
use super::{Site, SITES};
use crate::demo::client::Client;
use crate::demo::DemoError;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The development configuration's tokens: the one-stop system acts, the
/// national portal (every event, every agency) reads and publishes the
/// catalogues.
const OFFICER_TOKEN: &str = "dev-one-stop-token";
const READER_TOKEN: &str = "dev-national-portal-token";
/// How often each hub checks its shovels (the link cut lasts about this).
pub const LINK_CHECK_SECONDS: u64 = 6;

pub struct SiteHub {
    pub site: &'static Site,
    pub vhost: String,
    child: Option<Child>,
    pub pid: u32,
    pub grpc: SocketAddr,
    admin: SocketAddr,
    pub officer: Client,
    pub reader: Client,
    config: PathBuf,
    pub log: PathBuf,
    http: reqwest::Client,
}

/// The vhost of `site` in this run.
pub fn vhost(site: &Site) -> String {
    format!(
        "lienthong-demo-{}-{}",
        std::process::id(),
        site.code.to_lowercase()
    )
}

/// The hub's configuration: the development default on its own directory
/// and free ports (no web pages), with `[amqp]` on its vhost and `[site]`
/// naming the two other sites as peers.
fn config_text(site: &Site, data: &Path, broker: &Broker) -> Result<String, DemoError> {
    let mut config: toml::Table = toml::from_str(lienthong::config::EMBEDDED_DEFAULT)
        .map_err(|e| DemoError::Config(e.to_string()))?;
    let mut set = |section: &str, key: &str, value: toml::Value| {
        if let Some(toml::Value::Table(t)) = config.get_mut(section) {
            t.insert(key.into(), value);
        }
    };
    set("hub", "data_dir", data.display().to_string().into());
    set("hub", "listen", "127.0.0.1:0".into());
    set("hub", "shutdown_grace_seconds", 2.into());
    set("admin", "listen", "127.0.0.1:0".into());
    set("log", "level", "warn".into());
    config.remove("web");
    let mut amqp = toml::Table::new();
    amqp.insert("url".into(), broker.amqp_url(&vhost(site)).into());
    amqp.insert("reconnect_max_backoff_seconds".into(), 2.into());
    config.insert("amqp".into(), amqp.into());
    let peers: Vec<toml::Value> = SITES
        .iter()
        .filter(|peer| peer.code != site.code)
        .map(|peer| {
            let mut t = toml::Table::new();
            t.insert("code".into(), peer.code.into());
            let agencies: Vec<toml::Value> =
                peer.agencies.iter().map(|(a, _)| (*a).into()).collect();
            t.insert("agencies".into(), agencies.into());
            t.insert("amqp_url".into(), broker.amqp_url(&vhost(peer)).into());
            toml::Value::Table(t)
        })
        .collect();
    let mut section = toml::Table::new();
    section.insert("code".into(), site.code.into());
    section.insert("management_url".into(), broker.management_url().into());
    section.insert(
        "link_check_interval_seconds".into(),
        (LINK_CHECK_SECONDS as i64).into(),
    );
    section.insert("peers".into(), peers.into());
    config.insert("site".into(), section.into());
    let text = toml::to_string(&config).map_err(|e| DemoError::Config(e.to_string()))?;
    // The hub's own check, before a process is started on it.
    let name = format!("{}.toml", site.code);
    lienthong::config::HubConfig::from_toml(&name, &text)
        .and_then(|c| c.check(&name, &lienthong::adapters::kinds()))
        .map_err(|e| DemoError::Config(e.to_string()))?;
    Ok(text)
}

/// Starts `lienthong serve --config <config>`; its process and addresses.
async fn spawn(
    site: &Site,
    config: &Path,
    log: &Path,
) -> Result<(Child, SocketAddr, SocketAddr), DemoError> {
    let failed = |reason: String| DemoError::SiteHub {
        site: site.code,
        reason,
        log: log.to_path_buf(),
    };
    let exe = std::env::current_exe().map_err(|e| failed(e.to_string()))?;
    let err = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| failed(format!("opening its log: {e}")))?;
    let mut child = Command::new(exe)
        .args(["serve", "--config"])
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(err)
        .spawn()
        .map_err(|e| failed(format!("starting `lienthong serve`: {e}")))?;
    let Some(stdout) = child.stdout.take() else {
        return Err(failed("no standard output".into()));
    };
    // The lines `serve` prints at start, read on a thread that then keeps
    // draining them (a full pipe would block the hub).
    let (lines, mut read) = tokio::sync::mpsc::channel::<String>(16);
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = lines.blocking_send(line);
        }
    });
    let (mut grpc, mut admin) = (None, None);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while grpc.is_none() || admin.is_none() {
        let line = tokio::time::timeout_at(deadline, read.recv()).await;
        let line = match line {
            Ok(Some(line)) => line,
            Ok(None) => {
                let _ = child.wait();
                return Err(failed("it ended before it listened".into()));
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed("it did not listen within 60 s".into()));
            }
        };
        let addr = |prefix: &str| {
            line.strip_prefix(prefix)
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|a| a.parse::<SocketAddr>().ok())
        };
        grpc = grpc.or(addr("lienthong listening on "));
        admin = admin.or(addr("admin (metrics, probes) on http://"));
    }
    match (grpc, admin) {
        (Some(grpc), Some(admin)) => Ok((child, grpc, admin)),
        _ => Err(failed("no addresses".into())),
    }
}

impl SiteHub {
    pub async fn start(
        site: &'static Site,
        dir: &Path,
        broker: &Broker,
    ) -> Result<Self, DemoError> {
        let home = dir.join(site.code.to_lowercase());
        std::fs::create_dir_all(&home).map_err(|source| DemoError::Dir {
            path: home.clone(),
            source,
        })?;
        let config = home.join("lienthong.toml");
        let text = config_text(site, &home.join("data"), broker)?;
        std::fs::write(&config, text).map_err(|source| DemoError::Dir {
            path: config.clone(),
            source,
        })?;
        let log = home.join("hub.log");
        let (child, grpc, admin) = spawn(site, &config, &log).await?;
        Ok(SiteHub {
            site,
            vhost: vhost(site),
            pid: child.id(),
            child: Some(child),
            grpc,
            admin,
            officer: Client::connect(grpc, OFFICER_TOKEN).await?,
            reader: Client::connect(grpc, READER_TOKEN).await?,
            config,
            log,
            http: reqwest::Client::new(),
        })
    }

    /// SIGKILL: no shutdown, whatever is in flight.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The same hub again on the same data directory (new ports).
    pub async fn restart(&mut self) -> Result<(), DemoError> {
        self.kill();
        let (child, grpc, admin) = spawn(self.site, &self.config, &self.log).await?;
        self.pid = child.id();
        self.child = Some(child);
        self.grpc = grpc;
        self.admin = admin;
        self.officer = Client::connect(grpc, OFFICER_TOKEN).await?;
        self.reader = Client::connect(grpc, READER_TOKEN).await?;
        Ok(())
    }

    /// SIGTERM and a graceful stop (killed after 20 s).
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) of our own child process, which we have not
            // waited for yet (its pid cannot have been reused).
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        for _ in 0..200 {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Transfers sent to peer sites and not yet acknowledged by them, and
    /// the age of the oldest, from the hub's own metrics.
    pub async fn pending(&self) -> Result<(u64, f64), DemoError> {
        let url = format!("http://{}/metrics", self.admin);
        let text = async { self.http.get(&url).send().await?.text().await }
            .await
            .map_err(|e| DemoError::SiteHub {
                site: self.site.code,
                reason: format!("reading its metrics at {url}: {e}"),
                log: self.log.clone(),
            })?;
        let (mut events, mut seconds) = (0u64, 0f64);
        for line in text.lines() {
            let Some((name, value)) = line.rsplit_once(' ') else {
                continue;
            };
            if !name.contains("kind=\"site\"") {
                continue;
            }
            let value: f64 = value.parse().unwrap_or(0.0);
            if name.starts_with("lienthong_destination_lag_events{") {
                events += value as u64;
            } else if name.starts_with("lienthong_destination_lag_seconds{") {
                seconds = seconds.max(value);
            }
        }
        Ok((events, seconds))
    }
}

impl Drop for SiteHub {
    fn drop(&mut self) {
        self.kill();
    }
}
