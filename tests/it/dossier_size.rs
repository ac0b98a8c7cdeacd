//! A dossier never grows past what the hub can send about it: the command
//! that would take it past `hub.max_dossier_bytes` is refused with nothing
//! written, so the dossier stays readable and its events deliverable; and
//! listing pages are cut to fit a message.

use crate::common::{
    command, command_named, submission, submit_request, Client, TestHub, ONE_STOP, PORTAL,
};
use lienthong::grpc::pb::{self, command_request::Command as C};
use std::time::Duration;
use tonic::Code;

/// A message limit small enough that 400 long document entries cross it.
const MESSAGE_LIMIT: usize = 1024 * 1024;

/// `count` document entries as long as the field rules allow (~2.6 KB each).
fn long_documents(prefix: &str, count: usize) -> Vec<pb::Document> {
    (0..count)
        .map(|i| pb::Document {
            component_code: format!("{prefix}{i}-{}", "C".repeat(280)),
            name: format!("{prefix}{i}-{}", "N".repeat(280)),
            url: format!("https://files.example.vn/{prefix}{i}/{}", "u".repeat(1990)),
        })
        .collect()
}

async fn hub() -> TestHub {
    TestHub::start_with(|c| c.hub.max_message_bytes = MESSAGE_LIMIT).await
}

/// Every event the portal's subscription sees, up to and including `last`.
async fn events_through(portal: &mut Client, last: u64) -> Vec<u64> {
    let request = portal.req(pb::SubscribeRequest { after_seq: None });
    let mut stream = portal.events.subscribe(request).await.unwrap().into_inner();
    let mut seqs = Vec::new();
    while seqs.last() != Some(&last) {
        let event = tokio::time::timeout(Duration::from_secs(20), stream.message())
            .await
            .expect("the next event arrives: the subscriber is not stuck")
            .expect("the stream stays healthy")
            .expect("the stream stays open");
        seqs.push(event.seq);
    }
    seqs
}

// issue 10 defect 1
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplement_that_would_make_a_dossier_unsendable_is_refused_and_nothing_is_written() {
    let mut hub = hub().await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let mut big = submission();
    big.documents = long_documents("TP", 200);
    let submitted = one_stop.exec(submit_request("big", big)).await.unwrap();
    let id = submitted.dossier.unwrap().id;
    let asked = command("ask", id, command_named("request_supplement"));
    one_stop.exec(asked).await.unwrap();
    let before = one_stop.get(id).await.unwrap().dossier.unwrap();

    // 200 more long entries: over the limit once the dossier holds them.
    let too_much = command(
        "too-much",
        id,
        C::SubmitSupplement(pb::SubmitSupplement {
            documents: long_documents("BS", 200),
            new_due_at: None,
        }),
    );
    for attempt in 0..2 {
        // The same answer again for the same key: nothing was stored.
        let err = one_stop.exec(too_much.clone()).await.unwrap_err();
        assert_eq!(
            err.code(),
            Code::InvalidArgument,
            "attempt {attempt}: {err:?}"
        );
        for needle in [
            "submit_supplement.documents",
            "hub.max_dossier_bytes",
            "it is now",
        ] {
            assert!(
                err.message().contains(needle),
                "{needle}: {}",
                err.message()
            );
        }
    }

    // Still readable, unchanged.
    let after = one_stop.get(id).await.unwrap();
    assert_eq!(after.dossier.unwrap(), before);
    assert_eq!(after.history.len(), 2);

    // A supplement that fits is accepted, and a subscriber gets every
    // event in order through it: nothing is stuck.
    let fits = one_stop
        .exec(command("fits", id, command_named("submit_supplement")))
        .await
        .unwrap();
    assert_eq!(fits.event_seq, 3, "the refused supplement took no seq");
    let mut portal = hub.client(PORTAL).await;
    assert_eq!(events_through(&mut portal, 3).await, vec![1, 2, 3]);
    hub.stop().await;
}

// issue 10 defect 1
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_are_cut_to_fit_a_message() {
    let mut hub = hub().await;
    let mut one_stop = hub.client(ONE_STOP).await;
    for i in 0..3 {
        let mut big = submission();
        big.documents = long_documents("TP", 200);
        one_stop
            .exec(submit_request(&format!("big-{i}"), big))
            .await
            .unwrap();
    }
    // A stock client with the hub's own limit reads every page.
    one_stop.dossiers = one_stop.dossiers.max_decoding_message_size(MESSAGE_LIMIT);
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut token = String::new();
    loop {
        let page = one_stop
            .list(pb::ListDossiersRequest {
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .expect("every page fits in a message");
        pages += 1;
        assert!(!page.dossiers.is_empty(), "a page holds at least one");
        ids.extend(page.dossiers.iter().map(|d| d.id));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(ids, vec![1, 2, 3], "every dossier once, in order");
    assert!(
        pages >= 2,
        "three ~0.5 MB dossiers need more than one 1 MiB page"
    );
    hub.stop().await;
}
