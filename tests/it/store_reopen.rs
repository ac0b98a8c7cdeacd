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

/// Writes made outside the writer (here adapter state, as a retention
/// sweep's removals are) count towards the planned reopen, and the sweep
/// then nudges the idle writer: with no command at all, the writer reopens
/// the store, so a crash replays no more than the setting allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_writer_reopens_after_a_sweep_nudges_it() {
    use lienthong::engine::EngineSettings;
    use lienthong::hub::{Hub, RetentionSettings};
    use lienthong::store::Store;
    use std::time::{Duration, Instant};

    const FLOOR: u64 = 1 << 20;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    let partners = lienthong::config::HubConfig::embedded_default()
        .check("embedded", &lienthong::adapters::kinds())
        .unwrap()
        .partners;
    let engine = EngineSettings {
        sites: None,
        max_group_commands: 64,
        queue_capacity: 64,
        max_dossier_bytes: 1024 * 1024,
        cache_dossiers: 1024,
        reopen_after_written_bytes: FLOOR,
    };
    let retention = RetentionSettings {
        delivered_event_retention: Duration::from_secs(3600),
        idempotency_retention: Duration::from_secs(3600),
        sweep_interval: Duration::from_secs(1),
        archive_after: None,
    };
    let (hub, runtime) = Hub::start(
        store.clone(),
        partners,
        vec![],
        engine,
        retention,
        Default::default(),
    )
    .unwrap();
    let opened_at = snapshot_lsn(dir.path());

    // 1.25 MiB written beside the writer, then half of it removed: no
    // command reaches the writer.
    let value = vec![7u8; 64 << 10];
    for i in 0..20 {
        store
            .put_adapter_state("postal", &format!("k{i}"), &value)
            .unwrap();
    }
    for i in 0..10 {
        store
            .delete_adapter_state("postal", &format!("k{i}"))
            .unwrap();
    }
    let counted = store.write_stats().replay_bytes_since_open();
    assert!(
        counted >= 20 * (64 << 10) + 10 * lienthong::store::REMOVAL_REPLAYS_AS_BYTES,
        "the writes and the removals are counted: {counted}"
    );

    // The sweep runs every second and nudges the writer after it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.write_stats().replay_bytes_since_open() >= FLOOR {
        assert!(
            Instant::now() < deadline,
            "the idle writer did not reopen the store within 30 s ({} bytes to replay)",
            store.write_stats().replay_bytes_since_open()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        snapshot_lsn(dir.path()) > opened_at,
        "sled's snapshot moved past the open's ({opened_at:#x})"
    );
    // Nothing written beside the writer was lost by the reopen.
    for i in 10..20 {
        let kept = store.adapter_state("postal", &format!("k{i}")).unwrap();
        assert_eq!(
            kept.as_deref(),
            Some(&value[..]),
            "k{i} survives the reopen"
        );
    }
    for i in 0..10 {
        assert_eq!(
            store.adapter_state("postal", &format!("k{i}")).unwrap(),
            None
        );
    }
    drop(hub);
    runtime.stop().await;
}
