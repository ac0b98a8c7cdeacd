//! `lienthong bench`: measures the hub against the raw limit of its storage
//! on the same machine, in the same run, and prints the ratio.
//!
//! 1. Raw sled: the same records a command writes (dossier, history line,
//!    outbox event, idempotency record, counter), written by groups in one
//!    `apply_batch` + `flush` each — the best the hub could possibly do.
//! 2. The hub: a fresh hub in this process on a loopback port, driven by
//!    concurrent gRPC clients through whole dossier lives (submit, receive,
//!    start processing, finish, return result). Every command is counted only
//!    once its answer (= on disk) arrived.
//! 3. The minimal durable gRPC pipeline (`minimal.rs`): the same clients
//!    and load against a server that only group-commits the hub's bytes per
//!    command and answers — the limit of one gRPC call per command here.
//! 4. The bulk stream: another fresh hub, the same dossier lives sent on
//!    `--streams` `ExecuteStream` streams (`stream.rs`).
//!
//! With `--amqp-url`, more measurements against that RabbitMQ (all under
//! the prefix `lt-bench-<pid>`, deleted afterwards):
//!
//! 4. The hub end to end: another fresh hub, publishing to the broker, with
//!    one extra partner whose events go to its quorum queue. The same gRPC
//!    load; a consumer in this process records when each event (by
//!    `message_id` = the reply's `event_id`) arrives in that queue, and
//!    compares it with when the command's answer arrived.
//! 5. The relay alone: a hub started with the broker on the data directory
//!    of run 2, whose outbox holds every event unpublished; the same
//!    consumer times how fast the relay works off that backlog.
//! 6. The minimal pipeline of the same shape end to end: the minimal server
//!    of 3, whose writer hands each committed command's event to a lapin
//!    publisher (confirms, the hub's window) → topic exchange → quorum queue
//!    → the same consumer.
//! 7. Raw lapin: as many persistent messages, as large as the hub's events
//!    were (same properties and headers), published with confirms (the
//!    hub's window, awaited in order) through a topic exchange to a quorum
//!    queue and consumed by the same consumer — the best the hub's relay
//!    could possibly do; timed like 5, first to last arrival.
//!
//! Beside the AMQP rates, each of 4–7's processor time over the same span,
//! this process's per kind of thread and the broker's (`broker_cpu.rs`):
//! whether a ratio is held by CPU per event or by waiting.
//!
//! `--scale N` measures something else (`scale.rs`): the real binary with N
//! dossiers stored — disk, memory, restart after SIGKILL, listing pages.

use anyhow::Context;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::publisher_confirm::{Confirmation, PublisherConfirm};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection};
use lienthong::config::{HubConfig, PartnerSection, SubscriptionSection};
use lienthong::grpc::pb::{
    self, command_request::Command as C, dossier_service_client::DossierServiceClient,
};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_stream::StreamExt;
use tonic::transport::Channel;

mod amqp;
mod broker_cpu;
mod cpu;
mod minimal;
mod raw_sled;
mod report;
mod scale;
mod scale_compaction;
mod scale_hub;
mod scale_load;
mod scale_work;
mod sites;
mod sled_limit;
mod sled_replay;
mod stream;
mod workload;

use amqp::*;
use minimal::*;
use raw_sled::*;
use report::*;
use scale::*;
use scale_hub::*;
use scale_load::timed_check;
use sled_limit::*;
pub use sled_limit::{child as sled_limit_child, SledChildArgs};
use sled_replay::*;
use stream::*;
use workload::*;

