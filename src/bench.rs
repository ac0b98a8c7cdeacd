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

use crate::config::HubConfig;
use crate::grpc::pb::{
    self, command_request::Command as C, dossier_service_client::DossierServiceClient,
};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Concurrent gRPC clients.
    #[arg(long, default_value_t = 128)]
    pub clients: usize,
    /// Dossiers driven through their whole life (5 commands each).
    #[arg(long, default_value_t = 4000)]
    pub dossiers: usize,
    /// Commands per group in the raw sled measurement.
    #[arg(long, default_value_t = 100)]
    pub raw_group: usize,
    /// Where to put the temporary data directories (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
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
    let raw = raw_sled(
        &base.join("raw"),
        args.dossiers * LIFE,
        args.raw_group,
        hub.records_per_command,
        hub.bytes_per_command,
    )?;
    let _ = std::fs::remove_dir_all(&base);

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
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct HubResult {
    rate: f64,
    p50: Duration,
    p99: Duration,
    disk_bytes: u64,
    records_per_command: f64,
    bytes_per_command: f64,
}

async fn hub_run(args: &BenchArgs, dir: &std::path::Path) -> anyhow::Result<HubResult> {
    let mut config = HubConfig::embedded_default();
    config.hub.data_dir = dir.to_path_buf();
    config.hub.listen = "127.0.0.1:0".parse()?;
    let running = crate::app::start(&config).await?;
    let endpoint = format!("http://{}", running.addr);
    let mut channels = Vec::new();
    for _ in 0..4 {
        channels.push(Channel::from_shared(endpoint.clone())?.connect().await?);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let client = DossierServiceClient::new(channels[c % channels.len()].clone());
        let share = args.dossiers / args.clients + usize::from(c < args.dossiers % args.clients);
        tasks.push(tokio::spawn(drive(client, c, share)));
    }
    let mut latencies = Vec::with_capacity(args.dossiers * LIFE);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    // What the hub wrote per command, so that the raw run writes the same.
    let (records, bytes) = running.store.write_stats().totals();
    let commands = latencies.len() as f64;
    running.stop().await?;
    let disk_bytes = dir_size(dir);
    Ok(HubResult {
        rate: commands / elapsed.as_secs_f64(),
        p50: pick(0.50),
        p99: pick(0.99),
        disk_bytes,
        records_per_command: records as f64 / commands,
        bytes_per_command: bytes as f64 / commands,
    })
}

async fn drive(
    mut client: DossierServiceClient<Channel>,
    client_no: usize,
    dossiers: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(dossiers * LIFE);
    let due = prost_types::Timestamp {
        seconds: (crate::domain::UnixMillis::now().0 / 1000) + 7 * 86_400,
        nanos: 0,
    };
    for n in 0..dossiers {
        let key = |step: &str| format!("bench-{client_no}-{n}-{step}");
        let submit = C::Submit(pb::SubmitDossier {
            agency_code: format!("000.00.{:02}.H22", client_no % 50),
            procedure_code: "1.000948.H38".into(),
            procedure_name: "Cấp giấy phép xây dựng".into(),
            channel: pb::SubmissionChannel::Online as i32,
            owner_name: "Nguyễn Văn An".into(),
            applicant_type: pb::ApplicantType::Citizen as i32,
            owner_id_number: "001099012345".into(),
            email: "an.nguyen@example.vn".into(),
            phone: "0912345678".into(),
            summary: "Đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
            documents: vec![pb::Document {
                component_code: "TP1".into(),
                name: "Đơn đề nghị".into(),
                url: "https://files.example.vn/a.pdf".into(),
            }],
            fees: vec![pb::Fee {
                code: "LP1".into(),
                name: "Lệ phí".into(),
                amount_vnd: 75_000,
            }],
            ..Default::default()
        });
        let (id, took) = call(&mut client, key("submit"), None, submit).await?;
        latencies.push(took);
        let steps = [
            (
                "receive",
                C::Receive(pb::ReceiveDossier { due_at: Some(due) }),
            ),
            (
                "start",
                C::StartProcessing(pb::StartProcessing {
                    processing_unit: "Phòng Quản lý đô thị".into(),
                }),
            ),
            (
                "finish",
                C::Finish(pb::FinishProcessing {
                    results: vec![pb::ResultDocument {
                        code: "KQ1".into(),
                        name: "Giấy phép".into(),
                        url: "https://files.example.vn/kq.pdf".into(),
                    }],
                }),
            ),
            (
                "return",
                C::ReturnResult(pb::ReturnResult {
                    delivery: pb::ResultDelivery::AtCounter as i32,
                }),
            ),
        ];
        for (step, command) in steps {
            let (_, took) = call(&mut client, key(step), Some(id), command).await?;
            latencies.push(took);
        }
    }
    Ok(latencies)
}

async fn call(
    client: &mut DossierServiceClient<Channel>,
    key: String,
    id: Option<u64>,
    command: C,
) -> anyhow::Result<(u64, Duration)> {
    let mut request = tonic::Request::new(pb::CommandRequest {
        idempotency_key: key,
        dossier: id.map(|id| pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::Id(id)),
        }),
        actor: "bench".into(),
        unit: "Bộ phận một cửa".into(),
        command: Some(command),
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse()?);
    let started = Instant::now();
    let reply = client.execute(request).await?.into_inner();
    Ok((
        reply.dossier.map(|d| d.id).unwrap_or_default(),
        started.elapsed(),
    ))
}

/// Raw sled: `commands` commands' worth of records (as many and as large as
/// the hub stored per command) in groups of `group`, one batch + flush each.
fn raw_sled(
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

fn dir_size(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => total += dir_size(&entry.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}
