//! The workspace's read model on a real hub (real sled on disk, commands
//! over real gRPC): it follows the outbox from its own cursor, and when its
//! trees and cursor are thrown away, the next start rebuilds the same rows
//! — so the same queues — from the event stream, while the assignments
//! (module data in no event) survive untouched; and when retention has
//! already removed the events, from the dossiers and their histories.

use crate::common::{
    command, command_named, submission, submit_request, Client, AGENCY, ONE_STOP, PORTAL,
};
use lienthong::app::RunningHub;
use lienthong::config::HubConfig;
use lienthong::domain::working_time::WorkingTime;
use lienthong::domain::workspace::{Assignment, DossierRow, HandOver, HandOverKind};
use lienthong::domain::{Status, UnixMillis};
use lienthong::grpc::pb;
use lienthong::hub::{CursorId, Hub};
use lienthong::store::Store;
use lienthong::workspace::{self, Queue, QueueFilter, QueueRequest};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

async fn start_on(data: &Path) -> RunningHub {
    let mut config = HubConfig::embedded_default();
    config.hub.data_dir = data.to_path_buf();
    config.hub.listen = "127.0.0.1:0".parse().unwrap();
    config.hub.shutdown_grace_seconds = 2;
    if let Some(admin) = config.admin.as_mut() {
        admin.listen = "127.0.0.1:0".parse().unwrap();
    }
    config
        .web
        .as_mut()
        .expect("the dev configuration has [web]")
        .listen = "127.0.0.1:0".parse().unwrap();
    let loaded = config
        .check("test configuration", &lienthong::adapters::kinds())
        .unwrap_or_else(|e| panic!("{e}"));
    lienthong::app::start(&loaded).await.expect("hub starts")
}

