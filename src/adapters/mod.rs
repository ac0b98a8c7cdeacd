//! The adapter edge: partners reached through adapters, a peer of `grpc/`
//! and `amqp/`.
//!
//! Everything the hub does around a partner's adapter lives here:
//! - `kinds`: the adapter kinds this hub is built with (the only place that
//!   names adapter crates), handed to configuration to check adapter tables;
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
pub use kinds::{find, kinds, sms_gateway};
pub use relay::{Outlet, Relay, RelayHandle, RelaySettings};

use crate::config::{ConfigError, LoadedConfig};
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

/// The `HubApi` an adapter of `partner` is built with: it acts as that
/// partner and reaches that partner's state alone.
fn in_process(hub: &Hub, partner: Arc<crate::partners::Partner>) -> Arc<inbound::InProcessHub> {
    Arc::new(inbound::InProcessHub {
        hub: hub.clone(),
        state: hub.adapter_state(&partner.id),
        partner,
    })
}

/// The same for the registered partner `partner_id`, for tests and tools
/// that drive the adapter interface without building an adapter.
pub fn adapter_api(hub: &Hub, partner_id: &str) -> Option<Arc<dyn lienthong_adapter::HubApi>> {
    let partner = hub.partners().get(partner_id).cloned()?;
    Some(in_process(hub, partner))
}

/// Builds and starts every configured partner's adapter (tables checked by
/// `HubConfig::check`; what only building can find is named by its key),
/// and the notification channels (relayed like adapters, see `notify`).
pub fn start(hub: &Hub, config: &LoadedConfig) -> Result<AdaptersRuntime, ConfigError> {
    let delivery = &config.sections.delivery;
    let settings = RelaySettings {
        max_attempts: delivery.max_attempts,
        initial_backoff: std::time::Duration::from_millis(delivery.initial_backoff_milliseconds),
        max_backoff: std::time::Duration::from_secs(delivery.max_backoff_seconds),
        concurrency: delivery.concurrency,
    };
    let mut routes = Vec::new();
    let mut relays = HashMap::new();
    let mut tasks = Vec::new();
    for adapter_config in &config.adapters {
        let id = &adapter_config.partner_id;
        let invalid = |key: &str, problem: String| ConfigError::Invalid {
            file: config.origin.clone(),
            key: adapter_config.key_of(key),
            problem,
        };
        let kind = &adapter_config.kind;
        let factory =
            find(kind).ok_or_else(|| invalid("kind", format!("unknown adapter `{kind}`")))?;
        let partner =
            hub.partners().get(id).cloned().ok_or_else(|| {
                invalid("", format!("partner `{id}` is missing from the registry"))
            })?;
        let api = in_process(hub, partner.clone());
        let adapter = factory
            .build(id, &adapter_config.settings, api)
            .map_err(|e| invalid(&e.key, e.problem))?;
        if let Some(router) = adapter.routes {
            routes.push((
                id.clone(),
                inbound::certified(
                    inbound::limited(router, hub.clone(), partner.clone()),
                    hub.clone(),
                    partner.clone(),
                ),
            ));
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
                file: config.origin.clone(),
                key: format!("partners[{}].subscription", adapter_config.index),
                problem: format!(
                    "adapter `{kind}` sends no events to its partner: remove the subscription"
                ),
            });
        }
        if let (Some(sink), Some(filter)) = (adapter.sink, partner.subscription.clone()) {
            let relay = relay::Relay {
                partner: id.clone(),
                filter,
                outlet: Arc::new(relay::AdapterOutlet(sink)),
                hub: hub.clone(),
                settings,
            };
            let (handle, task) = relay.start();
            relays.insert(id.clone(), handle);
            tasks.push(task);
        }
        tracing::info!(partner = %id, adapter = %kind, "adapter started");
    }
    if let Some(settings) = &config.notifications {
        let started = crate::notify::start(hub, settings).map_err(|e| ConfigError::Invalid {
            file: config.origin.clone(),
            key: "notifications".into(),
            problem: e.to_string(),
        })?;
        relays.extend(started.relays);
        tasks.extend(started.tasks);
    }
    Ok(AdaptersRuntime {
        routes,
        relays: Arc::new(Relays::new(hub.clone(), relays)),
        tasks,
    })
}
