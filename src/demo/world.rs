//! The demo's world: a hub in this process on the embedded development
//! configuration (temporary data directory, free ports) plus one simulator
//! per partner, and each partner's entry with its adapter pointing at its
//! simulator — exactly the `[[partners]]` tables an operator would write.
//! The development officers of the hosted workspace are the construction
//! department's, signed in once for the day.

use super::client::Client;
use super::workspace::Workspace;
use super::DemoError;
use lienthong::app::RunningHub;
use lienthong::config::{HubConfig, PartnerSection, SubscriptionSection};
use lienthong_adapter_legacy::simulator as legacy;
use lienthong_adapter_national_portal::simulator as portal;
use lienthong_adapter_one_stop::simulator as one_stop;
use lienthong_adapter_payment::simulator as gateway;
use lienthong_adapter_postal::simulator as postal;
use lienthong_adapter_treasury::simulator as treasury;
use lienthong_oidc_simulator as identity;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const PORTAL: &str = "dvcqg";
pub const ONE_STOP: &str = "motcua-stp";
pub const POSTAL: &str = "vnpost";
pub const PAYMENT: &str = "paygov";
pub const TREASURY: &str = "kbnn";
pub const LEGACY: &str = "bxd-legacy";
/// Every adapter partner, in the order the tally prints them.
pub const PARTNERS: [&str; 6] = [PORTAL, ONE_STOP, POSTAL, PAYMENT, TREASURY, LEGACY];

/// The one-stop officer acting directly over gRPC (development partner).
const OFFICER_TOKEN: &str = "dev-one-stop-token";
const OPERATOR_TOKEN: &str = "demo-operator-token-0001";
const AUDITOR_TOKEN: &str = "demo-auditor-token-0001";

/// The province (the portal's `madonvi`), its justice department (served by
/// the one-stop system) and its construction department (whose ministry
/// keeps a legacy system).
pub const PROVINCE: &str = "000.00.00.H22";
pub const JUSTICE: &str = "000.00.09.H22";
pub const CONSTRUCTION: &str = "000.00.05.H22";

const ONE_STOP_SECRET: &str = "bi-mat-chung-motcua-demo";
const GATEWAY_CODE: &str = "LIENTHONG";
const GATEWAY_SECRET: &str = "paygov-shared-secret-demo";
const TREASURY_CODE: &str = "LIENTHONG-KB";
const TREASURY_SECRET: &str = "kbnn-shared-secret-demo";
/// The portal as a client of the single sign-on simulator.
const SSO_CLIENT_ID: &str = "cong-dich-vu-cong-demo";
const SSO_SECRET: &str = "sso-client-secret-demo";
/// The legacy system hears these events (in its own names).
const LEGACY_EVENTS: [&str; 4] = [
    "dossier_submitted",
    "dossier_received",
    "processing_finished",
    "result_returned",
];

