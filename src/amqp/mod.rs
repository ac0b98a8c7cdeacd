//! The AMQP edge (RabbitMQ through lapin): the only module that knows lapin.
//!
//! With `[amqp] url` set, three things run beside the gRPC server:
//! - the publisher (`publisher`) relays every committed outbox event to the
//!   events exchange with publisher confirms, from its own durable cursor;
//! - the command consumer (`commands`) takes the same protobuf commands as
//!   gRPC from the command queue and answers on `reply_to`;
//! - the parking lot (`parked`) lets operators list and re-drive dead letters.
//!
//! Each keeps its own connection and reconnects with backoff; the hub keeps
//! accepting commands while the broker is away (they wait in the outbox).
//! `topology` declares everything at each connect, `bindings` removes the
//! bindings no filter asks for any more; `names` holds the naming, routing-key
//! and reply-queue rules; `sender` who sent a command and what of it is kept.

mod bindings;
mod commands;
mod connect;
mod error;
mod names;
mod parked;
mod publisher;
mod sender;
pub mod sites;
mod tls;
mod topology;

pub use commands::{CATALOG_TYPE, COMMAND_TYPE, REASON_HEADER, REPLY_TYPE};
pub use connect::{check_failover_url, connect, connect_any, connect_with, redact};
pub use error::AmqpError;
pub use names::{binding_keys, routing_key, word, Names, COMMAND_ROUTING_KEY, DIRECT_REPLY_TO};
pub use parked::RabbitDeadLetters;
pub use sender::{PARTNER_HEADER, REDRIVEN_BY_HEADER};
pub use tls::AmqpTls;

use crate::config::AmqpSection;
use crate::hub::{CursorId, Destination, Hub};
use crate::partners::{Delivery, PartnerRegistry, SubscriptionFilter};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct AmqpSettings {
    pub url: String,
    /// The cluster's other nodes, tried in order when `url` does not answer.
    pub failover_urls: Vec<String>,
    pub names: Names,
    pub publish_window: usize,
    pub confirm_timeout: Duration,
    pub reconnect_initial_backoff: Duration,
    pub reconnect_max_backoff: Duration,
    pub consume_commands: bool,
    pub command_prefetch: u16,
    /// `hub.max_message_bytes`: larger command bodies are parked undecoded.
    pub max_message_bytes: usize,
    /// The hub's own RabbitMQ user (from `url`): the validated `user_id` of
    /// every message it parks or re-drives.
    pub broker_user: String,
    /// `amqps://`: the CA to trust and the hub's client certificate.
    pub tls: AmqpTls,
}

impl AmqpSettings {
    /// `None` when no broker is configured (the embedded default).
    pub fn from_config(section: &AmqpSection, max_message_bytes: usize) -> Option<AmqpSettings> {
        let url = section.url.clone()?;
        // An unparsable URL never connects; the user then matters to nothing.
        let broker_user = url
            .parse::<lapin::uri::AMQPUri>()
            .map(|uri| uri.authority.userinfo.username)
            .unwrap_or_default();
        Some(AmqpSettings {
            url,
            failover_urls: section.failover_urls.clone(),
            names: Names::new(&section.prefix),
            publish_window: section.publish_window_messages,
            confirm_timeout: Duration::from_secs(section.confirm_timeout_seconds),
            reconnect_initial_backoff: Duration::from_millis(
                section.reconnect_initial_backoff_milliseconds,
            ),
            reconnect_max_backoff: Duration::from_secs(section.reconnect_max_backoff_seconds),
            consume_commands: section.consume_commands,
            command_prefetch: section.command_prefetch_messages,
            max_message_bytes,
            broker_user,
            tls: section.tls(),
        })
    }
}

/// The publisher's cursor holds retention back until events are confirmed.
impl AmqpSettings {
    /// A connection to a node of the cluster (`url`, then the failovers).
    pub async fn connect(&self, name: &str) -> Result<lapin::Connection, AmqpError> {
        connect_any(&self.url, &self.failover_urls, name, &self.tls).await
    }
}

pub fn destination() -> Destination {
    Destination {
        cursor: CursorId::AmqpEvents,
        filter: SubscriptionFilter::default(),
    }
}

/// Partners that receive their events in a queue, with their filters.
pub fn amqp_partners(partners: &PartnerRegistry) -> Vec<(String, SubscriptionFilter)> {
    partners
        .subscribers(Delivery::Amqp)
        .map(|(id, f)| (id.to_string(), f.clone()))
        .collect()
}

/// The running AMQP tasks; they end when the hub begins to stop.
pub struct AmqpRuntime {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl AmqpRuntime {
    pub async fn join(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Starts the publisher, the command consumer and, with `[site]`, the
/// links to the peer sites (`sites`).
pub fn start(
    hub: &Hub,
    settings: &AmqpSettings,
    site: Option<&crate::config::SiteSection>,
) -> AmqpRuntime {
    let partners = amqp_partners(hub.partners());
    let relay = publisher::Relay {
        hub: hub.clone(),
        settings: settings.clone(),
        amqp_partners: partners.clone(),
        stopping: hub.stopping(),
    };
    let mut tasks = vec![tokio::spawn(relay.run())];
    if settings.consume_commands {
        let consumer = commands::CommandConsumer {
            hub: hub.clone(),
            settings: settings.clone(),
            amqp_partners: partners,
        };
        tasks.push(tokio::spawn(consumer.run()));
    }
    if let Some(site) = site {
        tasks.extend(sites::start(hub, sites::SiteLinks::new(site, settings)));
    }
    AmqpRuntime { tasks }
}

/// The parking lot of this broker configuration (also usable without a
/// running hub, by `lienthong parked`).
pub fn dead_letters(partners: &PartnerRegistry, settings: &AmqpSettings) -> RabbitDeadLetters {
    RabbitDeadLetters {
        settings: settings.clone(),
        amqp_partners: amqp_partners(partners),
    }
}

/// What the command consumer and the parking queue's read-out make of a
/// message's properties, reachable without a broker: the entry points of
/// the fuzz crate (`fuzz/`, ARCHITECTURE.md), nothing else calls them.
#[doc(hidden)]
pub mod fuzzing {
    pub use super::sender::{
        hub_authored, hub_copy, published_by, text, without_credentials, AUTHORIZATION_HEADER,
    };
    use crate::hub::ParkedMessage;
    use lapin::BasicProperties;

    /// The broker's count of earlier deliveries, as the consumer reads it.
    pub fn earlier_deliveries(properties: &BasicProperties) -> u64 {
        super::commands::earlier_deliveries(properties)
    }

    /// A parked message as `AdminService` lists it.
    pub fn describe_parked(properties: &BasicProperties, bytes: usize) -> ParkedMessage {
        super::parked::describe_parts(properties, bytes)
    }
}
