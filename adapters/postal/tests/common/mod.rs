//! Test helpers: the toolkit's fake hub recording commands, the adapter
//! served on loopback, the simulator wired to it, and event builders.

#![allow(dead_code)]

use lienthong_adapter::pb::{self, command_request::Command};
use lienthong_adapter::{Adapter, AdapterKind};
use lienthong_adapter_postal::simulator::{SimConfig, Simulator};
use lienthong_adapter_postal::vocabulary::ServiceType;
use lienthong_adapter_postal::PostalKind;
use std::sync::Arc;
use std::time::Duration;

pub const AGENCY: &str = "000.00.01.H22";

pub use lienthong_adapter::testing::{serve_routes, start_tasks, FakeHub, RunningTasks};

/// The distinct idempotency keys of the return_result commands asked for.
pub fn returned_keys(hub: &FakeHub) -> Vec<String> {
    let mut keys: Vec<String> = hub
        .calls()
        .into_iter()
        .filter(|r| matches!(r.command, Some(Command::ReturnResult(_))))
        .map(|r| r.idempotency_key)
        .collect();
    keys.dedup();
    keys
}

/// The history lines asked for (`record_partner_event`), in call order:
/// (idempotency key, kind, reference, note). Replays included.
pub fn lines(hub: &FakeHub) -> Vec<(String, String, String, String)> {
    hub.calls()
        .into_iter()
        .filter_map(|r| match r.command {
            Some(Command::RecordPartnerEvent(e)) => {
                Some((r.idempotency_key, e.kind, e.reference, e.note))
            }
            _ => None,
        })
        .collect()
}

/// The kinds of the history lines asked for, in call order.
pub fn line_kinds(hub: &FakeHub) -> Vec<String> {
    lines(hub).into_iter().map(|(_, kind, _, _)| kind).collect()
}

/// The simulator, the adapter built against it, and the adapter's routes
/// served on loopback under `/partners/postal/`.
pub struct Rig {
    pub sim: Simulator,
    pub hub: Arc<FakeHub>,
    pub sink: Arc<dyn lienthong_adapter::Sink>,
    /// Where the adapter's routes are served: `…/partners/postal`.
    pub partner_url: String,
    pub http: reqwest::Client,
    /// Dropping them (with the rig) stops the adapter's tasks.
    _tasks: RunningTasks,
    _server: tokio::sync::oneshot::Sender<()>,
}

impl Rig {
    pub async fn webhook() -> Rig {
        Rig::start(true, |_| {}).await
    }

    pub async fn poll() -> Rig {
        Rig::start(false, |_| {}).await
    }

    pub async fn start(webhook: bool, adjust: impl FnOnce(&mut toml::Table)) -> Rig {
        Rig::start_on(Arc::new(FakeHub::default()), webhook, adjust).await
    }

    /// An adapter on `hub` (another adapter's, to show what a restart
    /// keeps: the adapter's state is in the hub).
    pub async fn start_on(
        hub: Arc<FakeHub>,
        webhook: bool,
        adjust: impl FnOnce(&mut toml::Table),
    ) -> Rig {
        let sim = Simulator::start(SimConfig::default())
            .await
            .expect("simulator starts");
        let mut settings = sim.adapter_settings(webhook, AGENCY);
        adjust(&mut settings);
        let Adapter {
            sink,
            routes,
            tasks,
        } = PostalKind
            .build("postal", &settings, hub.clone())
            .expect("adapter builds");
        let (partner_url, server) = serve_routes("postal", routes.expect("routes")).await;
        let stop = start_tasks(tasks);
        if webhook {
            sim.set_webhook_url(Some(format!("{partner_url}/webhook")));
        }
        Rig {
            sim,
            hub,
            sink: sink.expect("sink"),
            partner_url,
            http: reqwest::Client::new(),
            _tasks: stop,
            _server: server,
        }
    }

    /// Delivers an event of `kind` for `dossier`; the provider must accept it.
    pub async fn deliver(
        &self,
        kind: pb::EventType,
        dossier: pb::Dossier,
        seq: u64,
    ) -> lienthong_adapter::Accepted {
        self.sink
            .deliver(&event(kind, dossier, seq))
            .await
            .unwrap_or_else(|e| panic!("{kind:?} (event {seq}) refused: {e}"))
    }

    /// Dossier `n` finished by post: its delivery order is created. Returns
    /// its `ma_ho_so`.
    pub async fn delivery_order(&self, n: u32) -> String {
        let d = dossier(n);
        self.deliver(pb::EventType::ProcessingFinished, d.clone(), u64::from(n))
            .await;
        d.ma_ho_so
    }

    /// The provider reports these codes, in order, on the dossier's order
    /// of `service` (which must exist).
    pub fn report(&self, ma_ho_so: &str, service: ServiceType, codes: &[&str]) {
        for code in codes {
            assert!(
                self.sim.emit(ma_ho_so, service, code, ""),
                "no {service:?} order for {ma_ho_so}"
            );
        }
    }

    /// `GET orders/{ma_ho_so}` of the adapter.
    pub async fn tracking(&self, ma_ho_so: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(format!("{}/orders/{ma_ho_so}", self.partner_url))
            .bearer_auth(lienthong_adapter_postal::simulator::codes::READ_TOKEN)
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
