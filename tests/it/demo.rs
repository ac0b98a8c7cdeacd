//! `lienthong demo`'s scenario, smaller, as a test: the real hub, every
//! partner adapter and every partner simulator, with faults injected and
//! parked deliveries re-driven; every acknowledged change must have been
//! accepted by every partner subscribed to it, with nothing left parked.

use lienthong::demo::{self, DemoArgs};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_day_with_faults_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = DemoArgs {
        dossiers: 20,
        timelines: 1,
        no_faults: false,
        concurrency: 8,
        dir: Some(dir.path().to_path_buf()),
    };
    let tally = demo::run(args).await.expect("the demo day loses nothing");

    assert_eq!(tally.rows.len(), 6, "every adapter partner is in the tally");
    assert!(tally.committed > 20 * 3, "{tally:?}");
    for row in &tally.rows {
        assert!(
            row.subscribed > 0,
            "{} heard nothing: {tally:?}",
            row.partner
        );
        assert_eq!(
            row.accepted, row.subscribed,
            "{}: every subscribed event accepted by the partner",
            row.partner
        );
        assert_eq!(row.parked, 0, "{}: nothing left parked", row.partner);
        assert!(row.caught_up, "{}: relay caught up", row.partner);
        assert!(row.partner_problem.is_none(), "{row:?}");
    }
    let retried: u64 = tally.rows.iter().map(|r| r.retried).sum();
    let redriven: u64 = tally.rows.iter().map(|r| r.redriven).sum();
    assert!(retried > 0, "faults made the hub retry: {tally:?}");
    assert!(redriven > 0, "parked deliveries were re-driven: {tally:?}");
    assert!(tally.lost().is_none());
}
