#![allow(dead_code)] // helpers used by the adapter files as they land

//! End-to-end tests of the partner adapters: the real hub, the real adapter
//! crate, and that adapter's partner simulator, all over real gRPC and HTTP
//! on loopback. Each adapter has its own file.

use crate::common::{self, TestHub};
use lienthong::config::{PartnerSection, SubscriptionSection};
use lienthong::grpc::pb::{self, admin_service_client::AdminServiceClient};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A hub on the embedded development configuration plus `partners`, with its
/// HTTP side on a free port (`hub.http_addr`) and quick delivery retries.
pub async fn start_hub(partners: Vec<PartnerSection>) -> TestHub {
    TestHub::start_with(move |config| {
        config.hub.http_listen = Some("127.0.0.1:0".parse().unwrap());
        config.delivery.initial_backoff_milliseconds = 20;
        config.delivery.max_backoff_seconds = 1;
        config.delivery.max_attempts = 5;
        config.partners.extend(partners);
    })
    .await
}

/// A partner entry with an adapter: `adapter` is its `[partners.adapter]`
/// table, `kind` included.
pub fn partner(
    id: &str,
    token: &str,
    commands: &[&str],
    subscription: Option<SubscriptionSection>,
    adapter: toml::Table,
) -> PartnerSection {
    PartnerSection {
        subscription,
        adapter: Some(adapter),
        client_certificate: None,
        ..crate::common::partner_section(id, "legacy", token, commands, &["*"])
    }
}

/// A plain HTTP/1.1 request (the hub's tests carry no HTTP client crate).
pub async fn http(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let (status, _, body) = http_with_head(method, url, bearer, body).await;
    (status, body)
}

/// The same, with the answer's head (status line and headers) as text.
pub async fn http_with_head(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<&str>,
) -> (u16, String, serde_json::Value) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut request = format!("{method} /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(token) = bearer {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = body.unwrap_or_default();
    request.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (
        status,
        head.to_string(),
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

/// The dossier `id` as the one-stop partner reads it.
pub async fn dossier(hub: &TestHub, id: u64) -> pb::GetDossierReply {
    hub.client(common::ONE_STOP)
        .await
        .get(id)
        .await
        .expect("dossier")
}

/// Dossier `id` once it reached status `wanted`, read every 50 ms (10 s at most).
pub async fn wait_status(hub: &TestHub, id: u64, wanted: i32) -> pb::GetDossierReply {
    for _ in 0..200 {
        let reply = dossier(hub, id).await;
        if reply.dossier.as_ref().map(|d| d.status) == Some(wanted) {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "dossier {id} never reached status {wanted}: {:?}",
        dossier(hub, id).await.dossier.map(|d| d.status)
    );
}

/// GET `path` below `partner`'s inbound routes with the adapter's read
/// token, which must answer 200 with JSON.
pub async fn inbound_json(
    hub: &TestHub,
    partner: &str,
    path: &str,
    read_token: &str,
) -> serde_json::Value {
    let url = format!("{}/{path}", inbound_url(hub, partner));
    let (status, body) = http("GET", &url, Some(read_token), None).await;
    assert_eq!(status, 200, "{url}: {body}");
    body
}

/// The base URL of a partner's inbound routes.
pub fn inbound_url(hub: &TestHub, partner: &str) -> String {
    format!(
        "http://{}/partners/{partner}",
        hub.http_addr.expect("hub.http_listen is set")
    )
}

/// Polls the hub until the partner's relay has settled every committed
/// event (accepted or parked), then returns its status.
pub async fn settled(hub: &TestHub, partner: &str) -> pb::DeliveryStatus {
    let portal = hub.client(crate::common::PORTAL).await;
    let mut admin = AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap();
    for _ in 0..600 {
        let request = portal.req(pb::GetDeliveryStatusRequest {
            partner_id: partner.into(),
            dossier: None,
        });
        let status = admin
            .get_delivery_status(request)
            .await
            .unwrap()
            .into_inner()
            .status
            .unwrap();
        if status.cursor == status.committed {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the relay of {partner} never caught up");
}

/// Re-drives every parked delivery of `partner` as an operator does
/// (`RedriveParkedDeliveries`, all); returns how many were re-driven.
pub async fn redrive_all(hub: &TestHub, partner: &str) -> u32 {
    let operator = hub.client(crate::common::PORTAL).await;
    let mut admin = AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap();
    admin
        .redrive_parked_deliveries(operator.req(pb::RedriveParkedDeliveriesRequest {
            partner_id: partner.into(),
            seqs: Vec::new(),
            all: true,
        }))
        .await
        .unwrap()
        .into_inner()
        .redriven
}

/// The `[partners.adapter]` table of the national-portal adapter pointing
/// at `sim` for province `000.00.00.H22`, with no catalogue or push-down
/// polling (a test drives what it needs).
pub fn national_portal_adapter(
    sim: &lienthong_adapter_national_portal::simulator::Simulator,
) -> toml::Table {
    let mut adapter = sim.adapter_settings("000.00.00.H22");
    adapter.insert("kind".into(), "national_portal_dvcqg".into());
    adapter.extend(
        "catalog_poll_interval_seconds = 0\npushdown_poll_interval_seconds = 0"
            .parse::<toml::Table>()
            .unwrap(),
    );
    adapter
}

mod legacy;
mod national_portal;
mod one_stop;
pub mod payment;
mod postal;
mod relay;
mod restart;
mod treasury;
