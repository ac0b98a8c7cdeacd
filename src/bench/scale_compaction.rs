//! `bench --scale`'s online compaction step: the restarted hub, which
//! opened the directory the whole fill lived in, is asked on its admin
//! listener to compact its store while it serves (`POST
//! /store/compaction`); the benchmark waits until `GET /store/compaction`
//! says it finished and returns the hub's own account of it. And step 8,
//! a week later: once the idempotency records are past their retention
//! (as in a province's hub, which keeps a week of them beside years of
//! dossiers), the directory compacted online again and the hub measured
//! after a SIGKILL, then at work (a fiftieth more dossiers' lives).

use super::raw_sled::dir_size;
use super::report::Table;
use super::scale::{listings, lives};
use super::scale_hub::{kill_and_restart, memory, wait_serving, Spawned};
use super::sled_limit::plain_sled_open;
use anyhow::Context;
use lienthong::grpc::pb::dossier_service_client::DossierServiceClient;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a compaction of the benchmark's directory may take.
const COMPACTION_DEADLINE: Duration = Duration::from_secs(1800);

/// Asks the hub whose admin listener is on `admin_port` for an online
/// compaction and waits for it: (wall time, the hub's `last:` line).
pub(super) async fn compact_online(admin_port: u16) -> anyhow::Result<(Duration, String)> {
    let url = format!("http://127.0.0.1:{admin_port}/store/compaction");
    let client = reqwest::Client::new();
    let started = Instant::now();
    let asked = client
        .post(&url)
        .send()
        .await
        .with_context(|| format!("asking for a compaction at {url}"))?;
    let status = asked.status();
    let text = asked.text().await.unwrap_or_default();
    anyhow::ensure!(
        status.as_u16() == 202,
        "the hub refused the compaction ({status}): {text}"
    );
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let text = client
            .get(&url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .with_context(|| format!("reading {url}"))?
            .text()
            .await?;
        if let Some(outcome) = finished(&text) {
            return outcome.map(|line| (started.elapsed(), line));
        }
        anyhow::ensure!(
            started.elapsed() < COMPACTION_DEADLINE,
            "the compaction did not finish in {COMPACTION_DEADLINE:?}: {text}"
        );
    }
}

/// What step 8 measured.
pub(super) struct Later {
    compaction: (Duration, String),
    serving: Duration,
    acknowledged: Duration,
    /// The restarted hub after the listings: VmRSS, VmHWM.
    memory: (u64, u64),
    /// Then at work: `new_dossiers` more lives on one stream, and its
    /// memory right after them.
    new_dossiers: usize,
    at_work: Duration,
    at_work_memory: (u64, u64),
    disk: u64,
    /// Plain sled opening the same store: seconds, (VmRSS, VmHWM).
    plain_sled: (f64, (u64, u64)),
}

/// Step 8: the hub (configuration `config`, stopped) started on `dir`,
/// whose idempotency records have expired, compacted online, killed with
/// SIGKILL and started again; then stopped, and plain sled opens the store.
pub(super) async fn a_week_later(
    config: &Path,
    log: &Path,
    addr: std::net::SocketAddr,
    admin_port: u16,
    dir: &Path,
    dossiers: usize,
    cache_capacity_bytes: u64,
) -> anyhow::Result<Later> {
    let mut hub = Spawned::start(config, log)?;
    wait_serving(addr, &mut hub).await?;
    let compaction = compact_online(admin_port).await?;
    println!(
        "a week later: compacted again while serving in {:.1} s: {}",
        compaction.0.as_secs_f64(),
        compaction.1
    );
    let (hub, channel, serving, acknowledged) =
        kill_and_restart(hub, config, log, addr, "scale-week-later").await?;
    listings(channel.clone()).await?;
    let restarted_memory = memory(hub.pid())?;
    // At work: a fiftieth more dossiers through their whole life, new ones
    // (numbers past the fill's, so new idempotency keys), as a day's
    // traffic would write on top of the million.
    let new_dossiers = (dossiers / 50).max(1);
    let numbers: Vec<usize> = (dossiers..dossiers + new_dossiers).collect();
    let client = DossierServiceClient::new(channel);
    let started = Instant::now();
    for chunk in numbers.chunks(2000) {
        lives(client.clone(), chunk).await?;
    }
    let at_work = started.elapsed();
    let at_work_memory = memory(hub.pid())?;
    hub.terminate().await?;
    let disk = dir_size(dir);
    let plain_sled = plain_sled_open(dir, dossiers, cache_capacity_bytes)?;
    Ok(Later {
        compaction,
        serving,
        acknowledged,
        memory: restarted_memory,
        new_dossiers,
        at_work,
        at_work_memory,
        disk,
        plain_sled,
    })
}

