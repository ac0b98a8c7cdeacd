//! The measured hub's process for `bench --scale` and `--at-work`: its
//! configuration (the embedded one, pointed at the benchmark's directory,
//! with the flags' changes), starting it as `lienthong serve` in its own
//! process, waiting until it is SERVING, reading its memory from `/proc`,
//! killing it with SIGKILL and starting it again, and reading its planned
//! store reopens from its metrics. The steps that use it live in
//! `scale.rs`, `scale_compaction.rs` and `scale_work.rs`.

#[allow(unused_imports)]
use super::*;
use std::process::{Child, Stdio};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};

/// How long the hub may take to say SERVING, the sweep to empty the outbox.
pub(super) const START_DEADLINE: Duration = Duration::from_secs(600);
pub(super) const SWEEP_DEADLINE: Duration = Duration::from_secs(1800);

/// What the benchmark's flags change in the measured hub's `[hub]`.
pub(super) struct HubKnobs {
    /// `store_reopen_after_written_bytes` (`--reopen-after-bytes`), or the
    /// embedded configuration's.
    pub(super) reopen_after_bytes: Option<u64>,
    /// `store_compaction_reopen_after_read_bytes`
    /// (`--compaction-reopen-after-read-bytes`), or the embedded
    /// configuration's.
    pub(super) compaction_reopen_after_read_bytes: Option<u64>,
    /// `cache_capacity_bytes` (`--cache-capacity-bytes`).
    pub(super) cache_capacity_bytes: u64,
    /// `writer_cache_dossiers` (`--writer-cache-dossiers`), or the
    /// embedded configuration's.
    pub(super) writer_cache_dossiers: Option<u64>,
}

impl HubKnobs {
    pub(super) fn of(args: &BenchArgs) -> HubKnobs {
        HubKnobs {
            reopen_after_bytes: args.reopen_after_bytes,
            compaction_reopen_after_read_bytes: args.compaction_reopen_after_read_bytes,
            cache_capacity_bytes: args.cache_capacity_bytes,
            writer_cache_dossiers: args.writer_cache_dossiers,
        }
    }
}

/// The embedded development configuration for the spawned hub: `dir`,
/// `port`, no web pages (as the other measurements), the admin listener on
/// `admin_port` (its `/metrics` say how often the store was reopened), and delivered events removed by the next sweep.
/// `expired`: idempotency records removed by the next sweep too.
pub(super) fn scale_config(
    dir: &std::path::Path,
    port: u16,
    admin_port: u16,
    expired: bool,
    knobs: &HubKnobs,
) -> anyhow::Result<String> {
    let mut config: toml::Table = toml::from_str(lienthong::config::EMBEDDED_DEFAULT)?;
    let table = |config: &mut toml::Table, name: &str| -> anyhow::Result<toml::Table> {
        match config.remove(name) {
            Some(toml::Value::Table(t)) => Ok(t),
            _ => anyhow::bail!("the embedded configuration has no [{name}]"),
        }
    };
    let mut hub = table(&mut config, "hub")?;
    hub.insert(
        "data_dir".into(),
        toml::Value::String(dir.to_str().context("a data directory in UTF-8")?.into()),
    );
    hub.insert("listen".into(), format!("127.0.0.1:{port}").into());
    // sled's page cache of a hub that must stay within 512 MiB resident at
    // a million dossiers (issue 12): half of the development default.
    // (`--cache-capacity-bytes`).
    let cache = i64::try_from(knobs.cache_capacity_bytes)
        .context("--cache-capacity-bytes fits in an i64")?;
    hub.insert("cache_capacity_bytes".into(), cache.into());
    if let Some(dossiers) = knobs.writer_cache_dossiers {
        let dossiers = i64::try_from(dossiers).context("--writer-cache-dossiers fits in an i64")?;
        hub.insert("writer_cache_dossiers".into(), dossiers.into());
    }
    // Compacted once, when the benchmark asks (step 6), not during the
    // fill, whose burst would outrun it (MAX_WRITTEN_KEYS).
    hub.insert("store_compact_after_written_bytes".into(), 0.into());
    if let Some(bytes) = knobs.reopen_after_bytes {
        let bytes = i64::try_from(bytes).context("--reopen-after-bytes fits in an i64")?;
        hub.insert("store_reopen_after_written_bytes".into(), bytes.into());
    }
    if let Some(bytes) = knobs.compaction_reopen_after_read_bytes {
        let bytes =
            i64::try_from(bytes).context("--compaction-reopen-after-read-bytes fits in an i64")?;
        hub.insert(
            "store_compaction_reopen_after_read_bytes".into(),
            bytes.into(),
        );
    }
    config.insert("hub".into(), hub.into());
    let mut retention = table(&mut config, "retention")?;
    retention.insert("delivered_event_retention_seconds".into(), 0.into());
    retention.insert("sweep_interval_seconds".into(), 1.into());
    retention.insert("archive_after_days".into(), 0.into());
    if expired {
        retention.insert("idempotency_retention_seconds".into(), 0.into());
    }
    config.insert("retention".into(), retention.into());
    let mut admin = table(&mut config, "admin")?;
    admin.insert("listen".into(), format!("127.0.0.1:{admin_port}").into());
    config.insert("admin".into(), admin.into());
    let mut log = table(&mut config, "log")?;
    log.insert("level".into(), "warn".into());
    config.insert("log".into(), log.into());
    config.remove("web");
    Ok(toml::to_string(&config)?)
}

