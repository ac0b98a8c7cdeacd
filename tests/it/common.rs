//! Helpers shared by the integration tests: a hub on a temporary directory
//! and a loopback port, clients that carry a partner's token, and request
//! builders.

#![allow(dead_code)]

mod binary;
mod in_process;
mod load;

pub use binary::{serve_binary, serve_binary_with_admin};
pub use in_process::{in_process_hub, receive_envelope, submit_envelope};
pub use load::{drive, VersionOrder};

use lienthong::app::RunningHub;
use lienthong::config::{HubConfig, PartnerSection};
use lienthong::grpc::pb::{
    self, catalog_service_client::CatalogServiceClient, command_request::Command as C,
    dossier_service_client::DossierServiceClient, event_service_client::EventServiceClient,
};
use tonic::transport::Channel;
use tonic::{Request, Status};

pub const PORTAL: &str = "dev-national-portal-token";
pub const ONE_STOP: &str = "dev-one-stop-token";
pub const POSTAL: &str = "dev-postal-token-0001";
pub const PAYMENT: &str = "dev-payment-token-0001";

pub const AGENCY: &str = "000.00.01.H22";
/// The agency of `da_nang_one_stop`, and that partner's token.
pub const DA_NANG: &str = "000.00.01.H17";
pub const DA_NANG_TOKEN: &str = "one-stop-da-nang-token";
pub const PROCEDURE: &str = "1.000948.H38";
/// The agency after AGENCY in PROCEDURE's inter-agency sequence.
pub const NEXT_AGENCY: &str = "000.00.02.H22";

pub struct TestHub {
    pub running: Option<RunningHub>,
    pub dir: tempfile::TempDir,
    pub addr: std::net::SocketAddr,
    /// Partners' webhooks (`/partners/<id>/…`), when `hub.http_listen` is set.
    pub http_addr: Option<std::net::SocketAddr>,
    /// The hosted modules' pages, when `[web]` is configured.
    pub web_addr: Option<std::net::SocketAddr>,
    /// Metrics and probes, when `[admin]` is configured.
    pub admin_addr: Option<std::net::SocketAddr>,
}

impl TestHub {
    pub async fn start() -> TestHub {
        TestHub::start_with(|_| {}).await
    }

    /// The embedded development configuration on a temp dir and a free port,
    /// changed by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut HubConfig)) -> TestHub {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = TestHub::config(dir.path().join("data"));
        adjust(&mut config);
        let running = lienthong::app::start(&TestHub::checked(config))
            .await
            .expect("hub starts");
        TestHub::around(running, dir)
    }

    /// The embedded development configuration on `data_dir`, listening on
    /// free loopback ports, stopping quickly.
    pub fn config(data_dir: std::path::PathBuf) -> HubConfig {
        let mut config = HubConfig::embedded_default();
        config.hub.data_dir = data_dir;
        config.hub.listen = "127.0.0.1:0".parse().unwrap();
        config.hub.shutdown_grace_seconds = 2;
        if let Some(web) = config.web.as_mut() {
            web.listen = "127.0.0.1:0".parse().unwrap();
        }
        if let Some(admin) = config.admin.as_mut() {
            admin.listen = "127.0.0.1:0".parse().unwrap();
        }
        config
    }

    /// `config` checked as the hub checks its file; a test's configuration
    /// must be valid.
    pub fn checked(config: HubConfig) -> lienthong::config::LoadedConfig {
        config
            .check("test configuration", &lienthong::adapters::kinds())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The handle of a hub running on data that `dir` keeps alive.
    pub fn around(running: RunningHub, dir: tempfile::TempDir) -> TestHub {
        TestHub {
            addr: running.addr,
            http_addr: running.http_addr,
            web_addr: running.web_addr,
            admin_addr: running.admin_addr,
            running: Some(running),
            dir,
        }
    }

    pub async fn client(&self, token: &str) -> Client {
        Client::connect(self.addr, token).await
    }

    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("hub stops cleanly");
        }
    }
}

#[derive(Clone)]
pub struct Client {
    pub token: String,
    pub dossiers: DossierServiceClient<Channel>,
    pub events: EventServiceClient<Channel>,
    pub catalogs: CatalogServiceClient<Channel>,
}

impl Client {
    pub async fn connect(addr: std::net::SocketAddr, token: &str) -> Client {
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .expect("connect");
        Client {
            token: token.to_string(),
            dossiers: DossierServiceClient::new(channel.clone())
                .max_decoding_message_size(64 << 20),
            events: EventServiceClient::new(channel.clone()),
            catalogs: CatalogServiceClient::new(channel),
        }
    }

