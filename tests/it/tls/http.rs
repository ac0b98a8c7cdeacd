//! TLS on the HTTP listeners: the partners' callbacks (mutual TLS, the
//! client certificate must be the partner's own whose routes are called)
//! and the web pages (TLS without a client certificate, HSTS sent); the
//! admin listener (metrics, probes) over TLS only, no client certificate.

use super::grpc::channel;
use super::{certified_partner, over_tls, Ca, Issued, TlsDir};
use crate::common::{self, submission, submit_request, TestHub};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, dossier_service_client::DossierServiceClient};
use lienthong_adapter_legacy::simulator::{codes, LegacyUpdate, SimConfig, Simulator};

const LEGACY: &str = "legacy-sim";
const LEGACY_TOKEN: &str = "legacy-sim-token-0001";

/// Ten days from now in the legacy system's `yyyyMMddHHmmss`.
fn in_ten_days() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    lienthong_adapter_legacy::dates::DateFormat::Compact.format(now + 10 * 86_400)
}

/// An HTTPS client trusting `ca`, presenting `client` (if any).
fn https(ca: &Ca, client: Option<&Issued>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem.as_bytes()).unwrap());
    if let Some(client) = client {
        let pem = format!("{}{}", client.cert_pem, client.key_pem);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

fn with_token<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

async fn status_of(hub: &TestHub, ca: &Ca, reader: &Issued, id: u64) -> i32 {
    let channel = channel(hub, ca, Some(reader))
        .await
        .expect("the reader connects");
    DossierServiceClient::new(channel)
        .get_dossier(with_token(
            pb::GetDossierRequest {
                dossier: Some(common::by_id(id)),
            },
            common::PORTAL,
        ))
        .await
        .expect("read")
        .into_inner()
        .dossier
        .expect("dossier")
        .status
}

// issue 10 (mutual TLS): the callback listener asks for a client
// certificate; the partner's own certificate reaches its adapter (and its
// update is written), another partner's or an unlisted one is answered 401
// before the adapter, none at all fails the handshake — nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_callback_listener_takes_only_the_partners_own_certificate() {
    let server_ca = Ca::new("hub CA");
    let partners_ca = Ca::new("partners CA");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &server_ca.server(), &partners_ca);
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let mut settings = sim.adapter_settings(&["dossier_submitted"]);
    settings.insert("kind".into(), "legacy_rest".into());
    let mut legacy = crate::adapters::partner(
        LEGACY,
        LEGACY_TOKEN,
        &common::dossier_command_names(),
        Some(SubscriptionSection::default()),
        settings,
    );
    legacy.client_certificate =
        certified_partner("x", None, "legacy.partner.test").client_certificate;
    let mut hub = TestHub::start_with(|config| {
        over_tls(config, &tls);
        config.hub.http_listen = Some("127.0.0.1:0".parse().unwrap());
        config.partners.push(legacy);
        config
            .partners
            .push(certified_partner("partner-a", None, "a.partner.test"));
    })
    .await;
    let reader = partners_ca.client("reader.partner.test");
    let channel = channel(&hub, &server_ca, Some(&reader)).await.unwrap();
    let mut s = submission();
    s.result_delivery = pb::ResultDelivery::AtCounter as i32;
    let dossier = DossierServiceClient::new(channel)
        .execute(with_token(
            submit_request("tls-legacy-1", s),
            common::ONE_STOP,
        ))
        .await
        .expect("submitted")
        .into_inner()
        .dossier
        .expect("dossier");
    let submitted = dossier.status;
    let url = format!(
        "https://localhost:{}/partners/{LEGACY}/updates",
        hub.http_addr.unwrap().port()
    );
    let body = sim.update_body(&LegacyUpdate {
        ma_ho_so: dossier.ma_ho_so.clone(),
        status: "DA_TIEP_NHAN".into(),
        officer: "Phạm Thị Dung".into(),
        unit: "Vụ Pháp chế".into(),
        due_date: Some(in_ten_days()),
        ..Default::default()
    });
    let post = |client: reqwest::Client| {
        let request = client
            .post(&url)
            .header(codes::SECRET_HEADER, sim.secret())
            .json(&body);
        async move { request.send().await }
    };

    // No certificate: the handshake fails.
    assert!(post(https(&server_ca, None)).await.is_err());
    // Another partner's certificate, and one that names no partner: 401.
    for (what, client) in [
        (
            "partner A's certificate",
            partners_ca.client("a.partner.test"),
        ),
        ("an unlisted certificate", reader.clone()),
    ] {
        let answer = post(https(&server_ca, Some(&client))).await.expect(what);
        assert_eq!(answer.status().as_u16(), 401, "{what}");
        let text = answer.text().await.unwrap();
        assert!(text.contains("certificate"), "{what}: {text}");
    }
    assert_eq!(
        status_of(&hub, &server_ca, &reader, dossier.id).await,
        submitted
    );

    // Its own certificate: the update reaches the adapter and moves the dossier.
    let own = partners_ca.client("legacy.partner.test");
    let answer = post(https(&server_ca, Some(&own)))
        .await
        .expect("own certificate");
    let status = answer.status().as_u16();
    let json: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["command"], "receive", "{json}");
    assert_ne!(
        status_of(&hub, &server_ca, &reader, dossier.id).await,
        submitted
    );
    hub.stop().await;
}

