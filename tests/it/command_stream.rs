//! `DossierService.ExecuteStream` on a real hub over real gRPC on loopback,
//! real sled underneath: answers in request order, one per command, across
//! several dossiers; a refused command answered with exactly the status the
//! unary `Execute` gives while the stream goes on; idempotent replay inside
//! and across streams; a wrong token refused; a client that never reads its
//! answers held back by flow control (the hub's in-flight gauge stays at the
//! window, the client's sender is held); a hub that stops answers what it
//! read, ends the stream with UNAVAILABLE, and keeps every acknowledged
//! command; so does the binary killed with SIGKILL mid-stream, and the
//! stream sent again applies each command once. No assertion on timings: states are polled with bounded waits.

use crate::common::{
    command, command_named, serve_binary, submission, submit_request, Client, TestHub, ONE_STOP,
};
use crate::metrics::{scrape, value, wait_for};
use lienthong::grpc::pb::{self, streamed_command_reply::Result as Streamed};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::{Stream, StreamExt};
use tonic::{Code, Status, Streaming};

/// Opens an `ExecuteStream` as `client`, sending `requests`.
async fn open(
    client: &Client,
    requests: impl Stream<Item = pb::CommandRequest> + Send + 'static,
) -> Result<Streaming<pb::StreamedCommandReply>, Status> {
    let mut dossiers = client.dossiers.clone();
    dossiers
        .execute_stream(client.req(requests))
        .await
        .map(|r| r.into_inner())
}

/// Sends `requests` on one stream and reads every answer, then how the
/// stream ended.
pub(crate) async fn run(
    client: &Client,
    requests: Vec<pb::CommandRequest>,
) -> (Vec<pb::StreamedCommandReply>, Result<(), Status>) {
    let mut answers = open(client, tokio_stream::iter(requests))
        .await
        .expect("the stream is opened");
    let mut got = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), answers.message())
            .await
            .expect("the hub answers within a minute")
        {
            Ok(Some(answer)) => got.push(answer),
            Ok(None) => return (got, Ok(())),
            Err(status) => return (got, Err(status)),
        }
    }
}

pub(crate) fn accepted(answer: &pb::StreamedCommandReply) -> &pb::CommandReply {
    match &answer.result {
        Some(Streamed::Reply(reply)) => reply,
        other => panic!("command {} was refused: {other:?}", answer.index),
    }
}

fn refused(answer: &pb::StreamedCommandReply) -> &pb::CommandError {
    match &answer.result {
        Some(Streamed::Error(error)) => error,
        other => panic!("command {} was accepted: {other:?}", answer.index),
    }
}

