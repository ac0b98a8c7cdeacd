//! Inbound by polling (`mode = "poll"`): the adapter's task reads the
//! simulated provider's event feed every second.

mod common;

use common::{returned_keys, Rig};
use lienthong_adapter::testing::refusal;
use lienthong_adapter::ErrorCode;
use lienthong_adapter_postal::simulator::codes;
use lienthong_adapter_postal::vocabulary::ServiceType;
use std::time::Duration;

async fn status(rig: &Rig) -> serde_json::Value {
    rig.http
        .get(format!("{}/status", rig.partner_url))
        .bearer_auth(codes::READ_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn polled_events_are_taken_in_with_duplicates_and_disorder_absorbed() {
    let rig = Rig::poll().await;
    let ma = rig.delivery_order(1).await;
    rig.sim.switches(|s| {
        s.duplicate = true;
        s.out_of_order = true;
    });
    rig.report(
        &ma,
        ServiceType::Delivery,
        &[codes::IN_TRANSIT, codes::DELIVERED],
    );
    // Feed: CREATED, DELIVERED ×2, IN_TRANSIT ×2.
    assert_eq!(rig.sim.feed().len(), 5);
    let t = rig
        .eventually_tracked(&ma, |t| {
            t["delivery"]["events"].as_array().map(Vec::len) == Some(3)
        })
        .await;
    assert_eq!(t["delivery"]["state"], "delivered");
    assert_eq!(returned_keys(&rig.hub).len(), 1);
    let s = status(&rig).await;
    assert_eq!(s["mode"], "poll");
    // No webhook route in poll mode.
    let r = rig
        .http
        .post(format!("{}/webhook", rig.partner_url))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn an_unmapped_code_stops_the_poller_there_until_it_is_mapped() {
    let rig = Rig::poll().await;
    let ma = rig.delivery_order(2).await;
    rig.report(
        &ma,
        ServiceType::Delivery,
        &["LOST_IN_SEA", codes::DELIVERED],
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let s = status(&rig).await;
    assert_eq!(s["cursor"], 1, "stopped before the unmapped event: {s}");
    assert!(
        s["last_error"].as_str().unwrap().contains("LOST_IN_SEA"),
        "{s}"
    );
    // Nothing after it was taken: no guess, no skip — only the line of
    // the order's creation, before it.
    assert_eq!(
        common::line_kinds(&rig.hub),
        vec!["postal.delivery_requested"]
    );
    assert_eq!(rig.hub.calls().len(), 1);
}

#[tokio::test]
async fn a_failing_provider_or_busy_hub_delays_but_loses_nothing() {
    let rig = Rig::poll().await;
    let ma = rig.delivery_order(3).await;
    rig.hub
        .refuse_next(2, refusal(ErrorCode::Unavailable, "stopping"));
    rig.sim.switches(|s| s.fail_next = 2);
    rig.report(&ma, ServiceType::Delivery, &[codes::DELIVERED]);
    rig.eventually_tracked(&ma, |t| t["delivery"]["events"][1]["hub"]["ok"] == true)
        .await;
    assert_eq!(returned_keys(&rig.hub).len(), 1);
    let s = status(&rig).await;
    assert_eq!(s["cursor"], 2);
}

#[tokio::test]
async fn the_stored_cursor_lets_a_restarted_poller_resume_where_it_stopped() {
    let rig = Rig::poll().await;
    let ma = rig.delivery_order(4).await;
    rig.report(&ma, ServiceType::Delivery, &[codes::IN_TRANSIT]);
    rig.eventually_tracked(&ma, |t| t["delivery"]["state"] == "in_transit")
        .await;
    let cursor = |hub: &common::FakeHub| {
        hub.kept()
            .into_iter()
            .find(|(k, _)| k == "poll/cursor")
            .map(|(_, v)| String::from_utf8(v).unwrap())
    };
    rig.eventually("cursor stored", |r| cursor(&r.hub).as_deref() == Some("2"))
        .await;
    let hub = rig.hub.clone();
    drop(rig);

    // A new poller on the same hub starts after the stored cursor: the
    // first two entries of this (fresh) provider's feed are taken as
    // already read.
    let rig = Rig::start_on(hub, false, |_| {}).await;
    let ma = rig.delivery_order(5).await;
    rig.report(
        &ma,
        ServiceType::Delivery,
        &[codes::IN_TRANSIT, codes::DELIVERED],
    );
    let t = rig
        .eventually_tracked(&ma, |t| t["delivery"]["state"] == "delivered")
        .await;
    assert_eq!(
        t["delivery"]["events"].as_array().map(Vec::len),
        Some(1),
        "{t}"
    );
}