// issue 10 (TLS on every listener): the web listener serves over TLS without
// asking for a client certificate, sends HSTS and Secure cookies, and
// refuses plain HTTP.
#[tokio::test]
async fn the_web_listener_serves_over_tls_with_hsts_and_no_client_certificate() {
    let server_ca = Ca::new("hub CA");
    let partners_ca = Ca::new("partners CA");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &server_ca.server(), &partners_ca);
    let mut hub = TestHub::start_with(|config| {
        over_tls(config, &tls);
        config
            .web
            .as_mut()
            .expect("the dev configuration has [web]")
            .served_over_https = false;
    })
    .await;
    let port = hub.web_addr.expect("[web] listens").port();
    let answer = https(&server_ca, None)
        .get(format!("https://localhost:{port}/mot-cua/dang-nhap"))
        .send()
        .await
        .expect("the sign-in page over TLS, no client certificate");
    assert_eq!(answer.status().as_u16(), 200);
    let hsts = answer.headers().get("strict-transport-security");
    assert!(
        hsts.is_some_and(|v| v.to_str().unwrap().contains("max-age=")),
        "{:?}",
        answer.headers()
    );
    let cookies: Vec<_> = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        !cookies.is_empty() && cookies.iter().all(|c| c.contains("Secure")),
        "{cookies:?}"
    );
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/mot-cua/dang-nhap"))
        .send()
        .await;
    let served = plain.is_ok_and(|a| a.status().as_u16() == 200);
    assert!(!served, "plain HTTP was served");
    hub.stop().await;
}

#[tokio::test]
async fn the_admin_listener_serves_metrics_and_probes_over_tls_only() {
    let server_ca = Ca::new("hub CA");
    let partners_ca = Ca::new("partners CA");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &server_ca.server(), &partners_ca);
    let mut hub = TestHub::start_with(|config| over_tls(config, &tls)).await;
    let port = hub
        .admin_addr
        .expect("the dev configuration has [admin]")
        .port();
    // Prometheus and the probes present no client certificate.
    let client = https(&server_ca, None);
    for (path, wanted) in [
        ("/healthz", "ok"),
        ("/readyz", "ready"),
        ("/metrics", "lienthong_committed_seq"),
    ] {
        let answer = client
            .get(format!("https://localhost:{port}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path} over TLS: {e}"));
        assert_eq!(answer.status().as_u16(), 200, "{path}");
        let body = answer.text().await.unwrap();
        assert!(body.contains(wanted), "{path}: {body}");
    }
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await;
    assert!(
        !plain.is_ok_and(|a| a.status().as_u16() == 200),
        "plain HTTP was served on the admin listener"
    );
    hub.stop().await;
}