fn submit_by(key: &str, owner: &str) -> pb::CommandRequest {
    let mut s = submission();
    s.owner_name = owner.into();
    submit_request(key, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_come_in_request_order_one_per_command_across_dossiers() {
    let mut hub = TestHub::start().await;
    let client = hub.client(ONE_STOP).await;
    const DOSSIERS: usize = 40;
    let submits = (0..DOSSIERS)
        .map(|i| submit_by(&format!("order-submit-{i}"), &format!("Người nộp số {i}")))
        .collect();
    let (answers, end) = run(&client, submits).await;
    end.expect("the stream ends OK");
    assert_eq!(answers.len(), DOSSIERS, "one answer per command");
    let mut ids = Vec::new();
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(answer.index, i as u64);
        let dossier = accepted(answer).dossier.as_ref().unwrap();
        assert_eq!(dossier.owner_name, format!("Người nộp số {i}"));
        ids.push(dossier.id);
    }

    // Each dossier's next step, round after round across all dossiers: a
    // step applied out of order would be refused by the transition table.
    let steps = ["receive", "start_processing", "finish", "return_result"];
    let (mut requests, mut expected) = (Vec::new(), Vec::new());
    for (s, step) in steps.iter().enumerate() {
        for (d, id) in ids.iter().enumerate() {
            requests.push(command(
                &format!("order-{step}-{d}"),
                *id,
                command_named(step),
            ));
            expected.push((*id, s as u64 + 2));
        }
    }
    let (answers, end) = run(&client, requests).await;
    end.expect("the stream ends OK");
    assert_eq!(answers.len(), expected.len(), "one answer per command");
    for (i, (answer, (id, version))) in answers.iter().zip(&expected).enumerate() {
        assert_eq!(answer.index, i as u64);
        let dossier = accepted(answer).dossier.as_ref().unwrap();
        assert_eq!((dossier.id, dossier.version), (*id, *version), "answer {i}");
    }
    let mut reader = client.clone();
    for id in ids {
        let stored = reader.get(id).await.unwrap().dossier.unwrap();
        assert_eq!(stored.status, pb::DossierStatus::ResultReturned as i32);
        assert_eq!(stored.version, 5);
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_command_gets_the_unary_status_and_the_stream_goes_on() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let first = client.submit("refusal-first").await.dossier.unwrap().id;
    let second = client.submit("refusal-second").await.dossier.unwrap().id;
    let no_command = pb::CommandRequest {
        idempotency_key: "refusal-2".into(),
        dossier: Some(crate::common::by_id(first)),
        actor: "Nguyễn Văn Cường".into(),
        ..Default::default()
    };
    let requests = vec![
        command("refusal-0", first, command_named("receive")),
        command("refusal-1", 999_999, command_named("receive")),
        no_command,
        // Received, not yet processed: no result to return.
        command("refusal-3", first, command_named("return_result")),
        command("refusal-4", second, command_named("receive")),
    ];
    let (answers, end) = run(&client, requests.clone()).await;
    end.expect("the stream ends OK");
    assert_eq!(answers.len(), 5);
    assert_eq!(accepted(&answers[0]).dossier.as_ref().unwrap().version, 2);
    assert_eq!(accepted(&answers[4]).dossier.as_ref().unwrap().id, second);
    let codes = [
        Code::NotFound,
        Code::InvalidArgument,
        Code::FailedPrecondition,
    ];
    for (i, code) in (1..=3).zip(codes) {
        let streamed = refused(&answers[i]);
        let unary = client
            .exec(requests[i].clone())
            .await
            .expect_err("refused by Execute too");
        assert_eq!(unary.code(), code, "{unary:?}");
        assert_eq!(streamed.code, unary.code() as i32, "command {i}");
        assert_eq!(streamed.message, unary.message(), "command {i}");
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_key_answers_the_stored_reply_inside_and_across_streams() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let a = submit_by("replay-a", "Lê Văn An");
    let b = submit_by("replay-b", "Phạm Thị Bích");
    let (answers, end) = run(&client, vec![a.clone(), a.clone(), b.clone()]).await;
    end.expect("the stream ends OK");
    let (first, again, other) = (
        accepted(&answers[0]),
        accepted(&answers[1]),
        accepted(&answers[2]),
    );
    assert!(!first.replayed);
    assert!(
        again.replayed,
        "the same key in the same stream is a replay"
    );
    assert_eq!(again.dossier, first.dossier);
    assert_eq!(again.event_seq, first.event_seq);
    assert!(!other.replayed);
    assert_ne!(
        other.dossier.as_ref().unwrap().id,
        first.dossier.as_ref().unwrap().id
    );

    // Another stream: the stored reply again; the key with another request
    // is refused as Execute refuses it.
    let reused = submit_by("replay-a", "Người khác");
    let (answers, end) = run(&client, vec![a.clone(), reused.clone()]).await;
    end.expect("the stream ends OK");
    let replayed = accepted(&answers[0]);
    assert!(replayed.replayed);
    assert_eq!(replayed.dossier, first.dossier);
    let streamed = refused(&answers[1]);
    let unary = client.exec(reused).await.expect_err("key reused");
    assert_eq!(streamed.code, unary.code() as i32);
    assert_eq!(streamed.message, unary.message());
    // And a unary call replays what a stream stored.
    let unary = client.exec(b).await.unwrap();
    assert!(unary.replayed);
    assert_eq!(unary.dossier, other.dossier);
    assert_eq!(client.dossier_count().await, 2);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_with_a_wrong_token_is_refused_and_writes_nothing() {
    let mut hub = TestHub::start().await;
    let stranger = hub.client("not-a-partner-token").await;
    let refused = open(
        &stranger,
        tokio_stream::iter(vec![submit_by("stranger-0", "Ai đó")]),
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    let mut client = hub.client(ONE_STOP).await;
    assert_eq!(client.dossier_count().await, 0);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_held_at_the_window_and_the_hub_goes_on() {
    const WINDOW: usize = 16;
    // About 4 KB each, 16 MB in all: far more than HTTP/2 windows and
    // socket buffers hold, so a sender that is not held back would get
    // them all out.
    const COMMANDS: usize = 4000;
    let mut hub = TestHub::start_with(|c| c.hub.stream_window_commands = WINDOW).await;
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    let client = hub.client(ONE_STOP).await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let requests = tokio_stream::iter(0..COMMANDS).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        let mut request = submit_by(&format!("flow-{i}"), "Đỗ Thị Hạnh");
        if let Some(pb::command_request::Command::Submit(s)) = &mut request.command {
            s.summary = format!("{i} {}", "Hồ sơ chuyển từ hệ thống cũ. ".repeat(90));
        }
        request
    });
    let mut answers = open(&client, requests).await.expect("opened");

    // Not reading: the hub reads up to its window and no further. Answers
    // it hands to HTTP/2 give places back until the client's receive
    // window is full too; from then on the hub holds a full window, reads
    // nothing more, and the client's sender is held (what it has handed
    // to HTTP/2 stops growing). The gauge is checked all along.
    let (mut last, mut steady) = (usize::MAX, 0);
    for _ in 0..300 {
        let samples = scrape(admin).await;
        let in_flight = value(&samples, "lienthong_stream_commands_in_flight", &[])
            .expect("the gauge is exported");
        assert!(in_flight <= WINDOW as f64, "{in_flight} in flight");
        assert_eq!(
            value(&samples, "lienthong_command_streams_open", &[]),
            Some(1.0)
        );
        let now = pulled.load(Ordering::SeqCst);
        steady = if now == last && in_flight == WINDOW as f64 {
            steady + 1
        } else {
            0
        };
        last = now;
        if steady == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(steady, 5, "the stream never settled at a full window");
    assert!(
        last < COMMANDS,
        "the sender was held back after {last} of {COMMANDS} commands"
    );

    // The stalled stream stalls nobody else.
    let mut other = hub.client(ONE_STOP).await;
    assert!(!other.submit("flow-other").await.replayed);

    // Reading again: every command is answered, in order.
    for i in 0..COMMANDS {
        let answer = tokio::time::timeout(Duration::from_secs(60), answers.message())
            .await
            .expect("answers keep coming")
            .expect("no error")
            .expect("an answer per command");
        assert_eq!(answer.index, i as u64);
        accepted(&answer);
    }
    assert!(answers.message().await.expect("ends OK").is_none());
    assert_eq!(pulled.load(Ordering::SeqCst), COMMANDS);
    wait_for(admin, "no stream and no command in flight", |s| {
        value(s, "lienthong_stream_commands_in_flight", &[]) == Some(0.0)
            && value(s, "lienthong_command_streams_open", &[]) == Some(0.0)
    })
    .await;
    hub.stop().await;
}

/// Starts a hub again on the data of one that stopped (whose last tasks
/// may hold sled's lock a moment longer: retried for a bounded while).
async fn restart(data_dir: std::path::PathBuf) -> TestHub {
    let loaded = TestHub::checked(TestHub::config(data_dir));
    let mut last = String::new();
    for _ in 0..100 {
        match lienthong::app::start(&loaded).await {
            Ok(running) => return TestHub::around(running, tempfile::tempdir().unwrap()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the hub does not start again: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_hub_answers_what_it_read_then_ends_the_stream_unavailable() {
    let mut hub = TestHub::start_with(|c| c.hub.stream_window_commands = 32).await;
    let data_dir = hub.dir.path().join("data");
    let client = hub.client(ONE_STOP).await;
    // A client with more to send than the hub will take before it stops.
    let requests = tokio_stream::iter(0..)
        .map(|i: u64| submit_by(&format!("stop-{i}"), &format!("Người nộp {i}")));
    let mut answers = open(&client, requests).await.expect("opened");
    let mut acked = Vec::new();
    while acked.len() < 50 {
        let answer = answers.message().await.unwrap().unwrap();
        acked.push(accepted(&answer).dossier.clone().unwrap());
    }
    let running = hub.running.take().unwrap();
    let stopping = tokio::spawn(running.stop());
    let end = loop {
        match tokio::time::timeout(Duration::from_secs(60), answers.message())
            .await
            .expect("the stream ends")
        {
            Ok(Some(answer)) => {
                assert_eq!(answer.index, acked.len() as u64, "in order, none skipped");
                acked.push(accepted(&answer).dossier.clone().unwrap());
            }
            Ok(None) => panic!("an endless stream cannot end OK"),
            Err(status) => break status,
        }
    };
    assert_eq!(end.code(), Code::Unavailable, "{end:?}");
    assert!(end.message().contains("stopping"), "{}", end.message());
    stopping.await.unwrap().expect("the hub stops cleanly");

    // Every acknowledged command is stored; nothing else was.
    let again = restart(data_dir).await;
    let mut reader = again.client(ONE_STOP).await;
    for dossier in &acked {
        let stored = reader
            .get(dossier.id)
            .await
            .expect("stored")
            .dossier
            .unwrap();
        assert_eq!(stored.owner_name, dossier.owner_name);
    }
    let total = reader
        .list(pb::ListDossiersRequest {
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .dossiers
        .len();
    assert_eq!(total, acked.len(), "every command read was answered");
    let mut again = again;
    again.stop().await;
    drop(hub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_streamed_command_takes_the_partners_rate_as_a_call_would() {
    // Two requests, then one per 1000 s: opening the stream takes one,
    // the first command the other; the rest are refused as Execute would
    // refuse them, and the stream goes on answering each.
    let mut hub =
        TestHub::start_with(|c| c.limits = Some(crate::limits::strict_for("postal"))).await;
    let postal = hub.client(crate::common::POSTAL).await;
    let requests: Vec<_> = (0..3)
        .map(|i| submit_by(&format!("rate-{i}"), "Vũ Văn Dũng"))
        .collect();
    let (answers, end) = run(&postal, requests.clone()).await;
    end.expect("the stream ends OK");
    assert_eq!(answers.len(), 3);
    accepted(&answers[0]);
    let mut unary = postal.clone();
    let again = unary
        .exec(requests[1].clone())
        .await
        .expect_err("over the rate");
    for answer in &answers[1..] {
        let streamed = refused(answer);
        assert_eq!(streamed.code, Code::ResourceExhausted as i32);
        assert_eq!(streamed.message, again.message());
    }
    let mut one_stop = hub.client(ONE_STOP).await;
    assert_eq!(
        one_stop.dossier_count().await,
        1,
        "refused ones wrote nothing"
    );
    hub.stop().await;
}

fn bulk(i: u64) -> pb::CommandRequest {
    submit_by(&format!("bulk-{i}"), &format!("Người nộp số {i}"))
}

/// Every dossier the partner sees, page after page.
async fn all_dossiers(client: &mut Client) -> Vec<pb::Dossier> {
    let (mut all, mut page_token) = (Vec::new(), String::new());
    loop {
        let page = client
            .list(pb::ListDossiersRequest {
                page_size: 1000,
                page_token,
                ..Default::default()
            })
            .await
            .expect("a page");
        all.extend(page.dossiers);
        if page.next_page_token.is_empty() {
            return all;
        }
        page_token = page.next_page_token;
    }
}

// The real binary killed with SIGKILL while a stream is in full flow: every
// command answered before the kill is stored after the restart; the same
// stream sent again answers the acknowledged ones as replays of the same
// dossiers and applies each of the rest exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_stream_killed_mid_way_keeps_every_acknowledged_command() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, addr) = serve_binary(["--web-listen", "127.0.0.1:0"], &data).await;
    let client = Client::connect(addr, ONE_STOP).await;
    // A client with more to send than the hub takes before it dies.
    let mut answers = open(&client, tokio_stream::iter(0..).map(bulk))
        .await
        .expect("opened");
    let mut acked: Vec<pb::Dossier> = Vec::new();
    while acked.len() < 200 {
        let answer = answers.message().await.unwrap().expect("an answer");
        assert_eq!(answer.index, acked.len() as u64);
        acked.push(accepted(&answer).dossier.clone().unwrap());
    }
    child.start_kill().expect("SIGKILL");
    child.wait().await.unwrap();
    // Answers that were on their way when it died count as acknowledged.
    while let Ok(Some(answer)) = answers.message().await {
        assert_eq!(answer.index, acked.len() as u64);
        acked.push(accepted(&answer).dossier.clone().unwrap());
    }
    drop(answers);

    let (mut child, addr) = serve_binary(["--web-listen", "127.0.0.1:0"], &data).await;
    let mut client = Client::connect(addr, ONE_STOP).await;
    for dossier in &acked {
        let stored = client
            .get(dossier.id)
            .await
            .expect("stored")
            .dossier
            .unwrap();
        assert_eq!(stored.owner_name, dossier.owner_name);
    }
    let resent = acked.len() as u64 + 100;
    let (answers, end) = run(&client, (0..resent).map(bulk).collect()).await;
    end.expect("the stream ends OK");
    assert_eq!(answers.len() as u64, resent);
    for (answer, dossier) in answers.iter().zip(&acked) {
        let reply = accepted(answer);
        assert!(reply.replayed, "acknowledged before the kill: a replay");
        assert_eq!(reply.dossier.as_ref().unwrap().id, dossier.id);
    }
    for (i, answer) in answers.iter().enumerate() {
        let owner = &accepted(answer).dossier.as_ref().unwrap().owner_name;
        assert_eq!(owner, &format!("Người nộp số {i}"));
    }
    // Each key applied once, whatever the kill cut: the hub may have
    // applied commands past the last answer the client saw (read, never
    // answered), but never one twice.
    let stored = all_dossiers(&mut client).await;
    let mut owners = std::collections::HashMap::new();
    for dossier in &stored {
        *owners.entry(dossier.owner_name.clone()).or_insert(0) += 1;
    }
    println!(
        "killed after {} answers; {} dossiers stored",
        acked.len(),
        stored.len()
    );
    assert!(owners.values().all(|n| *n == 1), "no command applied twice");
    assert!((0..resent).all(|i| owners.contains_key(&format!("Người nộp số {i}"))));
    child.start_kill().expect("stop");
    child.wait().await.unwrap();
}