#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("served_hub").args(["scale", "at_work"])))]
pub struct BenchArgs {
    /// Concurrent gRPC clients.
    #[arg(long, default_value_t = 128)]
    pub clients: usize,
    /// Dossiers driven through their whole life (5 commands each).
    #[arg(long, default_value_t = 4000)]
    pub dossiers: usize,
    /// Command streams (`ExecuteStream`, one connection each) in the bulk
    /// stream measurement; the dossiers are shared among them.
    #[arg(long, default_value_t = 4)]
    pub streams: usize,
    /// Commands per group in the raw sled measurement.
    #[arg(long, default_value_t = 100)]
    pub raw_group: usize,
    /// Where to put the temporary data directories (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
    /// Also measure the AMQP transport end to end against this broker
    /// (`amqp://user:password@host:5672/vhost`), beside a minimal pipeline
    /// of the same shape and raw lapin.
    #[arg(long, conflicts_with = "scale")]
    pub amqp_url: Option<String>,
    /// With --amqp-url: after the measurement, this many more pairs of the
    /// relay alone and raw lapin, back to back, each relay on a fresh copy
    /// of the backlog; their ratios and median are printed. Raw lapin's
    /// own rate moves by a third between runs minutes apart, so one pair
    /// says little.
    #[arg(long, default_value_t = 0, requires = "amqp_url")]
    pub relay_pairs: usize,
    /// After the measurement, this many more pairs of the hub's unary load
    /// and the minimal pipeline's, back to back, each on a fresh data
    /// directory; their ratios and median are printed. The two rates move
    /// by a third between runs minutes apart on a shared machine, so one
    /// pair says little.
    #[arg(long, default_value_t = 0)]
    pub unary_pairs: usize,
    /// Instead of the rates: fill a `lienthong serve` process with this many
    /// dossiers through their whole life (on --streams ExecuteStream
    /// streams), then report disk per dossier, the hub's resident memory,
    /// restart time after SIGKILL and listing latencies. Needs room for
    /// about 40 KB of disk per dossier.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub scale: Option<u64>,
    /// With --scale: the measured hub's `hub.store_reopen_after_written_bytes`
    /// (default: the embedded configuration's), to weigh the pauses of
    /// planned store reopens against the restart after `kill -9`.
    #[arg(long, requires = "scale")]
    pub reopen_after_bytes: Option<u64>,
    /// With --scale: the measured hub's
    /// `hub.store_compaction_reopen_after_read_bytes` (default: the
    /// embedded configuration's; 0: the compactions read without reopening
    /// the store), to weigh their memory peak against their pauses.
    #[arg(long, requires = "scale")]
    pub compaction_reopen_after_read_bytes: Option<u64>,
    /// With --scale: at most this many new dossiers' lives written beside
    /// the first online compaction (default: a 25th of --scale).
    #[arg(long, requires = "scale")]
    pub compaction_load_dossiers: Option<u64>,
    /// With --scale: the pause between two chunks of 50 dossiers written
    /// beside the first online compaction (default 500: a partner's
    /// trickle, ~100 dossiers a second; 0: a migration, as fast as one
    /// stream goes).
    #[arg(long, requires = "scale", default_value_t = 500)]
    pub compaction_load_pace_ms: u64,
    /// With --scale or --at-work: the measured hub's `hub.cache_capacity_bytes`, and
    /// plain sled's beside it (default 128 MiB), to weigh sled's cache
    /// against the memory target.
    #[arg(long, requires = "served_hub", default_value_t = SCALE_CACHE_BYTES)]
    pub cache_capacity_bytes: u64,
    /// With --scale or --at-work: the measured hub's
    /// `hub.writer_cache_dossiers` (default: the embedded configuration's).
    #[arg(long, requires = "served_hub")]
    pub writer_cache_dossiers: Option<u64>,
    /// With --scale: keep the data directories (the hub's and its
    /// compacted copy) instead of removing them, and say where they are.
    #[arg(long, requires = "scale")]
    pub keep: bool,
    /// Instead of the rates: the hub serving this data directory (the
    /// `scale-data` a `--scale N --keep` run kept; it writes into it, so
    /// give it a copy) runs --at-work-dossiers new dossiers' lives, and its
    /// memory is read after every 2 000 (`scale_work.rs`).
    #[arg(long, conflicts_with_all = ["scale", "amqp_url", "sled_limit", "sled_replay", "sites"])]
    pub at_work: Option<std::path::PathBuf>,
    /// With --at-work: how many new dossiers.
    #[arg(long, default_value_t = 20_000, requires = "at_work")]
    pub at_work_dossiers: usize,
    /// With --at-work: how long the hub idles once SERVING before the
    /// work, its pid printed: time to attach a heap profiler
    /// (`heaptrack -p PID`, with a build of the `system-allocator` feature).
    #[arg(long, default_value_t = 0, requires = "at_work")]
    pub at_work_settle_seconds: u64,
    /// Instead of the rates: raw sled 0.34 with nothing of the hub, this
    /// many dossiers' records written, removed and archived as the hub
    /// does through their whole life, in a child process; its memory, its
    /// restart after SIGKILL and its disk (`sled_limit.rs`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), conflicts_with_all = ["scale", "amqp_url"])]
    pub sled_limit: Option<u64>,
    /// With --sled-limit: one run per value, `hub` (the hub's sled
    /// configuration, 128 MiB cache) or the hub's with comma-separated
    /// changes: cache_capacity_bytes=N, mode=low_space|high_throughput,
    /// segment_size_bytes=N, flush_every_ms=N|off.
    #[arg(long, requires = "sled_limit")]
    pub sled_config: Vec<String>,
    /// Instead of the rates: how long plain sled 0.34 replays this many
    /// inserts, removals and batched removals when it opens
    /// (`sled_replay.rs`): what a removal costs a recovery beside an insert.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), conflicts_with_all = ["scale", "amqp_url", "sled_limit"])]
    pub sled_replay: Option<u64>,
    /// Instead of the rates: an inter-site transfer (site H22's hub hands
    /// --dossiers dossiers over to site BXD's over a shovel) against a raw
    /// shovel of the same configuration moving the same messages, on two
    /// vhosts of the --amqp-url broker (default: the local guest broker)
    /// with the shovel and management plugins.
    #[arg(long, conflicts_with_all = ["scale", "sled_limit"])]
    pub sites: bool,
    /// The management API of that broker (for --sites).
    #[arg(long, default_value = "http://guest:guest@127.0.0.1:15672")]
    pub management_url: String,
}

