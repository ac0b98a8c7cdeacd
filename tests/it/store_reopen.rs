//! The writer's planned store reopen (`hub.store_reopen_after_written_bytes`,
//! `store/handle.rs`) on a real hub: a burst on `ExecuteStream` while the
//! retention sweep runs every second (archiving, removing delivered events,
//! scanning idempotency records, as `lienthong bench --scale` runs it) makes
//! the writer reopen the data directory several times; every command is
//! answered, every dossier reads back, and sled's snapshot on disk moved
//! past the one written when the hub opened the directory.

use crate::command_stream::{accepted, run};
use crate::common::{submission, submit_request, TestHub, ONE_STOP};
use crate::metrics::{value, wait_for};

/// The stable log position of the newest snapshot sled wrote in `dir`
/// (`snap.<lsn in hex>`); 0 before the first.
pub fn snapshot_lsn(dir: &std::path::Path) -> u64 {
    // sled's files are in the copy an online compaction made current, once
    // one did (the store's own layout reader says which).
    let dir = lienthong::app::sled_dir(dir).unwrap_or_else(|_| dir.to_path_buf());
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter_map(|name| u64::from_str_radix(name.strip_prefix("snap.")?, 16).ok())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_makes_the_writer_reopen_the_store_and_nothing_is_lost() {
    // About 3 KB of records per submission: 3000 are ~9 MiB, several MiB
    // floors.
    const COMMANDS: usize = 3000;
    let mut hub = TestHub::start_with(|c| {
        c.hub.store_reopen_after_written_bytes = 1 << 20;
        c.retention.sweep_interval_seconds = 1;
        c.retention.delivered_event_retention_seconds = 0;
        c.retention.archive_after_days = 0;
    })
    .await;
    let data = hub.dir.path().join("data");
    let opened_at = snapshot_lsn(&data);
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    let client = hub.client(ONE_STOP).await;
    let requests = (0..COMMANDS)
        .map(|i| submit_request(&format!("reopen-{i}"), submission()))
        .collect();
    let (answers, ended) = run(&client, requests).await;
    ended.expect("the stream ends OK");
    assert_eq!(answers.len(), COMMANDS, "an answer per command");
    let mut ids = Vec::new();
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(answer.index, i as u64);
        ids.push(accepted(answer).dossier.as_ref().expect("a dossier").id);
    }
    let samples = wait_for(admin, "two planned reopens", |s| {
        value(s, "lienthong_store_reopen_seconds_count", &[]).unwrap_or(0.0) >= 2.0
    })
    .await;
    println!(
        "{} planned reopens",
        value(&samples, "lienthong_store_reopen_seconds_count", &[]).unwrap_or(0.0)
    );
    assert!(
        snapshot_lsn(&data) > opened_at,
        "sled's snapshot moved past the open's ({opened_at:#x})"
    );
    let mut reader = hub.client(ONE_STOP).await;
    for id in [ids[0], ids[COMMANDS / 2], ids[COMMANDS - 1]] {
        let reply = reader.get(id).await.expect("every dossier reads back");
        assert_eq!(reply.dossier.expect("a dossier").id, id);
    }
    hub.stop().await;
}
