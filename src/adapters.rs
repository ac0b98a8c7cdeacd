//! The partner adapters this hub is built with, looked up by `kind`.
//!
//! Each adapter is its own crate under `adapters/`, implementing
//! `lienthong_adapter::AdapterKind`; this list is the only place the hub
//! names them. Add a kind here when its crate joins the workspace.

use lienthong_adapter::AdapterKind;

/// Every adapter kind, by its configuration name.
pub fn kinds() -> Vec<Box<dyn AdapterKind>> {
    vec![
        // Registered by each adapter crate: one line each.
        Box::new(lienthong_adapter_postal::PostalKind),
        Box::new(lienthong_adapter_legacy::LegacyKind),
        Box::new(lienthong_adapter_payment::PaymentKind),
        Box::new(lienthong_adapter_treasury::TreasuryKind),
        Box::new(lienthong_adapter_national_portal::NationalPortalKind),
        Box::new(lienthong_adapter_one_stop::OneStopKind),
    ]
}

pub fn find(kind: &str) -> Option<Box<dyn AdapterKind>> {
    kinds().into_iter().find(|k| k.kind() == kind)
}

/// Splits a `[partners.adapter]` table into its kind and its settings.
pub fn split(table: &toml::Table) -> Result<(String, toml::Table), (String, String)> {
    let mut settings = table.clone();
    let kind = match settings.remove("kind") {
        Some(toml::Value::String(kind)) => kind,
        Some(_) => return Err(("kind".into(), "must be a string".into())),
        None => return Err(("kind".into(), format!("is required; known: {}", known()))),
    };
    Ok((kind, settings))
}

/// Checks an adapter table: a known kind, and settings that kind accepts.
/// Errors are (key inside the table, problem).
pub fn validate(table: &toml::Table) -> Result<(), (String, String)> {
    let (kind, settings) = split(table)?;
    let adapter = find(&kind).ok_or_else(|| {
        (
            "kind".to_string(),
            format!("unknown adapter `{kind}`; known: {}", known()),
        )
    })?;
    adapter.validate(&settings).map_err(|e| (e.key, e.problem))
}

fn known() -> String {
    let names: Vec<&str> = kinds().iter().map(|k| k.kind()).collect();
    if names.is_empty() {
        "none in this build".into()
    } else {
        names.join(", ")
    }
}

/// The running adapters of a hub: their routes (for the HTTP server), the
/// relays feeding their sinks, and their background tasks.
pub struct AdaptersRuntime {
    pub routes: Vec<(String, axum::Router)>,
    pub relays: std::collections::HashMap<String, crate::relay::RelayHandle>,
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
pub fn destinations(
    config: &crate::config::HubConfig,
) -> Result<Vec<crate::hub::Destination>, crate::config::ConfigError> {
    let registry = config.partner_registry()?;
    Ok(registry
        .subscribers(crate::partners::Delivery::Adapter)
        .map(|(id, filter)| crate::hub::Destination {
            cursor: crate::hub::CursorId::Adapter(id.to_string()),
            filter: filter.clone(),
        })
        .collect())
}

/// Builds and starts every configured partner's adapter.
pub fn start(
    hub: &crate::hub::Hub,
    config: &crate::config::HubConfig,
) -> Result<AdaptersRuntime, crate::config::ConfigError> {
    use std::sync::Arc;
    let settings = crate::relay::RelaySettings {
        max_attempts: config.delivery.max_attempts,
        initial_backoff: std::time::Duration::from_millis(
            config.delivery.initial_backoff_milliseconds,
        ),
        max_backoff: std::time::Duration::from_secs(config.delivery.max_backoff_seconds),
        concurrency: config.delivery.concurrency,
    };
    let mut runtime = AdaptersRuntime {
        routes: Vec::new(),
        relays: Default::default(),
        tasks: Vec::new(),
    };
    for (i, section) in config.partners.iter().enumerate() {
        let Some(table) = &section.adapter else {
            continue;
        };
        let invalid = |key: String, problem: String| crate::config::ConfigError::Invalid {
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
        let api = Arc::new(crate::inbound::InProcessHub {
            hub: hub.clone(),
            partner: partner.clone(),
        });
        let adapter = factory
            .build(&section.id, &adapter_settings, api)
            .map_err(|e| invalid(e.key, e.problem))?;
        if let Some(routes) = adapter.routes {
            runtime.routes.push((section.id.clone(), routes));
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
            runtime.tasks.push(tokio::spawn(task(stop)));
        }
        if adapter.sink.is_none() && partner.subscription.is_some() {
            // Its cursor would never move and would hold retention back forever.
            return Err(crate::config::ConfigError::Invalid {
                file: "configuration".into(),
                key: format!("partners[{i}].subscription"),
                problem: format!(
                    "adapter `{kind}` sends no events to its partner: remove the subscription"
                ),
            });
        }
        if let (Some(sink), Some(filter)) = (adapter.sink, partner.subscription.clone()) {
            let relay = crate::relay::Relay {
                partner: section.id.clone(),
                filter,
                sink,
                hub: hub.clone(),
                settings,
            };
            let (handle, task) = relay.start();
            runtime.relays.insert(section.id.clone(), handle);
            runtime.tasks.push(task);
        }
        tracing::info!(partner = %section.id, adapter = %kind, "adapter started");
    }
    Ok(runtime)
}