const TOKEN: &str = "dev-one-stop-token";
const LIFE: usize = 5;

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let base = args
        .dir
        .clone()
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("lienthong-bench-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    if let Some(dossiers) = args.sled_limit {
        let measured = sled_limit_run(&base, dossiers as usize, &args.sled_config);
        let _ = std::fs::remove_dir_all(&base);
        return measured;
    }
    if let Some(operations) = args.sled_replay {
        let measured = sled_replay_run(&base, operations);
        let _ = std::fs::remove_dir_all(&base);
        return measured;
    }
    if let Some(data) = &args.at_work {
        // Only the hub's configuration and log are in `base`: kept.
        let measured = scale_work::at_work_run(&base, data, &args, &HubKnobs::of(&args)).await;
        println!("the hub's configuration and log: {}", base.display());
        return measured;
    }
    if let Some(dossiers) = args.scale {
        let measured = scale_run(&args, &base, dossiers as usize).await;
        if args.keep {
            println!("kept: {}", base.display());
        } else {
            let _ = std::fs::remove_dir_all(&base);
        }
        return measured;
    }
    if args.sites {
        let url = args
            .amqp_url
            .clone()
            .unwrap_or_else(|| "amqp://guest:guest@127.0.0.1:5672".into());
        println!(
            "lienthong bench --sites: {} dossiers handed over by {} clients' forwards, {} cores",
            args.dossiers,
            args.clients,
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        );
        let measured = sites::sites_run(&args, &base, &url).await;
        let _ = std::fs::remove_dir_all(&base);
        println!();
        print!("{}", sites::report(&measured?).render());
        return Ok(());
    }
    println!(
        "lienthong bench: {} clients, {} dossiers x {LIFE} commands, {} cores",
        args.clients,
        args.dossiers,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let hub = hub_run(&args, &base.join("hub")).await?;
    let shape = Shape {
        records_per_command: hub.records_per_command,
        bytes_per_command: hub.bytes_per_command,
        reply: hub.reply.clone(),
        group_max: hub.group_max,
        cache_capacity_bytes: hub.cache_capacity_bytes,
    };
    let minimal = minimal_run(&args, &base.join("minimal"), shape.clone()).await?;
    let unary_pairs = unary_pairs(&args, &base, &shape).await?;
    let stream = stream_run(&args, &base.join("hub-stream")).await?;
    let raw = raw_sled(
        &base.join("raw"),
        args.dossiers * LIFE,
        args.raw_group,
        hub.records_per_command,
        hub.bytes_per_command,
    )?;
    let amqp = match &args.amqp_url {
        Some(url) => {
            let hub_dir = base.join("hub");
            let backlog = (hub_dir.as_path(), args.dossiers * LIFE);
            let measured = amqp_run(&args, &base.join("hub-amqp"), backlog, url, shape).await;
            Some(measured.with_context(|| {
                format!(
                    "the AMQP measurement against {} failed",
                    lienthong::amqp::redact(url)
                )
            }))
        }
        None => None,
    };
    let _ = std::fs::remove_dir_all(&base);
    let amqp = amqp.transpose()?;

    println!();
    print!(
        "{}",
        report(
            &args,
            &hub,
            &minimal,
            &unary_pairs,
            &stream,
            raw,
            amqp.as_ref()
        )
        .render()
    );
    Ok(())
}

