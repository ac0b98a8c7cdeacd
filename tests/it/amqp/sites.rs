//! Three sites, three hubs, three brokers (issue 14): two provinces (H22,
//! H29) and a ministry (BXD), each hub with its own data directory, ports
//! and its own RabbitMQ node (`tests/sites.sh`: separate nodes on this
//! machine, not a cluster), linked by the shovels each hub declares on its
//! broker. The ministry's hub is the real binary, so it can be SIGKILLed.
//!
//! Dossiers travel province → ministry → other province, province →
//! ministry → back home, and the other province → ministry; every later
//! change flows back to the sites that keep a copy. On the way: the
//! ministry's broker stopped (the province shows the transfer pending, with
//! its age) and started again, a shovel deleted by hand (the hub declares
//! it again), and the ministry's hub SIGKILLed in the middle of a burst of
//! transfers and restarted. In the end every site holds every dossier it
//! took part in at the authoritative site's version, with every history
//! line once and in order, and each hub's outbox has each version of each
//! dossier exactly once, in order.

use crate::common::{
    catalog_entry, command_named, publish_catalog, serve_binary, submission, submit_request,
    Client, TestHub, AGENCY, NEXT_AGENCY, ONE_STOP, PORTAL,
};
use lienthong::config::{PeerSection, SiteSection, EMBEDDED_DEFAULT};
use lienthong::grpc::pb::{self, command_request::Command as C};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use tonic::Code;

const MINISTRY_AGENCY: &str = "000.00.00.G12";
const H29_AGENCY: &str = "000.00.01.H29";
/// H22 → BXD → H29.
const ONWARD: &str = "1.000001.G12";
/// H22 → BXD → H22 (another agency of the province).
const HOME: &str = "1.000002.G12";
/// H29 → BXD, finished at the ministry.
const OPINION: &str = "1.000003.G12";

/// Site code, node of tests/sites.sh, AMQP prefix, its agencies.
const SITES: [(&str, u16, &str, &[&str]); 3] = [
    ("H22", 1, "lts-h22", &[AGENCY, NEXT_AGENCY]),
    ("H29", 2, "lts-h29", &[H29_AGENCY]),
    ("BXD", 3, "lts-bxd", &[MINISTRY_AGENCY]),
];

