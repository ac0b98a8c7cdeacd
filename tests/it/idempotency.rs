//! Idempotency keys and optimistic concurrency.

use crate::common::{
    command, command_named, submission, submit_request, TestHub, ONE_STOP, POSTAL,
};
use tonic::Code;

#[tokio::test]
async fn the_same_key_and_content_returns_the_first_answer_and_writes_nothing() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let first = client.submit("idem-submit").await;
    let again = client.submit("idem-submit").await;
    assert!(!first.replayed);
    assert!(again.replayed);
    assert_eq!(again.event_id, first.event_id);
    assert_eq!(again.event_seq, first.event_seq);
    assert_eq!(again.dossier, first.dossier);

    let id = first.dossier.unwrap().id;
    let received = client
        .exec(command("idem-receive", id, command_named("receive")))
        .await
        .unwrap();
    let replayed = client
        .exec(command("idem-receive", id, command_named("receive")))
        .await
        .unwrap();
    assert!(replayed.replayed);
    assert_eq!(replayed.event_seq, received.event_seq);
    // Only one history line per accepted command, whatever the replays.
    assert_eq!(client.get(id).await.unwrap().history.len(), 2);
    // And the next event follows directly: the replays took no seq.
    let next = client.submit("idem-next").await;
    assert_eq!(next.event_seq, received.event_seq + 1);
    hub.stop().await;
}

#[tokio::test]
async fn the_same_key_with_different_content_is_refused_and_changes_nothing() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let first = client.submit("reused").await;
    let mut other = submission();
    other.owner_name = "Lê Văn Dũng".into();
    let err = client
        .exec(submit_request("reused", other))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(
        err.message().contains("idempotency_key") && err.message().contains("reused"),
        "{}",
        err.message()
    );
    assert_eq!(client.dossier_count().await, 1, "no second dossier");
    assert_eq!(client.submit("fresh").await.event_seq, first.event_seq + 1);
    hub.stop().await;
}

#[tokio::test]
async fn keys_belong_to_the_partner_that_sent_them() {
    let mut hub = TestHub::start().await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let mut postal = hub.client(POSTAL).await;
    let a = one_stop.submit("shared-key").await;
    let mut other = submission();
    other.channel = lienthong::grpc::pb::SubmissionChannel::Postal as i32;
    let b = postal
        .exec(submit_request("shared-key", other))
        .await
        .unwrap();
    assert!(!b.replayed);
    assert_ne!(a.dossier.unwrap().id, b.dossier.unwrap().id);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_of_one_key_are_applied_once() {
    let mut hub = TestHub::start().await;
    let client = hub.client(ONE_STOP).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let mut client = client.clone();
        tasks.push(tokio::spawn(async move { client.submit("burst").await }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    assert_eq!(
        replies.iter().filter(|r| !r.replayed).count(),
        1,
        "exactly one original"
    );
    assert!(replies.iter().all(|r| r.event_id == replies[0].event_id));
    let mut client = client;
    assert_eq!(client.dossier_count().await, 1);
    hub.stop().await;
}

#[tokio::test]
async fn expected_version_conflicts_are_refused_with_both_versions_named() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let id = client.submit("v-submit").await.dossier.unwrap().id;
    let mut stale = command("v-receive-stale", id, command_named("receive"));
    stale.expected_version = Some(7);
    let err = client.exec(stale).await.unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    assert!(
        err.message().contains("expected version 7") && err.message().contains("at version 1"),
        "{}",
        err.message()
    );
    assert_eq!(
        client.get(id).await.unwrap().dossier.unwrap().version,
        1,
        "nothing changed"
    );

    let mut current = command("v-receive", id, command_named("receive"));
    current.expected_version = Some(1);
    let reply = client.exec(current).await.unwrap();
    assert_eq!(reply.dossier.unwrap().version, 2);
    hub.stop().await;
}
