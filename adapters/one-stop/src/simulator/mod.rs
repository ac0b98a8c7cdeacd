//! A simulated provincial one-stop system on loopback, for tests and the demo.
//!
//! It accepts dossiers routed to it and their changes (as `protocol`
//! describes), keeps what it accepted, and reports status changes back to
//! the hub in its own vocabulary ([`status_vocabulary`]) through the URL and
//! shared secret it is given ([`Simulator::set_callback`]). Switches:
//!
//! - [`Simulator::set_delay`]: slow answers;
//! - [`Simulator::fail_next`]: HTTP 500 for the next N posts;
//! - [`Simulator::reject_next`]: HTTP 422 (a business refusal) for the next N;
//! - [`Simulator::set_duplicate_callbacks`]: every report is sent twice;
//! - [`Simulator::set_wrong_secret`]: reports carry a wrong secret;
//! - an unmapped status is simply a report with a code not in the map.
//!
//! The server stops when the `Simulator` is dropped.

mod server;
pub mod state;

pub use state::{status_vocabulary, Held, Sent, SimConfig};

// What a driver of the simulator needs besides: the report it sends back,
// with its documents and fees (its date-times are written with
// `lienthong_adapter::vietnam_time`).
pub use crate::protocol::{Document, Fee, StatusReport};

use lienthong_adapter::http::http_client;
use server::{lock, Shared};
use state::{Callback, SimState};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct Simulator {
    url: String,
    shared: Shared,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Simulator {
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        Self::start_on("127.0.0.1:0", config).await
    }

    pub async fn start_on(addr: &str, config: SimConfig) -> std::io::Result<Simulator> {
        let shared: Shared = Arc::new(Mutex::new(SimState::new(config)));
        let (url, tx) = lienthong_adapter::serve_simulator(addr, "one-stop", |_| {
            server::router(shared.clone())
        })
        .await?;
        let timeout = Duration::from_secs(30);
        let http = http_client(timeout, timeout).map_err(std::io::Error::other)?;
        Ok(Simulator {
            url,
            shared,
            http,
            shutdown: Some(tx),
        })
    }

    /// Base URL: the adapter's `endpoint`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn api_token(&self) -> String {
        lock(&self.shared).config.api_token.clone()
    }

    /// Where to report status changes: the adapter's `…/status` route, the
    /// header name and the shared secret.
    pub fn set_callback(&self, url: &str, header: &str, secret: &str) {
        lock(&self.shared).callback = Some(Callback {
            url: url.to_string(),
            header: header.to_string(),
            secret: secret.to_string(),
        });
    }

    // ---- switches ----

    pub fn set_delay(&self, delay: Duration) {
        lock(&self.shared).faults.delay = delay;
    }

    pub fn fail_next(&self, n: u32) {
        lock(&self.shared).faults.fail_next = n;
    }

    pub fn reject_next(&self, n: u32) {
        lock(&self.shared).faults.reject_next = n;
    }

    pub fn set_duplicate_callbacks(&self, on: bool) {
        lock(&self.shared).faults.duplicate_callbacks = on;
    }

    pub fn set_wrong_secret(&self, on: bool) {
        lock(&self.shared).faults.wrong_secret = on;
    }

    // ---- the system acting ----

    /// Reports a status change to the hub (twice with duplicate callbacks);
    /// returns each answer as (HTTP status, JSON body).
    pub async fn report(&self, report: StatusReport) -> Vec<(u16, serde_json::Value)> {
        let (callback, times, wrong) = {
            let state = lock(&self.shared);
            let times = if state.faults.duplicate_callbacks {
                2
            } else {
                1
            };
            (state.callback.clone(), times, state.faults.wrong_secret)
        };
        let Some(cb) = callback else {
            return vec![(0, serde_json::json!({"error": "no callback configured"}))];
        };
        let secret = if wrong {
            format!("{}-sai", cb.secret)
        } else {
            cb.secret.clone()
        };
        let mut answers = Vec::new();
        for _ in 0..times {
            let sent = self
                .http
                .post(&cb.url)
                .header(cb.header.as_str(), secret.as_str())
                .json(&report)
                .send()
                .await;
            let (status, answer) = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.json().await.unwrap_or(serde_json::Value::Null);
                    (status, body)
                }
                Err(e) => (0, serde_json::json!({"error": e.to_string()})),
            };
            lock(&self.shared).sent.push(Sent {
                report: report.clone(),
                http_status: status,
                answer: answer.clone(),
            });
            answers.push((status, answer));
        }
        answers
    }

    // ---- records ----

    pub fn held(&self, ma_ho_so: &str) -> Option<Held> {
        lock(&self.shared).dossiers.get(ma_ho_so).cloned()
    }

    pub fn dossier_count(&self) -> usize {
        lock(&self.shared).dossiers.len()
    }

    /// Event versions accepted for a dossier, in arrival order.
    pub fn versions(&self, ma_ho_so: &str) -> Vec<u64> {
        self.held(ma_ho_so)
            .map(|h| h.events.iter().map(|e| e.version).collect())
            .unwrap_or_default()
    }

    pub fn order_violations(&self) -> Vec<String> {
        lock(&self.shared).order_violations.clone()
    }

    /// Every post answered: (kind, HTTP status).
    pub fn log(&self) -> Vec<(String, u16)> {
        lock(&self.shared).log.clone()
    }

    pub fn sent(&self) -> Vec<Sent> {
        lock(&self.shared).sent.clone()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
