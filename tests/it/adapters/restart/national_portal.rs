//! The national portal's sync records across a SIGKILL: after the restart
//! `GET sync/{ma_ho_so}` answers what it answered before, and the next
//! change reaches the portal without a lookup and without resending what
//! the portal already accepted (the adapter read what it knew of the
//! portal's copy back from the hub's store).

use super::{partner_table, KilledHub};
use crate::common::{self, command, in_days, submission, submit_request};
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong_adapter_national_portal::protocol::ops;
use lienthong_adapter_national_portal::simulator::{SimConfig, Simulator};

const PARTNER: &str = "dvcqg-restart";
const TOKEN: &str = "dvcqg-restart-token-01";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sync_records_survive_a_killed_hub_and_nothing_accepted_is_sent_again() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut adapter = sim.adapter_settings("000.00.00.H22");
    adapter.insert("kind".into(), "national_portal_dvcqg".into());
    adapter.insert("catalog_poll_interval_seconds".into(), 0.into());
    adapter.insert("pushdown_poll_interval_seconds".into(), 0.into());
    let mut hub = KilledHub::start(partner_table(PARTNER, TOKEN, &["*"], &[], adapter)).await;

    let mut one_stop = hub.client(common::ONE_STOP).await;
    let d = one_stop
        .exec(submit_request("np-restart-1", submission()))
        .await
        .unwrap()
        .dossier
        .unwrap();
    let steps = [
        C::Receive(pb::ReceiveDossier {
            due_at: Some(in_days(10)),
        }),
        common::command_named("start_processing"),
    ];
    for (i, step) in steps.into_iter().enumerate() {
        one_stop
            .exec(command(&format!("np-restart-1-{i}"), d.id, step))
            .await
            .unwrap();
    }
    let ma = d.ma_ho_so.clone();
    let path = format!("sync/{ma}");
    let before = hub
        .wait_json(PARTNER, &path, TOKEN, "version 3 synced", |r| {
            r["synced"] == true && r["last_version_synced"] == 3
        })
        .await;
    let lookups = sim.calls_of(ops::LOOKUP).len();
    let writes = |sim: &Simulator| {
        sim.calls_of(ops::SYNC_DOSSIERS).len() + sim.calls_of(ops::PROGRESS).len()
    };
    let written = writes(&sim);

    hub.settled(PARTNER).await;
    hub.kill_and_restart().await;

    // The record came back from the hub's store, unchanged.
    let after = hub.inbound_json(PARTNER, &path, TOKEN).await;
    assert_eq!(after, before, "the sync record after the restart");
    let summary = hub.inbound_json(PARTNER, "sync", TOKEN).await;
    assert_eq!(
        (summary["dossiers"].clone(), summary["synced"].clone()),
        (1.into(), 1.into())
    );

    // The next change: one upsert and one progress entry, no lookup.
    let mut one_stop = hub.client(common::ONE_STOP).await;
    one_stop
        .exec(command(
            "np-restart-1-2",
            d.id,
            common::command_named("finish"),
        ))
        .await
        .unwrap();
    let last = hub
        .wait_json(PARTNER, &path, TOKEN, "version 4 synced", |r| {
            r["synced"] == true && r["last_version_synced"] == 4
        })
        .await;
    assert_eq!(
        sim.calls_of(ops::LOOKUP).len(),
        lookups,
        "no lookup after the restart"
    );
    assert_eq!(
        writes(&sim),
        written + 2,
        "only version 4 was sent: {:?}",
        sim.calls()
    );
    let statuses: Vec<i64> = sim.progress(&ma).iter().map(|t| t.TrangThai).collect();
    assert_eq!(statuses, [1, 2, 4, 9], "each step once, in order");
    assert!(
        sim.order_violations().is_empty(),
        "{:?}",
        sim.order_violations()
    );
    assert_eq!(sim.dossier(&ma).expect("on the portal").creates, 1);
    assert_eq!(last["synced_at"].as_str().map(str::len), Some(14));
}