/// The run's table: every rate, and each ratio of the same run beside its
/// target (README, Performance).
fn report(
    args: &BenchArgs,
    hub: &HubResult,
    minimal: &MinimalResult,
    unary_pairs: &[(f64, f64)],
    stream: &StreamResult,
    raw: f64,
    amqp: Option<&AmqpResult>,
) -> Table {
    let mut t = Table::default();
    t.row(
        format!(
            "raw sled group commit ({} per flush, same records)",
            args.raw_group
        ),
        format!("{raw:.0} commands/s"),
    );
    t.row(
        "minimal durable gRPC pipeline: same clients, same bytes per command, group commit + flush",
        format!("{:.0} commands/s", minimal.rate),
    );
    t.row(
        "hub: acknowledged commands over gRPC",
        format!("{:.0} commands/s", hub.rate),
    );
    t.ratio(
        "hub / minimal gRPC pipeline",
        hub.rate,
        minimal.rate,
        Some(0.9),
    );
    pairs_row(
        &mut t,
        "hub / minimal gRPC pipeline",
        unary_pairs,
        Some(0.9),
    );
    cpu_rows(&mut t, hub, minimal);
    t.ratio("hub / raw sled", hub.rate, raw, None);
    t.row(
        format!(
            "bulk stream: acknowledged commands over {} ExecuteStream streams ({} commands)",
            args.streams.max(1),
            stream.commands
        ),
        format!("{:.0} commands/s", stream.rate),
    );
    t.ratio("bulk stream / raw sled", stream.rate, raw, Some(0.5));
    t.row(
        "acknowledgement latency p50 / p99",
        format!(
            "hub {:.1} / {:.1} ms; minimal pipeline {:.1} / {:.1} ms",
            ms(hub.p50),
            ms(hub.p99),
            ms(minimal.p50),
            ms(minimal.p99)
        ),
    );
    t.row(
        "disk used per dossier (data directory / dossiers)",
        format!("{:.0} bytes", hub.disk_bytes as f64 / args.dossiers as f64),
    );
    t.row(
        "records / bytes written per command (before sled overhead)",
        format!(
            "{:.1} / {:.0}",
            hub.records_per_command, hub.bytes_per_command
        ),
    );
    if let Some(a) = amqp {
        t.row(
            "hub with AMQP: acknowledged commands over gRPC",
            format!("{:.0} commands/s", a.e2e.grpc_rate),
        );
        t.row(
            "hub end to end: events consumed from the partner queue",
            format!("{:.0} msgs/s", a.e2e.rate),
        );
        t.row(
            "minimal pipeline end to end (gRPC → sled group commit → lapin confirms → consumer)",
            format!("{:.0} msgs/s", a.minimal.rate),
        );
        t.ratio(
            "hub end to end / minimal pipeline",
            a.e2e.rate,
            a.minimal.rate,
            Some(0.8),
        );
        t.row(
            "end-to-end latency (gRPC answer → consumed) p50 / p99",
            format!(
                "hub {:.1} / {:.1} ms; minimal pipeline {:.1} / {:.1} ms",
                ms(a.e2e.p50),
                ms(a.e2e.p99),
                ms(a.minimal.p50),
                ms(a.minimal.p99)
            ),
        );
        t.row(
            "queue drained after the last gRPC answer",
            format!(
                "hub {:.0} ms; minimal pipeline {:.0} ms",
                ms(a.e2e.drain),
                ms(a.minimal.drain)
            ),
        );
        t.row(
            "events consumed / duplicates (same message_id)",
            format!("{} / {}", a.e2e.consumed, a.e2e.duplicates),
        );
        t.row(
            format!(
                "relay alone: a backlog of {} events, consumed (first to last arrival)",
                args.dossiers * LIFE
            ),
            format!("{:.0} msgs/s", a.catch_up_rate),
        );
        t.row(
            format!(
                "raw lapin: persistent {}-byte messages, confirms ({} in flight), topic exchange → quorum queue, consumed",
                a.e2e.body_bytes, a.window
            ),
            format!("{:.0} msgs/s", a.raw_rate),
        );
        t.ratio(
            "relay alone / raw lapin",
            a.catch_up_rate,
            a.raw_rate,
            Some(0.8),
        );
        pairs_row(&mut t, "relay alone / raw lapin", &a.pairs, Some(0.8));
        broker_cpu::rows(&mut t, &a.cpu);
    }
    t
}

