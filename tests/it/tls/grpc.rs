//! Mutual TLS on the gRPC listener: who may connect, and who a partner is
//! when it presents a certificate, a token, or both. Every refusal leaves
//! nothing written.

use super::{certified_partner, over_tls, Ca, Issued, TlsDir};
use crate::common::{self, submission, submit_request, TestHub};
use lienthong::grpc::pb::dossier_service_client::DossierServiceClient;
use lienthong::grpc::pb::{self, ListDossiersRequest};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic::{Code, Request};

/// A channel to the hub's gRPC listener over TLS, trusting `ca` for the
/// hub's certificate and presenting `client` (if any).
pub async fn channel(hub: &TestHub, ca: &Ca, client: Option<&Issued>) -> Result<Channel, String> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&ca.pem))
        .domain_name("localhost");
    if let Some(client) = client {
        tls = tls.identity(Identity::from_pem(&client.cert_pem, &client.key_pem));
    }
    Channel::from_shared(format!("https://localhost:{}", hub.addr.port()))
        .unwrap()
        .tls_config(tls)
        .map_err(|e| e.to_string())?
        .connect()
        .await
        .map_err(|e| format!("connect: {e:?}"))
}

pub fn with_token<T>(message: T, token: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    request
}

/// Submits one dossier with `client`'s certificate and `token`: the reply,
/// or the refusal (a failed handshake or a status) as text with its code.
async fn submit(
    hub: &TestHub,
    ca: &Ca,
    client: Option<&Issued>,
    token: Option<&str>,
    key: &str,
) -> Result<pb::CommandReply, (Option<Code>, String)> {
    let channel = channel(hub, ca, client).await.map_err(|e| (None, e))?;
    DossierServiceClient::new(channel)
        .execute(with_token(submit_request(key, submission()), token))
        .await
        .map(|r| r.into_inner())
        .map_err(|status| (Some(status.code()), format!("{status:?}")))
}

/// How many dossiers the hub holds, read by the portal over TLS with a good
/// certificate.
async fn dossier_count(hub: &TestHub, ca: &Ca, reader: &Issued) -> usize {
    let channel = channel(hub, ca, Some(reader))
        .await
        .expect("the reader connects");
    let reply = DossierServiceClient::new(channel)
        .list_dossiers(with_token(
            ListDossiersRequest {
                page_size: 1000,
                ..Default::default()
            },
            Some(common::PORTAL),
        ))
        .await
        .expect("the portal lists");
    reply.into_inner().dossiers.len()
}

struct World {
    hub: TestHub,
    server_ca: Ca,
    partners_ca: Ca,
    reader: Issued,
    /// Partner C's certificate, which the configuration knows by its fingerprint.
    c: Issued,
}

const A_TOKEN: &str = "partner-a-token-0001";

/// A hub over TLS with partner A (token and certificate `a.partner.test`),
/// partner C (certificate `c.partner.test` alone), the dev partners (tokens
/// alone).
async fn world() -> World {
    let server_ca = Ca::new("hub CA");
    let partners_ca = Ca::new("partners CA");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &server_ca.server(), &partners_ca);
    let c = partners_ca.client("c.partner.test");
    let hub = TestHub::start_with(|config| {
        over_tls(config, &tls);
        config.partners.push(certified_partner(
            "partner-a",
            Some(A_TOKEN),
            "a.partner.test",
        ));
        let mut partner_c = certified_partner("partner-c", None, "unused.partner.test");
        partner_c.client_certificate = Some(lienthong::config::ClientCertificateSection {
            sha256: vec![c.sha256_hex.clone()],
            names: Vec::new(),
        });
        config.partners.push(partner_c);
    })
    .await;
    // The files stay where the hub reads them for the hub's lifetime.
    std::mem::forget(dir);
    let reader = partners_ca.client("reader.partner.test");
    World {
        hub,
        server_ca,
        partners_ca,
        reader,
        c,
    }
}