/// The hub's process, killed if the benchmark ends early.
pub(super) struct Spawned(Child);

impl Spawned {
    pub(super) fn start(
        config: &std::path::Path,
        log: &std::path::Path,
    ) -> anyhow::Result<Spawned> {
        let exe = std::env::current_exe()?;
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let child = std::process::Command::new(exe)
            .arg("serve")
            .arg("--config")
            .arg(config)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("starting `lienthong serve`")?;
        Ok(Spawned(child))
    }

    pub(super) fn pid(&self) -> u32 {
        self.0.id()
    }

    /// SIGKILL, then reaped.
    fn kill(&mut self) -> anyhow::Result<()> {
        self.0.kill()?;
        self.0.wait()?;
        Ok(())
    }

    /// SIGTERM and wait for the hub's graceful stop.
    pub(super) async fn terminate(mut self) -> anyhow::Result<()> {
        // SAFETY: kill(2) on our own child's pid, which is not reaped yet.
        let sent = unsafe { libc::kill(self.pid() as libc::pid_t, libc::SIGTERM) };
        anyhow::ensure!(sent == 0, "SIGTERM to the hub failed");
        // Its last retention sweep may be removing millions of records.
        let deadline = Instant::now() + SWEEP_DEADLINE;
        loop {
            if let Some(status) = self.0.try_wait()? {
                anyhow::ensure!(status.success(), "the hub stopped with {status}");
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "the hub did not stop");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `VmRSS` and `VmHWM` of process `pid`, in bytes.
pub(super) fn memory(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    Ok((proc_kib(&status, "VmRSS")?, proc_kib(&status, "VmHWM")?))
}

/// A `Name:   1234 kB` line of `/proc/<pid>/status`, in bytes.
pub(super) fn proc_kib(status: &str, name: &str) -> anyhow::Result<u64> {
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .with_context(|| format!("no {name} in /proc status"))?;
    let kib: u64 = line
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("{name}: {line:?}"))?;
    Ok(kib * 1024)
}

pub(super) async fn wait_serving(
    addr: std::net::SocketAddr,
    child: &mut Spawned,
) -> anyhow::Result<Channel> {
    let deadline = Instant::now() + START_DEADLINE;
    let endpoint =
        Channel::from_shared(format!("http://{addr}"))?.connect_timeout(Duration::from_millis(200));
    loop {
        if let Some(status) = child.0.try_wait()? {
            anyhow::bail!("`lienthong serve` exited with {status} (see its log)");
        }
        if let Ok(channel) = endpoint.connect().await {
            let check = HealthClient::new(channel.clone())
                .check(HealthCheckRequest {
                    service: "lienthong.v1.DossierService".into(),
                })
                .await;
            if matches!(check, Ok(r) if r.get_ref().status == ServingStatus::Serving as i32) {
                return Ok(channel);
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the hub was not SERVING within {START_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub(super) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// SIGKILL, then `lienthong serve` again on the same configuration: the
/// new process, its channel, and the time from the kill until health said
/// SERVING and until a new command (idempotency key `key` and the pid) was
/// acknowledged.
pub(super) async fn kill_and_restart(
    mut hub: Spawned,
    config_path: &std::path::Path,
    log: &std::path::Path,
    addr: std::net::SocketAddr,
    key: &str,
) -> anyhow::Result<(Spawned, Channel, Duration, Duration)> {
    hub.kill()?;
    let killed = Instant::now();
    let mut hub = Spawned::start(config_path, log)?;
    let channel = wait_serving(addr, &mut hub).await?;
    let serving = killed.elapsed();
    let mut client = DossierServiceClient::new(channel.clone());
    call(
        &mut client,
        format!("{key}-{}", std::process::id()),
        None,
        submission(0),
    )
    .await
    .context("the first command after the restart")?;
    let acknowledged = killed.elapsed();
    println!(
        "restarted after SIGKILL: SERVING in {:.2} s, a command acknowledged in {:.2} s",
        serving.as_secs_f64(),
        acknowledged.as_secs_f64()
    );

    Ok((hub, channel, serving, acknowledged))
}

/// The hub's planned store reopens so far, from its
/// `lienthong_store_reopen_seconds` histogram.
pub(super) struct Reopens {
    pub(super) count: u64,
    pub(super) paused_seconds: f64,
    /// The smallest bucket bound every pause fits under.
    pub(super) longest_under_seconds: Option<f64>,
}

impl Reopens {
    pub(super) fn describe(&self) -> String {
        match (self.count, self.longest_under_seconds) {
            (0, _) => "no planned store reopen".into(),
            (n, longest) => format!(
                "{n} planned store reopens, commands paused {:.1} s in all, {:.2} s on average, the longest ≤ {}",
                self.paused_seconds,
                self.paused_seconds / n as f64,
                longest.map_or("?".into(), |s| format!("{s:.3} s"))
            ),
        }
    }
}

pub(super) async fn store_reopens(url: &str) -> anyhow::Result<Reopens> {
    let text = reqwest::get(url)
        .await
        .and_then(|r| r.error_for_status())
        .with_context(|| format!("reading the hub's metrics at {url}"))?
        .text()
        .await?;
    Ok(parse_reopens(&text))
}

pub(super) fn parse_reopens(text: &str) -> Reopens {
    let mut reopens = Reopens {
        count: 0,
        paused_seconds: 0.0,
        longest_under_seconds: None,
    };
    let mut buckets = Vec::new();
    for line in text.lines() {
        let Some((name, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        if name == "lienthong_store_reopen_seconds_count" {
            reopens.count = value as u64;
        } else if name == "lienthong_store_reopen_seconds_sum" {
            reopens.paused_seconds = value;
        } else if let Some(bound) = name
            .strip_prefix("lienthong_store_reopen_seconds_bucket{le=\"")
            .and_then(|rest| rest.strip_suffix("\"}"))
        {
            if let Ok(bound) = bound.parse::<f64>() {
                buckets.push((bound, value as u64));
            }
        }
    }
    if reopens.count > 0 {
        reopens.longest_under_seconds = buckets
            .into_iter()
            .filter(|(_, n)| *n >= reopens.count)
            .map(|(bound, _)| bound)
            .reduce(f64::min);
    }
    reopens
}
