//! Test helpers: a hub stand-in that records commands, the adapter served on
//! loopback, the simulator wired to it, and event builders.

#![allow(dead_code)]

use lienthong_adapter::pb::{self, command_request::Command};
use lienthong_adapter::{Adapter, AdapterKind, HubApi, HubCallError};
use lienthong_adapter_postal::simulator::{codes, PostalSimulator, SimulatorOptions};
use lienthong_adapter_postal::PostalKind;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const AGENCY: &str = "000.00.01.H22";

/// Records every command; answers like the hub's idempotency would (the same
/// key → `replayed`), or UNAVAILABLE while `unavailable` is above zero.
#[derive(Default)]
pub struct RecordingHub {
    pub requests: Mutex<Vec<pb::CommandRequest>>,
    seen: Mutex<HashMap<String, u64>>,
    pub unavailable: Mutex<u32>,
    pub refuse_with: Mutex<Option<HubCallError>>,
}

impl RecordingHub {
    pub fn requests(&self) -> Vec<pb::CommandRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// The distinct idempotency keys of return_result commands.
    pub fn returned_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .requests()
            .into_iter()
            .filter(|r| matches!(r.command, Some(Command::ReturnResult(_))))
            .map(|r| r.idempotency_key)
            .collect();
        keys.dedup();
        keys
    }
}

#[async_trait::async_trait]
impl HubApi for RecordingHub {
    async fn execute(&self, request: pb::CommandRequest) -> Result<pb::CommandReply, HubCallError> {
        {
            let mut unavailable = self.unavailable.lock().unwrap();
            if *unavailable > 0 {
                *unavailable -= 1;
                return Err(HubCallError {
                    code: "UNAVAILABLE".into(),
                    message: "stopping".into(),
                });
            }
        }
        self.requests.lock().unwrap().push(request.clone());
        if let Some(e) = self.refuse_with.lock().unwrap().clone() {
            return Err(e);
        }
        let mut seen = self.seen.lock().unwrap();
        let replayed = seen.contains_key(&request.idempotency_key);
        let n = seen.len() as u64 + 1;
        let version = *seen.entry(request.idempotency_key.clone()).or_insert(n);
        Ok(pb::CommandReply {
            dossier: Some(pb::Dossier {
                version,
                ..Default::default()
            }),
            replayed,
            ..Default::default()
        })
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

    async fn get_dossier(&self, _d: pb::DossierRef) -> Result<pb::GetDossierReply, HubCallError> {
        Err(HubCallError {
            code: "NOT_FOUND".into(),
            message: "not in these tests".into(),
        })
    }
}

/// The simulator, the adapter built against it, and the adapter's routes
/// served on loopback under `/partners/postal/`.
pub struct Rig {
    pub sim: PostalSimulator,
    pub hub: Arc<RecordingHub>,
    pub sink: Arc<dyn lienthong_adapter::Sink>,
    pub hub_url: String,
    pub http: reqwest::Client,
    stop: Vec<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
}

impl Rig {
    pub async fn webhook() -> Rig {
        Rig::start(true, |_| {}).await
    }

    pub async fn poll() -> Rig {
        Rig::start(false, |_| {}).await
    }

    pub async fn start(webhook: bool, adjust: impl FnOnce(&mut toml::Table)) -> Rig {
        let sim = PostalSimulator::start(SimulatorOptions::default())
            .await
            .expect("simulator starts");
        let mut settings = codes::adapter_settings(
            sim.base_url(),
            sim.api_key(),
            sim.webhook_secret(),
            webhook,
            AGENCY,
        );
        adjust(&mut settings);
        let hub = Arc::new(RecordingHub::default());
        let Adapter {
            sink,
            routes,
            tasks,
        } = PostalKind
            .build("postal", &settings, hub.clone())
            .expect("adapter builds");
        let app = axum::Router::new().nest("/partners/postal", routes.expect("routes"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hub_url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let mut stop = Vec::new();
        for task in tasks {
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            stop.push(tx);
            tokio::spawn(task(Box::pin(async move {
                let _ = rx.await;
            })));
        }
        if webhook {
            sim.set_webhook_url(Some(format!("{hub_url}/partners/postal/webhook")));
        }
        Rig {
            sim,
            hub,
            sink: sink.expect("sink"),
            hub_url,
            http: reqwest::Client::new(),
            stop,
            server,
        }
    }

    /// `GET orders/{ma_ho_so}` of the adapter.
    pub async fn tracking(&self, ma_ho_so: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(format!(
                "{}/partners/postal/orders/{ma_ho_so}",
                self.hub_url
            ))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Waits until `check` holds (polling every 50 ms, at most 10 s).
    pub async fn eventually(&self, what: &str, mut check: impl FnMut(&Rig) -> bool) {
        for _ in 0..200 {
            if check(self) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for: {what}");
    }

    /// Waits until the tracking read-out satisfies `check`.
    pub async fn eventually_tracked(
        &self,
        ma_ho_so: &str,
        mut check: impl FnMut(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let mut last = serde_json::Value::Null;
        for _ in 0..200 {
            let (status, body) = self.tracking(ma_ho_so).await;
            if status == 200 && check(&body) {
                return body;
            }
            last = body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tracking of {ma_ho_so} never matched; last: {last}");
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        for tx in self.stop.drain(..) {
            let _ = tx.send(());
        }
        self.server.abort();
    }
}

pub fn ma_ho_so(n: u32) -> String {
    format!("{AGENCY}-251122-{n:05}")
}

pub fn dossier(n: u32) -> pb::Dossier {
    pb::Dossier {
        id: u64::from(n),
        ma_ho_so: ma_ho_so(n),
        version: 1,
        agency_code: AGENCY.to_string(),
        procedure_code: "1.000948.H38".to_string(),
        procedure_name: "Cấp lại giấy phép lái xe".to_string(),
        channel: pb::SubmissionChannel::Postal as i32,
        owner_name: "Nguyễn Văn An".to_string(),
        phone: "0912345678".to_string(),
        result_delivery: pb::ResultDelivery::ByPost as i32,
        fees: vec![pb::Fee {
            code: "LP01".into(),
            name: "Lệ phí".into(),
            amount_vnd: 135_000,
        }],
        ..Default::default()
    }
}

pub fn event(kind: pb::EventType, dossier: pb::Dossier, seq: u64) -> pb::Event {
    pb::Event {
        event_id: format!("ev-{seq}"),
        seq,
        r#type: kind as i32,
        ma_ho_so: dossier.ma_ho_so.clone(),
        dossier_id: dossier.id,
        agency_code: dossier.agency_code.clone(),
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(dossier),
            entry: None,
        })),
        ..Default::default()
    }
}