/// Waits until the read model has applied every committed event.
async fn caught_up(hub: &Hub) {
    let committed = *hub.committed().borrow();
    for _ in 0..600 {
        if hub.workspace_records().through().unwrap() >= committed {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the workspace did not apply up to seq {committed} within 30 s");
}

async fn file(client: &mut Client, key: &str, owner: &str) -> u64 {
    client
        .exec(submit_request(
            key,
            pb::SubmitDossier {
                owner_name: owner.into(),
                owner_id_number: format!("0010990{:05}", key.len()),
                ..submission()
            },
        ))
        .await
        .expect("submitted")
        .dossier
        .unwrap()
        .id
}

async fn run(one_stop: &mut Client, key: &str, id: u64, name: &str) {
    one_stop
        .exec(command(key, id, command_named(name)))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

fn sorted(mut rows: Vec<DossierRow>) -> Vec<DossierRow> {
    rows.sort_by(|a, b| a.ma_ho_so.cmp(&b.ma_ho_so));
    rows
}

/// Every queue's MaHoSo list, as the pages would show them.
fn queues(hub: &Hub) -> Vec<(Queue, Vec<String>)> {
    let settings = WorkingTime::default();
    let records = hub.workspace_records();
    let now = UnixMillis::now();
    Queue::ALL
        .into_iter()
        .map(|queue| {
            let assignments: HashMap<_, _> = records
                .assignments(AGENCY)
                .unwrap()
                .into_iter()
                .map(|a| (a.ma_ho_so.clone(), a))
                .collect();
            let filter = QueueFilter::default();
            let listing = workspace::list(
                records.rows(AGENCY).unwrap(),
                assignments,
                &QueueRequest {
                    queue,
                    filter: &filter,
                    officer: "chuyenvien",
                    now,
                    today_starts: UnixMillis(now.0 - 3_600_000),
                    page: 1,
                },
                settings.calendar(),
                settings.rules(),
            );
            (
                queue,
                listing.items.into_iter().map(|i| i.row.ma_ho_so).collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_lost_read_model_is_rebuilt_from_the_event_stream_or_the_dossiers_with_the_same_queues() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let running = start_on(&data).await;
    let mut portal = Client::connect(running.addr, PORTAL).await;
    let mut one_stop = Client::connect(running.addr, ONE_STOP).await;
    let waiting = file(&mut portal, "ws-waiting", "Nguyễn Văn A").await;
    let processing = file(&mut portal, "ws-processing", "Trần Thị Bình").await;
    let finished = file(&mut portal, "ws-finished", "Lê Văn Sơn").await;
    let paused = file(&mut portal, "ws-paused", "Đỗ Minh Khoa").await;
    for id in [processing, finished, paused] {
        run(&mut one_stop, &format!("ws-receive-{id}"), id, "receive").await;
        run(
            &mut one_stop,
            &format!("ws-start-{id}"),
            id,
            "start_processing",
        )
        .await;
    }
    run(&mut one_stop, "ws-finish", finished, "finish").await;
    run(&mut one_stop, "ws-return", finished, "return_result").await;
    run(&mut one_stop, "ws-supplement", paused, "request_supplement").await;
    caught_up(&running.hub).await;

    let records = running.hub.workspace_records();
    let rows = sorted(records.rows(AGENCY).unwrap());
    let by_status: Vec<Status> = rows.iter().map(|r| r.status).collect();
    assert_eq!(
        by_status,
        [
            Status::Submitted,
            Status::Processing,
            Status::ResultReturned,
            Status::SupplementRequested
        ],
        "one row per dossier, in its current status"
    );
    let returned = &rows[2];
    assert!(returned.finished_at.is_some() && returned.returned_at.is_some());
    assert!(rows[3].paused_since.is_some(), "the pause is recorded");
    assert_eq!(rows[0].dossier_id, waiting);
    assert_eq!(rows[0].owner_name, "Nguyễn Văn A");
    let assignment = Assignment {
        ma_ho_so: rows[1].ma_ho_so.clone(),
        agency_code: AGENCY.into(),
        department: Some("Phòng Quản lý đô thị".into()),
        specialist: None,
        note: String::new(),
        lines: vec![HandOver {
            at: UnixMillis::now(),
            kind: HandOverKind::Transfer,
            from_officer: "Nguyễn Thị Lan".into(),
            from_unit: "Bộ phận Một cửa".into(),
            to_unit: "Phòng Quản lý đô thị".into(),
            to_officer: None,
            note: String::new(),
        }],
    };
    assert!(records.replace_assignment(None, &assignment).unwrap());
    let queues_before = queues(&running.hub);
    assert!(
        queues_before
            .iter()
            .any(|(q, list)| *q == Queue::InProcessing && list == &[rows[1].ma_ho_so.clone()]),
        "{queues_before:?}"
    );
    let cursor = running
        .hub
        .cursor(&CursorId::Workspace("mot-cua".into()))
        .unwrap();
    assert!(cursor > 0, "the workspace's own cursor moved");
    drop(records);
    running.stop().await.expect("stops");

    // Throw the read model and its cursor away, as a lost disk tree would.
    {
        let store = Store::open(&data, 8 << 20).unwrap();
        store.drop_workspace_read_model("mot-cua").unwrap();
        assert_eq!(store.workspace_through().unwrap(), 0);
        assert_eq!(
            store
                .cursor(&CursorId::Workspace("mot-cua".into()))
                .unwrap(),
            0
        );
    }

    let running = start_on(&data).await;
    caught_up(&running.hub).await;
    let records = running.hub.workspace_records();
    assert_eq!(
        sorted(records.rows(AGENCY).unwrap()),
        rows,
        "the same rows, rebuilt from the events"
    );
    assert_eq!(
        records.assignment(AGENCY, &rows[1].ma_ho_so).unwrap(),
        Some(assignment),
        "assignments are kept, not rebuilt"
    );
    assert_eq!(queues(&running.hub), queues_before, "the same queues");
    drop(records);
    running.stop().await.expect("stops");

    // Lost again, after retention removed every event: the rows are
    // rebuilt from the dossiers and their histories instead.
    {
        let store = Store::open(&data, 8 << 20).unwrap();
        store.drop_workspace_read_model("mot-cua").unwrap();
        let removed = store.remove_events_while(|_| true).unwrap();
        assert!(removed > 10, "the outbox is emptied: {removed} events");
        assert_eq!(store.oldest_event_seq().unwrap(), None);
    }
    let running = start_on(&data).await;
    let records = running.hub.workspace_records();
    assert_eq!(
        sorted(records.rows(AGENCY).unwrap()),
        rows,
        "the same rows, rebuilt from the dossiers"
    );
    assert!(
        records.through().unwrap() >= *running.hub.committed().borrow(),
        "the read model stands after the last committed event"
    );
    assert_eq!(queues(&running.hub), queues_before, "the same queues");
    drop(records);
    running.stop().await.expect("stops");
}
