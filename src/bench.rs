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
//!
//! With `--amqp-url`, three more measurements against that RabbitMQ (all
//! under the prefix `lt-bench-<pid>`, deleted afterwards):
//!
//! 3. The hub end to end: a second fresh hub, publishing to the broker, with
//!    one extra partner whose events go to its quorum queue. The same gRPC
//!    load; a consumer in this process records when each event (by
//!    `message_id` = the reply's `event_id`) arrives in that queue, and
//!    compares it with when the command's answer arrived.
//! 4. The relay alone: a hub started with the broker on the data directory
//!    of run 2, whose outbox holds every event unpublished; the same
//!    consumer times how fast the relay works off that backlog.
//! 5. Raw lapin: as many persistent messages, as large as the hub's events
//!    were (same properties and headers), published with confirms (the
//!    hub's window, awaited in order) to a quorum queue through the default
//!    exchange — the best the hub's publisher could possibly do.

use crate::config::{HubConfig, PartnerSection, SubscriptionSection};
use crate::grpc::pb::{
    self, command_request::Command as C, dossier_service_client::DossierServiceClient,
};
use anyhow::Context;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::publisher_confirm::{Confirmation, PublisherConfirm};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_stream::StreamExt;
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
                    crate::amqp::redact(url)
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
            a.body_bytes, a.window, a.raw_rate
        );
        println!(
            "| hub with AMQP: acknowledged commands over gRPC | {:.0} commands/s |",
            a.grpc_rate
        );
        println!(
            "| hub end to end: events consumed from the partner queue | {:.0} msgs/s |",
            a.e2e_rate
        );
        println!(
            "| hub end to end / raw lapin | {:.2} |",
            a.e2e_rate / a.raw_rate
        );
        println!(
            "| end-to-end latency (gRPC answer → consumed) p50 / p99 | {:.1} ms / {:.1} ms |",
            ms(a.p50),
            ms(a.p99)
        );
        println!(
            "| queue drained after the last gRPC answer | {:.0} ms |",
            ms(a.drain)
        );
        println!(
            "| events consumed / duplicates (same message_id) | {} / {} |",
            a.consumed, a.duplicates
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
    let load = load(args, running.addr).await?;
    let mut latencies: Vec<Duration> = load.acks.iter().map(|a| a.took).collect();
    latencies.sort();
    // What the hub wrote per command, so that the raw run writes the same.
    let (records, bytes) = running.store.write_stats().totals();
    let commands = latencies.len() as f64;
    running.stop().await?;
    let disk_bytes = dir_size(dir);
    Ok(HubResult {
        rate: commands / load.elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        disk_bytes,
        records_per_command: records as f64 / commands,
        bytes_per_command: bytes as f64 / commands,
    })
}

/// `sorted[q]`, or zero when empty.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 - 1.0) * q) as usize)
        .copied()
        .unwrap_or_default()
}

/// One acknowledged command.
struct Ack {
    event_id: String,
    /// When its answer arrived.
    at: Instant,
    /// How long it waited for that answer.
    took: Duration,
}

struct Load {
    started: Instant,
    elapsed: Duration,
    acks: Vec<Ack>,
}

/// The gRPC workload: `clients` concurrent clients over four connections,
/// `dossiers` dossiers through their whole life.
async fn load(args: &BenchArgs, addr: std::net::SocketAddr) -> anyhow::Result<Load> {
    let endpoint = format!("http://{addr}");
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
    let mut acks = Vec::with_capacity(args.dossiers * LIFE);
    for task in tasks {
        acks.extend(task.await??);
    }
    Ok(Load {
        started,
        elapsed: started.elapsed(),
        acks,
    })
}

async fn drive(
    mut client: DossierServiceClient<Channel>,
    client_no: usize,
    dossiers: usize,
) -> anyhow::Result<Vec<Ack>> {
    let mut acks = Vec::with_capacity(dossiers * LIFE);
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
        let (id, ack) = call(&mut client, key("submit"), None, submit).await?;
        acks.push(ack);
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
            let (_, ack) = call(&mut client, key(step), Some(id), command).await?;
            acks.push(ack);
        }
    }
    Ok(acks)
}

