//! Partner bindings follow the configuration across restarts: a narrowed
//! filter loses its old bindings, and the queue of a partner that no longer
//! takes events over AMQP is unbound and kept for the operator.

use super::{cleanup, connect, prefix, queue_partner, QueueReader};
use crate::common::{submission, submit_request, AGENCY, NEXT_AGENCY, ONE_STOP};
use lapin::options::{BasicAckOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::Connection;
use lienthong::config::{PartnerSection, SubscriptionSection};

fn filtered(agencies: &[&str]) -> SubscriptionSection {
    SubscriptionSection {
        agencies: agencies.iter().map(|a| a.to_string()).collect(),
        ..Default::default()
    }
}

/// The ready messages of `queue`, or None when it does not exist.
async fn depth(connection: &Connection, queue: &str) -> Option<u32> {
    let channel = connection.create_channel().await.unwrap();
    let passive = QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    match channel
        .queue_declare(queue, passive, FieldTable::default())
        .await
    {
        Ok(q) => {
            let _ = channel.close(200, "").await;
            Some(q.message_count())
        }
        Err(lapin::Error::ProtocolError(e)) if e.get_id() == 404 => None,
        Err(e) => panic!("looking at {queue}: {e}"),
    }
}

// issue 10 defect 4
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_bindings_are_reconciled_to_the_filter_at_start() {
    let prefix = prefix();
    let queue = |id: &str| format!("{prefix}.partner.{id}");
    let narrowing =
        |agencies: &[&str]| queue_partner("loc", "loc-token-0001-abcd", filtered(agencies));
    let switching = queue_partner("doi", "doi-token-0001-abcd", SubscriptionSection::default());
    let leaving = queue_partner("bo", "bo-token-0001-abcde", SubscriptionSection::default());
    let connection = connect().await;

    // First run: three partners take events over AMQP.
    let partners = vec![
        narrowing(&[AGENCY, NEXT_AGENCY]),
        switching.clone(),
        leaving,
    ];
    let mut hub = super::amqp_hub(&prefix, partners).await;
    let mut client = hub.client(ONE_STOP).await;
    let first = client.submit("first").await;
    let mut loc = QueueReader::open(&connection, &queue("loc")).await;
    loc.event(&first.event_id, "the first run's event")
        .await
        .acker
        .ack(BasicAckOptions::default())
        .await
        .unwrap();
    {
        let mut bo = QueueReader::open(&connection, &queue("bo")).await;
        let delivery = bo
            .event(&first.event_id, "the leaving partner's event")
            .await;
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
    }
    // "doi" leaves its event unread: its queue will hold one message.
    hub.stop().await;

    // Second run: "loc" narrowed to one agency, "doi" switched to gRPC,
    // "bo" removed.
    let grpc = PartnerSection {
        subscription: Some(SubscriptionSection {
            delivery: Some("grpc".into()),
            ..Default::default()
        }),
        ..switching
    };
    let mut hub = super::amqp_hub(&prefix, vec![narrowing(&[AGENCY]), grpc]).await;
    let mut client = hub.client(ONE_STOP).await;
    let mut elsewhere = submission();
    elsewhere.agency_code = NEXT_AGENCY.into();
    let removed_agency = client
        .exec(submit_request("elsewhere", elsewhere))
        .await
        .unwrap();
    let kept_agency = client.submit("second").await;
    // Events are published in order: had the removed agency's binding stayed,
    // its event would come first.
    assert_ne!(removed_agency.event_id, kept_agency.event_id);
    loc.event(
        &kept_agency.event_id,
        "only the agency the filter still names",
    )
    .await
    .acker
    .ack(BasicAckOptions::default())
    .await
    .unwrap();
    // By now both events were routed: the switched partner's queue got
    // neither (it still holds the first run's message, for the operator),
    // nor did the removed partner's (kept, empty).
    assert_eq!(depth(&connection, &queue("doi")).await, Some(1));
    assert_eq!(depth(&connection, &queue("bo")).await, Some(0));
    hub.stop().await;

    // The operator deletes the empty one; a third run, unchanged: the other
    // is still kept and still unbound.
    let channel = connection.create_channel().await.unwrap();
    channel
        .queue_delete(&queue("bo"), Default::default())
        .await
        .unwrap();
    let grpc_again = PartnerSection {
        subscription: Some(SubscriptionSection {
            delivery: Some("grpc".into()),
            ..Default::default()
        }),
        ..queue_partner("doi", "doi-token-0001-abcd", SubscriptionSection::default())
    };
    let mut hub = super::amqp_hub(&prefix, vec![narrowing(&[AGENCY]), grpc_again]).await;
    let mut client = hub.client(ONE_STOP).await;
    let third = client.submit("third").await;
    loc.event(&third.event_id, "the third run's event").await;
    assert_eq!(depth(&connection, &queue("doi")).await, Some(1));
    assert_eq!(depth(&connection, &queue("bo")).await, None);
    hub.stop().await;
    cleanup(&prefix, &["loc", "doi", "bo"]).await;
}
