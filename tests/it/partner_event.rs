//! `record_partner_event` over real gRPC on a real store: a partner's event
//! (the post collected the papers, a delivery failed) becomes one history
//! line saying who, when and what, keeps the status, emits
//! `partner_event_recorded` to the partners that subscribe to it, replays
//! like every command, and bad input is refused naming the field with
//! nothing written.

use crate::common::{command, in_days, partner_section, Client, TestHub, ONE_STOP};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, command_request::Command as C};
use std::time::Duration;
use tonic::Code;

const POST: &str = "post-watch-token-0001";

/// The hub with a postal partner that may record events and hears only of
/// partner events.
async fn start() -> TestHub {
    TestHub::start_with(|config| {
        config.partners.push(lienthong::config::PartnerSection {
            subscription: Some(SubscriptionSection {
                event_types: vec!["partner_event_recorded".into()],
                ..Default::default()
            }),
            ..partner_section(
                "post-watch",
                "postal",
                POST,
                &["record_partner_event"],
                &["*"],
            )
        });
    })
    .await
}

fn seconds_ago(seconds: i64) -> prost_types::Timestamp {
    let now = in_days(0);
    prost_types::Timestamp {
        seconds: now.seconds - seconds,
        nanos: 0,
    }
}

fn event(kind: &str, at: Option<prost_types::Timestamp>, reference: &str, note: &str) -> C {
    C::RecordPartnerEvent(pb::RecordPartnerEvent {
        kind: kind.into(),
        occurred_at: at,
        reference: reference.into(),
        note: note.into(),
    })
}

async fn history(client: &mut Client, id: u64) -> (pb::Dossier, Vec<pb::HistoryEntry>) {
    let reply = client.get(id).await.expect("dossier readable");
    (reply.dossier.unwrap(), reply.history)
}

#[tokio::test]
async fn a_partner_event_is_a_history_line_and_an_event_and_changes_no_status() {
    let mut hub = start().await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let mut post = hub.client(POST).await;
    let id = one_stop.submit("pe-submit").await.dossier.unwrap().id;
    let (before, _) = history(&mut one_stop, id).await;

    let picked = seconds_ago(600);
    let mut request = command(
        "pe-1",
        id,
        event(
            "postal.picked_up",
            Some(picked),
            "PU-0001",
            "Đã nhận 3 bộ hồ sơ",
        ),
    );
    request.actor = "Bưu chính công ích".into();
    request.unit = "Bưu cục Hoàn Kiếm".into();
    let reply = post.exec(request.clone()).await.expect("recorded");
    let after = reply.dossier.unwrap();
    assert_eq!(after.status, before.status, "status unchanged");
    assert_eq!(after.version, before.version + 1);
    let entry = reply.entry.unwrap();
    assert_eq!(entry.command, "record_partner_event");
    assert_eq!(
        (entry.from_status, entry.to_status),
        (before.status, before.status)
    );
    assert_eq!(entry.partner_id, "post-watch");
    assert_eq!(entry.actor, "Bưu chính công ích");
    assert_eq!(entry.unit, "Bưu cục Hoàn Kiếm");
    let reported = entry.partner_event.clone().expect("the partner's event");
    assert_eq!(reported.kind, "postal.picked_up");
    assert_eq!(reported.occurred_at, Some(picked));
    assert_eq!(reported.reference, "PU-0001");
    assert!(
        entry
            .note
            .starts_with("Bưu chính: đã thu gom hồ sơ: mã PU-0001, lúc ")
            && entry.note.ends_with(" — Đã nhận 3 bộ hồ sơ"),
        "{}",
        entry.note
    );

    // The same request again: the first answer, nothing written.
    let again = post.exec(request.clone()).await.expect("replayed");
    assert!(again.replayed);
    assert_eq!(again.entry.unwrap(), entry);
    // The same key for other content: refused.
    let mut other = request.clone();
    other.command = Some(event("postal.delivered", Some(picked), "PU-0001", ""));
    let refused = post.exec(other).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    assert!(refused.message().contains("already used"), "{refused:?}");

    // A second event, then the one-stop system moves on: in order, once each.
    post.exec(command(
        "pe-2",
        id,
        event(
            "postal.handed_over_to_agency",
            Some(seconds_ago(60)),
            "PU-0001",
            "",
        ),
    ))
    .await
    .expect("recorded");
    let (now, lines) = history(&mut one_stop, id).await;
    assert_eq!(now.status, pb::DossierStatus::Submitted as i32);
    let commands: Vec<&str> = lines.iter().map(|h| h.command.as_str()).collect();
    assert_eq!(
        commands,
        ["submit", "record_partner_event", "record_partner_event"]
    );
    let kinds: Vec<String> = lines
        .iter()
        .filter_map(|h| h.partner_event.as_ref().map(|p| p.kind.clone()))
        .collect();
    assert_eq!(kinds, ["postal.picked_up", "postal.handed_over_to_agency"]);
    let receive = C::Receive(pb::ReceiveDossier {
        due_at: Some(in_days(10)),
    });
    let received = one_stop
        .exec(command("pe-receive", id, receive))
        .await
        .expect("the dossier's course goes on");
    assert_eq!(received.dossier.unwrap().version, 4);

    // The partner that subscribed to partner events hears exactly them.
    let request = post.req(pb::SubscribeRequest { after_seq: None });
    let mut stream = post.events.subscribe(request).await.unwrap().into_inner();
    for reference_kind in ["postal.picked_up", "postal.handed_over_to_agency"] {
        let e = tokio::time::timeout(Duration::from_secs(20), stream.message())
            .await
            .expect("an event arrives")
            .expect("stream healthy")
            .expect("stream open");
        assert_eq!(e.r#type, pb::EventType::PartnerEventRecorded as i32);
        assert_eq!(e.dossier_id, id);
        assert_eq!((e.from_status, e.to_status), (1, 1));
        let Some(pb::event::Payload::DossierChanged(change)) = e.payload else {
            panic!("a dossier event")
        };
        let line = change.entry.unwrap().partner_event.unwrap();
        assert_eq!(line.kind, reference_kind);
    }
    hub.stop().await;
}

#[tokio::test]
async fn bad_partner_events_are_refused_naming_the_field_and_write_nothing() {
    let mut hub = start().await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let mut post = hub.client(POST).await;
    let id = one_stop.submit("pe-bad-submit").await.dossier.unwrap().id;
    let (before, lines) = history(&mut one_stop, id).await;
    let cases = [
        (
            event("postal.lost_at_sea", Some(seconds_ago(60)), "PU-1", ""),
            "record_partner_event.kind",
        ),
        (
            event("postal.delivered", None, "PU-1", ""),
            "record_partner_event.occurred_at",
        ),
        (
            event("postal.delivered", Some(in_days(1)), "PU-1", ""),
            "record_partner_event.occurred_at",
        ),
        (
            event("postal.delivered", Some(seconds_ago(60)), " ", ""),
            "record_partner_event.reference",
        ),
    ];
    for (i, (asked, field)) in cases.into_iter().enumerate() {
        let err = post
            .exec(command(&format!("pe-bad-{i}"), id, asked))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}: {err:?}");
        assert!(
            err.message().contains(&format!("`{field}`")),
            "names {field}: {}",
            err.message()
        );
    }
    let (after, after_lines) = history(&mut one_stop, id).await;
    assert_eq!(after, before, "nothing written");
    assert_eq!(after_lines.len(), lines.len());
    hub.stop().await;
}
