//! Test helpers: a hub stand-in holding dossiers (it records commands and
//! moves the status the way each command leads), the adapter served on
//! loopback, the simulated legacy system wired to it, event builders.

#![allow(dead_code)]

use lienthong_adapter::pb::{self, command_request::Command, dossier_ref::Ref};
use lienthong_adapter::{Adapter, AdapterKind, HubApi, HubCallError, Sink};
use lienthong_adapter_legacy::simulator::{codes, LegacySimulator, SimulatorOptions};
use lienthong_adapter_legacy::LegacyKind;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const AGENCY: &str = "000.00.01.H22";

fn refusal(code: &str, message: impl Into<String>) -> HubCallError {
    HubCallError {
        code: code.into(),
        message: message.into(),
    }
}

/// Holds dossiers by MaHoSo; `execute` records the request, checks the
/// expected version, replays a known key, and moves the status.
#[derive(Default)]
pub struct FakeHub {
    pub dossiers: Mutex<HashMap<String, pb::Dossier>>,
    pub requests: Mutex<Vec<pb::CommandRequest>>,
    replies: Mutex<HashMap<String, pb::CommandReply>>,
    pub refuse_with: Mutex<Option<HubCallError>>,
}

impl FakeHub {
    pub fn add(&self, dossier: pb::Dossier) {
        self.dossiers
            .lock()
            .unwrap()
            .insert(dossier.ma_ho_so.clone(), dossier);
    }

    pub fn dossier(&self, ma: &str) -> pb::Dossier {
        self.dossiers.lock().unwrap()[ma].clone()
    }

    pub fn requests(&self) -> Vec<pb::CommandRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub fn distinct_keys(&self) -> usize {
        let mut keys: Vec<String> = self
            .requests()
            .into_iter()
            .map(|r| r.idempotency_key)
            .collect();
        keys.sort();
        keys.dedup();
        keys.len()
    }
}

fn target(command: &Command, current: i32) -> i32 {
    match command {
        Command::Receive(_) => 2,
        Command::Refuse(_) => 3,
        Command::StartProcessing(_) | Command::Resume(_) => 4,
        Command::RequestSupplement(_) => 5,
        Command::RequestFinancialObligation(_) => 6,
        Command::Withdraw(_) => 7,
        Command::Stop(_) => 8,
        Command::Finish(_) => 9,
        Command::ReturnResult(_) => 10,
        _ => current,
    }
}

fn ma_of(r: &pb::DossierRef) -> String {
    match &r.r#ref {
        Some(Ref::MaHoSo(m)) => m.clone(),
        _ => String::new(),
    }
}

#[async_trait::async_trait]
impl HubApi for FakeHub {
    async fn execute(&self, request: pb::CommandRequest) -> Result<pb::CommandReply, HubCallError> {
        self.requests.lock().unwrap().push(request.clone());
        if let Some(reply) = self.replies.lock().unwrap().get(&request.idempotency_key) {
            let mut reply = reply.clone();
            reply.replayed = true;
            return Ok(reply);
        }
        if let Some(e) = self.refuse_with.lock().unwrap().clone() {
            return Err(e);
        }
        let ma = request.dossier.as_ref().map(ma_of).unwrap_or_default();
        let mut dossiers = self.dossiers.lock().unwrap();
        let d = dossiers
            .get_mut(&ma)
            .ok_or_else(|| refusal("NOT_FOUND", format!("no dossier {ma}")))?;
        if let Some(v) = request.expected_version {
            if v != d.version {
                return Err(refusal(
                    "ABORTED",
                    format!("dossier is at version {}", d.version),
                ));
            }
        }
        let command = request.command.clone().expect("a command");
        d.status = target(&command, d.status);
        d.version += 1;
        if let Command::Receive(r) = &command {
            d.due_at = r.due_at;
        }
        if let Command::Reschedule(r) = &command {
            d.due_at = r.new_due_at;
        }
        let reply = pb::CommandReply {
            dossier: Some(d.clone()),
            ..Default::default()
        };
        self.replies
            .lock()
            .unwrap()
            .insert(request.idempotency_key.clone(), reply.clone());
        Ok(reply)
    }

