//! What goes into the chain: every decision of the writer, refusals before
//! it, a flood of unauthenticated requests counted (not itemised), and a
//! partner's acknowledgements; the whole chain verifies.

use super::{entries, signing_hub, text, verify};
use crate::common::{self, command, command_named, submission, submit_request};
use lienthong::audit::Kind;
use lienthong::grpc::pb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_and_refused_commands_and_acks_are_chained_and_verify() {
    let keys_dir = tempfile::tempdir().unwrap();
    let (keys, mut hub) = signing_hub(keys_dir.path(), |_| {}).await;
    let data = hub.dir.path().join("data");
    let mut one_stop = hub.client(common::ONE_STOP).await;

    let accepted = one_stop.submit("audit-ok-1").await;
    let dossier = accepted.dossier.unwrap();
    // Refused by the writer: a dossier just submitted cannot be finished.
    let refused = one_stop
        .exec(command(
            "audit-refused-1",
            dossier.id,
            command_named("finish"),
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    // Refused before the writer: a field rule.
    let mut bad = submission();
    bad.procedure_code = String::new();
    let invalid = one_stop
        .exec(submit_request("audit-invalid-1", bad))
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), tonic::Code::InvalidArgument);
    // The same key again: a replay, recorded as such.
    one_stop.submit("audit-ok-1").await;
    // A partner acknowledges its feed.
    let mut portal = hub.client(common::PORTAL).await;
    let request = portal.req(pb::AckRequest {
        seq: accepted.event_seq,
    });
    portal.events.ack(request).await.unwrap();
    // Requests with no valid token, many of them.
    let mut stranger = hub.client("no-such-token").await;
    for i in 0..50 {
        let e = stranger
            .exec(submit_request(&format!("x{i}"), submission()))
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::Unauthenticated);
    }
    let _ = &mut portal;
    hub.stop().await;

    let log = entries(&data);
    let find = |kind: Kind, request: &str| {
        log.iter()
            .find(|e| e.record.kind == kind && e.record.request == request)
            .unwrap_or_else(|| panic!("no {kind:?} entry for {request:?}: {log:#?}"))
    };
    let ok = find(Kind::Command, "audit-ok-1");
    assert_eq!(
        (
            ok.record.actor.as_str(),
            ok.record.action.as_str(),
            ok.record.outcome.as_str()
        ),
        ("one-stop", "submit", "OK")
    );
    assert_eq!(ok.record.subject, dossier.ma_ho_so);
    assert_eq!(
        (ok.record.seq, ok.record.event_id.as_str()),
        (accepted.event_seq, accepted.event_id.as_str())
    );
    let replays: Vec<_> = log
        .iter()
        .filter(|e| e.record.request == "audit-ok-1" && e.record.detail == "replayed")
        .collect();
    assert_eq!(replays.len(), 1, "the replay is recorded once");
    let no = find(Kind::Command, "audit-refused-1");
    assert_eq!(
        (no.record.action.as_str(), no.record.outcome.as_str()),
        ("finish", "FAILED_PRECONDITION")
    );
    assert_eq!(no.record.subject, format!("id {}", dossier.id), "{no:?}");
    let invalid = find(Kind::Refusal, "audit-invalid-1");
    assert_eq!(
        (
            invalid.record.actor.as_str(),
            invalid.record.outcome.as_str()
        ),
        ("one-stop", "INVALID_ARGUMENT")
    );
    let ack = log
        .iter()
        .find(|e| e.record.kind == Kind::Acknowledgement)
        .expect("the acknowledgement is recorded");
    assert_eq!(
        (ack.record.actor.as_str(), ack.record.seq),
        ("national-portal", accepted.event_seq)
    );
    // The flood is counted, not itemised: every refusal is in a count, and
    // far fewer entries than requests were written.
    let counted: Vec<_> = log
        .iter()
        .filter(|e| e.record.kind == Kind::Refusals && e.record.outcome == "UNAUTHENTICATED")
        .collect();
    assert_eq!(
        counted.iter().map(|e| e.record.count).sum::<u64>(),
        50,
        "{counted:#?}"
    );
    assert!(counted.len() < 50 && counted.iter().all(|e| e.record.actor.is_empty()));
    // Indexes run 0.. without a gap, each entry naming the previous hash.
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.index, i as u64);
    }

    let verified = verify(&data, Some(&keys.public));
    let said = text(&verified);
    assert!(verified.status.success(), "{said}");
    assert!(
        said.contains(&format!("audit log intact: {} entries", log.len())),
        "{said}"
    );
    assert!(said.contains("signatures verified"), "{said}");
    // The hub signed the head when it stopped: nothing is left unsigned.
    assert!(
        said.contains("0 entries after the last checkpoint"),
        "{said}"
    );
}
