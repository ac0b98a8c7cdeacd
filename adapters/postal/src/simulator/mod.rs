//! A simulated public postal provider, for tests and `lienthong demo`.
//!
//! It speaks the provider protocol of `protocol.rs` on `127.0.0.1:<free
//! port>`: orders are created and cancelled through its API, tracking events
//! are listed for polling and pushed, signed, to a webhook URL it is given.
//! Switches make it misbehave (slow, 500s before or after acting, duplicate
//! events, wrong webhook signatures, out-of-order events); everything it
//! accepted and every webhook answer is recorded so callers can check that
//! nothing was lost. It stops when the handle is dropped.

mod api;
pub mod codes;
mod state;
mod webhook;

pub use state::{ApiCall, SimOrder, Switches, WebhookAttempt};

// Orders are looked up by dossier and service (pickup or return).
pub use crate::vocabulary::ServiceType;

use crate::protocol::TrackingEvent;
use lienthong_adapter::Served;
use state::{Dispatch, Inner};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How the simulated provider is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// What the adapter must present as `Authorization: Bearer …`.
    pub api_key: String,
    /// The secret webhooks are signed with.
    pub webhook_secret: String,
    /// Where webhooks go; `None` for a provider that is only polled.
    pub webhook_url: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: "sim-postal-api-key".to_string(),
            webhook_secret: "sim-postal-webhook-secret".to_string(),
            webhook_url: None,
        }
    }
}

/// State shared by the API handlers, the webhook sender and the handle.
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    api_key: String,
    webhook_secret: String,
    queue: mpsc::UnboundedSender<Dispatch>,
    /// Events queued for the webhook and not yet sent.
    pending: watch::Sender<usize>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        lienthong_adapter::sync::lock(&self.inner)
    }

    fn dispatch(&self, batch: impl IntoIterator<Item = Dispatch>) {
        for d in batch {
            if self.lock().webhook_url.is_none() {
                continue;
            }
            self.pending.send_modify(|n| *n += 1);
            if self.queue.send(d).is_err() {
                self.pending.send_modify(|n| *n = n.saturating_sub(1));
            }
        }
    }

    /// Emits an event for an order; false when there is no such order.
    fn emit(&self, number: &str, service: ServiceType, code: &str, note: &str) -> bool {
        let batch = self.lock().emit(number, service, code, note);
        match batch {
            Some(batch) => {
                self.dispatch(batch);
                true
            }
            None => false,
        }
    }

    /// With the autopilot on, runs a new order through its flow.
    fn start_autopilot(self: &Arc<Self>, number: &str, service: ServiceType) {
        let (step, failing) = {
            let inner = self.lock();
            (
                inner.switches.autopilot,
                inner.undeliverable.contains(number),
            )
        };
        let Some(step) = step else { return };
        let steps: &[&str] = match (service, failing) {
            (ServiceType::Pickup, _) => &[codes::PICKED, codes::HANDED_OVER],
            (ServiceType::Delivery, false) => &[codes::IN_TRANSIT, codes::DELIVERED],
            (ServiceType::Delivery, true) => &[codes::IN_TRANSIT, codes::FAILED, codes::RETURNED],
        };
        let shared = Arc::clone(self);
        let number = number.to_string();
        let task = tokio::spawn(async move {
            for code in steps {
                tokio::time::sleep(step).await;
                let cancelled = shared
                    .lock()
                    .order(&number, service)
                    .is_some_and(|o| o.status == codes::CANCELLED);
                if cancelled {
                    return;
                }
                shared.emit(&number, service, code, "");
            }
        });
        let mut tasks = lienthong_adapter::sync::lock(&self.tasks);
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }
}

/// A running simulated provider. Dropping it stops it.
pub struct Simulator {
    served: Served<Shared>,
}

impl Simulator {
    /// Starts the provider on a free loopback port.
    pub async fn start(options: SimConfig) -> std::io::Result<Simulator> {
        let (queue, receiver) = mpsc::unbounded_channel();
        let (pending, _) = watch::channel(0usize);
        let shared = Shared {
            inner: Mutex::new(Inner {
                webhook_url: options.webhook_url,
                ..Inner::default()
            }),
            api_key: options.api_key,
            webhook_secret: options.webhook_secret,
            queue,
            pending,
            tasks: Mutex::new(Vec::new()),
        };
        let served = Served::start("postal", shared, api::router).await?;
        let shared = served.state();
        let sender = tokio::spawn(webhook::run(shared.clone(), receiver));
        if let Ok(mut tasks) = shared.tasks.lock() {
            tasks.push(sender);
        }
        Ok(Simulator { served })
    }

    /// The provider's base URL, for the adapter's `endpoint`.
    pub fn base_url(&self) -> &str {
        self.served.url()
    }

    fn shared(&self) -> &Arc<Shared> {
        self.served.state()
    }

    /// The `[partners.adapter]` table of an adapter calling this provider
    /// (`kind` left to the caller), for `agency_code`'s address: webhook
    /// mode when `webhook`, polling every second otherwise.
    pub fn adapter_settings(&self, webhook: bool, agency_code: &str) -> toml::Table {
        codes::adapter_settings(
            self.base_url(),
            self.api_key(),
            self.webhook_secret(),
            webhook,
            agency_code,
        )
    }

    pub fn api_key(&self) -> &str {
        &self.shared().api_key
    }

    pub fn webhook_secret(&self) -> &str {
        &self.shared().webhook_secret
    }

    pub fn set_webhook_url(&self, url: Option<String>) {
        self.shared().lock().webhook_url = url;
    }

    /// Changes the switches.
    pub fn switches(&self, change: impl FnOnce(&mut Switches)) {
        let released = {
            let mut inner = self.shared().lock();
            change(&mut inner.switches);
            if inner.switches.out_of_order {
                None
            } else {
                inner.release_held()
            }
        };
        self.shared().dispatch(released);
    }

    /// Makes the autopilot fail this dossier's delivery and return it.
    pub fn make_undeliverable(&self, ma_ho_so: &str) {
        self.shared()
            .lock()
            .undeliverable
            .insert(ma_ho_so.to_string());
    }

    /// Emits one tracking event with the provider's `code` for an order.
    /// Returns false when the provider has no such order.
    pub fn emit(&self, ma_ho_so: &str, service: ServiceType, code: &str, note: &str) -> bool {
        self.shared().emit(ma_ho_so, service, code, note)
    }

    /// The orders accepted so far, in creation order.
    pub fn orders(&self) -> Vec<SimOrder> {
        self.shared().lock().orders.clone()
    }

    pub fn order(&self, ma_ho_so: &str, service: ServiceType) -> Option<SimOrder> {
        self.shared().lock().order(ma_ho_so, service).cloned()
    }

    /// The event feed, in publication order (duplicates included).
    pub fn feed(&self) -> Vec<TrackingEvent> {
        self.shared().lock().feed.clone()
    }

    pub fn calls(&self) -> Vec<ApiCall> {
        self.shared().lock().calls.clone()
    }

    pub fn webhook_attempts(&self) -> Vec<WebhookAttempt> {
        self.shared().lock().webhook_attempts.clone()
    }

    /// Waits until every queued webhook was sent (or `timeout` passed);
    /// true when the queue is empty.
    pub async fn settle(&self, timeout: Duration) -> bool {
        let mut pending = self.shared().pending.subscribe();
        tokio::time::timeout(timeout, pending.wait_for(|n| *n == 0))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Ok(tasks) = self.shared().tasks.lock() {
            for task in tasks.iter() {
                task.abort();
            }
        }
    }
}