    async fn publish_catalog(
        &self,
        _r: pb::PublishCatalogRequest,
    ) -> Result<pb::PublishCatalogReply, HubCallError> {
        Err(refusal("PERMISSION_DENIED", "not here"))
    }

    async fn get_dossier(&self, r: pb::DossierRef) -> Result<pb::GetDossierReply, HubCallError> {
        let ma = ma_of(&r);
        let dossier = self
            .dossiers
            .lock()
            .unwrap()
            .get(&ma)
            .cloned()
            .ok_or_else(|| refusal("NOT_FOUND", format!("dossier {ma} not found")))?;
        Ok(pb::GetDossierReply {
            dossier: Some(dossier),
            history: Vec::new(),
        })
    }
}

pub struct Rig {
    pub sim: LegacySimulator,
    pub hub: Arc<FakeHub>,
    pub sink: Arc<dyn Sink>,
    pub updates_url: String,
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

pub const EVENTS: &[&str] = &[
    "dossier_submitted",
    "dossier_received",
    "processing_started",
    "processing_finished",
    "result_returned",
];

impl Rig {
    pub async fn start() -> Rig {
        Rig::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut toml::Table)) -> Rig {
        let sim = LegacySimulator::start(SimulatorOptions::default())
            .await
            .expect("simulator starts");
        let mut settings =
            codes::adapter_settings(sim.base_url(), sim.api_key(), sim.secret(), EVENTS);
        adjust(&mut settings);
        let hub = Arc::new(FakeHub::default());
        let Adapter { sink, routes, .. } = LegacyKind
            .build("legacy", &settings, hub.clone())
            .expect("adapter builds");
        let app = axum::Router::new().nest("/partners/legacy", routes.expect("routes"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let updates_url = format!(
            "http://{}/partners/legacy/updates",
            listener.local_addr().unwrap()
        );
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        sim.set_hub_url(Some(updates_url.clone()));
        Rig {
            sim,
            hub,
            sink: sink.expect("sink"),
            updates_url,
            http: reqwest::Client::new(),
            server,
        }
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn ma_ho_so(n: u32) -> String {
    format!("{AGENCY}-251122-{n:05}")
}

pub fn dossier(n: u32, status: pb::DossierStatus) -> pb::Dossier {
    pb::Dossier {
        id: u64::from(n),
        ma_ho_so: ma_ho_so(n),
        version: 1,
        agency_code: AGENCY.into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Cấp giấy phép hoạt động".into(),
        owner_name: "Trần Thị Bình".into(),
        phone: "0987654321".into(),
        status: status as i32,
        result_delivery: pb::ResultDelivery::AtCounter as i32,
        fees: vec![pb::Fee {
            code: "P1".into(),
            name: "Phí".into(),
            amount_vnd: 200_000,
        }],
        ..Default::default()
    }
}

pub fn event(kind: pb::EventType, mut dossier: pb::Dossier, seq: u64, note: &str) -> pb::Event {
    let mut occurred = pb::Event::default().occurred_at.unwrap_or_default();
    occurred.seconds = 1_763_796_600; // 2025-11-22 14:30:00 in Hanoi
    dossier.submitted_at = Some(occurred);
    pb::Event {
        event_id: format!("ev-{seq}"),
        seq,
        r#type: kind as i32,
        occurred_at: Some(occurred),
        ma_ho_so: dossier.ma_ho_so.clone(),
        dossier_id: dossier.id,
        dossier_version: dossier.version,
        agency_code: dossier.agency_code.clone(),
        procedure_code: dossier.procedure_code.clone(),
        to_status: dossier.status,
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(dossier),
            entry: Some(pb::HistoryEntry {
                note: note.into(),
                ..Default::default()
            }),
        })),
        ..Default::default()
    }
}