pub struct World {
    hub: tokio::sync::Mutex<Option<RunningHub>>,
    dir: PathBuf,
    pub portal: portal::Simulator,
    pub one_stop: one_stop::Simulator,
    pub postal: postal::Simulator,
    pub gateway: gateway::Simulator,
    pub treasury: treasury::Simulator,
    pub legacy: legacy::Simulator,
    /// The national single sign-on, simulated: applicants sign in to the
    /// portal with its test citizens (`[web.oidc]`).
    pub identity: identity::Provider,
    /// The one-stop officer at the counter.
    pub officer: Client,
    /// The operator: delivery status, parked deliveries, reconciliation.
    pub operator: Client,
    /// An observer subscribed to every event, for the tally.
    pub auditor: Client,
    /// Each adapter partner's subscription, as configured.
    pub subscriptions: Vec<(&'static str, SubscriptionSection)>,
    pub grpc_addr: std::net::SocketAddr,
    pub http_addr: std::net::SocketAddr,
    /// The hosted one-stop workspace's listener (`[web]` of the embedded
    /// configuration), and its development officers: login, role, password.
    pub web_addr: Option<std::net::SocketAddr>,
    pub officers: Vec<(String, String, String)>,
    /// The construction department's officers, signed in to the workspace.
    workspace: Option<Workspace>,
}

fn sim_error(which: &'static str) -> impl FnOnce(std::io::Error) -> DemoError {
    move |source| DemoError::Simulator { which, source }
}

impl World {
    pub async fn start(base: Option<&Path>) -> Result<World, DemoError> {
        let dir = base
            .map(Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir)
            .join(format!(
                "lienthong-demo-{}-{}",
                std::process::id(),
                lienthong::domain::UnixMillis::now().0
            ));
        std::fs::create_dir_all(&dir).map_err(|source| DemoError::Dir {
            path: dir.clone(),
            source,
        })?;
        let portal = portal::Simulator::start(portal::SimConfig::default())
            .await
            .map_err(sim_error("national portal"))?;
        let one_stop = one_stop::Simulator::start(one_stop::SimConfig::default())
            .await
            .map_err(sim_error("one-stop"))?;
        let postal = postal::Simulator::start(postal::SimConfig::default())
            .await
            .map_err(sim_error("postal"))?;
        let gateway = gateway::Simulator::start(gateway::SimConfig {
            partner_code: GATEWAY_CODE.into(),
            secret: GATEWAY_SECRET.into(),
        })
        .await
        .map_err(sim_error("payment gateway"))?;
        let treasury = treasury::Simulator::start(treasury::SimConfig {
            partner_code: TREASURY_CODE.into(),
            secret: TREASURY_SECRET.into(),
        })
        .await
        .map_err(sim_error("treasury"))?;
        let legacy = legacy::Simulator::start(legacy::SimConfig::default())
            .await
            .map_err(sim_error("legacy"))?;

        // The portal's address is chosen before it starts: the provider
        // must know the redirect URL (`[web.oidc] redirect_url`).
        let web_port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(sim_error("single sign-on"))?
            .port();
        let redirect_url = format!("http://127.0.0.1:{web_port}/tai-khoan/dang-nhap-mot-lan/ve");
        let identity = identity::Provider::start(identity::Client {
            client_id: SSO_CLIENT_ID.into(),
            client_secret: SSO_SECRET.into(),
            redirect_uri: redirect_url.clone(),
        })
        .await
        .map_err(sim_error("single sign-on"))?;
        let secret_file = dir.join("sso-client-secret");
        std::fs::write(&secret_file, SSO_SECRET).map_err(|source| DemoError::Dir {
            path: secret_file.clone(),
            source,
        })?;

        let mut config = HubConfig::embedded_default();
        config.hub.data_dir = dir.join("data");
        config.hub.listen = ([127, 0, 0, 1], 0).into();
        config.hub.http_listen = Some(([127, 0, 0, 1], 0).into());
        if let Some(admin) = config.admin.as_mut() {
            admin.listen = ([127, 0, 0, 1], 0).into();
        }
        if let Some(web) = config.web.as_mut() {
            web.listen = ([127, 0, 0, 1], web_port).into();
            // Applicants pay fees on the portal through the gateway's adapter.
            web.payment_partner = PAYMENT.into();
            web.oidc = Some(lienthong::config::OidcSection {
                issuer: identity.issuer().to_string(),
                client_id: SSO_CLIENT_ID.into(),
                client_secret_file: secret_file,
                redirect_url,
                scopes: vec!["openid".into(), "profile".into(), "email".into()],
                display_name: "tài khoản định danh (mô phỏng)".into(),
                timeout_seconds: 5,
            });
            // The development officers are the construction department's:
            // it works in the hosted workspace.
            for officer in &mut web.officers {
                officer.agency = CONSTRUCTION.into();
            }
        }
        config.hub.shutdown_grace_seconds = 2;
        // Quick retries, and few of them: a partner that stays down for a
        // second gets its deliveries parked, which the operator re-drives.
        config.delivery.initial_backoff_milliseconds = 50;
        config.delivery.max_backoff_seconds = 1;
        config.delivery.max_attempts = 5;
        let return_url =
            format!("http://127.0.0.1:{web_port}/tai-khoan/ho-so/{{MaHoSo}}/thanh-toan/ket-qua");
        let partners = partner_sections(
            &dir,
            &portal,
            &one_stop,
            &postal,
            &gateway,
            &treasury,
            &legacy,
            &return_url,
        );
        let subscriptions = partners
            .iter()
            .filter_map(|p| {
                let id = PARTNERS.iter().find(|id| **id == p.id)?;
                Some((*id, p.subscription.clone()?))
            })
            .collect();
        config.partners.extend(partners);
        config.partners.extend(observers());
        let officers: Vec<(String, String, String)> = config
            .web
            .iter()
            .flat_map(|web| &web.officers)
            .map(|o| {
                let password = o.password.clone().unwrap_or_else(|| "(argon2 only)".into());
                (o.login.clone(), o.role.clone(), password)
            })
            .collect();
        let loaded = config
            .check("the demo's configuration", &lienthong::adapters::kinds())
            .map_err(lienthong::app::AppError::from)?;
        let hub = lienthong::app::start(&loaded).await?;
        let grpc_addr = hub.addr;
        let web_addr = hub.web_addr;
        let http_addr = hub.http_addr.ok_or_else(|| DemoError::Connect {
            addr: "hub.http_listen".into(),
            reason: "the hub did not open its HTTP side".into(),
        })?;
        let inbound =
            |partner: &str, path: &str| format!("http://{http_addr}/partners/{partner}/{path}");
        one_stop.set_callback(
            &inbound(ONE_STOP, "status"),
            "x-onestop-secret",
            ONE_STOP_SECRET,
        );
        postal.set_webhook_url(Some(inbound(POSTAL, "webhook")));
        gateway.set_callback_url(Some(inbound(PAYMENT, "callback")));
        legacy.set_hub_url(Some(inbound(LEGACY, "updates")));
        let workspace = match web_addr {
            Some(web) => Some(Workspace::sign_in(web, &officers).await?),
            None => None,
        };
        let world = World {
            workspace,
            officer: Client::connect(grpc_addr, OFFICER_TOKEN).await?,
            operator: Client::connect(grpc_addr, OPERATOR_TOKEN).await?,
            auditor: Client::connect(grpc_addr, AUDITOR_TOKEN).await?,
            hub: tokio::sync::Mutex::new(Some(hub)),
            dir,
            portal,
            one_stop,
            postal,
            gateway,
            treasury,
            legacy,
            identity,
            subscriptions,
            grpc_addr,
            http_addr,
            web_addr,
            officers,
        };
        world.wait_for_catalogues().await?;
        Ok(world)
    }