/// `pairs` more (measured, baseline) rates run back to back: each pair's
/// ratio and their median beside the target (nothing when there are none).
fn pairs_row(t: &mut Table, what: &str, pairs: &[(f64, f64)], target: Option<f64>) {
    let ratios: Vec<f64> = pairs.iter().map(|(rate, base)| rate / base).collect();
    if let Some(middle) = median(&ratios) {
        let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        t.row(
            format!(
                "**{what}, {} more pairs back to back: each / median**",
                pairs.len()
            ),
            format!("{} / {}", each.join(" / "), ratio_cell(middle, 1.0, target)),
        );
    }
}

/// `--unary-pairs` more (hub, minimal) unary rates, back to back, each
/// load on a fresh data directory with the main measurement's shape.
async fn unary_pairs(
    args: &BenchArgs,
    base: &std::path::Path,
    shape: &Shape,
) -> anyhow::Result<Vec<(f64, f64)>> {
    let mut pairs = Vec::with_capacity(args.unary_pairs);
    for k in 1..=args.unary_pairs {
        eprintln!("bench: pair {k} of the hub's and the minimal pipeline's unary loads");
        let hub_dir = base.join(format!("hub-pair-{k}"));
        let hub = hub_run(args, &hub_dir).await?;
        let _ = std::fs::remove_dir_all(&hub_dir);
        let minimal_dir = base.join(format!("minimal-pair-{k}"));
        let minimal = minimal_run(args, &minimal_dir, shape.clone()).await?;
        let _ = std::fs::remove_dir_all(&minimal_dir);
        pairs.push((hub.rate, minimal.rate));
    }
    Ok(pairs)
}

