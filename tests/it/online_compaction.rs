//! Online compaction (`store/online_compact.rs`) on a real hub: an operator
//! asks for it on the admin listener (`POST /store/compaction`) while a
//! burst of commands runs on `ExecuteStream`; every command is answered,
//! every dossier reads back from the copy, the data directory names the
//! copy in its pointer file and keeps no old sled file, the metrics and
//! `GET /store/compaction` say it finished, and a hub started again on the
//! directory serves the same dossiers. The copy is written by the real
//! `lienthong store-copy-child`, as `lienthong serve` has it; a copy process
//! killed by signal 9 (as the kernel's out-of-memory killer does) makes the
//! compaction give up and the hub serve on, its store as it was.

use crate::command_stream::{accepted, run};
use crate::common::{submission, submit_request, TestHub, ONE_STOP};
use crate::metrics::{get, scrape, value};
use std::time::Duration;

async fn post(admin: std::net::SocketAddr, path: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("http://{admin}{path}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// `GET /store/compaction` until it says `finished: n` and idle.
async fn finished(admin: std::net::SocketAddr, n: u64) -> String {
    for _ in 0..6000 {
        let (status, text) = get(admin, "/store/compaction").await;
        assert_eq!(status, 200, "{text}");
        assert!(!text.contains("abandoned: 1"), "{text}");
        if text.contains("state: idle") && text.contains(&format!("finished: {n}\n")) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the compaction did not finish within a minute");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compaction_asked_for_during_a_burst_switches_to_the_copy_and_loses_nothing() {
    const COMMANDS: usize = 2000;
    // Each test is a process of its own (nextest): this one's compactions
    // copy through the hub's real executable.
    lienthong::app::copy_compactions_in_child(env!("CARGO_BIN_EXE_lienthong").into());
    let mut hub = TestHub::start().await;
    let data = hub.dir.path().join("data");
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    let (status, text) = get(admin, "/store/compaction").await;
    assert_eq!(
        (status, text.as_str()),
        (200, "state: idle\nfinished: 0\nabandoned: 0\n")
    );
    // Some history first, so the copy has something to copy.
    let client = hub.client(ONE_STOP).await;
    let first: Vec<_> = (0..COMMANDS / 2)
        .map(|i| submit_request(&format!("before-{i}"), submission()))
        .collect();
    let (mut answers, ended) = run(&client, first).await;
    ended.expect("the first stream ends OK");
    // The burst runs while the compaction copies and switches.
    let burst = {
        let client = client.clone();
        let requests = (0..COMMANDS / 2)
            .map(|i| submit_request(&format!("during-{i}"), submission()))
            .collect();
        tokio::spawn(async move { run(&client, requests).await })
    };
    let (status, text) = post(admin, "/store/compaction").await;
    assert_eq!(status, 202, "{text}");
    let (during, ended) = burst.await.unwrap();
    ended.expect("the burst's stream ends OK");
    assert_eq!(during.len(), COMMANDS / 2, "an answer per command");
    answers.extend(during);
    let text = finished(admin, 1).await;
    println!("{text}");
    assert!(
        text.contains("last: finished: ") && text.contains("store.1"),
        "{text}"
    );
    // A store this small is read whole before the first reopen is due
    // (hub.store_compaction_reopen_after_read_bytes is 0 by default: never).
    assert!(
        text.contains("and 0 ms for 0 reopens while it copied"),
        "{text}"
    );
    assert!(
        text.contains("the copy written by a process of its own (its peak: "),
        "{text}"
    );
    let samples = scrape(admin).await;
    assert_eq!(
        value(
            &samples,
            "lienthong_store_compactions",
            &[("outcome", "finished")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &samples,
            "lienthong_store_compactions",
            &[("outcome", "abandoned")]
        ),
        Some(0.0)
    );

    let ids: Vec<u64> = answers
        .iter()
        .map(|a| accepted(a).dossier.as_ref().expect("a dossier").id)
        .collect();
    let mut reader = hub.client(ONE_STOP).await;
    for &id in &ids {
        let reply = reader.get(id).await.expect("every dossier reads back");
        assert_eq!(reply.dossier.expect("a dossier").id, id);
    }
    let after = reader.submit("after-the-switch").await;
    assert!(
        after.dossier.is_some(),
        "a command after the switch is answered"
    );
    assert_eq!(
        std::fs::read_to_string(data.join(lienthong::store::STORE_POINTER_FILE)).unwrap(),
        "store.1\n"
    );
    assert!(!data.join("conf").exists() && !data.join("db").exists());
    assert!(data.join("store.1").join("conf").exists());
    hub.stop().await;

    // A hub started again on the directory opens the copy.
    let running = lienthong::app::start(&TestHub::checked(TestHub::config(data.clone())))
        .await
        .expect("the hub starts on the compacted directory");
    let again = TestHub::around(running, tempfile::tempdir().unwrap());
    let mut reader = again.client(ONE_STOP).await;
    for &id in ids.iter().chain([&after.dossier.unwrap().id]) {
        reader
            .get(id)
            .await
            .expect("every dossier reads back after a restart");
    }
    let mut again = again;
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_process_killed_makes_the_compaction_give_up_and_the_hub_serve_on() {
    let scripts = tempfile::tempdir().unwrap();
    let program = scripts.path().join("killed-copy");
    std::fs::write(&program, "#!/bin/sh\nkill -9 $$\n").unwrap();
    std::fs::set_permissions(
        &program,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    lienthong::app::copy_compactions_in_child(program);
    let mut hub = TestHub::start().await;
    let data = hub.dir.path().join("data");
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    let mut client = hub.client(ONE_STOP).await;
    let before = client.submit("before-the-compaction").await;
    let (status, text) = post(admin, "/store/compaction").await;
    assert_eq!(status, 202, "{text}");
    let mut text = String::new();
    for _ in 0..6000 {
        text = get(admin, "/store/compaction").await.1;
        if text.contains("state: idle") && text.contains("abandoned: 1\n") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(text.contains("finished: 0\nabandoned: 1\n"), "{text}");
    assert!(
        text.contains("last: abandoned: online compaction gave up: its copy process (pid ")
            && text.contains("signal: 9 (SIGKILL)"),
        "{text}"
    );
    assert!(!data.join("store.1").exists(), "the copy was removed");
    assert!(!data.join(lienthong::store::STORE_POINTER_FILE).exists());
    assert!(
        data.join("conf").exists(),
        "the live store stays where it was"
    );
    let id = before.dossier.expect("a dossier").id;
    client.get(id).await.expect("the dossier reads back");
    let after = client.submit("after-the-compaction").await;
    assert!(after.dossier.is_some(), "the hub serves on");
    hub.stop().await;
}