async fn call(
    client: &mut DossierServiceClient<Channel>,
    key: String,
    id: Option<u64>,
    command: C,
) -> anyhow::Result<(u64, Ack)> {
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
    let at = Instant::now();
    Ok((
        reply.dossier.map(|d| d.id).unwrap_or_default(),
        Ack {
            event_id: reply.event_id,
            at,
            took: at - started,
        },
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

/// The partner the AMQP run adds, whose queue receives every event.
const AMQP_PARTNER: &str = "bench-amqp";
/// The benchmark's consumer: unacknowledged deliveries at most, and how
/// often it acknowledges (`multiple`).
const CONSUMER_PREFETCH: u16 = 2048;
const ACK_EVERY: u64 = 256;
/// No event arriving for this long fails the run.
const STALL: Duration = Duration::from_secs(30);

struct AmqpResult {
    raw_rate: f64,
    catch_up_rate: f64,
    window: usize,
    body_bytes: usize,
    grpc_rate: f64,
    e2e_rate: f64,
    p50: Duration,
    p99: Duration,
    drain: Duration,
    consumed: usize,
    duplicates: u64,
}

async fn amqp_connect(url: &str, name: &str) -> anyhow::Result<Connection> {
    let properties = ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio)
        .with_connection_name(name.into());
    Connection::connect(url, properties)
        .await
        .with_context(|| format!("connecting to {}", crate::amqp::redact(url)))
}

fn quorum() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args
}

/// The hub end to end (step 3), the relay on a backlog (step 4), then raw
/// lapin with messages like the hub's events (step 5).
async fn amqp_run(
    args: &BenchArgs,
    dir: &std::path::Path,
    backlog: (&std::path::Path, usize),
    url: &str,
) -> anyhow::Result<AmqpResult> {
    let pid = std::process::id();
    let prefix = format!("lt-bench-{pid}");
    let mut config = HubConfig::embedded_default();
    config.hub.data_dir = dir.to_path_buf();
    config.hub.listen = "127.0.0.1:0".parse()?;
    config.amqp.url = Some(url.to_string());
    config.amqp.prefix = prefix.clone();
    config.partners.push(PartnerSection {
        id: AMQP_PARTNER.into(),
        kind: "postal".into(),
        token: Some("bench-amqp-token-0001".into()),
        token_sha256: None,
        commands: vec![],
        agencies: vec!["*".into()],
        subscription: Some(SubscriptionSection {
            delivery: Some("amqp".into()),
            ..Default::default()
        }),
        adapter: None,
    });
    let names = crate::amqp::Names::new(&prefix);
    let connection = amqp_connect(url, "lienthong-bench").await?;
    // A leftover of an earlier run with the same pid would skew the counts.
    delete_topology(&connection, &names).await?;
    let measured = async {
        let running = crate::app::start(&config).await?;
        let measured = hub_end_to_end(args, &connection, &names, running.addr).await;
        let stopped = running.stop().await;
        let e2e = measured?;
        stopped?;
        config.hub.data_dir = backlog.0.to_path_buf();
        let catch_up = catch_up(&config, &connection, &names, backlog.1).await?;
        anyhow::Ok((e2e, catch_up))
    }
    .await;
    // After the hubs stopped: their publishers would declare everything again.
    let deleted = delete_topology(&connection, &names).await;
    let _ = connection.close(200, "lienthong bench done").await;
    let (e2e, catch_up_rate) = measured?;
    deleted?;

    let window = config.amqp.publish_window_messages;
    let raw_rate = raw_lapin(url, e2e.consumed, window, e2e.body_bytes, e2e.properties).await?;
    Ok(AmqpResult {
        raw_rate,
        catch_up_rate,
        window,
        body_bytes: e2e.body_bytes,
        grpc_rate: e2e.grpc_rate,
        e2e_rate: e2e.rate,
        p50: e2e.p50,
        p99: e2e.p99,
        drain: e2e.drain,
        consumed: e2e.consumed,
        duplicates: e2e.duplicates,
    })
}

/// A hub started on the data directory of the sled-only run, whose outbox
/// holds `events` events no relay has published yet: how fast the relay
/// publishes a backlog, with nothing else running. Messages per second, from
/// the start of the hub to the last event consumed.
async fn catch_up(
    config: &HubConfig,
    connection: &Connection,
    names: &crate::amqp::Names,
    events: usize,
) -> anyhow::Result<f64> {
    let (consuming, target) =
        start_consumer(connection, &names.partner_queue(AMQP_PARTNER)).await?;
    target.send_replace(events);
    let started = Instant::now();
    let running = crate::app::start(config).await?;
    let consumed = consuming.await?;
    let stopped = running.stop().await;
    let consumed = consumed?;
    stopped?;
    let last = consumed
        .arrivals
        .values()
        .max()
        .copied()
        .context("no event consumed")?;
    Ok(consumed.arrivals.len() as f64 / (last - started).as_secs_f64())
}

struct EndToEnd {
    grpc_rate: f64,
    rate: f64,
    p50: Duration,
    p99: Duration,
    drain: Duration,
    consumed: usize,
    duplicates: u64,
    /// Mean body size of the consumed events.
    body_bytes: usize,
    /// The first event's properties (headers included), for the raw run.
    properties: BasicProperties,
}

async fn hub_end_to_end(
    args: &BenchArgs,
    connection: &Connection,
    names: &crate::amqp::Names,
    addr: std::net::SocketAddr,
) -> anyhow::Result<EndToEnd> {
    let queue = names.partner_queue(AMQP_PARTNER);
    let (consuming, target_tx) = start_consumer(connection, &queue).await?;

    let load = match load(args, addr).await {
        Ok(load) => load,
        Err(e) => {
            consuming.abort();
            return Err(e);
        }
    };
    let loaded_at = load.started + load.elapsed;
    target_tx.send_replace(load.acks.len());
    let consumed = consuming.await??;
    drop(target_tx);

    let mut latencies = Vec::with_capacity(load.acks.len());
    let mut missing = 0usize;
    for ack in &load.acks {
        match consumed.arrivals.get(&ack.event_id) {
            Some(arrived) => latencies.push(arrived.saturating_duration_since(ack.at)),
            None => missing += 1,
        }
    }
    if missing > 0 {
        anyhow::bail!(
            "{missing} of {} acknowledged events never reached `{queue}`",
            load.acks.len()
        );
    }
    latencies.sort();
    let last = consumed
        .arrivals
        .values()
        .max()
        .copied()
        .context("no event consumed")?;
    let count = consumed.arrivals.len();
    Ok(EndToEnd {
        grpc_rate: load.acks.len() as f64 / load.elapsed.as_secs_f64(),
        rate: count as f64 / (last - load.started).as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        drain: last.saturating_duration_since(loaded_at),
        consumed: count,
        duplicates: consumed.duplicates,
        body_bytes: (consumed.body_bytes / count.max(1) as u64) as usize,
        properties: consumed.properties.context("no event consumed")?,
    })
}

/// Declares `queue` as the hub's topology declares it (the hub's own
/// declaration is then a no-op) and consumes it until the target number of
/// distinct events arrived; the hub binds it before it publishes anything.
async fn start_consumer(
    connection: &Connection,
    queue: &str,
) -> anyhow::Result<(
    tokio::task::JoinHandle<anyhow::Result<Consumed>>,
    watch::Sender<usize>,
)> {
    let channel = connection.create_channel().await?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .queue_declare(queue, durable, quorum())
        .await
        .with_context(|| format!("declaring `{queue}`"))?;
    channel
        .basic_qos(CONSUMER_PREFETCH, BasicQosOptions::default())
        .await?;
    let consumer = channel
        .basic_consume(
            queue,
            "lienthong-bench",
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let (target_tx, target_rx) = watch::channel(usize::MAX);
    Ok((
        tokio::spawn(consume(channel, consumer, target_rx)),
        target_tx,
    ))
}

struct Consumed {
    /// First arrival of each `message_id`.
    arrivals: HashMap<String, Instant>,
    duplicates: u64,
    body_bytes: u64,
    properties: Option<BasicProperties>,
}

/// Records every delivery until `target` distinct events arrived.
async fn consume(
    channel: lapin::Channel,
    mut consumer: lapin::Consumer,
    mut target: watch::Receiver<usize>,
) -> anyhow::Result<Consumed> {
    let mut seen = Consumed {
        arrivals: HashMap::new(),
        duplicates: 0,
        body_bytes: 0,
        properties: None,
    };
    let mut last_tag = 0;
    let mut unacked = 0u64;
    while seen.arrivals.len() < *target.borrow_and_update() {
        let next = tokio::select! {
            next = tokio::time::timeout(STALL, consumer.next()) => next,
            changed = target.changed() => {
                if changed.is_err() {
                    anyhow::bail!("nobody waits for the consumer any more");
                }
                continue;
            }
        };
        let delivery = match next {
            Ok(Some(delivery)) => delivery?,
            Ok(None) => anyhow::bail!("the broker ended the consumer"),
            Err(_) => anyhow::bail!(
                "no event for {STALL:?} after {} distinct events",
                seen.arrivals.len()
            ),
        };
        let arrived = Instant::now();
        let id = delivery
            .properties
            .message_id()
            .as_ref()
            .map(|id| id.as_str().to_string())
            .context("an event without message_id")?;
        if seen.arrivals.insert(id, arrived).is_some() {
            seen.duplicates += 1;
        }
        seen.body_bytes += delivery.data.len() as u64;
        if seen.properties.is_none() {
            seen.properties = Some(delivery.properties.clone());
        }
        last_tag = delivery.delivery_tag;
        unacked += 1;
        if unacked >= ACK_EVERY {
            channel
                .basic_ack(last_tag, BasicAckOptions { multiple: true })
                .await?;
            unacked = 0;
        }
    }
    if unacked > 0 {
        channel
            .basic_ack(last_tag, BasicAckOptions { multiple: true })
            .await?;
    }
    let _ = channel.close(200, "consumed").await;
    Ok(seen)
}

/// Deletes everything the hub declared under this prefix (idempotent).
async fn delete_topology(
    connection: &Connection,
    names: &crate::amqp::Names,
) -> anyhow::Result<()> {
    let channel = connection.create_channel().await?;
    for queue in [
        names.partner_queue(AMQP_PARTNER),
        names.commands_queue.clone(),
        names.parked.clone(),
    ] {
        channel
            .queue_delete(&queue, QueueDeleteOptions::default())
            .await
            .with_context(|| format!("deleting the queue `{queue}`"))?;
    }
    for exchange in [&names.events, &names.commands_exchange, &names.dead_letters] {
        channel
            .exchange_delete(exchange, ExchangeDeleteOptions::default())
            .await
            .with_context(|| format!("deleting the exchange `{exchange}`"))?;
    }
    let _ = channel.close(200, "deleted").await;
    Ok(())
}

/// Raw lapin: `count` persistent messages of `body_bytes` with `properties`
/// to a fresh durable quorum queue through the default exchange, with
/// confirms, `window` in flight, awaited in order. Messages per second.
async fn raw_lapin(
    url: &str,
    count: usize,
    window: usize,
    body_bytes: usize,
    properties: BasicProperties,
) -> anyhow::Result<f64> {
    let connection = amqp_connect(url, "lienthong-bench-raw").await?;
    let queue = format!("lt-bench-raw-{}", std::process::id());
    let channel = connection.create_channel().await?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .queue_declare(&queue, durable, quorum())
        .await
        .with_context(|| format!("declaring `{queue}`"))?;
    let measured = async {
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let body = vec![b'x'; body_bytes];
        let properties = properties.with_delivery_mode(2);
        let mut in_flight: VecDeque<PublisherConfirm> = VecDeque::with_capacity(window);
        let started = Instant::now();
        for _ in 0..count {
            if in_flight.len() >= window {
                if let Some(confirm) = in_flight.pop_front() {
                    confirmed(confirm).await?;
                }
            }
            let confirm = channel
                .basic_publish(
                    "",
                    &queue,
                    BasicPublishOptions::default(),
                    &body,
                    properties.clone(),
                )
                .await?;
            in_flight.push_back(confirm);
        }
        while let Some(confirm) = in_flight.pop_front() {
            confirmed(confirm).await?;
        }
        anyhow::Ok(count as f64 / started.elapsed().as_secs_f64())
    }
    .await;
    let deleted = channel
        .queue_delete(&queue, QueueDeleteOptions::default())
        .await;
    let _ = connection.close(200, "lienthong bench done").await;
    let rate = measured?;
    deleted.with_context(|| format!("deleting `{queue}`"))?;
    Ok(rate)
}

async fn confirmed(confirm: PublisherConfirm) -> anyhow::Result<()> {
    match tokio::time::timeout(STALL, confirm)
        .await
        .context("no confirm")??
    {
        Confirmation::Ack(None) => Ok(()),
        Confirmation::Ack(Some(returned)) => {
            anyhow::bail!("a message was returned: {}", returned.reply_text)
        }
        Confirmation::Nack(_) => anyhow::bail!("the broker nacked a message"),
        Confirmation::NotRequested => anyhow::bail!("confirms are not enabled"),
    }
}
