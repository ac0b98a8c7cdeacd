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
use lienthong_adapter::simulator::answer_of;
use lienthong_adapter::Served;
use state::{Callback, SimState};
use std::sync::Mutex;
use std::time::Duration;

pub struct Simulator {
    served: Served<Mutex<SimState>>,
    http: reqwest::Client,
}

impl Simulator {
    /// Starts on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let state = Mutex::new(SimState::new(config));
        let served = Served::start("one-stop", state, server::router).await?;
        let timeout = Duration::from_secs(30);
        let http = http_client(timeout, timeout).map_err(std::io::Error::other)?;
        Ok(Simulator { served, http })
    }

    /// Base URL: the adapter's `endpoint`.
    pub fn url(&self) -> &str {
        self.served.url()
    }

    /// The `[partners.adapter]` table of a one-stop adapter calling this
    /// simulator (`kind` left to the caller): its URL and token, its own
    /// vocabulary as `status_map`, and `inbound_secret` for its reports.
    pub fn adapter_settings(&self, inbound_secret: &str) -> toml::Table {
        let status_map: toml::Table = status_vocabulary()
            .into_iter()
            .map(|(code, canonical)| (code, toml::Value::Integer(i64::from(canonical))))
            .collect();
        let mut table = toml::Table::new();
        table.insert("endpoint".into(), self.url().into());
        table.insert("api_token".into(), self.api_token().into());
        table.insert("inbound_secret".into(), inbound_secret.into());
        table.insert("status_map".into(), toml::Value::Table(status_map));
        table
    }

    pub fn api_token(&self) -> String {
        self.served.lock().config.api_token.clone()
    }

    /// Where to report status changes: the adapter's `…/status` route, the
    /// header name and the shared secret.
    pub fn set_callback(&self, url: &str, header: &str, secret: &str) {
        self.served.lock().callback = Some(Callback {
            url: url.to_string(),
            header: header.to_string(),
            secret: secret.to_string(),
        });
    }

    // ---- switches ----

    pub fn set_delay(&self, delay: Duration) {
        self.served.lock().faults.delay = delay;
    }

    pub fn fail_next(&self, n: u32) {
        self.served.lock().faults.fail_next = n;
    }

    pub fn reject_next(&self, n: u32) {
        self.served.lock().faults.reject_next = n;
    }

    pub fn set_duplicate_callbacks(&self, on: bool) {
        self.served.lock().faults.duplicate_callbacks = on;
    }

    pub fn set_wrong_secret(&self, on: bool) {
        self.served.lock().faults.wrong_secret = on;
    }

    // ---- the system acting ----

    /// Reports a status change to the hub (twice with duplicate callbacks);
    /// returns each answer as (HTTP status, JSON body).
    pub async fn report(&self, report: StatusReport) -> Vec<(u16, serde_json::Value)> {
        let (callback, times, wrong) = {
            let state = self.served.lock();
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
            let request = self
                .http
                .post(&cb.url)
                .header(cb.header.as_str(), secret.as_str())
                .json(&report);
            let (status, answer) = match answer_of(request).await {
                (Some(status), body) => (status, serde_json::from_str(&body).unwrap_or_default()),
                (None, error) => (0, serde_json::json!({ "error": error })),
            };
            self.served.lock().sent.push(Sent {
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
        self.served.lock().dossiers.get(ma_ho_so).cloned()
    }

    pub fn dossier_count(&self) -> usize {
        self.served.lock().dossiers.len()
    }

    /// Event versions accepted for a dossier, in arrival order.
    pub fn versions(&self, ma_ho_so: &str) -> Vec<u64> {
        self.held(ma_ho_so)
            .map(|h| h.events.iter().map(|e| e.version).collect())
            .unwrap_or_default()
    }

    pub fn order_violations(&self) -> Vec<String> {
        self.served.lock().order_violations.clone()
    }

    /// Every post answered: (kind, HTTP status).
    pub fn log(&self) -> Vec<(String, u16)> {
        self.served.lock().log.clone()
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.served.lock().sent.clone()
    }
}
