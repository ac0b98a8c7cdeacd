//! Test helpers: a recording stand-in for the hub, builders, settings.
#![allow(dead_code)]

use lienthong_adapter::prost_types::Timestamp;
use lienthong_adapter::{pb, HubApi, HubCallError};
use lienthong_adapter_one_stop::simulator::{status_vocabulary, Simulator};
use pb::command_request::Command;
use std::collections::HashMap;
use std::sync::Mutex;

pub const SECRET: &str = "chia-se-bi-mat-0123456789";
pub const AGENCY: &str = "000.00.09.H22";

/// Records commands; holds dossiers so `get_dossier` answers a status, and
/// moves them the way the hub would on success (no legality: tests that
/// need a refusal set `next_error`).
#[derive(Default)]
pub struct FakeHub {
    pub dossiers: Mutex<HashMap<String, pb::Dossier>>,
    pub executed: Mutex<Vec<pb::CommandRequest>>,
    pub next_error: Mutex<Option<HubCallError>>,
    paused_from: Mutex<HashMap<String, i32>>,
    replies: Mutex<HashMap<String, pb::CommandReply>>,
}

impl FakeHub {
    pub fn with_dossier(ma: &str, status: pb::DossierStatus) -> FakeHub {
        let hub = FakeHub::default();
        hub.put(ma, status);
        hub
    }

    pub fn put(&self, ma: &str, status: pb::DossierStatus) {
        self.dossiers.lock().unwrap().insert(
            ma.to_string(),
            pb::Dossier {
                ma_ho_so: ma.into(),
                version: 1,
                status: status as i32,
                due_at: Some(Timestamp {
                    seconds: 1_764_000_000,
                    nanos: 0,
                }),
                ..Default::default()
            },
        );
    }

    pub fn fail_next(&self, code: &str, message: &str) {
        *self.next_error.lock().unwrap() = Some(HubCallError {
            code: code.into(),
            message: message.into(),
        });
    }

    pub fn commands(&self) -> Vec<Command> {
        self.executed
            .lock()
            .unwrap()
            .iter()
            .filter_map(|r| r.command.clone())
            .collect()
    }

    pub fn status(&self, ma: &str) -> i32 {
        self.dossiers.lock().unwrap()[ma].status
    }
}

#[async_trait::async_trait]
impl HubApi for FakeHub {
    async fn execute(&self, request: pb::CommandRequest) -> Result<pb::CommandReply, HubCallError> {
        if let Some(e) = self.next_error.lock().unwrap().take() {
            return Err(e);
        }
        if let Some(first) = self.replies.lock().unwrap().get(&request.idempotency_key) {
            let mut again = first.clone();
            again.replayed = true;
            return Ok(again);
        }
        let Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma)),
        }) = request.dossier.clone()
        else {
            return Err(HubCallError {
                code: "INVALID_ARGUMENT".into(),
                message: "dossier is required".into(),
            });
        };
        let mut dossiers = self.dossiers.lock().unwrap();
        let Some(d) = dossiers.get_mut(&ma) else {
            return Err(HubCallError {
                code: "NOT_FOUND".into(),
                message: format!("dossier {ma}"),
            });
        };
        let mut paused = self.paused_from.lock().unwrap();
        let back = paused.get(&ma).copied().unwrap_or(4);
        let next = match request.command.as_ref() {
            Some(Command::Receive(_)) => 2,
            Some(Command::Refuse(_)) => 3,
            Some(Command::StartProcessing(_)) | Some(Command::Resume(_)) => 4,
            Some(Command::RequestSupplement(_)) => {
                paused.insert(ma.clone(), d.status);
                5
            }
            Some(Command::RequestFinancialObligation(_)) => {
                paused.insert(ma.clone(), d.status);
                6
            }
            Some(Command::SubmitSupplement(_)) | Some(Command::RecordPayment(_)) => back,
            Some(Command::Stop(_)) => 8,
            Some(Command::Withdraw(_)) => 7,
            Some(Command::Finish(_)) => 9,
            Some(Command::ReturnResult(_)) => 10,
            _ => d.status,
        };
        d.status = next;
        d.version += 1;
        let reply = pb::CommandReply {
            dossier: Some(d.clone()),
            ..Default::default()
        };
        self.replies
            .lock()
            .unwrap()
            .insert(request.idempotency_key.clone(), reply.clone());
        self.executed.lock().unwrap().push(request);
        Ok(reply)
    }

    async fn publish_catalog(
        &self,
        _request: pb::PublishCatalogRequest,
    ) -> Result<pb::PublishCatalogReply, HubCallError> {
        Err(HubCallError {
            code: "PERMISSION_DENIED".into(),
            message: "not in these tests".into(),
        })
    }

    async fn get_dossier(
        &self,
        dossier: pb::DossierRef,
    ) -> Result<pb::GetDossierReply, HubCallError> {
        let Some(pb::dossier_ref::Ref::MaHoSo(ma)) = dossier.r#ref else {
            return Err(HubCallError {
                code: "INVALID_ARGUMENT".into(),
                message: "by MaHoSo only".into(),
            });
        };
        match self.dossiers.lock().unwrap().get(&ma) {
            Some(d) => Ok(pb::GetDossierReply {
                dossier: Some(d.clone()),
                history: Vec::new(),
            }),
            None => Err(HubCallError {
                code: "NOT_FOUND".into(),
                message: format!("dossier {ma} not found"),
            }),
        }
    }
}

