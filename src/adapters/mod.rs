//! The adapter edge: partners reached through adapters, a peer of `grpc/`
//! and `amqp/`.
//!
//! Everything the hub does around a partner's adapter lives here:
//! - `kinds`: the adapter kinds this hub is built with (the only place that
//!   names adapter crates), and the check of a `[partners.adapter]` table;
//! - `inbound`: the HTTP routes adapters serve under `/partners/<id>/`, and
//!   the in-process `HubApi` through which an adapter acts as its partner;
//! - `relay`: events to each adapter's sink, a lane per dossier, retries,
//!   parking and re-drive;
//! - `admin`: what operators see of that (parked deliveries, re-drive,
//!   delivery status), as the hub's `AdapterDeliveries`.
//!
//! Like the other edges, it reaches the hub's state only through `Hub`
//! methods (commands and reads, `follow`, `cursor_saver`,
//! `delivery_records`); it never names the store.

mod admin;
mod inbound;
mod kinds;
mod relay;

pub use admin::Relays;
pub use inbound::{bind, serve};
pub use kinds::{find, kinds, split, validate};
pub use relay::RelaySettings;

use crate::config::{ConfigError, HubConfig};
use crate::hub::{CursorId, Destination, Hub};
use crate::partners::{Delivery, PartnerRegistry};
use std::collections::HashMap;
use std::sync::Arc;

/// The running adapters of a hub: their routes (for the HTTP server), the
/// relays feeding their sinks (for operators), and their background tasks.
pub struct AdaptersRuntime {
    pub routes: Vec<(String, axum::Router)>,
    pub relays: Arc<Relays>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl AdaptersRuntime {
    /// Waits for relays and tasks, which end when the hub begins to stop.
    pub async fn join(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// The retention destinations of adapter partners: each relay's cursor holds
/// the events back like a gRPC subscriber's.
pub fn destinations(partners: &PartnerRegistry) -> Vec<Destination> {
    partners
        .subscribers(Delivery::Adapter)
        .map(|(id, filter)| Destination {
            cursor: CursorId::Adapter(id.to_string()),
            filter: filter.clone(),
        })
        .collect()
}

/// Builds and starts every configured partner's adapter.
pub fn start(hub: &Hub, config: &HubConfig) -> Result<AdaptersRuntime, ConfigError> {
    let settings = RelaySettings {
        max_attempts: config.delivery.max_attempts,
        initial_backoff: std::time::Duration::from_millis(
            config.delivery.initial_backoff_milliseconds,
        ),
        max_backoff: std::time::Duration::from_secs(config.delivery.max_backoff_seconds),
        concurrency: config.delivery.concurrency,
    };
    let mut routes = Vec::new();
    let mut relays = HashMap::new();
    let mut tasks = Vec::new();
    for (i, section) in config.partners.iter().enumerate() {
        let Some(table) = &section.adapter else {
            continue;
        };
        let invalid = |key: String, problem: String| ConfigError::Invalid {
            file: "configuration".into(),
            key: format!("partners[{i}].adapter.{key}"),
            problem,
        };
        let (kind, adapter_settings) = split(table).map_err(|(k, p)| invalid(k, p))?;
        let factory = find(&kind)
            .ok_or_else(|| invalid("kind".into(), format!("unknown adapter `{kind}`")))?;
        let partner = hub
            .partners()
            .get(&section.id)
            .cloned()
            .ok_or_else(|| invalid("id".into(), "partner missing from the registry".into()))?;
        let api = Arc::new(inbound::InProcessHub {
            hub: hub.clone(),
            partner: partner.clone(),
        });
        let adapter = factory
            .build(&section.id, &adapter_settings, api)
            .map_err(|e| invalid(e.key, e.problem))?;
        if let Some(router) = adapter.routes {
            routes.push((section.id.clone(), router));
        }
        for task in adapter.tasks {
            let mut stopping = hub.stopping();
            let stop: lienthong_adapter::Stop = Box::pin(async move {
                while !*stopping.borrow() {
                    if stopping.changed().await.is_err() {
                        return;
                    }
                }
            });
            tasks.push(tokio::spawn(task(stop)));
        }
        if adapter.sink.is_none() && partner.subscription.is_some() {
            // Its cursor would never move and would hold retention back forever.
            return Err(ConfigError::Invalid {
                file: "configuration".into(),
                key: format!("partners[{i}].subscription"),
                problem: format!(
                    "adapter `{kind}` sends no events to its partner: remove the subscription"
                ),
            });
        }
        if let (Some(sink), Some(filter)) = (adapter.sink, partner.subscription.clone()) {
            let relay = relay::Relay {
                partner: section.id.clone(),
                filter,
                sink,
                hub: hub.clone(),
                settings,
            };
            let (handle, task) = relay.start();
            relays.insert(section.id.clone(), handle);
            tasks.push(task);
        }
        tracing::info!(partner = %section.id, adapter = %kind, "adapter started");
    }
    Ok(AdaptersRuntime {
        routes,
        relays: Arc::new(Relays::new(hub.clone(), relays)),
        tasks,
    })
}
