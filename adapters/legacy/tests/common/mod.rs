//! Test helpers: the toolkit's fake hub (holding dossiers, recording
//! commands, moving them by the transition table), the adapter served on
//! loopback, the simulated legacy system wired to it, event builders.

#![allow(dead_code)]

use lienthong_adapter::pb;
use lienthong_adapter::{Adapter, AdapterKind, Sink};
use lienthong_adapter_legacy::simulator::{SimConfig, Simulator};
use lienthong_adapter_legacy::LegacyKind;
use std::sync::Arc;

pub const AGENCY: &str = "000.00.01.H22";

pub use lienthong_adapter::testing::{serve_routes, FakeHub};

pub struct Rig {
    pub sim: Simulator,
    pub hub: Arc<FakeHub>,
    pub sink: Arc<dyn Sink>,
    pub updates_url: String,
    pub http: reqwest::Client,
    _server: tokio::sync::oneshot::Sender<()>,
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
        let sim = Simulator::start(SimConfig::default())
            .await
            .expect("simulator starts");
        let mut settings = sim.adapter_settings(EVENTS);
        adjust(&mut settings);
        let hub = Arc::new(FakeHub::default());
        let Adapter { sink, routes, .. } = LegacyKind
            .build("legacy", &settings, hub.clone())
            .expect("adapter builds");
        let (base_url, server) = serve_routes("legacy", routes.expect("routes")).await;
        let updates_url = format!("{base_url}/updates");
        sim.set_hub_url(Some(updates_url.clone()));
        Rig {
            sim,
            hub,
            sink: sink.expect("sink"),
            updates_url,
            http: reqwest::Client::new(),
            _server: server,
        }
    }

    /// Posts `body` to the adapter's update route directly (not through
    /// the simulator), with the shared secret when `with_secret`.
    pub async fn post_update(&self, with_secret: bool, body: &str) -> reqwest::Response {
        let mut request = self
            .http
            .post(&self.updates_url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if with_secret {
            request = request.header("X-Legacy-Secret", self.sim.secret());
        }
        request.send().await.unwrap()
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
    let mut event = lienthong_adapter::testing::event(kind, dossier, seq);
    if let Some(pb::event::Payload::DossierChanged(change)) = &mut event.payload {
        change.entry = Some(pb::HistoryEntry {
            note: note.into(),
            ..Default::default()
        });
    }
    event
}
