//! Push-down: dossiers filed on the portal are submitted into the hub.
//!
//! Every `pushdown_poll_interval_seconds` the poller asks the portal for the
//! dossiers filed for its unit since a cursor (`LayDanhSachHoSoMoi`,
//! *provisional* name, `TuNgay` inclusive; both named by the profile) and
//! reads each record through the profile — one missing a required field is
//! refused with the field named, never submitted half empty — then submits
//! each one with its own
//! MaHoSo; the hub then routes it to the competent one-stop system like any
//! other dossier. Duplicates are recognised by MaHoSo: twice in one answer,
//! again in a later answer, or already in the hub (ALREADY_EXISTS or a
//! replayed reply) — all count as "already there". The idempotency key is
//! the MaHoSo and a hash of the portal's record, so a re-read of the same
//! record replays and a changed record meets the existing MaHoSo.
//!
//! The cursor advances only past dossiers that are settled (in the hub, or
//! refused for good with the reason recorded); the first one the hub could
//! not take now (unavailable) holds the cursor, so it is read again next time.

use crate::client::Client;
use crate::error::PortalError;
use crate::mapping;
use crate::profile::{Op, Record};
use crate::protocol::HoSo;
use crate::sync_state::SyncState;
use lienthong_adapter::vietnam_time;
use lienthong_adapter::{every, pb, ErrorCode, HubApi, Stop};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many recently settled records are remembered to skip re-reads.
const RECENT: usize = 10_000;

pub struct Pushdown {
    pub(crate) client: Arc<Client>,
    pub(crate) hub: Arc<dyn HubApi>,
    pub(crate) state: Arc<SyncState>,
    pub(crate) actor: String,
    pub(crate) lookback_seconds: i64,
    pub(crate) cursor: Mutex<Option<i64>>,
    pub(crate) recent: Mutex<Recent>,
}

/// Records settled recently, by idempotency key (MaHoSo and content): in
/// the hub (`true`) or refused for good (`false`). A corrected record has a
/// new key and is tried again.
#[derive(Default)]
pub struct Recent {
    settled: HashMap<String, bool>,
    order: VecDeque<String>,
}

impl Recent {
    fn get(&self, key: &str) -> Option<bool> {
        self.settled.get(key).copied()
    }

    fn insert(&mut self, key: &str, in_hub: bool) {
        if self.settled.insert(key.to_string(), in_hub).is_none() {
            self.order.push_back(key.to_string());
            if self.order.len() > RECENT {
                if let Some(old) = self.order.pop_front() {
                    self.settled.remove(&old);
                }
            }
        }
    }
}

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Polled {
    pub submitted: u32,
    pub already_there: u32,
    pub refused: u32,
    /// The hub could not take some now; they will be read again.
    pub deferred: u32,
}

enum Outcome {
    Submitted,
    AlreadyThere,
    Refused(String),
    Deferred(String),
    /// Refused earlier with the same content: not counted again.
    RefusedBefore,
}

impl Pushdown {
    pub async fn run(self, interval: Duration, stop: Stop) {
        let this = &self;
        every(interval, stop, || async move {
            if let Err(e) = this.poll_once().await {
                tracing::warn!(error = %e, "push-down poll of the national portal failed");
            }
        })
        .await
    }

    pub async fn poll_once(&self) -> Result<Polled, PortalError> {
        let result = self.poll().await;
        self.state
            .pushdown_polled(result.as_ref().err().map(|e| e.to_string()));
        result
    }

