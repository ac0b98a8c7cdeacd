//! The sled side: the hub driven over gRPC on its own, and raw sled
//! writing the same records in groups — the limit the hub is compared with.

#[allow(unused_imports)]
use super::*;

pub(super) struct HubResult {
    pub(super) rate: f64,
    pub(super) p50: Duration,
    pub(super) p99: Duration,
    pub(super) disk_bytes: u64,
    pub(super) records_per_command: f64,
    pub(super) bytes_per_command: f64,
    /// One of the hub's answers (a submit's), for the minimal pipeline.
    pub(super) reply: pb::CommandReply,
    /// The hub's `group_commit_max_commands` and `cache_capacity_bytes`.
    pub(super) group_max: usize,
    pub(super) cache_capacity_bytes: u64,
    pub(super) commands: usize,
    pub(super) cpu: cpu::CpuSpent,
}

pub(super) async fn hub_run(args: &BenchArgs, dir: &std::path::Path) -> anyhow::Result<HubResult> {
    let loaded = checked(&hub_config(dir)?)?;
    let group_max = loaded.sections.hub.group_commit_max_commands;
    let cache_capacity_bytes = loaded.sections.hub.cache_capacity_bytes;
    let running = lienthong::app::start(&loaded).await?;
    let load = load(args, running.addr).await?;
    let mut latencies: Vec<Duration> = load.acks.iter().map(|a| a.took).collect();
    latencies.sort();
    // What the hub wrote per command, so that the raw run writes the same.
    let (records, bytes) = running.write_totals();
    let commands = latencies.len() as f64;
    // After the totals: one more submit, not counted, for its answer.
    let reply = sample_reply(running.addr).await;
    running.stop().await?;
    let reply = reply?;
    let disk_bytes = dir_size(dir);
    Ok(HubResult {
        rate: commands / load.elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        disk_bytes,
        records_per_command: records as f64 / commands,
        bytes_per_command: bytes as f64 / commands,
        reply,
        group_max,
        cache_capacity_bytes,
        commands: load.acks.len(),
        cpu: load.cpu,
    })
}

async fn sample_reply(addr: std::net::SocketAddr) -> anyhow::Result<pb::CommandReply> {
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let request = authorized(
        workload::request("bench-sample-submit".into(), None, submission(0)),
        TOKEN,
    )?;
    let mut client = DossierServiceClient::new(channel);
    Ok(client.execute(request).await?.into_inner())
}

/// Raw sled: `commands` commands' worth of records (as many and as large as
/// the hub stored per command) in groups of `group`, one batch + flush each.
pub(super) fn raw_sled(
    dir: &std::path::Path,
    commands: usize,
    group: usize,
    records_per_command: f64,
    bytes_per_command: f64,
) -> anyhow::Result<f64> {
    let db = sled::Config::new()
        .path(dir)
        .mode(sled::Mode::HighThroughput)
        .open()?;
    let records = (records_per_command * group as f64).round().max(1.0) as usize;
    let value_len = ((bytes_per_command / records_per_command) as usize)
        .saturating_sub(9)
        .max(1);
    let started = Instant::now();
    let mut n: u64 = 0;
    while (n as usize) < commands {
        let mut batch = sled::Batch::default();
        for record in 0..records as u64 {
            let mut key = vec![b'r'];
            key.extend_from_slice(&n.to_be_bytes());
            key.extend_from_slice(&record.to_be_bytes());
            batch.insert(key, vec![b'x'; value_len]);
        }
        n += group as u64;
        db.apply_batch(batch)?;
        db.flush()?;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

pub(super) fn dir_size(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            // The hub's disk reserve is a fixed 8 MiB, not data per dossier.
            if entry.file_name() == lienthong::app::DISK_RESERVE_FILE {
                continue;
            }
            match entry.metadata() {
                Ok(m) if m.is_dir() => total += dir_size(&entry.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}