    /// The construction department's officers in the hosted workspace.
    pub fn workspace(&self) -> Result<&Workspace, DemoError> {
        self.workspace.as_ref().ok_or_else(|| DemoError::Connect {
            addr: "[web] listen".into(),
            reason: "the hub runs without [web]: the construction department has no workspace"
                .into(),
        })
    }

    /// The portal adapter pulls the shared catalogues at start; dossiers are
    /// checked against them, so the day starts once they are in.
    async fn wait_for_catalogues(&self) -> Result<(), DemoError> {
        for _ in 0..300 {
            if self.officer.catalog_version("procedures").await? > 0
                && self.officer.catalog_version("agencies").await? > 0
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(DemoError::Timeout {
            what: "the catalogues from the national portal".into(),
            seconds: 15,
        })
    }

    pub fn print_header(&self, args: &super::DemoArgs) {
        println!("lienthong demo — one day of a province's public services, with partner faults");
        println!(
            "hub: gRPC {} · partners' webhooks http://{} · data {} (removed at the end)",
            self.grpc_addr,
            self.http_addr,
            self.dir.display()
        );
        println!("simulated partners, each behind its adapter:");
        let rows = [
            (
                PORTAL,
                "Cổng DVC quốc gia / national portal",
                self.portal.url().to_string(),
            ),
            (
                ONE_STOP,
                "Một cửa Sở Tư pháp / one-stop system",
                self.one_stop.url().to_string(),
            ),
            (
                POSTAL,
                "Bưu điện / postal provider",
                self.postal.base_url().to_string(),
            ),
            (
                PAYMENT,
                "PayGov / payment gateway",
                self.gateway.base_url().to_string(),
            ),
            (
                TREASURY,
                "Kho bạc / State Treasury",
                self.treasury.base_url().to_string(),
            ),
            (
                LEGACY,
                "Bộ Xây dựng / ministry legacy system",
                self.legacy.base_url().to_string(),
            ),
        ];
        for (id, name, url) in rows {
            println!("  {id:<11} {name:<38} {url}");
        }
        if let Some(web) = self.web_addr {
            println!(
                "hosted one-stop workspace (Một cửa điện tử), where the construction department (Sở Xây dựng) works: http://{web}/mot-cua/"
            );
            println!(
                "public portal (Cổng dịch vụ công: lookup, services, statistics): http://{web}/"
            );
            println!(
                "operator console (Quản trị vận hành: destinations, parked deliveries, re-drive, a dossier's delivery ledger; administrator role): http://{web}/quan-tri/"
            );
            println!(
                "single sign-on (simulated national identity provider, test citizens): {}",
                self.identity.issuer()
            );
        }
        println!(
            "faults: {}",
            if args.no_faults {
                "off (--no-faults)"
            } else {
                "on"
            }
        );
    }

    /// Where to open the hosted workspace and who may sign in (the
    /// development officers' PUBLIC passwords), for `--keep-running`.
    pub fn print_workspace(&self) {
        let Some(web) = self.web_addr else {
            println!("\nthe hub runs without [web]: no hosted workspace to open");
            return;
        };
        println!(
            "\nstill running (Ctrl-C or SIGTERM stops it): gRPC {}",
            self.grpc_addr
        );
        println!("open the public portal at http://{web}/ (dossier lookup: /tra-cuu with a MaHoSo and the ID number 0221900000NN of demo dossier #NN)");
        println!("sign in as a citizen at http://{web}/tai-khoan/dang-nhap: \"Đăng nhập bằng tài khoản định danh\" goes to the simulated provider ({}), where a test citizen is chosen", self.identity.issuer());
        println!(
            "or with the account of an applicant who filed online today: cong.dan6@example.vn (dossier #6), password {} (PUBLIC, demo only)",
            super::filing::APPLICANT_PASSWORD
        );
        println!("open the hosted one-stop workspace at http://{web}/mot-cua/");
        println!("open the operator console at http://{web}/quan-tri/ (signed in as the officer with role administrator)");
        println!("development officers and their PUBLIC passwords:");
        for (login, role, password) in &self.officers {
            println!("  {login:<16} {role:<14} password {password}");
        }
    }

    /// Stops the hub and removes the temporary directory.
    pub async fn stop(&self) -> Result<(), DemoError> {
        let running = self.hub.lock().await.take();
        let stopped = match running {
            Some(hub) => hub.stop().await.map_err(DemoError::Hub),
            None => Ok(()),
        };
        let _ = std::fs::remove_dir_all(&self.dir);
        stopped
    }
}

fn section(
    id: &str,
    kind: &str,
    token: &str,
    commands: &[&str],
    subscription: SubscriptionSection,
    adapter: toml::Table,
) -> PartnerSection {
    PartnerSection {
        id: id.into(),
        kind: kind.into(),
        token: Some(token.into()),
        token_sha256: None,
        commands: commands.iter().map(|c| c.to_string()).collect(),
        agencies: vec!["*".into()],
        subscription: Some(subscription),
        adapter: Some(adapter),
        client_certificate: None,
    }
}

fn types(names: &[&str]) -> SubscriptionSection {
    SubscriptionSection {
        event_types: names.iter().map(|n| n.to_string()).collect(),
        ..Default::default()
    }
}

fn agencies(codes: &[&str]) -> SubscriptionSection {
    SubscriptionSection {
        agencies: codes.iter().map(|n| n.to_string()).collect(),
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn partner_sections(
    dir: &Path,
    portal: &portal::Simulator,
    one_stop: &one_stop::Simulator,
    postal: &postal::Simulator,
    gateway: &gateway::Simulator,
    treasury: &treasury::Simulator,
    legacy: &legacy::Simulator,
    return_url: &str,
) -> Vec<PartnerSection> {
    let mut portal_adapter = portal.adapter_settings(PROVINCE);
    portal_adapter.insert("kind".into(), "national_portal_dvcqg".into());
    for (key, value) in [
        ("timeout_seconds", 2),
        ("progress_batch_size", 5),
        ("catalog_poll_interval_seconds", 3600),
        ("pushdown_poll_interval_seconds", 1),
    ] {
        portal_adapter.insert(key.into(), toml::Value::Integer(value));
    }
    // Each procedure in full (LayThuTuc): its time limits per channel are
    // what the workspace computes appointment dates from.
    portal_adapter.insert(
        "catalog_procedure_details".into(),
        toml::Value::Boolean(true),
    );

    let mut one_stop_adapter = one_stop.adapter_settings(ONE_STOP_SECRET);
    one_stop_adapter.insert("kind".into(), "one_stop_rest".into());
    one_stop_adapter.insert("timeout_seconds".into(), toml::Value::Integer(2));

    let mut postal_adapter = postal.adapter_settings(true, JUSTICE);
    if let Some(toml::Value::Table(agencies)) = postal_adapter.get_mut("agencies") {
        if let Some(justice) = agencies.get(JUSTICE).cloned() {
            let mut construction = justice;
            if let toml::Value::Table(t) = &mut construction {
                t.insert("name".into(), "Bộ phận Một cửa Sở Xây dựng".into());
            }
            agencies.insert(CONSTRUCTION.into(), construction);
        }
    }
    postal_adapter.insert("kind".into(), "postal_http".into());

    let mut payment_adapter = gateway.adapter_settings();
    payment_adapter.insert("kind".into(), "payment_paygov".into());
    payment_adapter.insert("return_url".into(), return_url.into());
    payment_adapter.insert("treasury_name".into(), "KBNN Quảng Ninh".into());

    let mut treasury_adapter = treasury.adapter_settings(&dir.join("doi-soat"));
    treasury_adapter.extend(gateway.settlement_settings());
    treasury_adapter.insert("kind".into(), "treasury_kbnn".into());

    let mut legacy_adapter = legacy.adapter_settings(&LEGACY_EVENTS);
    legacy_adapter.insert("kind".into(), "legacy_rest".into());

    vec![
        section(
            PORTAL,
            "national_portal",
            "demo-dvcqg-token-0001",
            &["*"],
            // Every event, and the hosted portal's ratings and published
            // answers (DongBoDanhGia, DongBoHoiDap).
            SubscriptionSection {
                citizen_feedback: true,
                ..Default::default()
            },
            portal_adapter,
        ),
        section(
            ONE_STOP,
            "one_stop",
            "demo-motcua-token-0001",
            &lienthong_adapter_one_stop::commands::granted(),
            agencies(&[JUSTICE]),
            one_stop_adapter,
        ),
        section(
            POSTAL,
            "postal",
            "demo-vnpost-token-0001",
            &["return_result", "record_partner_event"],
            types(&[
                "dossier_submitted",
                "processing_finished",
                "dossier_withdrawn",
            ]),
            postal_adapter,
        ),
        section(
            PAYMENT,
            "payment",
            "demo-paygov-token-0001",
            &["record_payment"],
            types(&["financial_obligation_requested"]),
            payment_adapter,
        ),
        section(
            TREASURY,
            "treasury",
            "demo-kbnn-token-0001",
            &[],
            types(&["payment_recorded"]),
            treasury_adapter,
        ),
        section(
            LEGACY,
            "legacy",
            "demo-bxd-legacy-token-0001",
            &[
                "receive",
                "refuse",
                "start_processing",
                "finish",
                "return_result",
            ],
            agencies(&[CONSTRUCTION]),
            legacy_adapter,
        ),
    ]
}

/// The operator (admin calls) and an auditor that reads every event over a
/// gRPC subscription, independently of the relays it checks.
fn observers() -> Vec<PartnerSection> {
    let observer = |id: &str, token: &str, commands: &[&str], subscription| PartnerSection {
        id: id.into(),
        kind: "module".into(),
        token: Some(token.into()),
        token_sha256: None,
        commands: commands.iter().map(|c| c.to_string()).collect(),
        agencies: vec!["*".into()],
        subscription,
        adapter: None,
        client_certificate: None,
    };
    vec![
        observer("demo-operator", OPERATOR_TOKEN, &["manage_parked"], None),
        observer(
            "demo-auditor",
            AUDITOR_TOKEN,
            &[],
            Some(SubscriptionSection {
                citizen_feedback: true,
                ..Default::default()
            }),
        ),
    ]
}
