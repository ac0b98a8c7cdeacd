//! End to end: the real hub, the postal adapter (`postal_http`) and the
//! simulated postal provider. Dossier events become pickup and delivery
//! orders through the hub's delivery relay (with provider faults retried);
//! the provider's signed tracking webhooks (or its polled feed) come back
//! and every tracking event becomes one history line of the dossier
//! (`record_partner_event`), once each, while a delivered result moves the
//! dossier to "result returned" by post.

use super::{dossier, inbound_json, inbound_url, partner, settled, start_hub, wait_status};
use crate::common::{self, command, in_days, status, submission, submit_request, TestHub};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong_adapter_postal::simulator::{codes, SimConfig, Simulator};
use lienthong_adapter_postal::vocabulary::ServiceType;
use std::time::Duration;

const PARTNER: &str = "postal-sim";
const TOKEN: &str = "postal-sim-token-0001";

async fn hub_with_provider(webhook: bool) -> (TestHub, Simulator) {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let mut settings = sim.adapter_settings(webhook, common::AGENCY);
    settings.insert("kind".into(), "postal_http".into());
    let subscription = SubscriptionSection {
        event_types: vec![
            "dossier_submitted".into(),
            "processing_finished".into(),
            "dossier_withdrawn".into(),
        ],
        ..Default::default()
    };
    let hub = start_hub(vec![partner(
        PARTNER,
        TOKEN,
        &["return_result", "record_partner_event"],
        Some(subscription),
        settings,
    )])
    .await;
    if webhook {
        sim.set_webhook_url(Some(format!("{}/webhook", inbound_url(&hub, PARTNER))));
    }
    (hub, sim)
}

/// A postal dossier (submitted by post, result by post, with a fee).
async fn postal_dossier(hub: &TestHub, key: &str) -> pb::Dossier {
    let mut one_stop = hub.client(common::ONE_STOP).await;
    let mut s = submission();
    s.channel = pb::SubmissionChannel::Postal as i32;
    s.result_delivery = pb::ResultDelivery::ByPost as i32;
    s.fees = vec![pb::Fee {
        code: "LP1".into(),
        name: "Lệ phí".into(),
        amount_vnd: 50_000,
    }];
    one_stop
        .exec(submit_request(key, s))
        .await
        .expect("submitted")
        .dossier
        .expect("dossier")
}

/// Receive, process and finish a dossier as the one-stop system.
async fn finish(hub: &TestHub, id: u64, key: &str) {
    let mut one_stop = hub.client(common::ONE_STOP).await;
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
            .exec(command(&format!("{key}-{i}"), id, c))
            .await
            .expect("accepted");
    }
}

