//! The simulated one-stop system's data and rules, without HTTP.
//!
//! It holds the dossiers routed to it and their changes (deduplicated by
//! idempotency key and event id), notes changes that arrive out of order,
//! and knows its own status vocabulary.

use crate::protocol::{DossierEvent, DossierRecord, StatusReport};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// The system's own status vocabulary, with the canonical code of each —
/// what an operator writes in `status_map`.
pub fn status_vocabulary() -> BTreeMap<String, u8> {
    [
        ("CHO_TIEP_NHAN", 1),
        ("DA_TIEP_NHAN", 2),
        ("KHONG_TIEP_NHAN", 3),
        ("DANG_XU_LY", 4),
        ("CHO_BO_SUNG", 5),
        ("CHO_NOP_PHI", 6),
        ("CONG_DAN_RUT", 7),
        ("DUNG_XU_LY", 8),
        ("DA_CO_KET_QUA", 9),
        ("DA_TRA_KET_QUA", 10),
    ]
    .into_iter()
    .map(|(code, canonical)| (code.to_string(), canonical))
    .collect()
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// What the hub must send as `Authorization: Bearer`.
    pub api_token: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_token: "motcua-api-token-thu-nghiem".into(),
        }
    }
}

/// A dossier the system holds.
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub id: String,
    pub record: DossierRecord,
    /// Changes in the order accepted.
    pub events: Vec<DossierEvent>,
}

#[derive(Debug, Default)]
pub struct Faults {
    pub delay: Duration,
    /// Answer 500 to the next N posts, doing nothing.
    pub fail_next: u32,
    /// Answer 422 (a business refusal) to the next N posts.
    pub reject_next: u32,
    /// Send every status report twice.
    pub duplicate_callbacks: bool,
    /// Send status reports with a wrong shared secret.
    pub wrong_secret: bool,
}

/// Where the system reports status changes.
#[derive(Debug, Clone)]
pub struct Callback {
    pub url: String,
    pub header: String,
    pub secret: String,
}

/// One status report sent, with the hub's answer.
#[derive(Debug, Clone)]
pub struct Sent {
    pub report: StatusReport,
    pub http_status: u16,
    pub answer: Value,
}

#[derive(Debug)]
pub struct SimState {
    pub config: SimConfig,
    pub dossiers: BTreeMap<String, Held>,
    keys: HashMap<String, String>,
    events: HashSet<String>,
    next_id: u64,
    pub faults: Faults,
    pub callback: Option<Callback>,
    pub order_violations: Vec<String>,
    /// Every post: (path kind, HTTP status answered).
    pub log: Vec<(String, u16)>,
    pub sent: Vec<Sent>,
}

/// An answer: HTTP status and JSON body.
pub type Answer = (u16, Value);

impl SimState {
    pub fn new(config: SimConfig) -> SimState {
        SimState {
            config,
            dossiers: BTreeMap::new(),
            keys: HashMap::new(),
            events: HashSet::new(),
            next_id: 0,
            faults: Faults::default(),
            callback: None,
            order_violations: Vec::new(),
            log: Vec::new(),
            sent: Vec::new(),
        }
    }

    pub fn post_dossier(&mut self, key: &str, record: DossierRecord) -> Answer {
        if record.ma_ho_so.is_empty() {
            return (422, serde_json::json!({"message": "thiếu ma_ho_so"}));
        }
        if let Some(id) = self.keys.get(key) {
            return (
                200,
                serde_json::json!({"id": id, "message": "đã nhận (trùng)"}),
            );
        }
        if let Some(held) = self.dossiers.get(&record.ma_ho_so) {
            return (
                409,
                serde_json::json!({"id": held.id, "message": format!("hồ sơ {} đã có", record.ma_ho_so)}),
            );
        }
        self.next_id += 1;
        let id = format!("MC-{:06}", self.next_id);
        self.keys.insert(key.to_string(), id.clone());
        self.dossiers.insert(
            record.ma_ho_so.clone(),
            Held {
                id: id.clone(),
                record,
                events: Vec::new(),
            },
        );
        (201, serde_json::json!({"id": id, "message": "đã nhận"}))
    }

    pub fn post_event(&mut self, ma_ho_so: &str, change: DossierEvent) -> Answer {
        let Some(held) = self.dossiers.get_mut(ma_ho_so) else {
            return (
                404,
                serde_json::json!({"message": format!("không có hồ sơ {ma_ho_so}")}),
            );
        };
        if !self.events.insert(change.event_id.clone()) {
            return (
                200,
                serde_json::json!({"id": held.id, "message": "đã nhận (trùng)"}),
            );
        }
        let last = held.events.last().map(|e| e.version).unwrap_or(0);
        if change.version <= last {
            self.order_violations.push(format!(
                "{ma_ho_so}: version {} after {last}",
                change.version
            ));
        }
        if change.ho_so.version >= held.record.version {
            held.record = change.ho_so.clone();
        }
        held.events.push(change);
        (
            200,
            serde_json::json!({"id": held.id, "message": "đã cập nhật"}),
        )
    }
}
