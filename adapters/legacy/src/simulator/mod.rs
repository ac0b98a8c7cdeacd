//! A simulated ministry legacy system, for tests and `lienthong demo`.
//!
//! It has its own field names and status codes (`codes.rs`). It receives the
//! hub's events at `POST /api/hoso/dongbo` (API key in `X-Api-Key`),
//! answering like many legacy systems do — HTTP 200 with a result code in
//! the body (`maLoi`: `00` done, `02` already received, `01` invalid, `99`
//! busy) — and it posts its own status updates to the hub's URL with its
//! shared secret. Switches: slow answers, HTTP 500 for the next N calls
//! (before or after recording), "busy" and "invalid" result codes, duplicate
//! updates, a wrong secret. It records what it accepted, deduplicated by
//! event id, in order. It stops when the handle is dropped.

mod api;
pub mod codes;

use lienthong_adapter::http::http_client;
use lienthong_adapter::simulator::answer_of;
use lienthong_adapter::Served;
use serde_json::{Map, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// What the hub must send in `X-Api-Key`.
    pub api_key: String,
    /// What it presents to the hub in `X-Legacy-Secret`.
    pub secret: String,
    /// The adapter's update URL (`…/partners/<id>/updates`).
    pub hub_url: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: "sim-legacy-api-key".to_string(),
            secret: "sim-legacy-shared-secret".to_string(),
            hub_url: None,
        }
    }
}

/// The misbehaviour switches.
#[derive(Debug, Clone, Default)]
pub struct Switches {
    pub slow: Duration,
    /// The next N calls answer HTTP 500 without recording.
    pub fail_next: u32,
    /// The next N calls record, then answer HTTP 500 (the answer is lost).
    pub lose_reply_next: u32,
    /// The next N calls answer `maLoi = 99` (busy, try later).
    pub busy_next: u32,
    /// The next N calls answer `maLoi = 01` (invalid).
    pub reject_next: u32,
    /// Every update to the hub is posted twice.
    pub duplicate_updates: bool,
    /// Updates to the hub carry a wrong secret.
    pub wrong_secret: bool,
}

/// One call it received, with the answer it gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub body: Value,
    pub http_status: u16,
    pub code: String,
}

/// One update it posted to the hub, with the hub's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateAttempt {
    pub body: Value,
    pub status: Option<u16>,
    pub response: Value,
}

/// A status update in the legacy system's terms.
#[derive(Debug, Clone, Default)]
pub struct LegacyUpdate {
    /// `maYeuCau`; assigned when empty.
    pub request_id: String,
    pub ma_ho_so: String,
    /// A legacy status code, e.g. `DA_TIEP_NHAN`.
    pub status: String,
    pub note: String,
    /// `yyyyMMddHHmmss`.
    pub due_date: Option<String>,
    pub officer: String,
    pub unit: String,
    pub items: Vec<String>,
    pub result_name: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    switches: Switches,
    /// Accepted messages, deduplicated by `maSuKien`, in order.
    accepted: Vec<Value>,
    calls: Vec<Call>,
    updates: Vec<UpdateAttempt>,
    hub_url: Option<String>,
    next_reference: u64,
    next_request: u64,
}

pub(crate) struct Shared {
    inner: Mutex<Inner>,
    api_key: String,
    secret: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        lienthong_adapter::sync::lock(&self.inner)
    }
}

pub struct Simulator {
    served: Served<Shared>,
    http: reqwest::Client,
}

impl Simulator {
    pub async fn start(options: SimConfig) -> std::io::Result<Simulator> {
        let shared = Shared {
            inner: Mutex::new(Inner {
                hub_url: options.hub_url,
                ..Inner::default()
            }),
            api_key: options.api_key,
            secret: options.secret,
        };
        let served = Served::start("legacy", shared, api::router).await?;
        let timeout = Duration::from_secs(10);
        let http = http_client(timeout, timeout).map_err(std::io::Error::other)?;
        Ok(Simulator { served, http })
    }

    /// Its base URL (the adapter's `endpoint` is this plus `RECEIVE_PATH`).
    pub fn base_url(&self) -> &str {
        self.served.url()
    }

    fn shared(&self) -> &Shared {
        self.served.state()
    }

    /// The `[partners.adapter]` table of an adapter for this system
    /// (`kind` left to the caller), sending it `events`.
    pub fn adapter_settings(&self, events: &[&str]) -> toml::Table {
        codes::adapter_settings(self.base_url(), self.api_key(), self.secret(), events)
    }

    pub fn api_key(&self) -> &str {
        &self.shared().api_key
    }

    pub fn secret(&self) -> &str {
        &self.shared().secret
    }

    pub fn set_hub_url(&self, url: Option<String>) {
        self.shared().lock().hub_url = url;
    }

    pub fn switches(&self, change: impl FnOnce(&mut Switches)) {
        change(&mut self.shared().lock().switches);
    }

    /// What it accepted, once per event id, in order.
    pub fn accepted(&self) -> Vec<Value> {
        self.shared().lock().accepted.clone()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared().lock().calls.clone()
    }

    pub fn updates(&self) -> Vec<UpdateAttempt> {
        self.shared().lock().updates.clone()
    }

    /// The JSON it would post for `update`, in its own field names.
    pub fn update_body(&self, update: &LegacyUpdate) -> Value {
        let request_id = if update.request_id.is_empty() {
            let mut inner = self.shared().lock();
            inner.next_request += 1;
            format!("YC{:06}", inner.next_request)
        } else {
            update.request_id.clone()
        };
        let mut body = Map::new();
        body.insert("maYeuCau".into(), request_id.into());
        body.insert("soHoSo".into(), update.ma_ho_so.clone().into());
        body.insert("maTrangThai".into(), update.status.clone().into());
        body.insert("ghiChu".into(), update.note.clone().into());
        if let Some(due) = &update.due_date {
            body.insert("ngayHenTra".into(), due.clone().into());
        }
        body.insert("canBo".into(), update.officer.clone().into());
        body.insert("donVi".into(), update.unit.clone().into());
        if !update.items.is_empty() {
            body.insert("danhSachBoSung".into(), update.items.clone().into());
        }
        if let Some(name) = &update.result_name {
            body.insert("ketQua".into(), serde_json::json!({ "ten": name }));
        }
        Value::Object(body)
    }

    /// Posts a status update to the hub (twice with `duplicate_updates`) and
    /// returns the hub's answers, which are also recorded.
    pub async fn send_update(&self, update: &LegacyUpdate) -> Vec<UpdateAttempt> {
        let body = self.update_body(update);
        let (url, duplicate, wrong) = {
            let inner = self.shared().lock();
            (
                inner.hub_url.clone(),
                inner.switches.duplicate_updates,
                inner.switches.wrong_secret,
            )
        };
        let Some(url) = url else {
            return Vec::new();
        };
        let secret = if wrong {
            format!("{}-wrong", self.shared().secret)
        } else {
            self.shared().secret.clone()
        };
        let mut attempts = Vec::new();
        for _ in 0..if duplicate { 2 } else { 1 } {
            let request = self
                .http
                .post(&url)
                .header(codes::SECRET_HEADER, &secret)
                .json(&body);
            let (status, text) = answer_of(request).await;
            let response = match status {
                Some(_) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                None => Value::String(text),
            };
            let attempt = UpdateAttempt {
                body: body.clone(),
                status,
                response,
            };
            self.shared().lock().updates.push(attempt.clone());
            attempts.push(attempt);
        }
        attempts
    }
}