impl Later {
    pub(super) fn rows(&self, table: &mut Table, dossiers: usize) {
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        table.row(
            "a week later (idempotency records expired): compacted online again",
            format!(
                "{:.1} s: {}",
                self.compaction.0.as_secs_f64(),
                self.compaction.1
            ),
        );
        table.row(
            "… restart after SIGKILL: SERVING / first command acknowledged (target ≤ 5 s)",
            format!(
                "{:.2} s / {:.2} s",
                self.serving.as_secs_f64(),
                self.acknowledged.as_secs_f64()
            ),
        );
        table.row(
            "… the restarted hub after the listings: VmRSS / VmHWM (target ≤ 512 MiB)",
            format!("{:.0} / {:.0} MiB", mib(self.memory.0), mib(self.memory.1)),
        );
        table.row(
            format!(
                "… then at work: {} more dossiers x 5 commands on one stream, right after: VmRSS / VmHWM (target ≤ 512 MiB)",
                self.new_dossiers
            ),
            format!(
                "{:.0} / {:.0} MiB ({:.1} s, {:.0} commands/s)",
                mib(self.at_work_memory.0),
                mib(self.at_work_memory.1),
                self.at_work.as_secs_f64(),
                (self.new_dossiers * super::LIFE) as f64 / self.at_work.as_secs_f64()
            ),
        );
        table.row(
            "… plain sled opening that store: VmRSS / VmHWM",
            format!(
                "{:.0} / {:.0} MiB (open in {:.2} s)",
                mib(self.plain_sled.1 .0),
                mib(self.plain_sled.1 .1),
                self.plain_sled.0
            ),
        );
        table.row(
            "… disk per dossier",
            format!(
                "{:.0} bytes ({:.0} MiB)",
                self.disk as f64 / dossiers as f64,
                mib(self.disk)
            ),
        );
    }
}

/// The outcome `GET /store/compaction` gives once the compaction is over.
pub(super) fn finished(status: &str) -> Option<anyhow::Result<String>> {
    if !status.contains("state: idle") {
        return None;
    }
    let last = status.lines().find_map(|l| l.strip_prefix("last: "))?;
    Some(match last.strip_prefix("finished: ") {
        Some(done) => Ok(done.to_string()),
        None => Err(anyhow::anyhow!("the online compaction {last}")),
    })
}

#[cfg(test)]
mod tests {
    use super::finished;

    #[test]
    fn the_status_says_when_the_compaction_is_over_and_how() {
        assert!(finished("state: running for 3 s\nfinished: 0\nabandoned: 0\n").is_none());
        assert!(finished("state: idle\nfinished: 0\nabandoned: 0\n").is_none());
        let done = "state: idle\nfinished: 1\nabandoned: 0\nlast: finished: 5 records in 1 trees\n";
        assert_eq!(finished(done).unwrap().unwrap(), "5 records in 1 trees");
        let gave_up = "state: idle\nfinished: 0\nabandoned: 1\nlast: abandoned: the hub stopped\n";
        let err = finished(gave_up).unwrap().unwrap_err().to_string();
        assert!(err.contains("abandoned: the hub stopped"), "{err}");
    }
}
