//! `record_partner_event` over AMQP, as a postal provider batching its
//! tracking events would send it: the same history line and answer as over
//! gRPC, a redelivery answered as the first, and an unknown event kind
//! answered and parked naming the field, with nothing written.

use super::commands::{command_reply, error, Sender};
use super::{amqp_hub, cleanup, connect, prefix};
use crate::common::{command, in_days, partner_section, ONE_STOP};
use lienthong::grpc::pb::{self, command_request::Command as C};
use prost::Message;

const POST: &str = "post-amqp-token-0001";

fn picked_up(reference: &str, kind: &str) -> C {
    let now = in_days(0);
    C::RecordPartnerEvent(pb::RecordPartnerEvent {
        kind: kind.into(),
        occurred_at: Some(prost_types::Timestamp {
            seconds: now.seconds - 60,
            nanos: 0,
        }),
        reference: reference.into(),
        note: String::new(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postal_event_over_amqp_is_one_history_line_and_a_bad_one_is_parked_unwritten() {
    let prefix = prefix();
    let post = partner_section(
        "post-amqp",
        "postal",
        POST,
        &["record_partner_event"],
        &["*"],
    );
    let mut hub = amqp_hub(&prefix, vec![post]).await;
    let connection = connect().await;
    let mut sender = Sender::open(&connection, &prefix, "post-amqp").await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let submitted = one_stop.submit("ape-submit").await.dossier.unwrap();

    let request = command(
        "ape-1",
        submitted.id,
        picked_up("PU-AMQP-1", "postal.picked_up"),
    );
    sender.send(POST, None, request.encode_to_vec(), "e1").await;
    let reply = command_reply(sender.reply("e1").await);
    let dossier = reply.dossier.unwrap();
    assert_eq!(dossier.status, submitted.status, "the status is unchanged");
    assert_eq!(dossier.version, submitted.version + 1);
    let entry = reply.entry.unwrap();
    assert_eq!(
        (entry.command.as_str(), entry.partner_id.as_str()),
        ("record_partner_event", "post-amqp")
    );
    let reported = entry.partner_event.clone().expect("the partner's event");
    assert_eq!(reported.reference, "PU-AMQP-1");
    assert!(
        entry
            .note
            .starts_with("Bưu chính: đã thu gom hồ sơ: mã PU-AMQP-1"),
        "{}",
        entry.note
    );

    // A redelivery: the first answer, nothing written again.
    sender.send(POST, None, request.encode_to_vec(), "e2").await;
    let again = command_reply(sender.reply("e2").await);
    assert!(again.replayed);
    assert_eq!(again.entry.unwrap(), entry);

    // An event kind the vocabulary does not hold: answered, parked, unwritten.
    let bad = command(
        "ape-2",
        submitted.id,
        picked_up("PU-AMQP-2", "postal.teleported"),
    );
    sender.send(POST, None, bad.encode_to_vec(), "e3").await;
    let e = error(sender.reply("e3").await);
    assert_eq!(
        (e.code.as_str(), e.parked),
        ("INVALID_ARGUMENT", true),
        "{e:?}"
    );
    assert!(
        e.message.contains("`record_partner_event.kind`"),
        "{}",
        e.message
    );
    let read = one_stop.get(submitted.id).await.unwrap();
    assert_eq!(
        read.dossier.unwrap().version,
        dossier.version,
        "nothing written"
    );
    let lines = read
        .history
        .iter()
        .filter(|h| h.partner_event.is_some())
        .count();
    assert_eq!(lines, 1, "one line for the event, none for the refused one");

    hub.stop().await;
    cleanup(&prefix, &[]).await;
}