/// The embedded configuration on `dir`, on a free loopback port, without
/// pages: the benchmark measures the hub's command path.
/// Where the processor time of the two unary loads went (`cpu.rs`): when
/// both kept the cores busy, minimal / hub CPU per command bounds the
/// hub / minimal rate ratio.
fn cpu_rows(t: &mut Table, hub: &HubResult, minimal: &MinimalResult) {
    let per = |spent: &cpu::CpuSpent, n: usize| spent.per_command_us(n);
    let kind = |spent: &cpu::CpuSpent, k: &str, n: usize| spent.kind_per_command_us(k, n);
    t.row(
        "CPU per command, this process (server + the same clients): hub / minimal",
        format!(
            "{:.0} / {:.0} µs; cores kept busy {:.2} / {:.2}",
            per(&hub.cpu, hub.commands),
            per(&minimal.cpu, minimal.commands),
            hub.cpu.cores_busy(),
            minimal.cpu.cores_busy()
        ),
    );
    for (k, what) in [
        ("writer", "the writer thread (orders every command)"),
        ("flusher", "the flusher thread"),
        ("sled", "sled's own threads"),
        ("tokio", "tokio workers (gRPC server and clients)"),
        ("other", "other threads (audit, main)"),
    ] {
        t.row(
            format!("… of which {what}: hub / minimal"),
            format!(
                "{:.0} / {:.0} µs",
                kind(&hub.cpu, k, hub.commands),
                kind(&minimal.cpu, k, minimal.commands)
            ),
        );
    }
    t.ratio(
        "minimal / hub CPU per command (the rate ratio's bound when the cores are busy)",
        per(&minimal.cpu, minimal.commands),
        per(&hub.cpu, hub.commands),
        None,
    );
}

fn hub_config(dir: &std::path::Path) -> anyhow::Result<HubConfig> {
    let mut config = HubConfig::embedded_default();
    config.hub.data_dir = dir.to_path_buf();
    config.hub.listen = "127.0.0.1:0".parse()?;
    config.web = None;
    // Metrics are recorded whether or not anyone scrapes them; the admin
    // listener is opened as in production, on a free port.
    if let Some(admin) = config.admin.as_mut() {
        admin.listen = "127.0.0.1:0".parse()?;
    }
    Ok(config)
}

/// `config` checked as the hub checks a file, with every adapter kind.
fn checked(config: &HubConfig) -> anyhow::Result<lienthong::config::LoadedConfig> {
    Ok(config.clone().check(
        "the benchmark's configuration",
        &lienthong::adapters::kinds(),
    )?)
}

