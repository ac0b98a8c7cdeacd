//! Tests against the real RabbitMQ on 127.0.0.1:5672 (override with
//! `LIENTHONG_TEST_AMQP_URL`). `tests/run.sh` makes sure it runs; a test here
//! that cannot reach it fails — it never skips. Each test uses its own name
//! prefix, and they run one at a time (`.config/nextest.toml`), because one
//! of them stops and starts the broker.

mod bindings;
mod cluster;
mod commands;
mod console;
mod definitions;
mod events;
mod existing_queues;
mod failover;
mod forward;
mod limits;
mod logs;
mod outage;
mod partner_event;
mod senders;
mod sites;
mod sites_demo;
mod tls;

use crate::common::TestHub;
use lapin::options::{
    BasicConsumeOptions, ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use lienthong::config::{HubConfig, PartnerSection, SubscriptionSection};
use std::time::Duration;
use tokio_stream::StreamExt;

pub fn url() -> String {
    std::env::var("LIENTHONG_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// A fresh prefix, so that tests never share queues.
pub fn prefix() -> String {
    format!("lt-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

pub async fn connect() -> Connection {
    lienthong::amqp::connect(&url(), "lienthong-tests")
        .await
        .unwrap_or_else(|e| {
            panic!("RabbitMQ must run for these tests (bash tests/run.sh starts it): {e}")
        })
}

/// A partner that takes its events from its own queue.
pub fn queue_partner(id: &str, token: &str, subscription: SubscriptionSection) -> PartnerSection {
    PartnerSection {
        subscription: Some(SubscriptionSection {
            delivery: Some("amqp".into()),
            ..subscription
        }),
        ..crate::common::partner_section(id, "postal", token, &["submit", "return_result"], &["*"])
    }
}

pub fn with_amqp(config: &mut HubConfig, prefix: &str, partners: Vec<PartnerSection>) {
    config.amqp.url = Some(url());
    config.amqp.prefix = prefix.to_string();
    config.amqp.reconnect_initial_backoff_milliseconds = 100;
    config.amqp.reconnect_max_backoff_seconds = 1;
    config.amqp.confirm_timeout_seconds = 10;
    config.partners.extend(partners);
}

pub async fn amqp_hub(prefix: &str, partners: Vec<PartnerSection>) -> TestHub {
    let prefix = prefix.to_string();
    TestHub::start_with(move |config| with_amqp(config, &prefix, partners)).await
}

pub fn rabbitmqctl(args: &[&str]) {
    rabbitmqctl_output(args);
}

/// What `rabbitmqctl` prints on standard output; it must succeed.
pub fn rabbitmqctl_output(args: &[&str]) -> String {
    let out = std::process::Command::new("rabbitmqctl")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("rabbitmqctl must be installed with the broker: {e}"));
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The policies of deploy/rabbitmq, for one test prefix.
pub fn apply_policies(prefix: &str) {
    let dlx = format!("{{\"dead-letter-exchange\":\"{prefix}.dlx\",\"delivery-limit\":3}}");
    rabbitmqctl(&[
        "set_policy",
        "--apply-to",
        "queues",
        &format!("{prefix}-partners"),
        &format!("^{}\\.partner\\.", prefix.replace('-', "\\-")),
        &dlx,
    ]);
}

/// How many messages wait in a queue and how many consumers it has.
pub struct Declared {
    pub messages: u32,
    pub consumers: u32,
}

/// `queue` as the broker has it; None when it does not exist or the broker
/// does not answer (a node starting). A passive declare of a missing queue
/// closes the channel, so each look takes a channel of its own.
pub async fn declared(connection: &Connection, queue: &str) -> Option<Declared> {
    let channel = connection.create_channel().await.ok()?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    let found = channel
        .queue_declare(queue, passive, FieldTable::default())
        .await
        .ok()?;
    let _ = channel.close(200, "looked").await;
    Some(Declared {
        messages: found.message_count(),
        consumers: found.consumer_count(),
    })
}

/// Messages ready in `queue`, which must exist.
pub async fn depth(connection: &Connection, queue: &str) -> u32 {
    declared(connection, queue)
        .await
        .unwrap_or_else(|| panic!("queue {queue} exists"))
        .messages
}

/// Waits until the hub has declared `queue` (its publisher connects on its own time).
pub async fn wait_for_queue(connection: &Connection, queue: &str) {
    for _ in 0..200 {
        if declared(connection, queue).await.is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the hub never declared queue {queue}");
}

pub struct QueueReader {
    /// A connection of the reader's own when the caller's was closed under
    /// it, and the channel; kept open for as long as the consumer reads.
    _connection: Option<Box<Connection>>,
    _channel: Channel,
    consumer: lapin::Consumer,
}

impl QueueReader {
    pub async fn open(connection: &Connection, queue: &str) -> QueueReader {
        wait_for_queue(connection, queue).await;
        // A quorum queue whose members are still starting (the broker was
        // just restarted, or a new queue on a loaded machine) answers
        // basic.consume with INTERNAL_ERROR — a connection-level error in
        // AMQP 0-9-1, so the broker may close the whole connection. Try again
        // on a new channel, and on a connection of the reader's own once the
        // caller's is closed (an exclusive queue needs the caller's, which
        // stays the first choice).
        let mut last_error = None;
        let mut own: Option<Box<Connection>> = None;
        for _ in 0..100 {
            let own_is_dead = own.as_ref().is_none_or(|c| !c.status().connected());
            if !connection.status().connected() && own_is_dead {
                own = Some(Box::new(connect().await));
            }
            let using: &Connection = own.as_deref().unwrap_or(connection);
            let channel = match using.create_channel().await {
                Ok(channel) => channel,
                Err(e) => {
                    last_error = Some(e);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            match channel
                .basic_consume(
                    queue,
                    "lienthong-test",
                    BasicConsumeOptions {
                        no_ack: false,
                        ..Default::default()
                    },
                    FieldTable::default(),
                )
                .await
            {
                Ok(consumer) => {
                    return QueueReader {
                        _connection: own,
                        _channel: channel,
                        consumer,
                    }
                }
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("cannot consume {queue}: {last_error:?}");
    }

    /// The next delivery, or None after `wait` without one.
    pub async fn next(&mut self, wait: Duration) -> Option<lapin::message::Delivery> {
        match tokio::time::timeout(wait, self.consumer.next()).await {
            Ok(Some(delivery)) => Some(delivery.expect("healthy consumer")),
            Ok(None) => panic!("consumer closed"),
            Err(_) => None,
        }
    }

    /// The next delivery, which must come within 30 s (`what` says why it
    /// should) and carry the event `event_id`.
    pub async fn event(&mut self, event_id: &str, what: &str) -> lapin::message::Delivery {
        let delivery = self.next(Duration::from_secs(30)).await.expect(what);
        assert_eq!(
            delivery
                .properties
                .message_id()
                .as_ref()
                .map(|id| id.as_str()),
            Some(event_id),
            "{what}"
        );
        delivery
    }
}

/// Deletes what the hub declared for this prefix.
pub async fn cleanup(prefix: &str, partner_queues: &[&str]) {
    let connection = connect().await;
    let channel = connection.create_channel().await.unwrap();
    let mut queues = vec![
        format!("{prefix}.commands"),
        format!("{prefix}.parked"),
        format!("{prefix}.bindings"),
    ];
    queues.extend(
        partner_queues
            .iter()
            .map(|id| format!("{prefix}.partner.{id}")),
    );
    for queue in queues {
        let _ = channel
            .queue_delete(&queue, QueueDeleteOptions::default())
            .await;
    }
    for exchange in ["events", "commands", "dlx"] {
        let _ = channel
            .exchange_delete(
                &format!("{prefix}.{exchange}"),
                ExchangeDeleteOptions::default(),
            )
            .await;
    }
    let _ = std::process::Command::new("rabbitmqctl")
        .args(["clear_policy", &format!("{prefix}-partners")])
        .output();
    let _ = connection.close(200, "").await;
}

pub fn header_text(delivery: &lapin::message::Delivery, name: &str) -> Option<String> {
    match delivery.properties.headers().as_ref()?.inner().get(name)? {
        lapin::types::AMQPValue::LongString(s) => Some(s.to_string()),
        _ => None,
    }
}
