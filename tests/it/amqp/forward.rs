//! A forward (liên thông) through RabbitMQ: routed under both agencies, so a
//! queue bound to the sender's agency and one bound to the receiver's each
//! get it, and a queue bound to both still gets one copy.

use super::{amqp_hub, cleanup, connect, header_text, prefix, queue_partner, QueueReader};
use crate::common::{
    command, command_named, publish_sequence, Client, AGENCY, NEXT_AGENCY, ONE_STOP,
};
use lapin::options::BasicAckOptions;
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, command_request::Command as C};
use prost::Message;
use std::time::Duration;

fn watching(agencies: &[&str]) -> SubscriptionSection {
    SubscriptionSection {
        event_types: vec!["dossier_forwarded".into(), "processing_finished".into()],
        agencies: agencies.iter().map(|a| a.to_string()).collect(),
        ..Default::default()
    }
}

async fn next_event(queue: &mut QueueReader) -> (pb::Event, lapin::message::Delivery) {
    let delivery = queue
        .next(Duration::from_secs(30))
        .await
        .expect("an event arrives");
    delivery.ack(BasicAckOptions::default()).await.unwrap();
    let event = pb::Event::decode(delivery.data.as_slice()).expect("a lienthong.v1.Event");
    (event, delivery)
}

async fn forwarded_then_finished(client: &mut Client) -> u64 {
    let id = client.submit("fw-submit").await.dossier.unwrap().id;
    for step in ["receive", "start_processing"] {
        client
            .exec(command(&format!("fw-{step}"), id, command_named(step)))
            .await
            .unwrap();
    }
    let forward = C::Forward(pb::ForwardDossier {
        to_agency_code: NEXT_AGENCY.into(),
        note: String::new(),
    });
    client
        .exec(command("fw-forward", id, forward))
        .await
        .unwrap();
    client
        .exec(command("fw-finish", id, command_named("finish")))
        .await
        .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_reaches_the_queues_of_both_agencies_once_each() {
    let prefix = prefix();
    let mut hub = amqp_hub(
        &prefix,
        vec![
            queue_partner("so-gui", "so-gui-token-00001", watching(&[AGENCY])),
            queue_partner("so-nhan", "so-nhan-token-0001", watching(&[NEXT_AGENCY])),
            queue_partner(
                "ca-hai",
                "ca-hai-token-00001",
                watching(&[AGENCY, NEXT_AGENCY]),
            ),
        ],
    )
    .await;
    publish_sequence(&hub).await;
    let connection = connect().await;
    let mut sender = QueueReader::open(&connection, &format!("{prefix}.partner.so-gui")).await;
    let mut receiver = QueueReader::open(&connection, &format!("{prefix}.partner.so-nhan")).await;
    let mut both = QueueReader::open(&connection, &format!("{prefix}.partner.ca-hai")).await;
    let mut client = hub.client(ONE_STOP).await;
    let id = forwarded_then_finished(&mut client).await;

    for queue in [&mut sender, &mut receiver, &mut both] {
        let (event, delivery) = next_event(queue).await;
        assert_eq!(event.r#type, pb::EventType::DossierForwarded as i32);
        assert_eq!(
            (event.dossier_id, event.agency_code.as_str()),
            (id, NEXT_AGENCY)
        );
        assert_eq!(event.from_agency_code, AGENCY);
        assert_eq!(
            header_text(&delivery, "from_agency_code").as_deref(),
            Some(AGENCY)
        );
    }
    // The finish happened at the receiving agency: its queues get it next
    // (for the queue bound to both agencies: not a second copy of the
    // forward, though both of the forward's routing keys match it).
    for queue in [&mut receiver, &mut both] {
        let (event, _) = next_event(queue).await;
        assert_eq!(event.r#type, pb::EventType::ProcessingFinished as i32);
        assert_eq!(event.dossier_id, id);
    }
    hub.stop().await;
    cleanup(&prefix, &["so-gui", "so-nhan", "ca-hai"]).await;
}
