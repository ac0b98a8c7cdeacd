//! Postal tracking across a SIGKILL: an order picked up before the crash
//! is still tracked after it, with every event; the provider's duplicate
//! after the restart, the hand-over and the delivery complete the flow, and
//! the dossier's history holds each tracking event once.

use super::{partner_table, KilledHub};
use crate::common::{self, command, in_days, status, submission, submit_request};
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong_adapter_postal::simulator::{codes, SimConfig, Simulator};
use lienthong_adapter_postal::vocabulary::ServiceType;
use std::time::Duration;

const PARTNER: &str = "postal-restart";
const TOKEN: &str = "postal-restart-token-01";

async fn tracked(
    hub: &KilledHub,
    ma: &str,
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    hub.wait_json(
        PARTNER,
        &format!("orders/{ma}"),
        codes::READ_TOKEN,
        what,
        check,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postal_tracking_survives_a_killed_hub_and_every_event_is_on_the_history_once() {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let mut adapter = sim.adapter_settings(true, common::AGENCY);
    adapter.insert("kind".into(), "postal_http".into());
    let mut hub = KilledHub::start(partner_table(
        PARTNER,
        TOKEN,
        &["return_result", "record_partner_event"],
        &[
            "dossier_submitted",
            "processing_finished",
            "dossier_withdrawn",
        ],
        adapter,
    ))
    .await;
    sim.set_webhook_url(Some(format!("{}/webhook", hub.inbound_url(PARTNER))));

    // A dossier by post: its pickup order is created and picked up.
    let mut one_stop = hub.client(common::ONE_STOP).await;
    let mut s = submission();
    s.channel = pb::SubmissionChannel::Postal as i32;
    s.result_delivery = pb::ResultDelivery::ByPost as i32;
    let d = one_stop
        .exec(submit_request("postal-restart-1", s))
        .await
        .expect("submitted")
        .dossier
        .expect("dossier");
    let ma = d.ma_ho_so.clone();
    tracked(&hub, &ma, "pickup order requested", |t| {
        t["pickup"]["state"] == "pickup_requested"
    })
    .await;
    assert!(sim.emit(&ma, ServiceType::Pickup, codes::PICKED, "Đã nhận hồ sơ"));
    assert!(sim.settle(Duration::from_secs(10)).await);
    let before = tracked(&hub, &ma, "picked up", |t| {
        t["pickup"]["state"] == "picked_up"
    })
    .await;
    assert_eq!(before["pickup"]["events"].as_array().map(Vec::len), Some(2));

    hub.settled(PARTNER).await;
    hub.kill_and_restart().await;
    let mut one_stop = hub.client(common::ONE_STOP).await;

    // The tracking came back from the hub's store exactly as it was.
    let after = hub
        .inbound_json(PARTNER, &format!("orders/{ma}"), codes::READ_TOKEN)
        .await;
    assert_eq!(after, before, "the order's tracking after the restart");

    // The provider sends the hand-over twice; the result goes by post.
    sim.switches(|s| s.duplicate = true);
    assert!(sim.emit(&ma, ServiceType::Pickup, codes::HANDED_OVER, ""));
    assert!(sim.settle(Duration::from_secs(10)).await);
    sim.switches(|s| s.duplicate = false);
    for (i, c) in [
        C::Receive(pb::ReceiveDossier {
            due_at: Some(in_days(10)),
        }),
        common::command_named("start_processing"),
        common::command_named("finish"),
    ]
    .into_iter()
    .enumerate()
    {
        one_stop
            .exec(command(&format!("postal-restart-1-{i}"), d.id, c))
            .await
            .expect("accepted");
    }
    tracked(&hub, &ma, "delivery order requested", |t| {
        t["delivery"]["state"] == "delivery_requested"
    })
    .await;
    assert!(sim.emit(&ma, ServiceType::Delivery, codes::IN_TRANSIT, ""));
    assert!(sim.emit(
        &ma,
        ServiceType::Delivery,
        codes::DELIVERED,
        "Người nhận ký"
    ));
    assert!(sim.settle(Duration::from_secs(10)).await);
    let reply = hub.wait_status(d.id, status::RESULT_RETURNED).await;

    // Every tracking event once on the history, in order; one return.
    let kinds: Vec<&str> = reply
        .history
        .iter()
        .filter_map(|h| h.partner_event.as_ref().map(|p| p.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            "postal.pickup_requested",
            "postal.picked_up",
            "postal.handed_over_to_agency",
            "postal.delivery_requested",
            "postal.in_transit",
            "postal.delivered",
        ]
    );
    let returns = reply
        .history
        .iter()
        .filter(|h| h.command == "return_result")
        .count();
    assert_eq!(returns, 1);
    // One order of each kind at the provider, whatever the relay offered
    // again after the restart; the tracking holds every event once.
    assert_eq!(sim.orders().len(), 2);
    let t = tracked(&hub, &ma, "delivered", |t| {
        t["delivery"]["state"] == "delivered"
    })
    .await;
    let events = |v: &serde_json::Value, order: &str| {
        v[order]["events"].as_array().cloned().unwrap_or_default()
    };
    assert_eq!(events(&t, "pickup")[..2], events(&before, "pickup")[..]);
    assert_eq!(
        t["pickup"]["events"].as_array().map(Vec::len),
        Some(3),
        "{t}"
    );
    assert_eq!(
        t["delivery"]["events"].as_array().map(Vec::len),
        Some(3),
        "{t}"
    );
}
