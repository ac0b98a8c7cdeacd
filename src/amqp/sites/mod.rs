//! The links between sites (`[site]`), on RabbitMQ's own machinery: the
//! only part of the hub that knows other sites' hubs exist.
//!
//! Each hub declares on its own broker, for each peer site, a durable
//! quorum queue `<prefix>.site.out.<peer>` and a dynamic shovel
//! (`shovel.rs`, through the management API) that moves what is put there
//! to the peer's broker, into the peer hub's site exchange (routing key:
//! this site's code), acknowledging at the source only once the peer's
//! broker confirmed (`on-confirm`). The hub never connects to another
//! site's broker itself, and invents no replication protocol: what crosses
//! is an outbox delivery like any other.
//!
//! - `relay.rs`: one per peer, a destination of the outbox with its own
//!   durable cursor (`CursorId::Site`): each committed event that hands a
//!   dossier over to the peer or changes a dossier the peer keeps a copy of
//!   (`domain::site::outgoing`) is published to the peer's out queue with
//!   publisher confirms. The cursor moves only when the peer's hub
//!   acknowledges (a `SiteAck` that comes back the same way), so a transfer
//!   the peer never took is pending on the console and in the metrics with
//!   its age; after a restart the relay sends again from the cursor, and
//!   the peer drops what it holds.
//! - `inbound.rs`: consumes `<prefix>.site.in` (bound to `<prefix>.sites`
//!   for each peer's code), hands transfers to the writer
//!   (`Hub::receive_from_site`), acknowledges each to its sender once it is
//!   durable, and passes the acknowledgements it receives to the relays.

mod inbound;
mod relay;
pub mod shovel;

use super::AmqpSettings;
use crate::config::SiteSection;
use crate::domain::site::SiteAck;
use crate::hub::{CursorId, Destination, Hub};
use crate::partners::SubscriptionFilter;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Whether `url` can be the management API's address: `http://` or
/// `https://`, a host, credentials if any in the URL itself.
pub fn check_management_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must start with http:// or https:// (RabbitMQ's management API)".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("names no host".into());
    }
    Ok(())
}

/// Whether `url` can be a shovel's destination: an AMQP URL.
pub fn check_peer_url(url: &str) -> Result<(), String> {
    if !(url.starts_with("amqp://") || url.starts_with("amqps://")) {
        return Err("must start with amqp:// or amqps:// (the peer site's RabbitMQ)".into());
    }
    url.parse::<lapin::uri::AMQPUri>()
        .map(|_| ())
        .map_err(|reason| format!("is not an AMQP URL: {reason}"))
}

/// The names of the site links on this hub's broker.
#[derive(Clone, Debug)]
pub struct SiteNames {
    prefix: String,
    /// Where peers' shovels deliver: `<prefix>.sites` (direct).
    pub exchange: String,
    /// What this hub consumes: `<prefix>.site.in`.
    pub inbound: String,
    /// Messages this hub could not take, with their reason.
    pub parked: String,
}

impl SiteNames {
    pub fn new(prefix: &str) -> SiteNames {
        SiteNames {
            prefix: prefix.to_string(),
            exchange: format!("{prefix}.sites"),
            inbound: format!("{prefix}.site.in"),
            parked: format!("{prefix}.site.parked"),
        }
    }

    /// The queue a peer's shovel takes from.
    pub fn outbound(&self, peer: &str) -> String {
        format!("{}.site.out.{peer}", self.prefix)
    }

    /// The shovel's name on this hub's broker.
    pub fn shovel(&self, peer: &str) -> String {
        format!("{}-site-{peer}", self.prefix)
    }
}

/// Everything the site links need, from `[site]` and `[amqp]`.
#[derive(Clone, Debug)]
pub struct SiteLinks {
    pub section: SiteSection,
    pub names: SiteNames,
    pub amqp: AmqpSettings,
}

impl SiteLinks {
    pub fn new(section: &SiteSection, amqp: &AmqpSettings) -> SiteLinks {
        SiteLinks {
            section: section.clone(),
            names: SiteNames::new(&amqp.names.prefix),
            amqp: amqp.clone(),
        }
    }

    fn link_check_interval(&self) -> Duration {
        Duration::from_secs(self.section.link_check_interval_seconds)
    }
}

/// One destination per peer site: its relay's cursor holds retention back
/// and shows on the console and in the metrics like any other.
pub fn destinations(section: &SiteSection) -> Vec<Destination> {
    section
        .peers
        .iter()
        .map(|peer| Destination {
            cursor: CursorId::Site(peer.code.clone()),
            filter: SubscriptionFilter::default(),
        })
        .collect()
}

/// Starts the shovel keeper, a relay per peer and the inbound consumer.
pub fn start(hub: &Hub, links: SiteLinks) -> Vec<tokio::task::JoinHandle<()>> {
    let links = Arc::new(links);
    let mut acks: HashMap<String, mpsc::Sender<SiteAck>> = HashMap::new();
    let mut tasks = Vec::new();
    for peer in &links.section.peers {
        let (tx, rx) = mpsc::channel(links.section.transfer_window_messages.max(16));
        acks.insert(peer.code.clone(), tx);
        let relay = relay::PeerRelay {
            hub: hub.clone(),
            links: links.clone(),
            peer: peer.code.clone(),
            acks: rx,
            stopping: hub.stopping(),
            resend_after: Duration::from_secs(links.section.transfer_resend_seconds),
            whole_through: 0,
            refused: Default::default(),
        };
        tasks.push(tokio::spawn(relay.run()));
    }
    // The shovels wait until the hub declared their source queues: a
    // shovel declares a missing one itself, as a classic queue.
    let (declared, ready) = watch::channel(false);
    let consumer = inbound::Inbound {
        hub: hub.clone(),
        links: links.clone(),
        acks,
        declared,
        stopping: hub.stopping(),
    };
    tasks.push(tokio::spawn(consumer.run()));
    tasks.push(tokio::spawn(shovel::keep(links, ready, hub.stopping())));
    tasks
}
