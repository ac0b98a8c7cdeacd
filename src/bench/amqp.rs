//! The AMQP side (`--amqp-url`): the hub end to end through RabbitMQ, the
//! relay alone on a backlog, and raw lapin publish-with-confirm beside them.

#[allow(unused_imports)]
use super::*;

/// The partner the AMQP run adds, whose queue receives every event.
pub(super) const AMQP_PARTNER: &str = "bench-amqp";
/// The benchmark's consumer: unacknowledged deliveries at most, and how
/// often it acknowledges (`multiple`).
pub(super) const CONSUMER_PREFETCH: u16 = 2048;
pub(super) const ACK_EVERY: u64 = 256;
/// No event arriving for this long fails the run.
pub(super) const STALL: Duration = Duration::from_secs(30);

pub(super) struct AmqpResult {
    /// Raw lapin, consumed: first to last arrival.
    pub(super) raw_rate: f64,
    /// The relay on a backlog, consumed: first to last arrival.
    pub(super) catch_up_rate: f64,
    /// `--relay-pairs` more (relay, raw lapin) rates, run back to back.
    pub(super) pairs: Vec<(f64, f64)>,
    pub(super) window: usize,
    pub(super) e2e: EndToEnd,
    /// The minimal pipeline of the same shape (`minimal.rs` with a publisher).
    pub(super) minimal: EndToEnd,
    /// The four loads' processor time, this process's and the broker's.
    pub(super) cpu: broker_cpu::AmqpCpu,
}

pub(super) fn quorum() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args
}

/// On stderr, when a part of the AMQP measurement begins, in seconds since
/// the Unix epoch: a profile taken with `perf record -k realtime` can then
/// be cut to one part (`perf report --time START,END`).
fn phase(name: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    eprintln!("bench: {name} from {:.6}", now.as_secs_f64());
}

