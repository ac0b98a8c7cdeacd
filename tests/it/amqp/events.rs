//! Every event out through RabbitMQ, to the right partner queues, in order
//! per dossier, with the headers the contract promises.

use super::{amqp_hub, cleanup, connect, header_text, prefix, queue_partner, QueueReader};
use crate::common::{
    command, command_named, drive, submission, submit_request, VersionOrder, ONE_STOP,
};
use lapin::options::BasicAckOptions;
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb;
use prost::Message;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_the_partner_queue_in_order_per_dossier_and_nothing_else_does() {
    let prefix = prefix();
    let filter = SubscriptionSection {
        agencies: vec!["000.00.01.H22".into()],
        procedures: vec!["1.000948.H38".into()],
        ..Default::default()
    };
    let mut hub = amqp_hub(
        &prefix,
        vec![queue_partner("buu-dien", "buu-dien-token-0001", filter)],
    )
    .await;
    let connection = connect().await;
    let mut queue = QueueReader::open(&connection, &format!("{prefix}.partner.buu-dien")).await;
    let client = hub.client(ONE_STOP).await;

    let wanted = drive(&client, "mine", "000.00.01.H22", 30).await;
    let unwanted: HashSet<String> = drive(&client, "other", "000.00.02.H22", 6)
        .await
        .into_iter()
        .collect();
    // Same agency, another procedure: not for this partner either.
    let mut other_procedure = submission();
    other_procedure.procedure_code = "1.000949.H38".into();
    let mut c = client.clone();
    let not_mine = c
        .exec(submit_request("other-procedure", other_procedure))
        .await
        .unwrap()
        .event_id;

    let mut missing: HashSet<String> = wanted.iter().cloned().collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut order = VersionOrder::default();
    let mut duplicates = 0;
    while !missing.is_empty() {
        let delivery = queue
            .next(Duration::from_secs(30))
            .await
            .unwrap_or_else(|| panic!("{} events never arrived", missing.len()));
        let id = delivery
            .properties
            .message_id()
            .as_ref()
            .expect("message_id")
            .to_string();
        let event =
            pb::Event::decode(delivery.data.as_slice()).expect("body is a lienthong.v1.Event");
        assert_eq!(event.event_id, id, "message_id is the event id");
        assert!(
            !unwanted.contains(&id) && id != not_mine,
            "an event of another agency or procedure arrived"
        );
        if !seen.insert(id.clone()) {
            duplicates += 1; // allowed: same message_id, dropped by the partner
        } else {
            order.check(&event);
        }
        assert_eq!(delivery.properties.delivery_mode(), &Some(2), "persistent");
        assert_eq!(
            delivery
                .properties
                .content_type()
                .as_ref()
                .map(|s| s.as_str()),
            Some("application/x-protobuf")
        );
        assert_eq!(
            header_text(&delivery, "agency_code").as_deref(),
            Some("000.00.01.H22")
        );
        assert_eq!(
            header_text(&delivery, "procedure_code").as_deref(),
            Some("1.000948.H38")
        );
        assert!(header_text(&delivery, "event_type").is_some());
        assert_eq!(
            delivery.routing_key.as_str(),
            format!(
                "{}.000_00_01_H22.1_000948_H38",
                header_text(&delivery, "event_type").unwrap()
            )
        );
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
        missing.remove(&id);
    }
    assert_eq!(seen.len(), wanted.len());
    // Nothing else is waiting in the queue.
    assert!(
        queue.next(Duration::from_millis(500)).await.is_none(),
        "an unexpected extra message"
    );
    println!("{} events, {duplicates} duplicates", seen.len());
    hub.stop().await;
    cleanup(&prefix, &["buu-dien"]).await;
}

/// The `status` header is the new status, and only on events that change it
/// (deploy/rabbitmq/README.md): a reschedule leaves the dossier where it was
/// and carries none, so a consumer filtering on `status` hears each arrival once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_header_comes_only_with_a_change_of_status() {
    let prefix = prefix();
    let mut hub = amqp_hub(
        &prefix,
        vec![queue_partner(
            "buu-dien",
            "buu-dien-token-0001",
            SubscriptionSection::default(),
        )],
    )
    .await;
    let connection = connect().await;
    let mut queue = QueueReader::open(&connection, &format!("{prefix}.partner.buu-dien")).await;
    let mut client = hub.client(ONE_STOP).await;
    let id = client.submit("status-header").await.dossier.unwrap().id;
    for step in ["receive", "start_processing", "reschedule"] {
        client
            .exec(command(
                &format!("status-header-{step}"),
                id,
                command_named(step),
            ))
            .await
            .unwrap_or_else(|e| panic!("{step}: {e}"));
    }
    let mut seen: Vec<(String, Option<u8>)> = Vec::new();
    while seen.len() < 4 {
        let delivery = queue
            .next(Duration::from_secs(30))
            .await
            .unwrap_or_else(|| panic!("only {seen:?} arrived"));
        let status = match delivery
            .properties
            .headers()
            .as_ref()
            .unwrap()
            .inner()
            .get("status")
        {
            Some(lapin::types::AMQPValue::ShortShortUInt(code)) => Some(*code),
            None => None,
            Some(other) => panic!("status header of the wrong type: {other:?}"),
        };
        let event_type = header_text(&delivery, "event_type").unwrap();
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
        // A redelivered copy (same event) is allowed; keep the first.
        if !seen.iter().any(|(t, _)| *t == event_type) {
            seen.push((event_type, status));
        }
    }
    assert_eq!(
        seen,
        vec![
            ("dossier_submitted".to_string(), Some(1)),
            ("dossier_received".to_string(), Some(2)),
            ("processing_started".to_string(), Some(4)),
            ("dossier_rescheduled".to_string(), None),
        ]
    );
    hub.stop().await;
    cleanup(&prefix, &["buu-dien"]).await;
}

#[tokio::test]
async fn without_a_broker_url_the_hub_runs_on_sled_alone() {
    let mut hub = crate::common::TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    assert_eq!(client.submit("embedded").await.event_seq, 1);
    let portal = hub.client(crate::common::PORTAL).await;
    let request = portal.req(pb::ListParkedRequest { limit: 0 });
    let err = lienthong::grpc::pb::admin_service_client::AdminServiceClient::connect(format!(
        "http://{}",
        hub.addr
    ))
    .await
    .unwrap()
    .list_parked(request)
    .await
    .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unavailable);
    assert!(err.message().contains("no broker"), "{}", err.message());
    hub.stop().await;
}