    pub fn req<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {}", self.token).parse().unwrap(),
        );
        request
    }

    pub async fn exec(&mut self, command: pb::CommandRequest) -> Result<pb::CommandReply, Status> {
        let request = self.req(command);
        self.dossiers.execute(request).await.map(|r| r.into_inner())
    }

    /// Submits a valid dossier and returns the reply.
    pub async fn submit(&mut self, key: &str) -> pb::CommandReply {
        self.exec(submit_request(key, submission()))
            .await
            .expect("submit accepted")
    }

    pub async fn get(&mut self, id: u64) -> Result<pb::GetDossierReply, Status> {
        let request = self.req(pb::GetDossierRequest {
            dossier: Some(by_id(id)),
        });
        self.dossiers
            .get_dossier(request)
            .await
            .map(|r| r.into_inner())
    }

    pub async fn list(
        &mut self,
        query: pb::ListDossiersRequest,
    ) -> Result<pb::ListDossiersReply, Status> {
        let request = self.req(query);
        self.dossiers
            .list_dossiers(request)
            .await
            .map(|r| r.into_inner())
    }

    /// How many dossiers this partner sees (on the first page of the list).
    pub async fn dossier_count(&mut self) -> usize {
        self.list(Default::default())
            .await
            .expect("listing dossiers")
            .dossiers
            .len()
    }
}

/// A partner entry whose token is in clear, with no subscription and no
/// adapter (struct update adds those): `commands` and `agencies` are names,
/// or `*`.
pub fn partner_section(
    id: &str,
    kind: &str,
    token: &str,
    commands: &[&str],
    agencies: &[&str],
) -> PartnerSection {
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
    PartnerSection {
        id: id.into(),
        kind: kind.into(),
        token: Some(token.into()),
        token_sha256: None,
        commands: owned(commands),
        agencies: owned(agencies),
        subscription: None,
        adapter: None,
        client_certificate: None,
    }
}

/// A second one-stop partner, with every command but only for `DA_NANG`.
pub fn da_nang_one_stop() -> PartnerSection {
    partner_section("one-stop-dn", "one_stop", DA_NANG_TOKEN, &["*"], &[DA_NANG])
}

pub fn catalog_entry(code: &str, name: &str) -> pb::CatalogEntry {
    pb::CatalogEntry {
        code: code.into(),
        name: name.into(),
        parent_code: String::new(),
        attributes: Default::default(),
    }
}

/// Publishes `entries` as the catalogue `kind`, as `client`.
pub async fn publish_catalog(
    client: &mut Client,
    key: &str,
    kind: &str,
    entries: Vec<pb::CatalogEntry>,
    expected: Option<u64>,
) -> Result<pb::PublishCatalogReply, Status> {
    let request = client.req(pb::PublishCatalogRequest {
        idempotency_key: key.into(),
        kind: kind.into(),
        entries,
        expected_version: expected,
    });
    client
        .catalogs
        .publish_catalog(request)
        .await
        .map(|r| r.into_inner())
}

pub fn by_id(id: u64) -> pb::DossierRef {
    pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::Id(id)),
    }
}

pub fn submission() -> pb::SubmitDossier {
    pb::SubmitDossier {
        agency_code: AGENCY.into(),
        procedure_code: PROCEDURE.into(),
        procedure_name: "Cấp giấy phép xây dựng".into(),
        channel: pb::SubmissionChannel::Online as i32,
        owner_name: "Trần Thị Bình".into(),
        applicant_type: pb::ApplicantType::Citizen as i32,
        email: "binh.tran@example.vn".into(),
        phone: "0987654321".into(),
        summary: "Đề nghị cấp giấy phép xây dựng".into(),
        documents: vec![pb::Document {
            component_code: "TP1".into(),
            name: "Đơn đề nghị".into(),
            url: "https://files.example.vn/don.pdf".into(),
        }],
        ..Default::default()
    }
}

pub fn submit_request(key: &str, submission: pb::SubmitDossier) -> pb::CommandRequest {
    pb::CommandRequest {
        idempotency_key: key.into(),
        actor: "Cán bộ một cửa".into(),
        unit: "Bộ phận tiếp nhận".into(),
        command: Some(C::Submit(submission)),
        ..Default::default()
    }
}

pub fn command(key: &str, id: u64, command: C) -> pb::CommandRequest {
    pb::CommandRequest {
        idempotency_key: key.into(),
        dossier: Some(by_id(id)),
        actor: "Nguyễn Văn Cường".into(),
        unit: "Phòng Quản lý đô thị".into(),
        command: Some(command),
        ..Default::default()
    }
}

pub fn in_days(days: i64) -> prost_types::Timestamp {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    prost_types::Timestamp {
        seconds: now + days * 86_400,
        nanos: 0,
    }
}

