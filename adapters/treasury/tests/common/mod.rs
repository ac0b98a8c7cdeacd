//! Test harness: the treasury simulator, a stand-in gateway serving a
//! settlement file, and the adapter built from a settings table like the
//! hub would, with its routes on a loopback port.

#![allow(dead_code)]

use axum::extract::{Query, State};
use axum::response::Response;
use lienthong_adapter::ma_xac_thuc::DailyFileRequest;
use lienthong_adapter::simulator::daily_file;
use lienthong_adapter::testing::{build_adapter, TestAdapter};
use lienthong_adapter::vietnam_time::{self, now_unix};
use lienthong_adapter::{pb, serve_simulator, Sink};
use lienthong_adapter_treasury::reconcile::files::write_settled;
use lienthong_adapter_treasury::simulator::{SimConfig, Simulator};
use lienthong_adapter_treasury::{Settled, TreasuryKind};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub const PARTNER_CODE: &str = "LIENTHONG";
pub const SECRET: &str = "treasury-shared-secret";
pub const GATEWAY_SECRET: &str = "gateway-shared-secret";
pub const TOKEN: &str = "reconcile-trigger-token-0001";

pub use lienthong_adapter::testing::{FakeHub, RunningTasks};

/// A stand-in gateway: serves, per date, the settlement file set by the
/// test, checking the download signature like the real one.
#[derive(Default)]
pub struct FakeGateway {
    pub files: Mutex<HashMap<String, String>>,
    pub downloads: Mutex<Vec<String>>,
}

async fn settlement(
    State(gw): State<Arc<FakeGateway>>,
    Query(request): Query<DailyFileRequest>,
) -> Response {
    daily_file(&request, PARTNER_CODE, GATEWAY_SECRET, |date| {
        gw.downloads.lock().unwrap().push(date.to_string());
        let files = gw.files.lock().unwrap();
        files
            .get(date)
            .cloned()
            .unwrap_or_else(|| write_settled(&[]))
    })
}

pub struct Harness {
    pub sim: Simulator,
    /// The treasury adapter never calls the hub: tests check it stays so.
    pub hub: Arc<FakeHub>,
    pub gateway: Arc<FakeGateway>,
    pub gateway_url: String,
    pub sink: Arc<dyn Sink>,
    pub routes_url: String,
    pub report_dir: PathBuf,
    pub http: reqwest::Client,
    /// Dropping them (with the harness) stops the adapter's tasks.
    pub tasks: RunningTasks,
    /// Dropping them (with the harness) stops the two servers.
    _servers: [tokio::sync::oneshot::Sender<()>; 2],
}

pub struct Options {
    pub timeout_seconds: u64,
    pub adapter_secret: String,
    pub token: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout_seconds: 5,
            adapter_secret: SECRET.into(),
            token: Some(TOKEN.into()),
        }
    }
}

pub async fn start(options: Options) -> Harness {
    let sim = Simulator::start(SimConfig::new(PARTNER_CODE, SECRET))
        .await
        .expect("simulator");
    let gateway = Arc::new(FakeGateway::default());
    let (gateway_url, gateway_server) = serve_simulator("127.0.0.1:0", "fake gateway", |_| {
        axum::Router::new()
            .route("/api/v1/settlements.csv", axum::routing::get(settlement))
            .with_state(gateway.clone())
    })
    .await
    .expect("a loopback port");

    let report_dir = std::env::temp_dir().join(format!(
        "lienthong-treasury-{}-{}",
        std::process::id(),
        now_unix_nanos()
    ));
    let hub = Arc::new(FakeHub::default());
    let TestAdapter {
        sink,
        routes_url,
        tasks,
        server,
    } = build_adapter(&TreasuryKind, "treasury", hub.clone(), |_| {
        let token_line = options
            .token
            .as_ref()
            .map(|t| format!("trigger_token = \"{t}\""))
            .unwrap_or_default();
        format!(
            r#"
            endpoint = "{endpoint}"
            partner_code = "{PARTNER_CODE}"
            secret = "{secret}"
            timeout_seconds = {timeout}
            treasury_code = "0011"
            revenue_account = "7111"
            settlement_url = "{gateway_url}/api/v1/settlements.csv"
            settlement_partner_code = "{PARTNER_CODE}"
            settlement_secret = "{GATEWAY_SECRET}"
            reconcile_at = "01:30"
            report_dir = {report_dir:?}
            {token_line}
            "#,
            endpoint = sim.base_url(),
            secret = options.adapter_secret,
            timeout = options.timeout_seconds,
            report_dir = report_dir.display().to_string(),
        )
        .parse()
        .expect("settings toml")
    })
    .await;
    Harness {
        sim,
        hub,
        gateway,
        gateway_url,
        sink: sink.expect("sink"),
        routes_url,
        report_dir,
        http: reqwest::Client::new(),
        tasks,
        _servers: [gateway_server, server],
    }
}

fn now_unix_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

pub fn ma_ho_so(n: u32) -> String {
    format!("000.00.01.H22-251122-{n:05}")
}

/// A `payment_recorded` event for dossier `n`, paid now.
pub fn payment_event(n: u32, amount: i64) -> pb::Event {
    let mut payment = pb::Payment {
        transaction_id: format!("PG{n:08}"),
        reference: format!("{}-5", ma_ho_so(n)),
        amount_vnd: amount,
        paid_at: Some(Default::default()),
    };
    if let Some(at) = payment.paid_at.as_mut() {
        at.seconds = now_unix();
    }
    let dossier = pb::Dossier {
        ma_ho_so: ma_ho_so(n),
        version: 6,
        procedure_name: "Cấp giấy phép xây dựng".into(),
        payments: vec![payment],
        ..Default::default()
    };
    pb::Event {
        event_id: format!("evt-{n}"),
        r#type: pb::EventType::PaymentRecorded as i32,
        ma_ho_so: ma_ho_so(n),
        dossier_version: 6,
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(dossier),
            entry: None,
        })),
        ..Default::default()
    }
}

/// The gateway's record of dossier `n`'s payment, paid now.
pub fn settled(n: u32, amount: i64) -> Settled {
    Settled {
        reference: format!("{}-5", ma_ho_so(n)),
        transaction_id: format!("PG{n:08}"),
        ma_ho_so: ma_ho_so(n),
        amount_vnd: amount,
        bank: "Ngân hàng Ngoại thương, CN Hà Nội".into(),
        paid_at: vietnam_time::format(now_unix()),
    }
}

/// The `error` of a JSON answer (empty when it has none).
pub fn error(body: &serde_json::Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

impl Harness {
    /// The gateway's settlement file of `date` lists `records`.
    pub fn set_settlements(&self, date: &str, records: &[Settled]) {
        self.gateway
            .files
            .lock()
            .unwrap()
            .insert(date.to_string(), write_settled(records));
    }

    pub async fn reconcile(
        &self,
        body: Option<serde_json::Value>,
        token: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let mut request = self.http.post(format!("{}/reconcile", self.routes_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("POST reconcile");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }
}