async fn tracking(hub: &TestHub, ma_ho_so: &str) -> serde_json::Value {
    inbound_json(
        hub,
        PARTNER,
        &format!("orders/{ma_ho_so}"),
        codes::READ_TOKEN,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postal_pickup_and_delivery_by_webhook_with_provider_faults() {
    let (mut hub, sim) = hub_with_provider(true).await;
    let d = postal_dossier(&hub, "postal-e2e-1").await;

    // Submission by post → pickup order, collected and handed over.
    settled(&hub, PARTNER).await;
    let pickup = sim
        .order(&d.ma_ho_so, ServiceType::Pickup)
        .expect("pickup order");
    assert_eq!(pickup.request.sender.fullname, "Trần Thị Bình");
    assert!(sim.emit(&d.ma_ho_so, ServiceType::Pickup, codes::PICKED, ""));
    assert!(sim.emit(&d.ma_ho_so, ServiceType::Pickup, codes::HANDED_OVER, ""));
    assert!(sim.settle(Duration::from_secs(10)).await);
    assert_eq!(
        tracking(&hub, &d.ma_ho_so).await["pickup"]["state"],
        "handed_over_to_agency"
    );

    // Processing finished while the provider fails twice: retried, one order.
    sim.switches(|s| s.fail_next = 2);
    finish(&hub, d.id, "postal-e2e-1").await;
    let delivery_status = settled(&hub, PARTNER).await;
    assert!(delivery_status.retried >= 2, "{delivery_status:?}");
    assert_eq!(delivery_status.parked, 0);
    let delivery = sim
        .order(&d.ma_ho_so, ServiceType::Delivery)
        .expect("delivery order");
    assert_eq!(delivery.request.receiver.fullname, "Trần Thị Bình");
    assert_eq!(
        delivery.request.cod_amount, 50_000,
        "unpaid fees collected on delivery"
    );
    assert_eq!(sim.orders().len(), 2);

    // Tracking comes back duplicated and out of order.
    sim.switches(|s| {
        s.duplicate = true;
        s.out_of_order = true;
    });
    sim.emit(&d.ma_ho_so, ServiceType::Delivery, codes::IN_TRANSIT, "");
    sim.emit(
        &d.ma_ho_so,
        ServiceType::Delivery,
        codes::DELIVERED,
        "Người nhận ký",
    );
    assert!(sim.settle(Duration::from_secs(10)).await);
    let reply = wait_status(&hub, d.id, status::RESULT_RETURNED).await;
    let returned = reply.dossier.unwrap();
    assert_eq!(returned.result_delivery, pb::ResultDelivery::ByPost as i32);
    let entries: Vec<_> = reply
        .history
        .iter()
        .filter(|h| h.command == "return_result")
        .collect();
    assert_eq!(entries.len(), 1, "duplicates changed nothing");
    assert_eq!(entries[0].partner_id, PARTNER);
    // Every tracking event is one line of the dossier's history, once,
    // in the order it reached the adapter; the delivered line comes before
    // the status it led to.
    let kinds: Vec<&str> = reply
        .history
        .iter()
        .filter_map(|h| h.partner_event.as_ref().map(|p| p.kind.as_str()))
        .collect();
    assert_eq!(
        kinds[..4],
        [
            "postal.pickup_requested",
            "postal.picked_up",
            "postal.handed_over_to_agency",
            "postal.delivery_requested"
        ],
        "{kinds:?}"
    );
    let mut last_two = kinds[4..].to_vec();
    last_two.sort();
    assert_eq!(
        last_two,
        ["postal.delivered", "postal.in_transit"],
        "{kinds:?}"
    );
    let position = |pred: &dyn Fn(&pb::HistoryEntry) -> bool| {
        reply.history.iter().position(pred).expect("a line")
    };
    let delivered = position(&|h| {
        h.partner_event
            .as_ref()
            .is_some_and(|p| p.kind == "postal.delivered")
    });
    assert!(delivered < position(&|h| h.command == "return_result"));
    let line = &reply.history[delivered];
    assert_eq!(line.partner_id, PARTNER);
    assert!(line.note.ends_with("— Người nhận ký"), "{}", line.note);
    assert_eq!(line.from_status, line.to_status, "a line changes no status");
    assert!(
        sim.webhook_attempts().iter().all(|a| a.status == Some(200)),
        "{:?}",
        sim.webhook_attempts()
    );
    let t = tracking(&hub, &d.ma_ho_so).await;
    assert_eq!(t["delivery"]["state"], "delivered", "{t}");

    // Every event the partner subscribed to was accepted; nothing parked.
    let final_status = settled(&hub, PARTNER).await;
    assert_eq!(final_status.parked, 0);
    assert_eq!(final_status.accepted, 2, "{final_status:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_delivery_is_visible_withdrawal_cancels_and_forged_webhooks_are_refused() {
    let (mut hub, sim) = hub_with_provider(true).await;
    let failing = postal_dossier(&hub, "postal-e2e-2").await;
    finish(&hub, failing.id, "postal-e2e-2").await;
    settled(&hub, PARTNER).await;
    sim.emit(
        &failing.ma_ho_so,
        ServiceType::Delivery,
        codes::FAILED,
        "Không có người nhận",
    );
    sim.emit(
        &failing.ma_ho_so,
        ServiceType::Delivery,
        codes::RETURNED,
        "",
    );
    assert!(sim.settle(Duration::from_secs(10)).await);
    let t = tracking(&hub, &failing.ma_ho_so).await;
    assert_eq!(t["delivery"]["state"], "returned_to_sender");
    assert_eq!(t["delivery"]["events"][1]["note"], "Không có người nhận");
    let failed = dossier(&hub, failing.id).await;
    assert_eq!(
        failed.dossier.unwrap().status,
        status::FINISHED,
        "no hub status for a failed delivery"
    );
    let kinds: Vec<&str> = failed
        .history
        .iter()
        .filter_map(|h| h.partner_event.as_ref().map(|p| p.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            "postal.pickup_requested",
            "postal.delivery_requested",
            "postal.delivery_failed",
            "postal.returned_to_sender"
        ],
        "the failure is on the dossier's history"
    );

    // A forged "delivered" is refused before it reaches the hub.
    sim.switches(|s| s.wrong_signature = true);
    sim.emit(
        &failing.ma_ho_so,
        ServiceType::Delivery,
        codes::DELIVERED,
        "",
    );
    assert!(sim.settle(Duration::from_secs(10)).await);
    assert_eq!(sim.webhook_attempts().last().unwrap().status, Some(401));
    assert_eq!(
        dossier(&hub, failing.id).await.dossier.unwrap().status,
        status::FINISHED
    );
    sim.switches(|s| s.wrong_signature = false);

    // Withdrawal of a postal dossier cancels its pickup.
    let withdrawn = postal_dossier(&hub, "postal-e2e-3").await;
    settled(&hub, PARTNER).await;
    let mut one_stop = hub.client(common::ONE_STOP).await;
    one_stop
        .exec(command(
            "postal-e2e-3-w",
            withdrawn.id,
            common::command_named("withdraw"),
        ))
        .await
        .expect("withdrawn");
    let s = settled(&hub, PARTNER).await;
    assert_eq!(s.parked, 0, "{s:?}");
    assert_eq!(
        sim.order(&withdrawn.ma_ho_so, ServiceType::Pickup)
            .unwrap()
            .status,
        codes::CANCELLED
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_polled_provider_returns_results_too() {
    let (mut hub, sim) = hub_with_provider(false).await;
    let d = postal_dossier(&hub, "postal-e2e-4").await;
    finish(&hub, d.id, "postal-e2e-4").await;
    settled(&hub, PARTNER).await;
    sim.switches(|s| s.duplicate = true);
    sim.emit(&d.ma_ho_so, ServiceType::Delivery, codes::DELIVERED, "");
    let reply = wait_status(&hub, d.id, status::RESULT_RETURNED).await;
    assert_eq!(
        reply
            .history
            .iter()
            .filter(|h| h.command == "return_result")
            .count(),
        1
    );
    assert!(sim.webhook_attempts().is_empty(), "polled, not pushed");
    hub.stop().await;
}
