//! Inter-agency forwarding (liên thông), over real gRPC: a dossier travels
//! to the next agency of its procedure's sequence; the receiving agency's
//! partner acts on it from then on, the sender's no longer can, and both
//! hear of the forward.

use crate::common::{
    command, command_named, partner_section, publish_sequence, Client, TestHub, AGENCY,
    NEXT_AGENCY, PORTAL,
};
use lienthong::config::{PartnerSection, SubscriptionSection};
use lienthong::grpc::pb::{self, command_request::Command as C};
use std::time::Duration;
use tonic::Code;

const AGENCY_B: &str = NEXT_AGENCY;
const AGENCY_C: &str = "000.00.03.H22";
const SO_A: &str = "dev-so-a-token-000001";
const SO_B: &str = "dev-so-b-token-000001";

/// A one-stop system that acts for, and hears about, one agency only.
fn agency_partner(id: &str, token: &str, agency: &str) -> PartnerSection {
    PartnerSection {
        subscription: Some(SubscriptionSection {
            agencies: vec![agency.into()],
            ..Default::default()
        }),
        ..partner_section(id, "one_stop", token, &["*"], &[agency])
    }
}

async fn start() -> TestHub {
    let hub = TestHub::start_with(|config| {
        config.partners.push(agency_partner("so-a", SO_A, AGENCY));
        config.partners.push(agency_partner("so-b", SO_B, AGENCY_B));
    })
    .await;
    publish_sequence(&hub).await;
    hub
}

fn forward(to: &str) -> C {
    C::Forward(pb::ForwardDossier {
        to_agency_code: to.into(),
        note: "Chuyển Sở Xây dựng thẩm định".into(),
    })
}

/// A dossier of agency A, received and in processing, through A's partner.
async fn in_processing(a: &mut Client) -> u64 {
    let id = a.submit("submit").await.dossier.unwrap().id;
    for step in ["receive", "start_processing"] {
        a.exec(command(step, id, command_named(step)))
            .await
            .unwrap();
    }
    id
}

async fn subscribe(client: &mut Client) -> tonic::Streaming<pb::Event> {
    let request = client.req(pb::SubscribeRequest { after_seq: None });
    client.events.subscribe(request).await.unwrap().into_inner()
}

/// The first forward event on the stream (earlier events are skipped).
async fn forwarded(stream: &mut tonic::Streaming<pb::Event>) -> pb::Event {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), stream.message())
            .await
            .expect("an event arrives")
            .expect("stream healthy")
            .expect("stream open");
        if event.r#type == pb::EventType::DossierForwarded as i32 {
            return event;
        }
    }
}

#[tokio::test]
async fn a_forward_in_sequence_hands_the_dossier_to_the_next_agency() {
    let mut hub = start().await;
    let mut a = hub.client(SO_A).await;
    let mut b = hub.client(SO_B).await;
    let id = in_processing(&mut a).await;

    let reply = a
        .exec(command("forward", id, forward(AGENCY_B)))
        .await
        .unwrap();
    let dossier = reply.dossier.unwrap();
    assert_eq!(dossier.agency_code, AGENCY_B);
    assert_eq!(dossier.status, pb::DossierStatus::Processing as i32);
    let entry = reply.entry.unwrap();
    assert_eq!(entry.command, "forward");
    assert!(
        entry.note.contains(AGENCY) && entry.note.contains(AGENCY_B),
        "{}",
        entry.note
    );

    // The receiving agency's partner may act on it; the sender's may not
    // even read it any more.
    let finished = b
        .exec(command("finish", id, command_named("finish")))
        .await
        .unwrap();
    assert_eq!(
        finished.dossier.unwrap().status,
        pb::DossierStatus::Finished as i32
    );
    let refused = a
        .exec(command("return", id, command_named("return_result")))
        .await
        .unwrap_err();
    // Now another agency's: answered as if it did not exist (issue 10
    // defect 14), naming nothing of where it went.
    assert_eq!(refused.code(), Code::NotFound, "{refused:?}");
    assert_eq!(refused.message(), format!("dossier id {id} not found"));
    assert_eq!(a.get(id).await.unwrap_err().code(), Code::NotFound);

    // Both agencies' subscribers hear of the forward: the sender learns the
    // dossier left, naming where it went.
    for client in [&mut a, &mut b] {
        let mut stream = subscribe(client).await;
        let event = forwarded(&mut stream).await;
        assert_eq!(event.dossier_id, id);
        assert_eq!(event.agency_code, AGENCY_B);
        assert_eq!(event.from_agency_code, AGENCY);
    }
    // The listing of each agency follows the dossier.
    let of_b = b
        .list(pb::ListDossiersRequest {
            agency_code: AGENCY_B.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        of_b.dossiers.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![id]
    );
    let mut portal = hub.client(PORTAL).await;
    let of_a = portal
        .list(pb::ListDossiersRequest {
            agency_code: AGENCY.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(of_a.dossiers.iter().all(|d| d.id != id));
    hub.stop().await;
}

#[tokio::test]
async fn a_forward_out_of_sequence_is_refused_and_nothing_is_written() {
    let mut hub = start().await;
    let mut a = hub.client(SO_A).await;
    let id = in_processing(&mut a).await;
    let before = a.get(id).await.unwrap();

    let skipped = a
        .exec(command("to-c", id, forward(AGENCY_C)))
        .await
        .unwrap_err();
    assert_eq!(skipped.code(), Code::InvalidArgument, "{skipped:?}");
    let message = skipped.message();
    assert!(message.contains("forward.to_agency_code"), "{message}");
    assert!(
        message.contains(&format!("{AGENCY} → {AGENCY_B}")),
        "{message}"
    );
    assert!(
        message.contains(&format!("current agency `{AGENCY}`")),
        "{message}"
    );
    let to_itself = a
        .exec(command("to-a", id, forward(AGENCY)))
        .await
        .unwrap_err();
    assert_eq!(to_itself.code(), Code::InvalidArgument, "{to_itself:?}");

    let after = a.get(id).await.unwrap();
    assert_eq!(after.dossier, before.dossier);
    assert_eq!(after.history.len(), before.history.len());
    hub.stop().await;
}

#[tokio::test]
async fn a_forward_is_refused_where_the_table_does_not_allow_it() {
    let mut hub = start().await;
    let mut a = hub.client(SO_A).await;
    let id = a.submit("submit").await.dossier.unwrap().id;
    let refused = a
        .exec(command("early", id, forward(AGENCY_B)))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
    assert!(
        refused.message().contains("forward"),
        "{}",
        refused.message()
    );
    hub.stop().await;
}