/// A valid instance of every dossier command (not submit), by name.
pub fn every_command() -> Vec<(&'static str, C)> {
    vec![
        (
            "receive",
            C::Receive(pb::ReceiveDossier {
                due_at: Some(in_days(10)),
            }),
        ),
        (
            "refuse",
            C::Refuse(pb::RefuseDossier {
                reason: "Không thuộc thẩm quyền".into(),
            }),
        ),
        (
            "request_supplement",
            C::RequestSupplement(pb::RequestSupplement {
                reason: "Thiếu bản vẽ".into(),
                items: vec!["Bản vẽ thiết kế".into()],
            }),
        ),
        (
            "submit_supplement",
            C::SubmitSupplement(pb::SubmitSupplement {
                documents: vec![pb::Document {
                    component_code: "TP2".into(),
                    name: "Bản vẽ".into(),
                    url: "https://files.example.vn/ban-ve.pdf".into(),
                }],
                new_due_at: None,
            }),
        ),
        (
            "start_processing",
            C::StartProcessing(pb::StartProcessing {
                processing_unit: "Phòng Quản lý đô thị".into(),
            }),
        ),
        (
            "request_financial_obligation",
            C::RequestFinancialObligation(pb::RequestFinancialObligation {
                fees: vec![pb::Fee {
                    code: "LP1".into(),
                    name: "Lệ phí cấp phép".into(),
                    amount_vnd: 75_000,
                }],
                note: String::new(),
            }),
        ),
        (
            "record_payment",
            C::RecordPayment(pb::RecordPayment {
                transaction_id: "GD0001".into(),
                reference: "TC0001".into(),
                amount_vnd: 75_000,
                paid_at: None,
            }),
        ),
        (
            "stop",
            C::Stop(pb::StopProcessing {
                reason: "Dừng theo yêu cầu của cơ quan".into(),
            }),
        ),
        (
            "resume",
            C::Resume(pb::ResumeProcessing {
                note: "Tiếp tục".into(),
            }),
        ),
        (
            "withdraw",
            C::Withdraw(pb::WithdrawDossier {
                reason: "Công dân rút hồ sơ".into(),
            }),
        ),
        (
            "finish",
            C::Finish(pb::FinishProcessing {
                results: vec![pb::ResultDocument {
                    code: "KQ1".into(),
                    name: "Giấy phép xây dựng".into(),
                    url: "https://files.example.vn/kq.pdf".into(),
                }],
            }),
        ),
        (
            "return_result",
            C::ReturnResult(pb::ReturnResult {
                delivery: pb::ResultDelivery::ByPost as i32,
            }),
        ),
        (
            "reschedule",
            C::Reschedule(pb::RescheduleDossier {
                apology: "Xin lỗi vì trễ hẹn".into(),
                new_due_at: Some(in_days(30)),
            }),
        ),
        // Accepted only once the procedures catalogue gives PROCEDURE the
        // sequence AGENCY → NEXT_AGENCY (`publish_sequence`).
        (
            "forward",
            C::Forward(pb::ForwardDossier {
                to_agency_code: NEXT_AGENCY.into(),
                note: String::new(),
            }),
        ),
        (
            "record_partner_event",
            C::RecordPartnerEvent(pb::RecordPartnerEvent {
                kind: "postal.picked_up".into(),
                occurred_at: Some(in_days(0)),
                reference: "PU-0001".into(),
                note: String::new(),
            }),
        ),
    ]
}

/// The names of every dossier command (not submit).
pub fn dossier_command_names() -> Vec<&'static str> {
    every_command().into_iter().map(|(name, _)| name).collect()
}

/// Publishes a procedures catalogue giving PROCEDURE the inter-agency
/// sequence AGENCY → NEXT_AGENCY (as the national portal would).
pub async fn publish_sequence(hub: &TestHub) {
    let mut portal = hub.client(PORTAL).await;
    let mut entry = catalog_entry(PROCEDURE, "Cấp giấy phép xây dựng");
    entry.attributes.insert(
        "interagency_sequence".into(),
        format!("{AGENCY}, {NEXT_AGENCY}"),
    );
    publish_catalog(
        &mut portal,
        "procedures-with-sequence",
        "procedures",
        vec![entry],
        None,
    )
    .await
    .expect("procedures catalogue published");
}

pub fn command_named(name: &str) -> C {
    every_command()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c)
        .expect("known command")
}

/// The status codes of the portal.
pub mod status {
    pub const SUBMITTED: i32 = 1;
    pub const RECEIVED: i32 = 2;
    pub const REFUSED: i32 = 3;
    pub const PROCESSING: i32 = 4;
    pub const SUPPLEMENT_REQUESTED: i32 = 5;
    pub const FINANCIAL_OBLIGATION: i32 = 6;
    pub const WITHDRAWN: i32 = 7;
    pub const STOPPED: i32 = 8;
    pub const FINISHED: i32 = 9;
    pub const RESULT_RETURNED: i32 = 10;
}