/// The hub end to end, the relay on a backlog, the minimal pipeline end to
/// end, then raw lapin with messages like the hub's events.
pub(super) async fn amqp_run(
    args: &BenchArgs,
    dir: &std::path::Path,
    backlog: (&std::path::Path, usize),
    url: &str,
    shape: Shape,
) -> anyhow::Result<AmqpResult> {
    let pid = std::process::id();
    let prefix = format!("lt-bench-{pid}");
    let mut config = hub_config(dir)?;
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
        client_certificate: None,
    });
    let names = lienthong::amqp::Names::new(&prefix);
    let broker = broker_cpu::find_broker(url);
    let connection = lienthong::amqp::connect(url, "lienthong-bench").await?;
    // A leftover of an earlier run with the same pid would skew the counts.
    delete_topology(&connection, &names).await?;
    // The relay's backlog, copied before any relay publishes from it, for
    // the pairs run after the measurement.
    let window = config.amqp.publish_window_messages;
    let copies = (0..args.relay_pairs)
        .map(|k| {
            let copy = backlog.0.with_file_name(format!("backlog-copy-{k}"));
            copy_dir(backlog.0, &copy)?;
            anyhow::Ok(copy)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let measured = async {
        phase("the hub end to end");
        let loaded = checked(&config)?;
        let running = lienthong::app::start(&loaded).await?;
        let measured = hub_end_to_end(args, &connection, &names, running.addr, &broker).await;
        let stopped = running.stop().await;
        let e2e = measured?;
        stopped?;
        config.hub.data_dir = backlog.0.to_path_buf();
        phase("the relay on a backlog");
        let relayed = catch_up(&config, &connection, &names, backlog.1, &broker).await?;
        let mut pairs = Vec::new();
        for (k, copy) in copies.iter().enumerate() {
            phase(&format!("pair {} of the relay and raw lapin", k + 1));
            config.hub.data_dir = copy.clone();
            let (relay, _) = catch_up(&config, &connection, &names, backlog.1, &broker).await?;
            let (raw, _) = raw_lapin(url, &e2e, window, &broker).await?;
            pairs.push((relay, raw));
        }
        anyhow::Ok((e2e, relayed, pairs))
    }
    .await;
    // After the hubs stopped: their publishers would declare everything again.
    let deleted = delete_topology(&connection, &names).await;
    let _ = connection.close(200, "lienthong bench done").await;
    for copy in &copies {
        let _ = std::fs::remove_dir_all(copy);
    }
    let (e2e, (catch_up_rate, catch_up_cpu), pairs) = measured?;
    deleted?;

    let minimal_dir = dir.with_file_name("minimal-amqp");
    phase("the minimal pipeline end to end");
    let minimal = minimal_end_to_end(args, &minimal_dir, shape, url, &e2e, window, &broker).await?;
    phase("raw lapin");
    let (raw_rate, raw_cpu) = raw_lapin(url, &e2e, window, &broker).await?;
    phase("done");
    let cpu = broker_cpu::AmqpCpu {
        e2e: e2e.cpu.clone(),
        minimal: minimal.cpu.clone(),
        catch_up: catch_up_cpu,
        raw: raw_cpu,
        broker,
    };
    Ok(AmqpResult {
        raw_rate,
        catch_up_rate,
        pairs,
        window,
        e2e,
        minimal,
        cpu,
    })
}

/// A hub started on the data directory of the sled-only run, whose outbox
/// holds `events` events no relay has published yet: how fast the relay
/// publishes a backlog, with nothing else running. Messages per second, from
/// the first event consumed to the last (the hub's start, its store's
/// opening and its connection are not the relay's rate; raw lapin is
/// timed the same way), and the processor time over that span.
pub(super) async fn catch_up(
    config: &HubConfig,
    connection: &Connection,
    names: &lienthong::amqp::Names,
    events: usize,
    broker: &broker_cpu::Broker,
) -> anyhow::Result<(f64, broker_cpu::Spent)> {
    let queue = names.partner_queue(AMQP_PARTNER);
    let (consuming, target) = start_consumer(connection, &queue, Some(broker)).await?;
    let loaded = checked(config)?;
    target.send_replace(events);
    let running = lienthong::app::start(&loaded).await?;
    let consumed = consuming.await?;
    let stopped = running.stop().await;
    let consumed = consumed?;
    stopped?;
    Ok((consumed.steady_rate()?, consumed.steady_cpu(broker)?))
}

pub(super) struct EndToEnd {
    pub(super) grpc_rate: f64,
    pub(super) rate: f64,
    pub(super) p50: Duration,
    pub(super) p99: Duration,
    pub(super) drain: Duration,
    pub(super) consumed: usize,
    pub(super) duplicates: u64,
    /// Mean body size of the consumed events.
    pub(super) body_bytes: usize,
    /// The first event's properties (headers included), for the raw run.
    pub(super) properties: BasicProperties,
    /// Processor time from the load's start to the last event consumed.
    pub(super) cpu: broker_cpu::Spent,
}

pub(super) async fn hub_end_to_end(
    args: &BenchArgs,
    connection: &Connection,
    names: &lienthong::amqp::Names,
    addr: std::net::SocketAddr,
    broker: &broker_cpu::Broker,
) -> anyhow::Result<EndToEnd> {
    let queue = names.partner_queue(AMQP_PARTNER);
    let (consuming, target_tx) = start_consumer(connection, &queue, Some(broker)).await?;

    // Taken before the load's four connections open: a few milliseconds
    // of a run of seconds.
    let cpu_before = broker_cpu::sample(broker);
    let load = match load(args, addr).await {
        Ok(load) => load,
        Err(e) => {
            consuming.abort();
            return Err(e);
        }
    };
    target_tx.send_replace(load.acks.len());
    let consumed = consuming.await??;
    drop(target_tx);
    summarize(&load, consumed, &queue, broker, &cpu_before)
}

/// Each acknowledged command's event matched with its arrival, and the
/// processor time from `cpu_before` to the last arrival.
pub(super) fn summarize(
    load: &Load,
    consumed: Consumed,
    queue: &str,
    broker: &broker_cpu::Broker,
    cpu_before: &broker_cpu::Sample,
) -> anyhow::Result<EndToEnd> {
    let loaded_at = load.started + load.elapsed;
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
    let last = consumed.last_arrival()?;
    let count = consumed.arrivals.len();
    let cpu_after = consumed
        .cpu_last
        .as_ref()
        .context("no CPU sample at the last arrival")?;
    Ok(EndToEnd {
        cpu: broker_cpu::spent(broker, cpu_before, cpu_after, count),
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

/// The minimal pipeline of the hub's shape, end to end: gRPC → sled group
/// commit → lapin publish with confirms (the hub's window) to a topic
/// exchange → quorum queue → this process's consumer. The same load, the
/// events as large and with the same properties as the hub's.
pub(super) async fn minimal_end_to_end(
    args: &BenchArgs,
    dir: &std::path::Path,
    shape: Shape,
    url: &str,
    hub: &EndToEnd,
    window: usize,
    broker: &broker_cpu::Broker,
) -> anyhow::Result<EndToEnd> {
    let name = format!("lt-bench-{}-minimal", std::process::id());
    let connection = lienthong::amqp::connect(url, "lienthong-bench-minimal").await?;
    let queue = declare_pipe(&connection, &name).await?;
    // The consumer on a connection of its own, as with the hub (whose
    // publisher has its own connection).
    let consuming_on = lienthong::amqp::connect(url, "lienthong-bench-consumer").await?;
    let measured = async {
        let (consuming, target) = start_consumer(&consuming_on, &queue, Some(broker)).await?;
        let (committed, to_publish) = tokio::sync::mpsc::channel(65_536);
        let publisher = tokio::spawn(publish_committed(
            connection.create_channel().await?,
            name.clone(),
            to_publish,
            vec![b'x'; hub.body_bytes],
            hub.properties.clone().with_delivery_mode(2),
            window,
        ));
        let server = MinimalServer::start(dir, shape, Some(committed)).await?;
        let cpu_before = broker_cpu::sample(broker);
        let load = match load(args, server.addr).await {
            Ok(load) => load,
            Err(e) => {
                consuming.abort();
                return Err(e);
            }
        };
        target.send_replace(load.acks.len());
        let consumed = consuming.await??;
        drop(target);
        server.stop().await?;
        publisher.await??;
        summarize(&load, consumed, &queue, broker, &cpu_before)
    }
    .await;
    let deleted = delete_pipe(&connection, &name).await;
    let _ = consuming_on.close(200, "lienthong bench done").await;
    let _ = connection.close(200, "lienthong bench done").await;
    let measured = measured?;
    deleted?;
    Ok(measured)
}

/// The minimal pipeline's publisher: each committed event, in commit order,
/// with confirms awaited in order, `window` in flight.
async fn publish_committed(
    channel: lapin::Channel,
    exchange: String,
    mut committed: tokio::sync::mpsc::Receiver<Committed>,
    body: Vec<u8>,
    properties: BasicProperties,
    window: usize,
) -> anyhow::Result<()> {
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let mut in_flight: VecDeque<PublisherConfirm> = VecDeque::with_capacity(window);
    while let Some(event) = committed.recv().await {
        if in_flight.len() >= window {
            if let Some(confirm) = in_flight.pop_front() {
                confirmed(confirm).await?;
            }
        }
        let confirm = channel
            .basic_publish(
                &exchange,
                "bench.event",
                MANDATORY,
                &body,
                properties.clone().with_message_id(event.event_id.into()),
            )
            .await?;
        in_flight.push_back(confirm);
    }
    while let Some(confirm) = in_flight.pop_front() {
        confirmed(confirm).await?;
    }
    let _ = channel.close(200, "published").await;
    Ok(())
}

/// Mandatory, as the hub publishes an event a partner's queue must receive.
const MANDATORY: BasicPublishOptions = BasicPublishOptions {
    mandatory: true,
    immediate: false,
};

/// A durable topic exchange `name` bound (`#`) to the durable quorum queue
/// `name` — the hub's events exchange and a partner queue, in small.
/// Returns the queue's name.
pub(super) async fn declare_pipe(connection: &Connection, name: &str) -> anyhow::Result<String> {
    let channel = connection.create_channel().await?;
    channel
        .exchange_declare(
            name,
            lapin::ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .with_context(|| format!("declaring the exchange `{name}`"))?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .queue_declare(name, durable, quorum())
        .await
        .with_context(|| format!("declaring `{name}`"))?;
    channel
        .queue_bind(
            name,
            name,
            "#",
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .with_context(|| format!("binding `{name}`"))?;
    let _ = channel.close(200, "declared").await;
    Ok(name.to_string())
}

pub(super) async fn delete_pipe(connection: &Connection, name: &str) -> anyhow::Result<()> {
    let channel = connection.create_channel().await?;
    channel
        .queue_delete(name, QueueDeleteOptions::default())
        .await
        .with_context(|| format!("deleting the queue `{name}`"))?;
    channel
        .exchange_delete(name, ExchangeDeleteOptions::default())
        .await
        .with_context(|| format!("deleting the exchange `{name}`"))?;
    let _ = channel.close(200, "deleted").await;
    Ok(())
}

/// Declares `queue` as the hub's topology declares it (the hub's own
/// declaration is then a no-op) and consumes it until the target number of
/// distinct events arrived; the hub binds it before it publishes anything.
/// With `broker`, processor time is sampled at the first arrival and after
/// the last (`broker_cpu.rs`).
pub(super) async fn start_consumer(
    connection: &Connection,
    queue: &str,
    broker: Option<&broker_cpu::Broker>,
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
        tokio::spawn(consume(channel, consumer, target_rx, broker.cloned())),
        target_tx,
    ))
}

pub(super) struct Consumed {
    /// First arrival of each `message_id`.
    pub(super) arrivals: HashMap<String, Instant>,
    pub(super) duplicates: u64,
    pub(super) body_bytes: u64,
    pub(super) properties: Option<BasicProperties>,
    /// Processor time at the first arrival and after the last (with a broker).
    pub(super) cpu_first: Option<broker_cpu::Sample>,
    pub(super) cpu_last: Option<broker_cpu::Sample>,
}

impl Consumed {
    /// The processor time from the first arrival to the last, per event
    /// after the first (as `steady_rate` counts them).
    pub(super) fn steady_cpu(
        &self,
        broker: &broker_cpu::Broker,
    ) -> anyhow::Result<broker_cpu::Spent> {
        let first = self
            .cpu_first
            .as_ref()
            .context("no CPU sample at the first arrival")?;
        let last = self
            .cpu_last
            .as_ref()
            .context("no CPU sample at the last arrival")?;
        Ok(broker_cpu::spent(
            broker,
            first,
            last,
            self.arrivals.len().saturating_sub(1),
        ))
    }

    /// Distinct events per second from the first arrival to the last.
    pub(super) fn steady_rate(&self) -> anyhow::Result<f64> {
        let first = self.arrivals.values().min().copied();
        let span = self.last_arrival()? - first.context("no event consumed")?;
        Ok((self.arrivals.len().saturating_sub(1)) as f64 / span.as_secs_f64().max(1e-9))
    }

    /// When the last distinct event arrived.
    pub(super) fn last_arrival(&self) -> anyhow::Result<Instant> {
        self.arrivals
            .values()
            .max()
            .copied()
            .context("no event consumed")
    }
}

/// Records every delivery until `target` distinct events arrived.
pub(super) async fn consume(
    channel: lapin::Channel,
    mut consumer: lapin::Consumer,
    mut target: watch::Receiver<usize>,
    broker: Option<broker_cpu::Broker>,
) -> anyhow::Result<Consumed> {
    let mut seen = Consumed {
        arrivals: HashMap::new(),
        duplicates: 0,
        body_bytes: 0,
        properties: None,
        cpu_first: None,
        cpu_last: None,
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
        if let (Some(broker), None) = (&broker, &seen.cpu_first) {
            seen.cpu_first = Some(broker_cpu::sample(broker));
        }
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
    seen.cpu_last = broker.as_ref().map(broker_cpu::sample);
    if unacked > 0 {
        channel
            .basic_ack(last_tag, BasicAckOptions { multiple: true })
            .await?;
    }
    let _ = channel.close(200, "consumed").await;
    Ok(seen)
}

/// Deletes everything the hub declared under this prefix (idempotent).
pub(super) async fn delete_topology(
    connection: &Connection,
    names: &lienthong::amqp::Names,
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

/// Raw lapin: as many persistent messages as the hub run consumed, as large
/// and with the same properties, through a topic exchange to a fresh durable
/// quorum queue (`declare_pipe`), with confirms, `window` in flight, awaited
/// in order, and consumed by the same consumer as the hub's events. Messages
/// per second from the first consumed to the last, as the relay's catch-up,
/// and the processor time over that span.
pub(super) async fn raw_lapin(
    url: &str,
    hub: &EndToEnd,
    window: usize,
    broker: &broker_cpu::Broker,
) -> anyhow::Result<(f64, broker_cpu::Spent)> {
    let (count, body_bytes) = (hub.consumed, hub.body_bytes);
    let properties = hub.properties.clone();
    let connection = lienthong::amqp::connect(url, "lienthong-bench-raw").await?;
    let name = format!("lt-bench-raw-{}", std::process::id());
    let queue = declare_pipe(&connection, &name).await?;
    // The consumer on a connection of its own, as with the relay.
    let consuming_on = lienthong::amqp::connect(url, "lienthong-bench-consumer").await?;
    let measured = async {
        let (consuming, target) = start_consumer(&consuming_on, &queue, Some(broker)).await?;
        target.send_replace(count);
        let channel = connection.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let body = vec![b'x'; body_bytes];
        let properties = properties.with_delivery_mode(2);
        let mut in_flight: VecDeque<PublisherConfirm> = VecDeque::with_capacity(window);
        for n in 0..count {
            if in_flight.len() >= window {
                if let Some(confirm) = in_flight.pop_front() {
                    confirmed(confirm).await?;
                }
            }
            let confirm = channel
                .basic_publish(
                    &name,
                    "bench.event",
                    MANDATORY,
                    &body,
                    properties
                        .clone()
                        .with_message_id(format!("raw-{n}").into()),
                )
                .await?;
            in_flight.push_back(confirm);
        }
        while let Some(confirm) = in_flight.pop_front() {
            confirmed(confirm).await?;
        }
        let _ = channel.close(200, "published").await;
        let consumed = consuming.await??;
        anyhow::Ok((consumed.steady_rate()?, consumed.steady_cpu(broker)?))
    }
    .await;
    let deleted = delete_pipe(&connection, &name).await;
    let _ = consuming_on.close(200, "lienthong bench done").await;
    let _ = connection.close(200, "lienthong bench done").await;
    let measured = measured?;
    deleted?;
    Ok(measured)
}

pub(super) async fn confirmed(confirm: PublisherConfirm) -> anyhow::Result<()> {
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

/// Copies the directory `from` (a closed sled directory: files and
/// subdirectories) to `to`.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}
