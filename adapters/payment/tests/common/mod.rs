//! Test harness: the gateway simulator, the adapter built from a settings
//! table like the hub would, its routes served on a loopback port, its
//! re-query task running, and the toolkit's fake hub recording commands.

#![allow(dead_code)]

use lienthong_adapter::testing::{build_adapter, TestAdapter};
use lienthong_adapter::{pb, Sink};
use lienthong_adapter_payment::simulator::{SimConfig, Simulator};
use lienthong_adapter_payment::PaymentKind;
use std::sync::Arc;
use std::time::Duration;

pub const PARTNER_CODE: &str = "LIENTHONG";
pub const SECRET: &str = "test-shared-secret";
/// The adapter's `read_token`: `GET payments/{reference}` asks for it.
pub const READ_TOKEN: &str = "test-read-token-0123";
pub const MA_HO_SO: &str = "000.00.01.H22-251122-00017";

pub use lienthong_adapter::testing::{FakeHub, RunningTasks};

/// Every record_payment the hub was asked for (refused ones too), with its
/// idempotency key.
pub fn payments_asked(hub: &FakeHub) -> Vec<(String, pb::RecordPayment)> {
    hub.calls()
        .into_iter()
        .filter_map(|r| match r.command {
            Some(pb::command_request::Command::RecordPayment(p)) => Some((r.idempotency_key, p)),
            _ => None,
        })
        .collect()
}

pub struct Harness {
    pub sim: Simulator,
    pub hub: Arc<FakeHub>,
    pub sink: Arc<dyn Sink>,
    /// `http://127.0.0.1:<port>` where the adapter's routes are served.
    pub routes_url: String,
    pub http: reqwest::Client,
    /// Dropping them (with the harness) stops the adapter's tasks.
    pub tasks: RunningTasks,
    /// Dropping it (with the harness) stops the routes' server.
    _server: tokio::sync::oneshot::Sender<()>,
}

pub struct Options {
    pub timeout_seconds: u64,
    pub query_interval_seconds: u64,
    pub adapter_secret: String,
    pub extra: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout_seconds: 5,
            query_interval_seconds: 1,
            adapter_secret: SECRET.into(),
            extra: String::new(),
        }
    }
}

/// Re-querying is slow (an hour): only callbacks settle payments.
pub fn callbacks_only() -> Options {
    Options {
        query_interval_seconds: 3600,
        ..Default::default()
    }
}

pub async fn start(options: Options) -> Harness {
    let sim = Simulator::start(SimConfig::new(PARTNER_CODE, SECRET))
        .await
        .expect("simulator");
    let hub = Arc::new(FakeHub::default());
    start_with(sim, hub, options).await
}

/// A (new) adapter against an existing simulator and hub.
pub async fn start_with(sim: Simulator, hub: Arc<FakeHub>, options: Options) -> Harness {
    let TestAdapter {
        sink,
        routes_url,
        tasks,
        server,
    } = adapter(sim.base_url(), hub.clone(), options).await;
    Harness {
        sim,
        hub,
        sink: sink.expect("sink"),
        routes_url,
        http: reqwest::Client::new(),
        tasks,
        _server: server,
    }
}

/// The adapter built from its settings table as the hub would, against the
/// gateway at `endpoint`, told to call back at its own routes.
pub async fn adapter(endpoint: &str, hub: Arc<FakeHub>, options: Options) -> TestAdapter {
    build_adapter(&PaymentKind, "payment", hub, |routes_url| {
        format!(
            r#"
            endpoint = "{endpoint}"
            partner_code = "{PARTNER_CODE}"
            secret = "{secret}"
            callback_url = "{routes_url}/callback"
            timeout_seconds = {timeout}
            query_interval_seconds = {interval}
            beneficiary_account = "3511.0.1059325"
            beneficiary_bank = "VCB"
            treasury_code = "0011"
            treasury_name = "KBNN Hà Nội"
            revenue_account = "7111"
            read_token = "{READ_TOKEN}"
            {extra}
            "#,
            secret = options.adapter_secret,
            timeout = options.timeout_seconds,
            interval = options.query_interval_seconds,
            extra = options.extra,
        )
        .parse()
        .expect("settings toml")
    })
    .await
}

pub fn fee(code: &str, name: &str, amount: i64) -> pb::Fee {
    pb::Fee {
        code: code.into(),
        name: name.into(),
        amount_vnd: amount,
    }
}

/// A `financial_obligation_requested` event for `ma_ho_so` at `version`.
pub fn obligation_event(ma_ho_so: &str, version: u64, fees: Vec<pb::Fee>) -> pb::Event {
    let dossier = pb::Dossier {
        ma_ho_so: ma_ho_so.into(),
        version,
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Cấp giấy phép xây dựng, nhà ở riêng lẻ".into(),
        owner_name: "Nguyễn Văn An".into(),
        owner_id_number: "001085012345".into(),
        phone: "0912345678".into(),
        email: "an@example.vn".into(),
        status: pb::DossierStatus::FinancialObligation as i32,
        fees,
        ..Default::default()
    };
    pb::Event {
        event_id: format!("evt-{ma_ho_so}-{version}"),
        seq: version,
        r#type: pb::EventType::FinancialObligationRequested as i32,
        ma_ho_so: ma_ho_so.into(),
        dossier_version: version,
        agency_code: "000.00.01.H22".into(),
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(dossier),
            entry: None,
        })),
        ..Default::default()
    }
}

pub fn standard_fees() -> Vec<pb::Fee> {
    vec![
        fee("LP01", "Lệ phí cấp giấy phép xây dựng", 75_000),
        fee("PH02", "Phí thẩm định, hồ sơ", 75_000),
    ]
}

pub fn reference(version: u64) -> String {
    format!("{MA_HO_SO}-{version}")
}

impl Harness {
    /// Delivers the standard obligation at `version`; answers the reference.
    pub async fn create_payment(&self, version: u64) -> String {
        let accepted = self
            .sink
            .deliver(&obligation_event(MA_HO_SO, version, standard_fees()))
            .await
            .expect("payment created");
        assert!(accepted
            .partner_reference
            .ends_with(&format!("/pay/{}", reference(version))));
        reference(version)
    }

    pub async fn payment_state(&self, reference: &str) -> serde_json::Value {
        self.http
            .get(format!("{}/payments/{reference}", self.routes_url))
            .bearer_auth(READ_TOKEN)
            .send()
            .await
            .expect("GET payments")
            .json()
            .await
            .expect("json")
    }

    /// Waits (up to 10 s) until the payment's state is `state`.
    pub async fn wait_state(&self, reference: &str, state: &str) -> serde_json::Value {
        for _ in 0..100 {
            let view = self.payment_state(reference).await;
            if view["state"] == state {
                return view;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "payment {reference} never became {state}: {}",
            self.payment_state(reference).await
        );
    }

    pub async fn post_callback(&self, body: serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .http
            .post(format!("{}/callback", self.routes_url))
            .json(&body)
            .send()
            .await
            .expect("callback");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }
}
