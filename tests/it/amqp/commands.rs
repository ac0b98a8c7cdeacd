//! Commands over AMQP: the same answers as gRPC, idempotent replays, and
//! bad messages parked with their reason — then re-driven once fixed.

use super::{apply_policies, cleanup, connect, prefix, queue_partner, QueueReader};
use crate::common::{
    command, command_named, partner_section, submission, submit_request, Client, ONE_STOP, PORTAL,
    POSTAL,
};
use lapin::options::{
    BasicAckOptions, BasicPublishOptions, BasicRejectOptions, ConfirmSelectOptions,
    QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, admin_service_client::AdminServiceClient};
use prost::Message;
use std::time::Duration;
use tokio_stream::StreamExt;

/// A partner's side of the command exchange: its own reply queue.
pub struct Sender {
    channel: Channel,
    replies: Replies,
    reply_to: String,
    exchange: String,
}

/// Where a sender's answers arrive.
enum Replies {
    /// A queue it declared and consumes with acknowledgements.
    Queue(QueueReader),
    /// RabbitMQ's direct reply-to, consumed without acknowledgements on the
    /// channel that publishes.
    Direct(lapin::Consumer),
}

impl Sender {
    /// A sender answered on `reply_queue`, which it declares (exclusive).
    pub async fn open_on(connection: &Connection, prefix: &str, reply_queue: &str) -> Sender {
        let channel = connection.create_channel().await.unwrap();
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .unwrap();
        channel
            .queue_declare(
                reply_queue,
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .unwrap();
        // The hub declares the command exchange when its consumer connects.
        super::wait_for_queue(connection, &format!("{prefix}.commands")).await;
        let replies = Replies::Queue(QueueReader::open(connection, reply_queue).await);
        Sender {
            channel,
            replies,
            reply_to: reply_queue.to_string(),
            exchange: format!("{prefix}.commands"),
        }
    }

    /// A sender answered on the reply queue of `partner_id`
    /// (`<prefix>.reply.<partner id>`).
    pub async fn open(connection: &Connection, prefix: &str, partner_id: &str) -> Sender {
        Sender::open_on(connection, prefix, &format!("{prefix}.reply.{partner_id}")).await
    }

    /// A sender answered through RabbitMQ's direct reply-to.
    pub async fn direct(connection: &Connection, prefix: &str) -> Sender {
        let channel = connection.create_channel().await.unwrap();
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .unwrap();
        super::wait_for_queue(connection, &format!("{prefix}.commands")).await;
        let consumer = channel
            .basic_consume(
                lienthong::amqp::DIRECT_REPLY_TO,
                "direct-reply",
                lapin::options::BasicConsumeOptions {
                    no_ack: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .unwrap();
        Sender {
            channel,
            replies: Replies::Direct(consumer),
            reply_to: lienthong::amqp::DIRECT_REPLY_TO.to_string(),
            exchange: format!("{prefix}.commands"),
        }
    }

    /// Sends with `reply_to` set to another queue than the sender's own.
    pub fn answered_on(mut self, reply_to: &str) -> Sender {
        self.reply_to = reply_to.to_string();
        self
    }

    pub async fn send(
        &self,
        token: &str,
        message_type: Option<&str>,
        body: Vec<u8>,
        correlation: &str,
    ) {
        let mut headers = FieldTable::default();
        if !token.is_empty() {
            headers.insert(
                "authorization".into(),
                AMQPValue::LongString(format!("Bearer {token}").into()),
            );
        }
        self.send_with(headers, message_type, body, correlation)
            .await
    }

    /// Sends with exactly these headers.
    pub async fn send_with(
        &self,
        headers: FieldTable,
        message_type: Option<&str>,
        body: Vec<u8>,
        correlation: &str,
    ) {
        let mut properties = BasicProperties::default()
            .with_headers(headers)
            .with_reply_to(self.reply_to.as_str().into())
            .with_correlation_id(correlation.into())
            .with_message_id(correlation.into())
            .with_delivery_mode(2);
        if let Some(t) = message_type {
            properties = properties.with_type(t.into());
        }
        // The hub declares the queue before it binds it: a message published
        // in between comes back unroutable (mandatory), so send it again.
        for _ in 0..100 {
            let confirmation = self
                .channel
                .basic_publish(
                    &self.exchange,
                    "command",
                    BasicPublishOptions {
                        mandatory: true,
                        ..Default::default()
                    },
                    &body,
                    properties.clone(),
                )
                .await
                .unwrap()
                .await
                .unwrap();
            match confirmation {
                lapin::publisher_confirm::Confirmation::Ack(None) => return,
                lapin::publisher_confirm::Confirmation::Ack(Some(_)) => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                other => panic!("the broker refused the command: {other:?}"),
            }
        }
        panic!("the command exchange never routed to the hub's queue");
    }

    pub async fn reply(&mut self, correlation: &str) -> pb::amqp_reply::Result {
        let delivery = match &mut self.replies {
            Replies::Queue(queue) => {
                let delivery = queue
                    .next(Duration::from_secs(30))
                    .await
                    .expect("a reply arrives");
                delivery
                    .acker
                    .ack(BasicAckOptions::default())
                    .await
                    .unwrap();
                delivery
            }
            Replies::Direct(consumer) => {
                tokio::time::timeout(Duration::from_secs(30), consumer.next())
                    .await
                    .expect("a reply arrives")
                    .expect("consumer open")
                    .expect("healthy consumer")
            }
        };
        assert_eq!(
            delivery
                .properties
                .correlation_id()
                .as_ref()
                .map(|c| c.as_str()),
            Some(correlation)
        );
        pb::AmqpReply::decode(delivery.data.as_slice())
            .unwrap()
            .result
            .expect("a result")
    }
}

pub(super) fn error(result: pb::amqp_reply::Result) -> pb::ErrorReply {
    match result {
        pb::amqp_reply::Result::Error(e) => e,
        other => panic!("expected an error reply, got {other:?}"),
    }
}

pub(super) fn command_reply(result: pb::amqp_reply::Result) -> pb::CommandReply {
    match result {
        pb::amqp_reply::Result::Command(c) => c,
        other => panic!("expected a command reply, got {other:?}"),
    }
}

pub(super) async fn parked(client: &Client, addr: std::net::SocketAddr) -> Vec<pb::ParkedMessage> {
    let mut admin = AdminServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    admin
        .list_parked(client.req(pb::ListParkedRequest { limit: 0 }))
        .await
        .unwrap()
        .into_inner()
        .messages
}

/// Re-drives the parked messages `message_ids` (or `all`) as `client`;
/// returns how many the hub re-drove.
pub(super) async fn redrive(
    client: &Client,
    addr: std::net::SocketAddr,
    message_ids: &[&str],
    all: bool,
) -> u32 {
    let mut admin = AdminServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    let request = client.req(pb::RedriveParkedRequest {
        message_ids: message_ids.iter().map(|id| id.to_string()).collect(),
        all,
    });
    admin
        .redrive_parked(request)
        .await
        .unwrap()
        .into_inner()
        .redriven
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_round_trip_replay_and_bad_ones_are_parked_with_a_reason() {
    let prefix = prefix();
    let mut hub = super::amqp_hub(&prefix, vec![]).await;
    let connection = connect().await;
    let mut sender = Sender::open(&connection, &prefix, "one-stop").await;
    let mut postal = Sender::open(&connection, &prefix, "postal").await;

    let submit = submit_request("amqp-submit-1", submission()).encode_to_vec();
    sender.send(ONE_STOP, None, submit.clone(), "c1").await;
    let first = command_reply(sender.reply("c1").await);
    let dossier = first.dossier.clone().unwrap();
    assert!(!first.replayed && dossier.ma_ho_so.starts_with("000.00.01.H22-"));
    // The same request again (a redelivery, a retry): the first answer.
    sender
        .send(ONE_STOP, Some(lienthong::amqp::COMMAND_TYPE), submit, "c2")
        .await;
    let again = command_reply(sender.reply("c2").await);
    assert!(again.replayed);
    assert_eq!(again.event_id, first.event_id);
    // The same dossier over gRPC.
    let mut grpc = hub.client(ONE_STOP).await;
    assert_eq!(
        grpc.get(dossier.id)
            .await
            .unwrap()
            .dossier
            .unwrap()
            .ma_ho_so,
        dossier.ma_ho_so
    );

    // A refusal of a valid command: answered, not parked.
    let finish = command("amqp-finish", dossier.id, command_named("finish")).encode_to_vec();
    sender.send(ONE_STOP, None, finish, "c3").await;
    let refused = error(sender.reply("c3").await);
    assert_eq!(refused.code, "FAILED_PRECONDITION");
    assert!(
        refused.message.contains("status 1 ") && !refused.parked,
        "{refused:?}"
    );

    // Bad ones: answered and parked.
    sender
        .send(
            ONE_STOP,
            None,
            b"\xff\xfe not protobuf".to_vec(),
            "bad-body",
        )
        .await;
    let e = error(sender.reply("bad-body").await);
    assert_eq!(
        (e.code.as_str(), e.parked),
        ("INVALID_ARGUMENT", true),
        "{e:?}"
    );
    assert!(e.message.contains("does not decode"), "{}", e.message);
    let receive = command("amqp-receive", dossier.id, command_named("receive")).encode_to_vec();
    postal.send(POSTAL, None, receive, "not-allowed").await;
    let e = error(postal.reply("not-allowed").await);
    assert_eq!(
        (e.code.as_str(), e.parked),
        ("PERMISSION_DENIED", true),
        "{e:?}"
    );
    let mut nameless = submission();
    nameless.owner_name.clear();
    sender
        .send(
            ONE_STOP,
            None,
            submit_request("amqp-nameless", nameless).encode_to_vec(),
            "invalid",
        )
        .await;
    let e = error(sender.reply("invalid").await);
    assert_eq!((e.code.as_str(), e.parked), ("INVALID_ARGUMENT", true));
    assert!(e.message.contains("submit.owner_name"), "{}", e.message);

    let portal = hub.client(PORTAL).await;
    let listed = parked(&portal, hub.addr).await;
    let mut ids: Vec<_> = listed.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["bad-body", "invalid", "not-allowed"]);
    for m in &listed {
        assert_eq!(m.source_queue, format!("{prefix}.commands"));
        assert!(!m.reason.is_empty() && m.parked_at.is_some(), "{m:?}");
    }
    assert!(listed
        .iter()
        .any(|m| m.message_id == "not-allowed" && m.reason.contains("may not send `receive`")));
    // Listing does not consume.
    assert_eq!(parked(&portal, hub.addr).await.len(), 3);
    // One-stop systems may not manage parked messages.
    let mut admin = AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap();
    let err = admin
        .list_parked(grpc.req(pb::ListParkedRequest { limit: 0 }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    hub.stop().await;
    cleanup(&prefix, &[]).await;
}

// issue 10 defect 3
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_command_keeps_no_token_and_is_redriven_as_its_partner_once_fixed() {
    let prefix = prefix();
    let token = "mot-cua-moi-token-1";
    let newcomer =
        |commands: &[&str]| partner_section("mot-cua-moi", "one_stop", token, commands, &["*"]);
    // The partner may not submit yet: its command is parked.
    let mut hub = super::amqp_hub(&prefix, vec![newcomer(&["receive"])]).await;
    let connection = connect().await;
    let mut sender = Sender::open(&connection, &prefix, "mot-cua-moi").await;
    let submit = submit_request("early", submission()).encode_to_vec();
    sender.send(token, None, submit.clone(), "early").await;
    let e = error(sender.reply("early").await);
    assert_eq!((e.code.as_str(), e.parked), ("PERMISSION_DENIED", true));
    // A stranger's command is parked too, and never answered.
    sender.send("not-a-token", None, submit, "stranger").await;
    let portal = hub.client(PORTAL).await;
    let ids = super::senders::parked_ids_when(&portal, hub.addr, 2).await;
    assert_eq!(ids, ["early", "stranger"]);

    // What the parking queue holds: no token, the partner the hub checked.
    let copies = super::senders::parked_copies(&connection, &prefix).await;
    for (id, headers) in &copies {
        assert!(
            !format!("{headers:?}").contains(token) && !headers.contains_key("authorization"),
            "{id}: {headers:?}"
        );
    }
    let partner_of = |id: &str| {
        copies
            .iter()
            .find(|(m, _)| m == id)
            .and_then(|(_, h)| h.get(lienthong::amqp::PARTNER_HEADER).cloned())
    };
    assert_eq!(partner_of("early").as_deref(), Some("mot-cua-moi"));
    assert_eq!(partner_of("stranger"), None);
    hub.stop().await;

    // The operator grants the right and re-drives both: the partner's runs
    // as that partner, without its token; the stranger's cannot (its sender
    // was never known) and stays parked.
    let mut hub = super::amqp_hub(&prefix, vec![newcomer(&["*"])]).await;
    let portal = hub.client(PORTAL).await;
    assert_eq!(
        redrive(&portal, hub.addr, &["early", "stranger"], false).await,
        1
    );
    let accepted = command_reply(sender.reply("early").await);
    assert_eq!(accepted.dossier.unwrap().submitted_by, "mot-cua-moi");
    let left: Vec<_> = parked(&portal, hub.addr)
        .await
        .into_iter()
        .map(|m| m.message_id)
        .collect();
    assert_eq!(left, ["stranger"]);
    hub.stop().await;
    // The audit log names the operator twice: the re-drive asked of the hub,
    // and the hub taking the re-driven copy on the operator's word (which is
    // also how a re-drive made with `lienthong parked redrive` is recorded).
    let log = crate::audit::entries(&hub.dir.path().join("data"));
    let taken: Vec<_> = log
        .iter()
        .filter(|e| e.record.action == "take_redriven_command")
        .collect();
    assert_eq!(taken.len(), 1, "one re-driven copy was taken");
    assert_eq!(taken[0].record.kind, lienthong::audit::Kind::Operator);
    assert_eq!(taken[0].record.actor, "national-portal");
    assert!(
        taken[0]
            .record
            .detail
            .contains("`early` of partner mot-cua-moi"),
        "{:?}",
        taken[0].record.detail
    );
    cleanup(&prefix, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_a_partner_rejects_are_parked_by_policy_and_can_be_redriven() {
    let prefix = prefix();
    apply_policies(&prefix);
    let partner = queue_partner(
        "buu-dien-tu-choi",
        "buu-dien-tu-choi-01",
        SubscriptionSection::default(),
    );
    let mut hub = super::amqp_hub(&prefix, vec![partner]).await;
    let mut client = hub.client(ONE_STOP).await;
    let submitted = client.submit("to-reject").await;
    let connection = connect().await;
    let queue_name = format!("{prefix}.partner.buu-dien-tu-choi");
    let mut queue = QueueReader::open(&connection, &queue_name).await;
    let delivery = queue.event(&submitted.event_id, "the event arrives").await;
    // The partner cannot process it: rejected without requeue → dead-lettered.
    delivery
        .acker
        .reject(BasicRejectOptions { requeue: false })
        .await
        .unwrap();

    let portal = hub.client(PORTAL).await;
    let mut listed = Vec::new();
    for _ in 0..50 {
        listed = parked(&portal, hub.addr).await;
        if !listed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed.len(), 1, "the rejected event is parked");
    assert_eq!(listed[0].message_id, submitted.event_id);
    assert_eq!(
        (listed[0].reason.as_str(), listed[0].source_queue.as_str()),
        ("rejected", queue_name.as_str())
    );

    assert_eq!(redrive(&portal, hub.addr, &[], true).await, 1);
    let again = queue
        .event(&submitted.event_id, "re-driven to the partner queue")
        .await;
    again.acker.ack(BasicAckOptions::default()).await.unwrap();
    hub.stop().await;
    cleanup(&prefix, &["buu-dien-tu-choi"]).await;
}