/// Adapter settings for a simulator, with the simulator's own vocabulary.
pub fn settings_table(sim: &Simulator, extra: &str) -> toml::Table {
    let mut text = format!(
        "endpoint = \"{}\"\napi_token = \"{}\"\ninbound_secret = \"{SECRET}\"\n{extra}\n[status_map]\n",
        sim.url(),
        sim.api_token()
    );
    for (code, canonical) in status_vocabulary() {
        text.push_str(&format!("{code} = {canonical}\n"));
    }
    text.parse().expect("test settings are TOML")
}

pub fn ma(n: u32) -> String {
    format!("{AGENCY}-251122-{n:05}")
}

pub fn ts(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

pub const T0: i64 = 1_763_780_400;

/// (event type, status after) per version.
pub const LIFE: &[(pb::EventType, i32)] = &[
    (pb::EventType::DossierSubmitted, 1),
    (pb::EventType::DossierReceived, 2),
    (pb::EventType::ProcessingStarted, 4),
    (pb::EventType::ProcessingFinished, 9),
    (pb::EventType::ResultReturned, 10),
];

pub fn event(ma: &str, version: u64, partner: &str) -> pb::Event {
    let (kind, status) = LIFE[version as usize - 1];
    pb::Event {
        event_id: format!("ev-{ma}-{version}"),
        seq: version,
        r#type: kind as i32,
        occurred_at: ts(T0 + version as i64 * 60),
        partner_id: partner.into(),
        dossier_id: 1,
        ma_ho_so: ma.into(),
        dossier_version: version,
        agency_code: AGENCY.into(),
        procedure_code: "1.000894.000.00.00.H22".into(),
        from_status: 0,
        to_status: status,
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(pb::Dossier {
                ma_ho_so: ma.into(),
                version,
                agency_code: AGENCY.into(),
                procedure_code: "1.000894.000.00.00.H22".into(),
                owner_name: "Lê Văn Cường".into(),
                channel: 2,
                applicant_type: 1,
                status,
                submitted_at: ts(T0),
                result_delivery: pb::ResultDelivery::AtCounter as i32,
                ..Default::default()
            }),
            entry: Some(pb::HistoryEntry {
                version,
                at: ts(T0 + version as i64 * 60),
                partner_id: partner.into(),
                actor: "cán bộ".into(),
                unit: "Sở Tư pháp".into(),
                command: "x".into(),
                to_status: status,
                ..Default::default()
            }),
        })),
    }
}

/// Serves a router on loopback; returns its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}
