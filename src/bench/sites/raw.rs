//! The raw shovel beside the inter-site transfer: the very messages the
//! hubs' shovel delivered (bytes and properties, kept by a tap queue bound
//! beside the receiving hub's inbound queue), published with confirms into
//! a quorum queue on the sending vhost, moved by a shovel declared as the
//! hub declares its own (`on-confirm`, into a direct exchange on the other
//! vhost with the site's routing key), consumed from a quorum queue there.

#[allow(unused_imports)]
use super::super::*;
use super::{Captured, Measured, WINDOW};
use crate::demo::sites::Broker;

const SHOVEL: &str = "lt-bench-raw";
const SOURCE: &str = "lt-bench-raw.src";
const EXCHANGE: &str = "lt-bench-raw";
const DESTINATION: &str = "lt-bench-raw.dest";
const TAP: &str = "lt-bench-tap";

/// A non-durable queue (so it writes nothing to disk) bound to the
/// receiving hub's site exchange with the sending site's key: a copy of
/// every message the shovel delivers there.
pub(in crate::bench) struct Tap {
    connection: Connection,
    channel: lapin::Channel,
}

impl Tap {
    pub(in crate::bench) async fn bind(url: &str, key: &str) -> anyhow::Result<Tap> {
        let connection = lienthong::amqp::connect(url, "lienthong-bench-tap").await?;
        let channel = connection.create_channel().await?;
        channel
            .queue_declare(TAP, QueueDeclareOptions::default(), FieldTable::default())
            .await?;
        channel
            .queue_bind(
                TAP,
                "lienthong.sites",
                key,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
        Ok(Tap {
            connection,
            channel,
        })
    }

    /// The first `count` messages, in the order delivered.
    pub(in crate::bench) async fn take(self, count: usize) -> anyhow::Result<Vec<Captured>> {
        self.channel
            .basic_qos(CONSUMER_PREFETCH, BasicQosOptions::default())
            .await?;
        let mut consumer = self
            .channel
            .basic_consume(
                TAP,
                "lienthong-bench-tap",
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let mut captured = Vec::with_capacity(count);
        while captured.len() < count {
            let delivery = tokio::time::timeout(STALL, consumer.next())
                .await
                .map_err(|_| {
                    anyhow::anyhow!("the tap holds {} of {count} messages", captured.len())
                })?
                .context("the tap's consumer ended")??;
            delivery.ack(BasicAckOptions::default()).await?;
            captured.push(Captured {
                body: delivery.data,
                properties: delivery.properties,
            });
        }
        let _ = self.connection.close(200, "lienthong bench tap done").await;
        Ok(captured)
    }
}

/// The raw shovel's rate and latency (published → consumed) for `messages`.
pub(in crate::bench) async fn run(
    broker: &Broker,
    vhosts: &[String; 2],
    messages: &[Captured],
) -> anyhow::Result<Measured> {
    let source =
        lienthong::amqp::connect(&broker.amqp_url(&vhosts[0]), "lienthong-bench-raw").await?;
    let destination =
        lienthong::amqp::connect(&broker.amqp_url(&vhosts[1]), "lienthong-bench-raw-consumer")
            .await?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    let channel = destination.create_channel().await?;
    let direct = ExchangeDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .exchange_declare(
            EXCHANGE,
            lapin::ExchangeKind::Direct,
            direct,
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_declare(DESTINATION, durable, quorum())
        .await?;
    channel
        .queue_bind(
            DESTINATION,
            EXCHANGE,
            super::FROM,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let publisher = source.create_channel().await?;
    publisher.queue_declare(SOURCE, durable, quorum()).await?;
    // As `amqp::sites::shovel` declares a hub's link.
    let definition = serde_json::json!({
        "src-protocol": "amqp091",
        "src-uri": format!("amqp:///{}", vhosts[0]),
        "src-queue": SOURCE,
        "dest-protocol": "amqp091",
        "dest-uri": broker.amqp_url(&vhosts[1]),
        "dest-exchange": EXCHANGE,
        "dest-exchange-key": super::FROM,
        "ack-mode": "on-confirm",
        "src-delete-after": "never",
        "reconnect-delay": 1,
    });
    broker
        .declare_shovel(&vhosts[0], SHOVEL, definition)
        .await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !broker.shovel_running(&vhosts[0], SHOVEL).await? {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the raw shovel is not running after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (consuming, target) = start_consumer(&destination, DESTINATION, None).await?;
    target.send_replace(messages.len());
    publisher
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let mut sent: HashMap<String, Instant> = HashMap::with_capacity(messages.len());
    let mut in_flight: VecDeque<PublisherConfirm> = VecDeque::with_capacity(WINDOW);
    // As the hub's relay publishes a transfer.
    let mandatory = BasicPublishOptions {
        mandatory: true,
        ..Default::default()
    };
    let started = Instant::now();
    for message in messages {
        if in_flight.len() >= WINDOW {
            if let Some(confirm) = in_flight.pop_front() {
                confirmed(confirm).await?;
            }
        }
        let id = message
            .properties
            .message_id()
            .as_ref()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        sent.insert(id, Instant::now());
        let confirm = publisher
            .basic_publish(
                "",
                SOURCE,
                mandatory,
                &message.body,
                message.properties.clone(),
            )
            .await?;
        in_flight.push_back(confirm);
    }
    for confirm in in_flight {
        confirmed(confirm).await?;
    }
    let consumed = consuming.await??;
    let _ = source.close(200, "lienthong bench done").await;
    let _ = destination.close(200, "lienthong bench done").await;
    let mut latencies: Vec<Duration> = consumed
        .arrivals
        .iter()
        .filter_map(|(id, at)| sent.get(id).map(|s| at.saturating_duration_since(*s)))
        .collect();
    anyhow::ensure!(
        latencies.len() == messages.len(),
        "{} of {} raw messages consumed",
        latencies.len(),
        messages.len()
    );
    latencies.sort();
    let last = consumed.last_arrival()?;
    Ok(Measured {
        rate: messages.len() as f64 / (last - started).as_secs_f64(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    })
}
