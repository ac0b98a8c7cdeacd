//! What reaches the hub's log from outside: hostile values (newlines, a
//! forged log line, terminal escapes) and personal data, fed through every
//! way in — gRPC commands, the postal provider's signed callback, an AMQP
//! command — then the captured text log (at info, the production level) is
//! scanned. Here because it needs the broker (one at a time).

use crate::adapters::{inbound_url, partner};
use crate::common::{self, submission, submit_request, TestHub};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong_adapter_postal::protocol::TrackingEvent;
use lienthong_adapter_postal::simulator::{SimConfig, Simulator};
use lienthong_adapter_postal::vocabulary::ServiceType;
use prost::Message;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const POSTAL: &str = "postal-logs";
const POSTAL_TOKEN: &str = "postal-logs-token-0001";
/// A line of its own if a newline got through unescaped.
const FORGED: &str =
    "\n1999-01-01T00:00:00.000000Z  WARN lienthong: FORGED \x1b[2J\x1b]0;pwned\x07\u{202e}";

/// Personal data no log line at info or above may hold.
const PERSONAL: [&str; 8] = [
    "Hoàng Thị Riêngtư",
    "0912000111",
    "riengtu.hoang@example.vn",
    "079300001234",
    "Số 7 ngõ Kín, phường Tràng Tiền",
    "Người nhận Phạm Văn Bímật",
    "0987000222",
    "Bưu cục Hoàn Kiếm quầy 3",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    async fn wait_for(&self, needle: &str) {
        for _ in 0..300 {
            if self.text().contains(needle) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the log never said {needle:?}:\n{}", self.text());
    }
}

/// POSTs a body signed as the provider signs its webhooks.
async fn signed_webhook(url: &str, secret: &str, body: &[u8]) -> u16 {
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let signature = lienthong_adapter_postal::signature::sign(secret, &timestamp, body);
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Timestamp: {timestamp}\r\nX-Signature: {signature}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

fn tracking_event(id: &str, code: &str, order_number: &str) -> TrackingEvent {
    TrackingEvent {
        event_id: format!("{id}{FORGED}"),
        seq: 0,
        order_id: format!("VN{id}"),
        order_number: order_number.to_string(),
        service_type: ServiceType::Delivery,
        code: code.to_string(),
        time: "20261201093000".into(),
        location: format!("{} {}", PERSONAL[7], PERSONAL[4]),
        note: format!("{} ({}) không có nhà{FORGED}", PERSONAL[5], PERSONAL[6]),
    }
}

// issue 10 defect 12
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_escape_hostile_values_and_hold_no_personal_data() {
    let log = Captured::default();
    let writer = log.clone();
    lienthong::telemetry::init_with(
        lienthong::config::LogFormat::Text,
        tracing_subscriber::EnvFilter::new("info"),
        move || writer.clone(),
    );

    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut settings = sim.adapter_settings(true, common::AGENCY);
    settings.insert("kind".into(), "postal_http".into());
    let prefix = super::prefix();
    let postal = partner(POSTAL, POSTAL_TOKEN, &["return_result"], None, settings);
    let mut hub = TestHub::start_with(|config| {
        config.hub.http_listen = Some("127.0.0.1:0".parse().unwrap());
        config.partners.push(postal);
        super::with_amqp(config, &prefix, vec![]);
    })
    .await;

    // gRPC: a dossier full of personal data, then commands naming hostile
    // references and keys.
    let mut one_stop = hub.client(common::ONE_STOP).await;
    let mut personal = submission();
    personal.owner_name = PERSONAL[0].into();
    personal.phone = PERSONAL[1].into();
    personal.email = PERSONAL[2].into();
    personal.owner_id_number = PERSONAL[3].into();
    personal.summary = format!("Địa chỉ: {}", PERSONAL[4]);
    let mut request = submit_request("logs-personal", personal);
    request.actor = PERSONAL[0].into();
    let accepted = one_stop.exec(request).await.expect("accepted");
    let dossier = accepted.dossier.unwrap();
    let mut hostile = common::command(
        &format!("logs-key{FORGED}"),
        dossier.id,
        common::command_named("start_processing"),
    );
    hostile.dossier = Some(pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(format!(
            "{}{FORGED}",
            dossier.ma_ho_so
        ))),
    });
    hostile.actor = PERSONAL[5].into();
    one_stop.exec(hostile).await.expect_err("no such dossier");
    let mut illegal = common::command(
        "logs-illegal",
        dossier.id,
        C::ReturnResult(pb::ReturnResult::default()),
    );
    illegal.unit = PERSONAL[4].into();
    one_stop.exec(illegal).await.expect_err("illegal now");

    // The postal provider's signed callbacks: trouble with a note and a
    // location full of personal data, and an unmapped hostile code.
    let webhook = format!("{}/webhook", inbound_url(&hub, POSTAL));
    let trouble = tracking_event("EV1", "FAILED", &format!("{}{FORGED}", dossier.ma_ho_so));
    let status = signed_webhook(
        &webhook,
        sim.webhook_secret(),
        &serde_json::to_vec(&trouble).unwrap(),
    )
    .await;
    assert_eq!(status, 200, "the trouble event is taken");
    let unmapped = tracking_event("EV2", &format!("ODD{FORGED}"), &dossier.ma_ho_so);
    let status = signed_webhook(
        &webhook,
        sim.webhook_secret(),
        &serde_json::to_vec(&unmapped).unwrap(),
    )
    .await;
    assert!(status >= 400, "an unmapped code is refused ({status})");

    // AMQP: a command with personal data and a hostile message type.
    let connection = super::connect().await;
    super::wait_for_queue(&connection, &format!("{prefix}.commands")).await;
    let channel = connection.create_channel().await.unwrap();
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let mut body = submission();
    body.owner_name = PERSONAL[0].into();
    body.phone = PERSONAL[1].into();
    let body = submit_request("logs-amqp", body).encode_to_vec();
    let mut headers = FieldTable::default();
    headers.insert(
        "authorization".into(),
        AMQPValue::LongString(format!("Bearer {}", common::ONE_STOP).into()),
    );
    let properties = BasicProperties::default()
        .with_headers(headers)
        .with_type(format!("lienthong.v1.CommandRequest{FORGED}").into())
        .with_message_id("logs-amqp".into())
        .with_delivery_mode(2);
    channel
        .basic_publish(
            &format!("{prefix}.commands"),
            "command",
            BasicPublishOptions::default(),
            &body,
            properties,
        )
        .await
        .unwrap()
        .await
        .unwrap();

    log.wait_for("command parked").await;
    log.wait_for("postal delivery trouble").await;
    hub.stop().await;
    let _ = connection.close(200, "").await;
    super::cleanup(&prefix, &[]).await;

    let text = log.text();
    assert!(text.contains("accepted"), "the log was captured:\n{text}");
    assert!(
        text.contains("\\n1999-01-01T00:00:00.000000Z"),
        "hostile values reached the log, escaped:\n{text}"
    );
    for line in text.lines() {
        assert!(
            !line.starts_with("1999-01-01"),
            "a forged line got into the log: {line:?}"
        );
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "a raw control character in the log: {line:?}"
        );
    }
    for value in PERSONAL {
        assert!(
            !text.contains(value),
            "personal data {value:?} in the log:\n{text}"
        );
    }
}
