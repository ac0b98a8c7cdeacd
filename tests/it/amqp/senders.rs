//! Who may be answered over AMQP, what may claim to be the hub, and how big a
//! command may be: hostile or clumsy senders on the command exchange.

use super::commands::{command_reply, error, parked, Sender};
use super::{cleanup, connect, depth, prefix, queue_partner, rabbitmqctl_output};
use crate::common::{submission, submit_request, Client, ONE_STOP, PORTAL};
use lapin::options::{BasicGetOptions, BasicNackOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::Connection;
use lienthong::config::SubscriptionSection;
use prost::Message;
use std::collections::BTreeMap;
use std::time::Duration;

/// The ids of the parked messages once there are `count`, sorted.
pub async fn parked_ids_when(
    client: &Client,
    addr: std::net::SocketAddr,
    count: usize,
) -> Vec<String> {
    for _ in 0..300 {
        let listed = parked(client, addr).await;
        if listed.len() >= count {
            let mut ids: Vec<_> = listed.into_iter().map(|m| m.message_id).collect();
            ids.sort();
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{count} messages were never parked");
}

/// Each parked message's id and string headers, read straight from the
/// parking queue (and put back).
pub async fn parked_copies(
    connection: &Connection,
    prefix: &str,
) -> Vec<(String, BTreeMap<String, String>)> {
    let channel = connection.create_channel().await.unwrap();
    let mut copies = Vec::new();
    while let Some(message) = channel
        .basic_get(
            &format!("{prefix}.parked"),
            BasicGetOptions { no_ack: false },
        )
        .await
        .unwrap()
    {
        let properties = &message.delivery.properties;
        let mut headers = BTreeMap::new();
        for (key, value) in properties.headers().clone().unwrap_or_default().inner() {
            if let AMQPValue::LongString(s) = value {
                headers.insert(key.to_string(), s.to_string());
            }
        }
        let id = properties
            .message_id()
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default();
        copies.push((id, headers));
    }
    let _ = channel
        .basic_nack(
            0,
            BasicNackOptions {
                multiple: true,
                requeue: true,
            },
        )
        .await;
    let _ = channel.close(200, "").await;
    copies
}

/// Waits until the hub has settled (acknowledged) every command sent so
/// far: it answers, if at all, before it acknowledges.
async fn commands_settled(prefix: &str) {
    let queue = format!("{prefix}.commands");
    for _ in 0..120 {
        let listing = rabbitmqctl_output(&["-q", "list_queues", "name", "messages"]);
        let depth = listing.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(queue.as_str())).then(|| words.next().map(str::to_string))?
        });
        if depth.as_deref() == Some("0") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the hub never settled the commands in {queue}");
}

// issue 10 defect 2
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_go_only_to_reply_queues_the_authenticated_sender_owns() {
    let prefix = prefix();
    let partner = queue_partner(
        "buu-dien-q",
        "buu-dien-q-token-0001",
        SubscriptionSection::default(),
    );
    let mut hub = super::amqp_hub(&prefix, vec![partner]).await;
    let connection = connect().await;
    let event_queue = format!("{prefix}.partner.buu-dien-q");
    super::wait_for_queue(&connection, &event_queue).await;
    let mut one_stop = Sender::open(&connection, &prefix, "one-stop").await;

    // A stranger aims the answer at a partner's event queue; one-stop aims
    // its own at the postal partner's reply queue and at the hub's queues.
    let stranger = Sender::open(&connection, &prefix, "stranger")
        .await
        .answered_on(&event_queue);
    let body = |key: &str| submit_request(key, submission()).encode_to_vec();
    stranger
        .send("", None, body("k-stranger"), "stranger")
        .await;
    stranger
        .send("no-such-token", None, body("k-stranger"), "stranger-2")
        .await;
    // Declared and not consumed, so that anything sent there stays.
    let postal_queue = format!("{prefix}.reply.postal");
    let exclusive = QueueDeclareOptions {
        exclusive: true,
        ..Default::default()
    };
    let own_channel = connection.create_channel().await.unwrap();
    own_channel
        .queue_declare(&postal_queue, exclusive, FieldTable::default())
        .await
        .unwrap();
    let misdirected = Sender::open(&connection, &prefix, "other")
        .await
        .answered_on(&postal_queue);
    misdirected
        .send(ONE_STOP, None, body("k-misdirected"), "misdirected")
        .await;
    let into_commands = Sender::open(&connection, &prefix, "other-2")
        .await
        .answered_on(&format!("{prefix}.commands"));
    into_commands
        .send(ONE_STOP, None, body("k-loop"), "loop")
        .await;
    commands_settled(&prefix).await;

    // Nothing was written into the queues named, and nothing was executed.
    assert_eq!(depth(&connection, &event_queue).await, 0);
    assert_eq!(depth(&connection, &postal_queue).await, 0);
    let portal = hub.client(PORTAL).await;
    let listed = parked(&portal, hub.addr).await;
    let reason = |id: &str| {
        listed
            .iter()
            .find(|m| m.message_id == id)
            .map(|m| m.reason.clone())
            .unwrap_or_else(|| panic!("{id} is parked: {listed:?}"))
    };
    assert!(
        reason("stranger").contains("not answered"),
        "{}",
        reason("stranger")
    );
    assert!(reason("stranger-2").contains("not answered"));
    assert!(
        reason("misdirected").contains("`reply_to`")
            && reason("misdirected").contains(&format!("{prefix}.reply.one-stop")),
        "{}",
        reason("misdirected")
    );
    assert!(reason("loop").contains("`reply_to`"));
    let mut grpc = hub.client(ONE_STOP).await;
    let first = grpc.submit("k-misdirected").await;
    assert!(!first.replayed, "the misdirected command was not executed");

    // Its own reply queue, or RabbitMQ's direct reply-to: answered.
    one_stop.send(ONE_STOP, None, body("k-own"), "own").await;
    assert!(!command_reply(one_stop.reply("own").await).replayed);
    let mut direct = Sender::direct(&connection, &prefix).await;
    direct
        .send(ONE_STOP, None, body("k-direct"), "direct")
        .await;
    assert!(!command_reply(direct.reply("direct").await).replayed);
    hub.stop().await;
    cleanup(&prefix, &["buu-dien-q"]).await;
}

// issue 10 defect 3
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_from_outside_claiming_hub_only_headers_is_refused() {
    let prefix = prefix();
    let mut hub = super::amqp_hub(&prefix, vec![]).await;
    let connection = connect().await;
    let mut sender = Sender::open(&connection, &prefix, "one-stop").await;
    // A forged re-drive: no token, the hub's headers naming one-stop.
    let mut forged = FieldTable::default();
    let text = |s: &str| AMQPValue::LongString(s.into());
    forged.insert(lienthong::amqp::PARTNER_HEADER.into(), text("one-stop"));
    forged.insert(
        lienthong::amqp::REDRIVEN_BY_HEADER.into(),
        text("national-portal"),
    );
    let body = submit_request("k-forged", submission()).encode_to_vec();
    sender.send_with(forged, None, body.clone(), "forged").await;
    // And with a valid token too: still refused, and answered.
    let mut with_token = FieldTable::default();
    with_token.insert("authorization".into(), text(&format!("Bearer {ONE_STOP}")));
    with_token.insert(
        lienthong::amqp::PARTNER_HEADER.into(),
        text("national-portal"),
    );
    sender.send_with(with_token, None, body, "forged-2").await;
    let e = error(sender.reply("forged-2").await);
    assert_eq!(
        (e.code.as_str(), e.parked),
        ("PERMISSION_DENIED", true),
        "{e:?}"
    );
    assert!(
        e.message.contains("only the hub writes it"),
        "{}",
        e.message
    );

    let portal = hub.client(PORTAL).await;
    let ids = parked_ids_when(&portal, hub.addr, 2).await;
    assert_eq!(ids, ["forged", "forged-2"]);
    // Nothing ran, and the parked copies name only the partner the hub
    // authenticated, if any: never the one claimed.
    let mut grpc = hub.client(ONE_STOP).await;
    assert!(!grpc.submit("k-forged").await.replayed);
    let copies = parked_copies(&connection, &prefix).await;
    let partner_of = |id: &str| {
        let (_, headers) = copies.iter().find(|(m, _)| m == id).expect("parked");
        assert!(!headers.contains_key("authorization"), "{id}: {headers:?}");
        headers.get(lienthong::amqp::PARTNER_HEADER).cloned()
    };
    assert_eq!(partner_of("forged"), None);
    assert_eq!(partner_of("forged-2").as_deref(), Some("one-stop"));
    hub.stop().await;
    cleanup(&prefix, &[]).await;
}

// issue 10 defect 8
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_over_max_message_bytes_is_parked_undecoded() {
    let prefix = prefix();
    let limit = 64 * 1024;
    let mut hub = crate::common::TestHub::start_with({
        let prefix = prefix.clone();
        move |config| {
            super::with_amqp(config, &prefix, vec![]);
            config.hub.max_message_bytes = limit;
        }
    })
    .await;
    let connection = connect().await;
    let mut sender = Sender::open(&connection, &prefix, "one-stop").await;
    let mut big = submission();
    big.owner_name = "x".repeat(limit + 10);
    let body = submit_request("k-big", big).encode_to_vec();
    let bytes = body.len();
    sender.send(ONE_STOP, None, body, "big").await;
    let e = error(sender.reply("big").await);
    assert_eq!((e.code.as_str(), e.parked), ("OUT_OF_RANGE", true), "{e:?}");
    assert!(
        e.message.contains("hub.max_message_bytes")
            && e.message.contains(&bytes.to_string())
            && e.message.contains("not decoded"),
        "{}",
        e.message
    );
    let portal = hub.client(PORTAL).await;
    let listed = parked(&portal, hub.addr).await;
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].message_id.as_str(), listed[0].bytes), ("big", 0));
    // A command within the limit still goes through.
    let small = submit_request("k-small", submission()).encode_to_vec();
    sender.send(ONE_STOP, None, small, "small").await;
    assert!(!command_reply(sender.reply("small").await).replayed);
    hub.stop().await;
    cleanup(&prefix, &[]).await;
}
