//! The subscription stream: cursor, acknowledgement, resume, filters.

use crate::common::{
    command, command_named, da_nang_one_stop, drive, partner_section, Client, TestHub,
    VersionOrder, AGENCY, DA_NANG, DA_NANG_TOKEN, ONE_STOP, PAYMENT, PORTAL,
};
use lienthong::grpc::pb;
use std::collections::HashSet;
use std::time::Duration;
use tonic::Code;

async fn subscribe(
    client: &mut Client,
    after_seq: Option<u64>,
) -> Result<tonic::Streaming<pb::Event>, tonic::Status> {
    let request = client.req(pb::SubscribeRequest { after_seq });
    client
        .events
        .subscribe(request)
        .await
        .map(|r| r.into_inner())
}

async fn next(stream: &mut tonic::Streaming<pb::Event>) -> pb::Event {
    tokio::time::timeout(Duration::from_secs(20), stream.message())
        .await
        .expect("an event arrives")
        .expect("stream healthy")
        .expect("stream still open")
}

async fn ack(client: &mut Client, seq: u64) -> u64 {
    let request = client.req(pb::AckRequest { seq });
    client
        .events
        .ack(request)
        .await
        .unwrap()
        .into_inner()
        .cursor
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_disconnects_and_resumes_gets_every_event_once_in_order() {
    let mut hub = TestHub::start().await;
    let writer = hub.client(ONE_STOP).await;
    let mut portal = hub.client(PORTAL).await;
    let mut produced = drive(&writer, "before", AGENCY, 20).await.len();

    let mut seen: Vec<pb::Event> = Vec::new();
    let mut stream = subscribe(&mut portal, None).await.unwrap();
    for _ in 0..30 {
        seen.push(next(&mut stream).await);
    }
    assert_eq!(ack(&mut portal, seen.last().unwrap().seq).await, 30);
    drop(stream);

    // More changes while the subscriber is away.
    produced += drive(&writer, "while-away", AGENCY, 10).await.len();
    let mut stream = subscribe(&mut portal, None).await.unwrap();
    // And more while it reads.
    let more = tokio::spawn({
        let writer = writer.clone();
        async move { drive(&writer, "while-reading", AGENCY, 10).await.len() }
    });
    produced += 10 * 4;
    while seen.len() < produced {
        let event = next(&mut stream).await;
        seen.push(event);
        if seen.len() % 25 == 0 {
            ack(&mut portal, seen.last().unwrap().seq).await;
        }
    }
    assert_eq!(more.await.unwrap(), 40);
    let seqs: Vec<u64> = seen.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=produced as u64).collect::<Vec<_>>(),
        "every seq once, no gap, in order"
    );
    let ids: HashSet<_> = seen.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids.len(), produced, "event ids are unique");
    let mut order = VersionOrder::default();
    for e in &seen {
        order.check(e);
        match &e.payload {
            Some(pb::event::Payload::DossierChanged(c)) => {
                assert_eq!(c.dossier.as_ref().unwrap().version, e.dossier_version)
            }
            other => panic!("unexpected payload {other:?}"),
        }
    }
    hub.stop().await;
}

#[tokio::test]
async fn a_filtered_subscriber_receives_only_what_it_subscribed_to() {
    let mut hub = TestHub::start().await;
    let mut writer = hub.client(ONE_STOP).await;
    let mut payment = hub.client(PAYMENT).await;
    let id = writer.submit("pay").await.dossier.unwrap().id;
    for step in [
        "receive",
        "start_processing",
        "request_financial_obligation",
        "record_payment",
        "finish",
    ] {
        writer
            .exec(command(&format!("pay-{step}"), id, command_named(step)))
            .await
            .unwrap();
    }
    let mut stream = subscribe(&mut payment, None).await.unwrap();
    let first = next(&mut stream).await;
    let second = next(&mut stream).await;
    assert_eq!(
        first.r#type,
        pb::EventType::FinancialObligationRequested as i32
    );
    assert_eq!(second.r#type, pb::EventType::PaymentRecorded as i32);
    assert_eq!((first.seq, second.seq), (4, 5));
    // Nothing else is pending for it: a new matching event is the next one it sees.
    let other = writer.submit("pay-2").await.dossier.unwrap().id;
    for step in ["receive", "request_financial_obligation"] {
        writer
            .exec(command(
                &format!("pay-2-{step}"),
                other,
                command_named(step),
            ))
            .await
            .unwrap();
    }
    let third = next(&mut stream).await;
    assert_eq!(
        (third.dossier_id, third.r#type),
        (other, pb::EventType::FinancialObligationRequested as i32)
    );
    hub.stop().await;
}

#[tokio::test]
async fn replay_from_a_seq_and_bad_cursors() {
    let mut hub = TestHub::start().await;
    let writer = hub.client(ONE_STOP).await;
    let mut portal = hub.client(PORTAL).await;
    let produced = drive(&writer, "replay", AGENCY, 4).await.len() as u64;
    assert_eq!(ack(&mut portal, produced).await, produced);
    // Acknowledged events stay for replay until retention removes them.
    let mut stream = subscribe(&mut portal, Some(produced - 3)).await.unwrap();
    assert_eq!(next(&mut stream).await.seq, produced - 2);

    let err = subscribe(&mut portal, Some(produced + 10))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("after_seq"), "{}", err.message());
    let request = portal.req(pb::AckRequest { seq: produced + 1 });
    let err = portal.events.ack(request).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("seq"), "{}", err.message());
    // The cursor never goes back.
    assert_eq!(ack(&mut portal, 1).await, produced);
    hub.stop().await;
}

#[tokio::test]
async fn a_partner_without_subscription_cannot_subscribe() {
    let mut hub = TestHub::start_with(|config| {
        config.partners.push(partner_section(
            "no-events",
            "legacy",
            "no-events-token-123",
            &[],
            &["*"],
        ));
    })
    .await;
    let mut silent = hub.client("no-events-token-123").await;
    let err = subscribe(&mut silent, None).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert!(err.message().contains("no-events"), "{}", err.message());
    hub.stop().await;
}

#[tokio::test]
async fn a_partner_scoped_to_agencies_receives_only_their_events() {
    let mut hub = TestHub::start_with(|config| {
        config.partners.push(lienthong::config::PartnerSection {
            subscription: Some(Default::default()),
            ..da_nang_one_stop()
        });
    })
    .await;
    let mut writer = hub.client(ONE_STOP).await;
    let mut da_nang = hub.client(DA_NANG_TOKEN).await;
    writer.submit("hanoi").await;
    let mut own = crate::common::submission();
    own.agency_code = DA_NANG.into();
    let mine = writer
        .exec(crate::common::submit_request("da-nang", own))
        .await
        .unwrap();
    let mut stream = subscribe(&mut da_nang, None).await.unwrap();
    let first = next(&mut stream).await;
    assert_eq!(
        (first.seq, first.agency_code.as_str()),
        (mine.event_seq, DA_NANG)
    );
    hub.stop().await;
}