fn script(args: &[&str]) {
    let root = crate::readme_examples::root();
    let out = Command::new("bash")
        .arg(root.join("tests/sites.sh"))
        .args(args)
        .output()
        .expect("bash runs tests/sites.sh");
    assert!(
        out.status.success(),
        "tests/sites.sh {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The three brokers; stopped when dropped, whatever happened.
struct Brokers {
    dir: PathBuf,
}

impl Brokers {
    fn start() -> Brokers {
        let dir = crate::readme_examples::root().join("target/rabbitmq-sites");
        script(&["start", dir.to_str().unwrap()]);
        Brokers { dir }
    }

    fn stop_node(&self, node: u16) {
        script(&["stop-node", self.dir.to_str().unwrap(), &node.to_string()]);
    }

    fn start_node(&self, node: u16) {
        script(&["start-node", self.dir.to_str().unwrap(), &node.to_string()]);
    }
}

impl Drop for Brokers {
    fn drop(&mut self) {
        let root = crate::readme_examples::root();
        let _ = Command::new("bash")
            .arg(root.join("tests/sites.sh"))
            .args(["stop", self.dir.to_str().unwrap()])
            .output();
    }
}

fn amqp_url(node: u16) -> String {
    format!("amqp://guest:guest@127.0.0.1:{}/%2f", 5680 + node)
}

fn management(node: u16) -> String {
    format!("http://127.0.0.1:{}", 15680 + node)
}

/// `[site]` of site `code`: every other site a peer.
fn site_section(code: &str) -> SiteSection {
    let (_, node, _, _) = SITES.iter().find(|s| s.0 == code).unwrap();
    SiteSection {
        code: code.into(),
        management_url: format!("http://guest:guest@127.0.0.1:{}", 15680 + node),
        link_check_interval_seconds: 1,
        transfer_window_messages: 64,
        transfer_resend_seconds: 2,
        national: false,
        peers: SITES
            .iter()
            .filter(|s| s.0 != code)
            .map(|(peer, node, prefix, agencies)| PeerSection {
                code: (*peer).into(),
                agencies: agencies.iter().map(|a| a.to_string()).collect(),
                amqp_url: amqp_url(*node),
                exchange: format!("{prefix}.sites"),
                national: false,
            })
            .collect(),
    }
}

/// The same `[site]` and `[amqp]` as configuration text, for the binary.
fn site_toml(code: &str) -> String {
    let (_, node, prefix, _) = SITES.iter().find(|s| s.0 == code).unwrap();
    let section = site_section(code);
    let mut text = format!(
        "\n[amqp]\nurl = \"{}\"\nprefix = \"{prefix}\"\nreconnect_max_backoff_seconds = 2\n\n[site]\ncode = \"{code}\"\nmanagement_url = \"{}\"\nlink_check_interval_seconds = 1\ntransfer_window_messages = 64\ntransfer_resend_seconds = 2\n",
        amqp_url(*node),
        section.management_url
    );
    for peer in section.peers {
        text.push_str(&format!(
            "\n[[site.peers]]\ncode = \"{}\"\nagencies = [{}]\namqp_url = \"{}\"\nexchange = \"{}\"\n",
            peer.code,
            peer.agencies
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", "),
            peer.amqp_url,
            peer.exchange
        ));
    }
    text
}

async fn province(code: &str) -> TestHub {
    let (_, node, prefix, _) = *SITES.iter().find(|s| s.0 == code).unwrap();
    TestHub::start_with(move |config| {
        config.amqp.url = Some(amqp_url(node));
        config.amqp.prefix = prefix.into();
        config.amqp.reconnect_max_backoff_seconds = 2;
        config.site = Some(site_section(code));
    })
    .await
}

/// The ministry's hub: the real binary, on a data directory that outlives it.
struct Ministry {
    child: tokio::process::Child,
    addr: std::net::SocketAddr,
    client: Client,
    data: PathBuf,
    config: PathBuf,
}

impl Ministry {
    async fn start(dir: &std::path::Path) -> Ministry {
        let config = dir.join("bxd.toml");
        std::fs::write(&config, format!("{EMBEDDED_DEFAULT}{}", site_toml("BXD"))).unwrap();
        Ministry::serve(dir.join("data"), config).await
    }

    async fn serve(data: PathBuf, config: PathBuf) -> Ministry {
        let args = [
            "--config".to_string(),
            config.display().to_string(),
            "--web-listen".into(),
            "127.0.0.1:0".into(),
        ];
        let (child, addr) = serve_binary(args, &data).await;
        let client = Client::connect(addr, ONE_STOP).await;
        Ministry {
            child,
            addr,
            client,
            data,
            config,
        }
    }

    /// SIGKILL, then the same binary on the same data again.
    async fn kill_and_restart(mut self) -> Ministry {
        let pid = self.child.id().expect("the ministry's hub runs") as i32;
        // SAFETY: a plain kill(2) of our own child.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
        let _ = self.child.wait().await;
        Ministry::serve(self.data.clone(), self.config.clone()).await
    }
}

/// Polls `check` until it answers `Some`, for at most `limit`.
async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn by_ma(ma: &str) -> pb::DossierRef {
    pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma.into())),
    }
}

async fn get(client: &mut Client, ma: &str) -> Option<pb::GetDossierReply> {
    let request = client.req(pb::GetDossierRequest {
        dossier: Some(by_ma(ma)),
    });
    client
        .dossiers
        .get_dossier(request)
        .await
        .ok()
        .map(|r| r.into_inner())
}

async fn act(
    client: &mut Client,
    ma: &str,
    key: &str,
    command: C,
) -> Result<pb::Dossier, tonic::Status> {
    let request = pb::CommandRequest {
        idempotency_key: key.into(),
        dossier: Some(by_ma(ma)),
        actor: "Cán bộ".into(),
        unit: "Phòng chuyên môn".into(),
        command: Some(command),
        ..Default::default()
    };
    client.exec(request).await.map(|r| r.dossier.unwrap())
}

fn forward(to: &str) -> C {
    C::Forward(pb::ForwardDossier {
        to_agency_code: to.into(),
        note: "Chuyển liên thông".into(),
    })
}