// issue 10 (mutual TLS): a partner with its certificate from the partners'
// CA and its token acts; a partner known by its certificate alone acts with
// no token.
#[tokio::test]
async fn a_partner_with_its_certificate_acts_over_mutual_tls() {
    let mut w = world().await;
    let a = w.partners_ca.client("a.partner.test");
    let reply = submit(&w.hub, &w.server_ca, Some(&a), Some(A_TOKEN), "tls-a-1")
        .await
        .unwrap_or_else(|e| panic!("partner A is refused: {e:?}"));
    assert!(reply.dossier.is_some());
    submit(&w.hub, &w.server_ca, Some(&w.c), None, "tls-c-1")
        .await
        .unwrap_or_else(|e| panic!("partner C (certificate alone) is refused: {e:?}"));
    // A token-only partner with any certificate of the partners' CA.
    submit(
        &w.hub,
        &w.server_ca,
        Some(&w.reader),
        Some(common::ONE_STOP),
        "tls-one-stop-1",
    )
    .await
    .unwrap_or_else(|e| panic!("a token partner is refused: {e:?}"));
    assert_eq!(dossier_count(&w.hub, &w.server_ca, &w.reader).await, 3);
    w.hub.stop().await;
}

// issue 10 (mutual TLS): no certificate, one from another CA, an expired
// one: the handshake is refused, the call never reaches the hub, nothing is
// written.
#[tokio::test]
async fn a_missing_foreign_or_expired_certificate_is_refused_and_nothing_is_written() {
    let mut w = world().await;
    let stranger_ca = Ca::new("another CA");
    let foreign = stranger_ca.client("a.partner.test");
    let expired = w.partners_ca.expired_client("a.partner.test");
    for (what, client) in [
        ("no certificate", None),
        ("another CA's certificate", Some(&foreign)),
        ("an expired certificate", Some(&expired)),
    ] {
        let refused = submit(&w.hub, &w.server_ca, client, Some(A_TOKEN), "tls-refused").await;
        let (code, text) = refused.expect_err(what);
        // Refused at the handshake: no gRPC status came from the hub.
        assert!(
            code.is_none() || code == Some(Code::Unavailable) || code == Some(Code::Unknown),
            "{what}: {text}"
        );
    }
    // Plain HTTP/2 without TLS is refused too.
    let plain = Channel::from_shared(format!("http://{}", w.hub.addr))
        .unwrap()
        .connect()
        .await;
    if let Ok(channel) = plain {
        let refused = DossierServiceClient::new(channel)
            .execute(with_token(
                submit_request("tls-plain", submission()),
                Some(A_TOKEN),
            ))
            .await;
        assert!(refused.is_err(), "a plaintext call was answered");
    }
    assert_eq!(dossier_count(&w.hub, &w.server_ca, &w.reader).await, 0);
    w.hub.stop().await;
}

// issue 10 (mutual TLS): the certificate and the token must name the same
// partner; a partner known by both must present both. UNAUTHENTICATED, and
// nothing written.
#[tokio::test]
async fn a_certificate_and_a_token_of_different_partners_are_refused() {
    let mut w = world().await;
    let a = w.partners_ca.client("a.partner.test");
    // Named `c.partner.test` but not C's certificate: C is known by fingerprint.
    let c_lookalike = w.partners_ca.client("c.partner.test");
    let c = w.c.clone();
    let cases = [
        ("a look-alike of C's certificate", &c_lookalike, None),
        ("A's certificate, B's token", &a, Some(common::ONE_STOP)),
        ("C's certificate, A's token", &c, Some(A_TOKEN)),
        ("A's certificate without A's token", &a, None),
        (
            "an unlisted certificate with A's token",
            &w.reader,
            Some(A_TOKEN),
        ),
        ("an unlisted certificate, no token", &w.reader, None),
    ];
    for (what, client, token) in cases {
        let (code, text) = submit(&w.hub, &w.server_ca, Some(client), token, "tls-mixed")
            .await
            .expect_err(what);
        assert_eq!(code, Some(Code::Unauthenticated), "{what}: {text}");
    }
    assert_eq!(dossier_count(&w.hub, &w.server_ca, &w.reader).await, 0);
    w.hub.stop().await;
}