    async fn poll(&self) -> Result<Polled, PortalError> {
        let now = vietnam_time::now_millis() / 1000;
        let from = self
            .cursor
            .lock()
            .ok()
            .and_then(|c| *c)
            .unwrap_or(now - self.lookback_seconds);
        let profile = self.client.profile();
        let mut params = Map::new();
        params.insert(
            profile.parameters.since.clone(),
            Value::from(vietnam_time::format(from)),
        );
        let items = self.client.call(Op::NewDossiers, params, None).await?;
        let mut polled = Polled::default();
        let mut seen = HashSet::new();
        let mut dossiers = Vec::new();
        let mut unknown = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("result[{i}]");
            match profile.read::<HoSo>(Record::Dossier, item, &at) {
                Ok(read) => {
                    unknown.extend(read.unknown);
                    let h = read.value;
                    if seen.insert(h.MaHoSo.clone()) {
                        dossiers.push(h);
                    } else {
                        polled.already_there += 1;
                    }
                }
                Err(problems) => {
                    let ma = lienthong_adapter::jsonpath::get(
                        item,
                        profile.wire(Record::Dossier, "MaHoSo"),
                    )
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
                    let label = if ma.is_empty() { at } else { ma };
                    self.state
                        .pushdown_refused(&label, &format!("unreadable record: {problems}"));
                    polled.refused += 1;
                }
            }
        }
        self.state
            .unknown_fields(&profile.operation(Op::NewDossiers).service, &unknown);
        dossiers.sort_by_key(|h| vietnam_time::parse(&h.NgayNopHoSo).unwrap_or(from));
        let mut cursor = from;
        let mut held = false;
        for h in &dossiers {
            let filed_at = vietnam_time::parse(&h.NgayNopHoSo).unwrap_or(from);
            let key = idempotency_key(h);
            let settled = self.recent.lock().ok().and_then(|r| r.get(&key));
            let outcome = match settled {
                Some(true) => Outcome::AlreadyThere,
                Some(false) => Outcome::RefusedBefore,
                None => self.submit(h, &key).await,
            };
            match outcome {
                Outcome::Submitted | Outcome::AlreadyThere => {
                    let already = matches!(outcome, Outcome::AlreadyThere);
                    if already {
                        polled.already_there += 1;
                    } else {
                        polled.submitted += 1;
                    }
                    self.state.pushdown_submitted(already);
                    if let Ok(mut r) = self.recent.lock() {
                        r.insert(&key, true);
                    }
                }
                Outcome::Refused(reason) => {
                    tracing::warn!(ma_ho_so = %h.MaHoSo, reason = %reason, "dossier from the national portal refused");
                    self.state.pushdown_refused(&h.MaHoSo, &reason);
                    polled.refused += 1;
                    if let Ok(mut r) = self.recent.lock() {
                        r.insert(&key, false);
                    }
                }
                Outcome::RefusedBefore => {}
                Outcome::Deferred(reason) => {
                    tracing::info!(ma_ho_so = %h.MaHoSo, reason = %reason, "dossier from the national portal deferred");
                    polled.deferred += 1;
                    held = true;
                }
            }
            if !held {
                cursor = cursor.max(filed_at);
            }
        }
        if let Ok(mut c) = self.cursor.lock() {
            *c = Some(cursor);
        }
        Ok(polled)
    }

    async fn submit(&self, h: &HoSo, key: &str) -> Outcome {
        let submit = match mapping::submission(h) {
            Ok(s) => s,
            Err(unusable) => return Outcome::Refused(unusable.0),
        };
        let request = pb::CommandRequest {
            idempotency_key: key.to_string(),
            expected_version: None,
            dossier: None,
            actor: self.actor.clone(),
            unit: self.client.madonvi().to_string(),
            command: Some(pb::command_request::Command::Submit(submit)),
        };
        match self.hub.execute(request).await {
            Ok(reply) if reply.replayed => Outcome::AlreadyThere,
            Ok(_) => Outcome::Submitted,
            Err(e) if e.code == ErrorCode::AlreadyExists => Outcome::AlreadyThere,
            Err(e) if e.is_retryable() => Outcome::Deferred(e.to_string()),
            Err(e) => Outcome::Refused(e.to_string()),
        }
    }
}

/// `dvcqg:submit:<MaHoSo>:<hash of the portal's record>`.
fn idempotency_key(h: &HoSo) -> String {
    let bytes = serde_json::to_vec(h).unwrap_or_default();
    let digest = hex::encode(Sha256::digest(&bytes));
    format!("dvcqg:submit:{}:{}", h.MaHoSo, &digest[..16])
}