/// The procedures with their inter-agency sequences, and the agencies, as
/// every site publishes them (the national catalogue is the same for all).
async fn publish_catalogues(client: &mut Client) {
    let mut procedures = Vec::new();
    for (code, sequence) in [
        (ONWARD, format!("{AGENCY}, {MINISTRY_AGENCY}, {H29_AGENCY}")),
        (HOME, format!("{AGENCY}, {MINISTRY_AGENCY}, {NEXT_AGENCY}")),
        (OPINION, format!("{H29_AGENCY}, {MINISTRY_AGENCY}")),
    ] {
        let mut entry = catalog_entry(code, "Thủ tục liên thông");
        entry
            .attributes
            .insert("interagency_sequence".into(), sequence);
        procedures.push(entry);
    }
    publish_catalog(client, "sites-procedures", "procedures", procedures, None)
        .await
        .expect("procedures published");
    let agencies = [AGENCY, NEXT_AGENCY, H29_AGENCY, MINISTRY_AGENCY]
        .iter()
        .map(|a| catalog_entry(a, "Cơ quan"))
        .collect();
    publish_catalog(client, "sites-agencies", "agencies", agencies, None)
        .await
        .expect("agencies published");
}

/// Files a dossier of `procedure` at `agency`, receives it and forwards it
/// to the next agency of its sequence: its MaHoSo.
async fn file_and_forward(
    client: &mut Client,
    key: &str,
    agency: &str,
    procedure: &str,
    to: &str,
) -> String {
    let mut dossier = submission();
    dossier.agency_code = agency.into();
    dossier.procedure_code = procedure.into();
    let reply = client
        .exec(submit_request(&format!("{key}-submit"), dossier))
        .await
        .expect("submitted");
    let ma = reply.dossier.unwrap().ma_ho_so;
    act(
        client,
        &ma,
        &format!("{key}-receive"),
        command_named("receive"),
    )
    .await
    .expect("received");
    let handed = act(client, &ma, &format!("{key}-forward"), forward(to))
        .await
        .expect("forwarded");
    assert_eq!(handed.site.unwrap().authoritative_site, site_of(to));
    ma
}

fn site_of(agency: &str) -> &'static str {
    SITES
        .iter()
        .find(|s| s.3.contains(&agency))
        .map(|s| s.0)
        .unwrap()
}

/// Waits until `client`'s hub holds `ma` at `version` or later, decided by `site`.
async fn arrived(client: &Client, ma: &str, version: u64, site: &str) -> pb::Dossier {
    let what = format!("{ma} at version {version} decided by {site}");
    eventually(&what, Duration::from_secs(180), || {
        let mut client = client.clone();
        let ma = ma.to_string();
        let site = site.to_string();
        async move {
            let dossier = get(&mut client, &ma).await?.dossier?;
            let held = dossier.site.as_ref()?.authoritative_site.clone();
            (dossier.version >= version && held == site).then_some(dossier)
        }
    })
    .await
}

/// Every dossier event of a hub's outbox, from a subscription read until
/// it has nothing more for a while: (MaHoSo, version) in seq order.
async fn outbox(client: &mut Client) -> Vec<(String, u64)> {
    let request = client.req(pb::SubscribeRequest { after_seq: None });
    let mut stream = client.events.subscribe(request).await.unwrap().into_inner();
    let mut seen = Vec::new();
    while let Ok(Ok(Some(event))) =
        tokio::time::timeout(Duration::from_secs(3), stream.message()).await
    {
        if !event.ma_ho_so.is_empty() {
            seen.push((event.ma_ho_so.clone(), event.dossier_version));
        }
    }
    seen
}

