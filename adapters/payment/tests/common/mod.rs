//! Test harness: the gateway simulator, the adapter built from a settings
//! table like the hub would, its routes served on a loopback port, its
//! re-query task running, and a hub stand-in that records commands.

#![allow(dead_code)]

use lienthong_adapter::{pb, Adapter, AdapterKind, HubApi, HubCallError, Sink};
use lienthong_adapter_payment::simulator::{GatewaySimulator, SimConfig};
use lienthong_adapter_payment::PaymentKind;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const PARTNER_CODE: &str = "LIENTHONG";
pub const SECRET: &str = "test-shared-secret";
pub const MA_HO_SO: &str = "000.00.01.H22-251122-00017";

/// A hub that records `execute` calls; a repeated idempotency key replays.
#[derive(Default)]
pub struct RecordingHub {
    pub requests: Mutex<Vec<pb::CommandRequest>>,
    keys: Mutex<HashMap<String, usize>>,
    pub unavailable_next: AtomicU32,
    pub refuse_with: Mutex<Option<String>>,
}

impl RecordingHub {
    pub fn payments(&self) -> Vec<(String, pb::RecordPayment)> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter_map(|r| match &r.command {
                Some(pb::command_request::Command::RecordPayment(p)) => {
                    Some((r.idempotency_key.clone(), p.clone()))
                }
                _ => None,
            })
            .collect()
    }

    pub fn calls(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

#[async_trait::async_trait]
impl HubApi for RecordingHub {
    async fn execute(&self, request: pb::CommandRequest) -> Result<pb::CommandReply, HubCallError> {
        self.requests.lock().unwrap().push(request.clone());
        let take = self
            .unavailable_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if take {
            return Err(HubCallError {
                code: "UNAVAILABLE".into(),
                message: "stopping".into(),
            });
        }
        if let Some(code) = self.refuse_with.lock().unwrap().clone() {
            return Err(HubCallError {
                code,
                message: "dossier is withdrawn".into(),
            });
        }
        let mut keys = self.keys.lock().unwrap();
        let n = keys.len();
        let replayed = keys.contains_key(&request.idempotency_key);
        keys.entry(request.idempotency_key).or_insert(n);
        Ok(pb::CommandReply {
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
            message: "not for payments".into(),
        })
    }

    async fn get_dossier(
        &self,
        _dossier: pb::DossierRef,
    ) -> Result<pb::GetDossierReply, HubCallError> {
        Err(HubCallError {
            code: "NOT_FOUND".into(),
            message: "not in this test".into(),
        })
    }
}

pub struct Harness {
    pub sim: GatewaySimulator,
    pub hub: Arc<RecordingHub>,
    pub sink: Arc<dyn Sink>,
    /// `http://127.0.0.1:<port>` where the adapter's routes are served.
    pub routes_url: String,
    pub http: reqwest::Client,
    /// Dropping it (with the harness) stops the adapter's tasks.
    pub stop: tokio::sync::watch::Sender<()>,
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
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

pub async fn start(options: Options) -> Harness {
    let sim = GatewaySimulator::start(SimConfig {
        partner_code: PARTNER_CODE.into(),
        secret: SECRET.into(),
    })
    .await
    .expect("simulator");
    let hub = Arc::new(RecordingHub::default());
    start_with(sim, hub, options).await
}

/// A (new) adapter against an existing simulator and hub.
pub async fn start_with(
    sim: GatewaySimulator,
    hub: Arc<RecordingHub>,
    options: Options,
) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let routes_url = format!("http://{}", listener.local_addr().expect("addr"));
    let table: toml::Table = format!(
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
        {extra}
        "#,
        endpoint = sim.base_url(),
        secret = options.adapter_secret,
        timeout = options.timeout_seconds,
        interval = options.query_interval_seconds,
        extra = options.extra,
    )
    .parse()
    .expect("settings toml");
    PaymentKind.validate(&table).expect("valid settings");
    let Adapter {
        sink,
        routes,
        tasks,
    } = PaymentKind
        .build("payment", &table, hub.clone())
        .expect("adapter");
    let routes = routes.expect("routes");
    tokio::spawn(async move {
        let _ = axum::serve(listener, routes).await;
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let tasks = tasks
        .into_iter()
        .map(|task| {
            let mut stop = stop_rx.clone();
            tokio::spawn(task(Box::pin(async move {
                let _ = stop.changed().await;
            })))
        })
        .collect();
    Harness {
        sim,
        hub,
        sink: sink.expect("sink"),
        routes_url,
        http: reqwest::Client::new(),
        stop: stop_tx,
        tasks,
    }
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