/// `message` with the bearer token every benchmark client sends.
pub(super) fn authorized<T>(message: T, token: &str) -> anyhow::Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    Ok(request)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        bench: BenchArgs,
    }

    fn parse(args: &[&str]) -> Result<BenchArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("bench").chain(args.iter().copied())).map(|c| c.bench)
    }

    #[test]
    fn bench_arguments_parse_with_their_defaults() {
        let args = parse(&[]).unwrap();
        assert_eq!((args.clients, args.dossiers, args.streams), (128, 4000, 4));
        assert_eq!(args.scale, None);
        let args = parse(&["--scale", "1000000", "--streams", "8"]).unwrap();
        assert_eq!((args.scale, args.streams), (Some(1_000_000), 8));
    }

    #[test]
    fn scale_refuses_zero_and_the_amqp_measurement() {
        let zero = parse(&["--scale", "0"]).unwrap_err().to_string();
        assert!(zero.contains("--scale"), "{zero}");
        let both = parse(&["--scale", "10", "--amqp-url", "amqp://localhost"])
            .unwrap_err()
            .to_string();
        assert!(both.contains("cannot be used with"), "{both}");
    }

    #[test]
    fn relay_pairs_need_the_broker() {
        assert_eq!(parse(&[]).unwrap().relay_pairs, 0);
        let url = "amqp://guest:guest@127.0.0.1:5672/%2f";
        let args = parse(&["--amqp-url", url, "--relay-pairs", "4"]).unwrap();
        assert_eq!(args.relay_pairs, 4);
        let alone = parse(&["--relay-pairs", "4"]).unwrap_err().to_string();
        assert!(alone.contains("--amqp-url"), "{alone}");
    }

    #[test]
    fn unary_pairs_default_to_none_and_need_no_broker() {
        assert_eq!(parse(&[]).unwrap().unary_pairs, 0);
        assert_eq!(parse(&["--unary-pairs", "6"]).unwrap().unary_pairs, 6);
        let word = parse(&["--unary-pairs", "many"]).unwrap_err().to_string();
        assert!(word.contains("--unary-pairs"), "{word}");
    }

    #[test]
    fn sled_replay_is_a_measurement_of_its_own() {
        let args = parse(&["--sled-replay", "3000000"]).unwrap();
        assert_eq!(args.sled_replay, Some(3_000_000));
        let zero = parse(&["--sled-replay", "0"]).unwrap_err().to_string();
        assert!(zero.contains("--sled-replay"), "{zero}");
        let both = parse(&["--sled-replay", "10", "--scale", "10"])
            .unwrap_err()
            .to_string();
        assert!(both.contains("cannot be used with"), "{both}");
    }

    #[test]
    fn sites_is_a_measurement_of_its_own() {
        let args = parse(&["--sites", "--dossiers", "500"]).unwrap();
        assert!(args.sites);
        assert_eq!(args.dossiers, 500);
        assert_eq!(args.management_url, "http://guest:guest@127.0.0.1:15672");
        let both = parse(&["--sites", "--scale", "10"])
            .unwrap_err()
            .to_string();
        assert!(both.contains("cannot be used with"), "{both}");
    }

    #[test]
    fn the_scale_configuration_is_valid_and_delivers_retention_at_once() {
        let dir = std::path::Path::new("/tmp/lienthong-bench-scale-test");
        for expired in [false, true] {
            let knobs = HubKnobs {
                reopen_after_bytes: None,
                compaction_reopen_after_read_bytes: None,
                cache_capacity_bytes: SCALE_CACHE_BYTES,
                writer_cache_dossiers: None,
            };
            let text = scale_config(dir, 50999, 50998, expired, &knobs).unwrap();
            let config = HubConfig::from_toml("scale.toml", &text).unwrap();
            let loaded = checked(&config).unwrap();
            let s = &loaded.sections;
            assert_eq!(s.hub.data_dir, dir);
            assert_eq!(s.hub.listen.to_string(), "127.0.0.1:50999");
            assert!(s.web.is_none());
            assert_eq!(s.retention.delivered_event_retention_seconds, 0);
            assert_eq!(s.retention.sweep_interval_seconds, 1);
            assert_eq!(s.retention.archive_after_days, 0);
            assert_eq!(s.hub.cache_capacity_bytes, 128 << 20);
            let kept = s.retention.idempotency_retention_seconds;
            assert_eq!(kept == 0, expired, "idempotency retention {kept}");
            assert_eq!(s.hub.store_reopen_after_written_bytes, 1 << 30);
            assert_eq!(s.hub.writer_cache_dossiers, 16_384, "the embedded default");
            assert_eq!(s.hub.store_compaction_reopen_after_read_bytes, 0);
        }
        let knobs = HubKnobs {
            reopen_after_bytes: Some(256 << 20),
            compaction_reopen_after_read_bytes: Some(0),
            cache_capacity_bytes: 32 << 20,
            writer_cache_dossiers: Some(0),
        };
        let text = scale_config(dir, 50999, 50998, false, &knobs).unwrap();
        let config = HubConfig::from_toml("scale.toml", &text).unwrap();
        let loaded = checked(&config).unwrap();
        assert_eq!(
            loaded.sections.hub.store_reopen_after_written_bytes,
            256 << 20
        );
        assert_eq!(loaded.sections.hub.cache_capacity_bytes, 32 << 20);
        assert_eq!(loaded.sections.hub.writer_cache_dossiers, 0);
        assert_eq!(
            loaded.sections.hub.store_compaction_reopen_after_read_bytes,
            0
        );
        let args = parse(&["--scale", "10", "--compaction-reopen-after-read-bytes", "0"]).unwrap();
        assert_eq!(args.compaction_reopen_after_read_bytes, Some(0));
        assert!(
            parse(&["--compaction-reopen-after-read-bytes", "0"]).is_err(),
            "only with --scale"
        );
        let args = parse(&["--scale", "10", "--reopen-after-bytes", "268435456"]).unwrap();
        assert_eq!(args.reopen_after_bytes, Some(256 << 20));
        assert_eq!(args.cache_capacity_bytes, 128 << 20, "the default");
        let args = parse(&["--scale", "10", "--cache-capacity-bytes", "33554432"]).unwrap();
        assert_eq!(args.cache_capacity_bytes, 32 << 20);
        assert!(
            parse(&["--cache-capacity-bytes", "1"]).is_err(),
            "only with --scale or --at-work"
        );
        assert!(parse(&["--writer-cache-dossiers", "0"]).is_err());
        let args = parse(&["--at-work", "/d", "--writer-cache-dossiers", "0"]).unwrap();
        assert_eq!(args.at_work.as_deref(), Some(std::path::Path::new("/d")));
        assert_eq!(
            (args.writer_cache_dossiers, args.at_work_dossiers),
            (Some(0), 20_000)
        );
        let both = parse(&["--at-work", "/d", "--scale", "10"]).unwrap_err();
        assert!(both.to_string().contains("--scale"), "{both}");
        assert!(
            parse(&["--at-work-dossiers", "10"]).is_err(),
            "only with --at-work"
        );
        assert!(parse(&["--at-work-settle-seconds", "10"]).is_err());
        let settled = parse(&["--at-work", "/d", "--at-work-settle-seconds", "20"]).unwrap();
        assert_eq!(settled.at_work_settle_seconds, 20);
        assert!(!args.keep);
        assert!(parse(&["--scale", "10", "--keep"]).unwrap().keep);
        let alone = parse(&["--keep"]).unwrap_err().to_string();
        assert!(alone.contains("--scale"), "{alone}");
        let alone = parse(&["--reopen-after-bytes", "1"])
            .unwrap_err()
            .to_string();
        assert!(alone.contains("--scale"), "{alone}");
    }

    #[test]
    fn the_hubs_store_reopens_are_read_from_its_metrics() {
        let metrics = lienthong::metrics::Metrics::new();
        let scrape = lienthong::metrics::Scrape {
            committed_seq: 0,
            data_directory_bytes: None,
            compactions: Default::default(),
            lags: vec![],
        };
        assert_eq!(parse_reopens(&metrics.encode(&scrape)).count, 0);
        metrics.store_reopened(Duration::from_millis(300));
        metrics.store_reopened(Duration::from_millis(1200));
        let reopens = parse_reopens(&metrics.encode(&scrape));
        assert_eq!(reopens.count, 2);
        assert!((reopens.paused_seconds - 1.5).abs() < 1e-9);
        // Buckets double from 1 ms: 1.2 s is under 2.048 s, not 1.024 s.
        assert_eq!(reopens.longest_under_seconds, Some(2.048));
        let said = reopens.describe();
        assert!(said.starts_with("2 planned store reopens"), "{said}");
    }

    #[test]
    fn proc_status_and_retention_refusals_are_read() {
        let status = "Name:\tlienthong\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        assert_eq!(proc_kib(status, "VmRSS").unwrap(), 100 * 1024 * 1024);
        assert_eq!(proc_kib(status, "VmHWM").unwrap(), 200 * 1024 * 1024);
        assert!(proc_kib(status, "VmSwap").is_err());
        let refused = "events after seq 0 are no longer retained (oldest kept: 5001)";
        assert_eq!(oldest_kept(refused), Some(5001));
        assert_eq!(oldest_kept("unauthenticated"), None);
    }

    #[test]
    fn scale_dossiers_spread_over_agencies_and_procedures() {
        assert_eq!(
            scale_codes(7),
            ("000.00.07.H22".to_string(), "1.000955.H38".to_string())
        );
        assert_eq!(scale_codes(57).0, scale_codes(7).0);
        assert_ne!(scale_codes(8).1, scale_codes(7).1);
    }
}