/// Looks a dossier up on a hub's portal (`/tra-cuu`) with the phone on
/// it, as a citizen does: the page.
async fn lookup(web: std::net::SocketAddr, ma: &str) -> String {
    let http = reqwest::Client::builder().build().unwrap();
    let url = format!("http://{web}/tra-cuu");
    let page = http.get(&url).send().await.unwrap();
    let cookie: Vec<String> = page
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .collect();
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the lookup form's token")
        .to_string();
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("ma-ho-so", ma),
        ("thong-tin", "0987654321"),
    ])
    .unwrap();
    http.post(&url)
        .header(reqwest::header::COOKIE, cookie.join("; "))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sites_hand_dossiers_over_and_every_change_reaches_every_copy_once() {
    let brokers = Brokers::start();
    let dir = tempfile::tempdir().unwrap();
    let mut h22 = province("H22").await;
    let mut h29 = province("H29").await;
    let mut ministry = Ministry::start(dir.path()).await;
    let mut a = h22.client(ONE_STOP).await;
    let mut b = h29.client(ONE_STOP).await;
    for hub in [&h22, &h29] {
        publish_catalogues(&mut hub.client(PORTAL).await).await;
    }
    publish_catalogues(&mut Client::connect(ministry.client_addr(), PORTAL).await).await;

    eprintln!("sites: step 1");
    // 1. Province → ministry, both provinces.
    let mut onward = Vec::new();
    let mut home = Vec::new();
    let mut opinion = Vec::new();
    for i in 0..3 {
        onward.push(
            file_and_forward(&mut a, &format!("on{i}"), AGENCY, ONWARD, MINISTRY_AGENCY).await,
        );
        home.push(file_and_forward(&mut a, &format!("ho{i}"), AGENCY, HOME, MINISTRY_AGENCY).await);
        opinion.push(
            file_and_forward(
                &mut b,
                &format!("op{i}"),
                H29_AGENCY,
                OPINION,
                MINISTRY_AGENCY,
            )
            .await,
        );
    }
    for ma in onward.iter().chain(&home).chain(&opinion) {
        let held = arrived(&ministry.client, ma, 3, "BXD").await;
        assert_eq!(held.agency_code, MINISTRY_AGENCY);
        assert_eq!(held.status, crate::common::status::RECEIVED);
        // The whole history came with it.
        let history = get(&mut ministry.client, ma).await.unwrap().history;
        assert_eq!(
            history.iter().map(|h| h.version).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }
    // The province no longer decides: refused, naming the ministry.
    let refused = act(
        &mut a,
        &onward[0],
        "late",
        command_named("start_processing"),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(
        refused.message().contains("site BXD"),
        "{}",
        refused.message()
    );

    eprintln!("sites: step 2");
    // 2. The ministry works: its changes flow back to the province.
    for ma in onward.iter().chain(&home).chain(&opinion) {
        act(
            &mut ministry.client,
            ma,
            &format!("{ma}-start"),
            command_named("start_processing"),
        )
        .await
        .expect("the ministry decides");
    }
    for ma in onward.iter().chain(&home) {
        let copy = arrived(&a, ma, 4, "BXD").await;
        assert_eq!(copy.status, crate::common::status::PROCESSING);
    }

    eprintln!("sites: step 3");
    // 3. The ministry's broker stops: what the province forwards now waits,
    // visible as pending with its age, and goes once the broker is back.
    brokers.stop_node(3);
    let during = file_and_forward(&mut a, "outage", AGENCY, ONWARD, MINISTRY_AGENCY).await;
    let running = h22.running.as_ref().unwrap().hub.clone();
    let pending = eventually(
        "the handover pending at H22",
        Duration::from_secs(60),
        || {
            let hub = running.clone();
            async move {
                let states = tokio::task::spawn_blocking(move || hub.destination_states())
                    .await
                    .unwrap()
                    .unwrap();
                let site = states
                    .into_iter()
                    .find(|s| s.destination.kind.name() == "site" && s.destination.name == "BXD")?;
                (site.lag.events > 0 && site.lag.seconds > 0.0).then_some(site)
            }
        },
    )
    .await;
    assert!(pending.lag.events >= 1, "{pending:?}");
    // A hub handle held keeps the writer alive: the hub could not stop.
    drop(running);
    brokers.start_node(3);
    let held = arrived(&ministry.client, &during, 3, "BXD").await;
    assert_eq!(held.agency_code, MINISTRY_AGENCY);
    onward.push(during);

    eprintln!("sites: step 4");
    // 4. A shovel deleted by hand is declared again by its hub.
    let http = reqwest::Client::new();
    let shovel = format!(
        "{}/api/parameters/shovel/%2F/lts-h22-site-BXD",
        management(1)
    );
    let deleted = http
        .delete(&shovel)
        .basic_auth("guest", Some("guest"))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    eventually("the shovel declared again", Duration::from_secs(60), || {
        let (http, shovel) = (http.clone(), shovel.clone());
        async move {
            let answer = http
                .get(&shovel)
                .basic_auth("guest", Some("guest"))
                .send()
                .await
                .ok()?;
            answer.status().is_success().then_some(())
        }
    })
    .await;

    eprintln!("sites: step 5");
    // 5. The ministry's hub is SIGKILLed while a burst of handovers arrives,
    // then restarted on the same data: each arrives once.
    let mut burst = Vec::new();
    for i in 0..6 {
        burst.push(
            file_and_forward(&mut a, &format!("burst{i}"), AGENCY, HOME, MINISTRY_AGENCY).await,
        );
        if i == 2 {
            ministry = ministry.kill_and_restart().await;
        }
    }
    for ma in &burst {
        arrived(&ministry.client, ma, 3, "BXD").await;
        act(
            &mut ministry.client,
            ma,
            &format!("{ma}-start"),
            command_named("start_processing"),
        )
        .await
        .expect("the ministry decides");
    }
    home.extend(burst);
    let during = onward.last().unwrap().clone();
    act(
        &mut ministry.client,
        &during,
        "outage-start",
        command_named("start_processing"),
    )
    .await
    .expect("the ministry decides");

    eprintln!("sites: step 6");
    // 6. Onwards: the ministry hands ONWARD dossiers to H29 and HOME ones
    // back to H22; OPINION ones it finishes itself.
    for ma in &onward {
        act(
            &mut ministry.client,
            ma,
            &format!("{ma}-fw"),
            forward(H29_AGENCY),
        )
        .await
        .unwrap();
    }
    for ma in &home {
        act(
            &mut ministry.client,
            ma,
            &format!("{ma}-fw"),
            forward(NEXT_AGENCY),
        )
        .await
        .unwrap();
    }
    for ma in &opinion {
        act(
            &mut ministry.client,
            ma,
            &format!("{ma}-fin"),
            command_named("finish"),
        )
        .await
        .unwrap();
        act(
            &mut ministry.client,
            ma,
            &format!("{ma}-ret"),
            command_named("return_result"),
        )
        .await
        .unwrap();
    }
    // The receiving provinces decide now, and finish.
    for ma in &onward {
        arrived(&b, ma, 5, "H29").await;
        act(&mut b, ma, &format!("{ma}-fin"), command_named("finish"))
            .await
            .unwrap();
        act(
            &mut b,
            ma,
            &format!("{ma}-ret"),
            command_named("return_result"),
        )
        .await
        .unwrap();
    }
    for ma in &home {
        let back = arrived(&a, ma, 5, "H22").await;
        assert_eq!(back.agency_code, NEXT_AGENCY);
        act(&mut a, ma, &format!("{ma}-fin"), command_named("finish"))
            .await
            .unwrap();
        act(
            &mut a,
            ma,
            &format!("{ma}-ret"),
            command_named("return_result"),
        )
        .await
        .unwrap();
    }

    eprintln!("sites: step 7");
    // 7. Accounting: every site that took part holds the final version,
    // decided by the same site, with the whole history once and in order.
    let returned = crate::common::status::RESULT_RETURNED;
    let mut expected: Vec<(String, &str, Vec<&str>, u64)> = Vec::new();
    for ma in &onward {
        expected.push((ma.clone(), "H29", vec!["H22", "BXD", "H29"], 7));
    }
    for ma in &home {
        expected.push((ma.clone(), "H22", vec!["H22", "BXD"], 7));
    }
    for ma in &opinion {
        expected.push((ma.clone(), "BXD", vec!["H29", "BXD"], 6));
    }
    let mut clients: HashMap<&str, Client> = HashMap::new();
    clients.insert("H22", a.clone());
    clients.insert("H29", b.clone());
    clients.insert("BXD", ministry.client.clone());
    for (ma, authority, holders, version) in &expected {
        for site in holders {
            let client = &clients[site];
            let held = arrived(client, ma, *version, authority).await;
            assert_eq!(held.version, *version, "{ma} at {site}");
            assert_eq!(held.status, returned, "{ma} at {site}");
            let history = get(&mut client.clone(), ma).await.unwrap().history;
            let versions: Vec<u64> = history.iter().map(|h| h.version).collect();
            assert_eq!(
                versions,
                (1..=*version).collect::<Vec<_>>(),
                "{ma} at {site}"
            );
        }
    }
    // Each hub's outbox: each version of each dossier once, in order.
    for (site, client) in clients.iter_mut() {
        let events = outbox(client).await;
        let mut last: BTreeMap<String, u64> = BTreeMap::new();
        for (ma, version) in events {
            let before = last.insert(ma.clone(), version).unwrap_or(0);
            assert!(
                version > before,
                "{site}: {ma} version {version} after {before}"
            );
        }
        for (ma, _, holders, version) in &expected {
            if holders.contains(site) {
                assert_eq!(last.get(ma), Some(version), "{site}: {ma}");
            }
        }
    }
    // The citizen's lookup where the dossier was filed shows where it is now.
    let page = lookup(h22.web_addr.expect("H22's portal"), &onward[0]).await;
    assert!(page.contains(&onward[0]), "{page}");
    assert!(page.contains("Đã trả kết quả"), "{page}");

    h22.stop().await;
    h29.stop().await;
    drop(ministry);
    drop(brokers);
}

/// A queue bound to `exchange` (declared as a hub declares its site
/// exchange) on site node `node` for `key`, and a reader of it (with the
/// connection it reads on).
async fn spy_on_site_exchange(
    node: u16,
    exchange: &str,
    key: &str,
) -> (lapin::Connection, super::QueueReader) {
    use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
    use lapin::types::FieldTable;
    let connection = lienthong::amqp::connect(&amqp_url(node), "lienthong-tests-spy")
        .await
        .expect("the site broker runs");
    let channel = connection.create_channel().await.unwrap();
    channel
        .exchange_declare(
            exchange,
            lapin::ExchangeKind::Direct,
            ExchangeDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let spy = format!("{exchange}.spy");
    channel
        .queue_declare(&spy, QueueDeclareOptions::default(), FieldTable::default())
        .await
        .unwrap();
    channel
        .queue_bind(
            &spy,
            exchange,
            key,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let reader = super::QueueReader::open(&connection, &spy).await;
    (connection, reader)
}

/// Waits until `queue` exists and has a consumer (its hub bound it first).
async fn wait_for_consumer(connection: &lapin::Connection, queue: &str) {
    eventually(
        &format!("a consumer on {queue}"),
        Duration::from_secs(60),
        || async {
            let found = super::declared(connection, queue).await?;
            (found.consumers > 0).then_some(())
        },
    )
    .await;
}

/// The national view: a province (node 1) reports every change of its own
/// dossiers to the national hub (node 2), which keeps no copy of them
/// otherwise; the national hub serves them through the same read API,
/// read-only (a command there is refused, naming the province). The first
/// report is lost on the way (the national hub had not started) and sent
/// again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_hub_sees_every_change_of_a_provinces_dossiers() {
    let _brokers = Brokers::start();
    let peer = |code: &str, node: u16, prefix: &str, national: bool| PeerSection {
        code: code.into(),
        agencies: if national {
            vec![]
        } else {
            vec![H29_AGENCY.into()]
        },
        amqp_url: amqp_url(node),
        exchange: format!("{prefix}.sites"),
        national,
    };
    let section = |code: &str, node: u16, national: bool, peers: Vec<PeerSection>| SiteSection {
        code: code.into(),
        management_url: format!("http://guest:guest@127.0.0.1:{}", 15680 + node),
        link_check_interval_seconds: 1,
        transfer_window_messages: 64,
        // Long enough for the national hub to start and hear version 2
        // first, on most machines.
        transfer_resend_seconds: 10,
        national,
        peers,
    };
    let mut province = TestHub::start_with(|config| {
        config.amqp.url = Some(amqp_url(1));
        config.amqp.prefix = "ltn-h22".into();
        config.site = Some(section(
            "H22",
            1,
            false,
            vec![peer("QG", 2, "ltn-qg", true)],
        ));
    })
    .await;
    // Before the national hub first starts, its site exchange exists with
    // no queue of the hub's bound to it (a spy queue only): the province's
    // first report crosses the shovel, confirmed, and never reaches the
    // national hub. The province sends it again, whole, once it has waited
    // `transfer_resend_seconds` for an acknowledgement; the national hub
    // meanwhile drops the reports that come after the lost one.
    let mut a = province.client(ONE_STOP).await;
    let (spying, mut spy) = spy_on_site_exchange(2, "ltn-qg.sites", "H22").await;
    a.exec(submit_request("nat0", submission())).await.unwrap();
    let lost = spy.next(Duration::from_secs(60)).await;
    assert!(lost.is_some(), "the first report crossed the shovel");
    // The hub at QG (node 2), hearing H22; the national level or not.
    let qg_hub = |national: bool| {
        TestHub::start_with(move |config| {
            config.amqp.url = Some(amqp_url(2));
            config.amqp.prefix = "ltn-qg".into();
            let mut h22 = peer("H22", 1, "ltn-h22", false);
            h22.agencies = vec![AGENCY.into()];
            config.site = Some(section("QG", 2, national, vec![h22]));
        })
    };
    let mut national = qg_hub(true).await;
    // The national hub listens: the province's next report of the dossier
    // (version 2, one history line) reaches it after a gap and is dropped
    // unacknowledged, unless the province's resend came first on a slow
    // machine. Either way the province's resend fills the national view.
    wait_for_consumer(&spying, "ltn-qg.site.in").await;
    let mut view = national.client(ONE_STOP).await;
    let mut filed = Vec::new();
    for i in 0..4 {
        let reply = a
            .exec(submit_request(&format!("nat{i}"), submission()))
            .await
            .unwrap();
        let ma = reply.dossier.unwrap().ma_ho_so;
        act(
            &mut a,
            &ma,
            &format!("nat{i}-receive"),
            command_named("receive"),
        )
        .await
        .unwrap();
        if i % 2 == 0 {
            act(
                &mut a,
                &ma,
                &format!("nat{i}-start"),
                command_named("start_processing"),
            )
            .await
            .unwrap();
            act(
                &mut a,
                &ma,
                &format!("nat{i}-finish"),
                command_named("finish"),
            )
            .await
            .unwrap();
        }
        filed.push((ma, if i % 2 == 0 { 4 } else { 2 }));
    }
    for (ma, version) in &filed {
        let seen = arrived(&view, ma, *version, "H22").await;
        let held = get(&mut a, ma).await.unwrap();
        let at_home = held.dossier.unwrap();
        assert_eq!(seen.version, at_home.version, "{ma}");
        assert_eq!(seen.status, at_home.status, "{ma}");
        let history = get(&mut view, ma).await.unwrap().history;
        let versions: Vec<u64> = history.iter().map(|h| h.version).collect();
        assert_eq!(versions, (1..=*version).collect::<Vec<_>>(), "{ma}");
        // Read-only at the national level.
        let refused = act(&mut view, ma, &format!("{ma}-qg"), command_named("refuse"))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::FailedPrecondition);
        assert!(
            refused.message().contains("site H22"),
            "{}",
            refused.message()
        );
    }
    // The same listing API serves them.
    let listed = view
        .list(pb::ListDossiersRequest {
            agency_code: AGENCY.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.dossiers.len(), filed.len());

    // The hub at QG is replaced by one that is not the national level: it
    // keeps no copy of the province's dossiers, so it refuses the next
    // report, parks it, and says so; the province keeps it pending and does
    // not send it again (it would only be parked again), however many
    // resend periods pass.
    national.stop().await;
    let mut misconfigured = qg_hub(false).await;
    wait_for_consumer(&spying, "ltn-qg.site.in").await;
    let unheard = a
        .exec(submit_request("nat-refused", submission()))
        .await
        .unwrap()
        .dossier
        .unwrap()
        .ma_ho_so;
    eventually("the refused report parked", Duration::from_secs(60), || {
        let spying = &spying;
        async move { (super::depth(spying, "ltn-qg.site.parked").await >= 1).then_some(()) }
    })
    .await;
    // Two and a half of the province's resend periods (10 s, then 20 s).
    tokio::time::sleep(Duration::from_secs(25)).await;
    assert_eq!(
        super::depth(&spying, "ltn-qg.site.parked").await,
        1,
        "the refused report is parked once, not once per resend"
    );
    let mut other = misconfigured.client(ONE_STOP).await;
    assert!(get(&mut other, &unheard).await.is_none(), "{unheard}");
    province.stop().await;
    misconfigured.stop().await;
}

impl Ministry {
    fn client_addr(&self) -> std::net::SocketAddr {
        self.addr
    }
}
