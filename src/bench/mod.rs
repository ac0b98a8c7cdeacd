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
//! 3. The bulk stream: a second fresh hub, the same dossier lives sent on
//!    `--streams` `ExecuteStream` streams (`stream.rs`).
//!
//! With `--amqp-url`, three more measurements against that RabbitMQ (all
//! under the prefix `lt-bench-<pid>`, deleted afterwards):
//!
//! 4. The hub end to end: another fresh hub, publishing to the broker, with
//!    one extra partner whose events go to its quorum queue. The same gRPC
//!    load; a consumer in this process records when each event (by
//!    `message_id` = the reply's `event_id`) arrives in that queue, and
//!    compares it with when the command's answer arrived.
//! 5. The relay alone: a hub started with the broker on the data directory
//!    of run 2, whose outbox holds every event unpublished; the same
//!    consumer times how fast the relay works off that backlog.
//! 6. Raw lapin: as many persistent messages, as large as the hub's events
//!    were (same properties and headers), published with confirms (the
//!    hub's window, awaited in order) to a quorum queue through the default
//!    exchange — the best the hub's publisher could possibly do.

use anyhow::Context;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
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
mod raw_sled;
mod stream;
mod workload;

use amqp::*;
use raw_sled::*;
use stream::*;
use workload::*;

#[derive(clap::Args, Debug, Clone)]
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
    /// (`amqp://user:password@host:5672/vhost`), and raw lapin beside it.
    #[arg(long)]
    pub amqp_url: Option<String>,
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
    println!(
        "lienthong bench: {} clients, {} dossiers x {LIFE} commands, {} cores",
        args.clients,
        args.dossiers,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let hub = hub_run(&args, &base.join("hub")).await?;
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
            let measured = amqp_run(&args, &base.join("hub-amqp"), backlog, url).await;
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
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| raw sled group commit ({} per flush, same records) | {:.0} commands/s |",
        args.raw_group, raw
    );
    println!(
        "| hub: acknowledged commands over gRPC | {:.0} commands/s |",
        hub.rate
    );
    println!("| hub / raw sled | {:.2} |", hub.rate / raw);
    println!(
        "| bulk stream: acknowledged commands over {} ExecuteStream streams ({} commands) | {:.0} commands/s |",
        args.streams.max(1),
        stream.commands,
        stream.rate
    );
    println!("| bulk stream / raw sled | {:.2} |", stream.rate / raw);
    println!(
        "| acknowledgement latency p50 / p99 | {:.1} ms / {:.1} ms |",
        ms(hub.p50),
        ms(hub.p99)
    );
    println!(
        "| disk used per dossier (data directory / dossiers) | {:.0} bytes |",
        hub.disk_bytes as f64 / args.dossiers as f64
    );
    println!(
        "| records / bytes written per command (before sled overhead) | {:.1} / {:.0} |",
        hub.records_per_command, hub.bytes_per_command
    );
    if let Some(a) = amqp {
        println!(
            "| raw lapin: persistent {}-byte messages, confirms ({} in flight), quorum queue | {:.0} msgs/s |",
            a.e2e.body_bytes, a.window, a.raw_rate
        );
        println!(
            "| hub with AMQP: acknowledged commands over gRPC | {:.0} commands/s |",
            a.e2e.grpc_rate
        );
        println!(
            "| hub end to end: events consumed from the partner queue | {:.0} msgs/s |",
            a.e2e.rate
        );
        println!(
            "| hub end to end / raw lapin | {:.2} |",
            a.e2e.rate / a.raw_rate
        );
        println!(
            "| end-to-end latency (gRPC answer → consumed) p50 / p99 | {:.1} ms / {:.1} ms |",
            ms(a.e2e.p50),
            ms(a.e2e.p99)
        );
        println!(
            "| queue drained after the last gRPC answer | {:.0} ms |",
            ms(a.e2e.drain)
        );
        println!(
            "| events consumed / duplicates (same message_id) | {} / {} |",
            a.e2e.consumed, a.e2e.duplicates
        );
        println!(
            "| relay catching up on a backlog of {} events, consumed | {:.0} msgs/s |",
            args.dossiers * LIFE,
            a.catch_up_rate
        );
        println!(
            "| relay catch-up / raw lapin | {:.2} |",
            a.catch_up_rate / a.raw_rate
        );
    }
    Ok(())
}

/// The embedded configuration on `dir`, on a free loopback port, without
/// pages: the benchmark measures the hub's command path.
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
