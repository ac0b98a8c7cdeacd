//! Inbound by signed webhook, over real HTTP: the simulated provider pushes
//! tracking events to the adapter's routes, which command a recording hub.

mod common;

use common::{dossier, line_kinds, lines, returned_keys, Rig};
use lienthong_adapter::pb::{self, command_request::Command, EventType};
use lienthong_adapter::testing::refusal;
use lienthong_adapter::{ErrorCode, HubCallError};
use lienthong_adapter_postal::signature;
use lienthong_adapter_postal::simulator::codes;
use lienthong_adapter_postal::vocabulary::ServiceType;
use std::time::Duration;

const SETTLE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn delivered_result_becomes_return_result_by_post() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(1).await;
    assert!(rig
        .sim
        .emit(&ma, ServiceType::Delivery, codes::IN_TRANSIT, ""));
    assert!(rig.sim.emit(
        &ma,
        ServiceType::Delivery,
        codes::DELIVERED,
        "Người nhận: An"
    ));
    assert!(rig.sim.settle(SETTLE).await);

    // One history line per event, in order, then the status command.
    let requests = rig.hub.calls();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert_eq!(
        line_kinds(&rig.hub),
        vec![
            "postal.delivery_requested",
            "postal.in_transit",
            "postal.delivered"
        ]
    );
    let feed = rig.sim.feed();
    let line = &requests[2];
    assert_eq!(
        line.idempotency_key,
        format!("postal-line:{}", feed[2].event_id)
    );
    assert_eq!(line.actor, "Bưu chính công ích");
    let Some(Command::RecordPartnerEvent(e)) = &line.command else {
        panic!("{line:?}")
    };
    assert_eq!(e.reference, feed[2].order_id);
    assert_eq!(e.note, "Người nhận: An");
    assert_eq!(
        e.occurred_at,
        lienthong_adapter::vietnam_time::parse_ts(&feed[2].time),
        "the provider's time"
    );
    let r = &requests[3];
    let delivered = rig
        .sim
        .feed()
        .into_iter()
        .find(|e| e.code == codes::DELIVERED)
        .unwrap();
    assert_eq!(
        r.idempotency_key,
        format!("postal-event:{}", delivered.event_id)
    );
    assert_eq!(
        r.dossier,
        Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma.clone()))
        })
    );
    assert_eq!(
        r.command,
        Some(Command::ReturnResult(pb::ReturnResult {
            delivery: pb::ResultDelivery::ByPost as i32
        }))
    );
    let (status, t) = rig.tracking(&ma).await;
    assert_eq!(status, 200);
    assert_eq!(t["delivery"]["state"], "delivered");
    assert_eq!(t["delivery"]["events"].as_array().unwrap().len(), 3);
    assert_eq!(t["delivery"]["events"][2]["hub"]["ok"], true);
    assert_eq!(t["delivery"]["events"][2]["line"]["ok"], true);
    // Every webhook was answered 200.
    assert!(rig
        .sim
        .webhook_attempts()
        .iter()
        .all(|a| a.status == Some(200)));
}

#[tokio::test]
async fn failed_delivery_and_return_to_sender_are_history_lines_without_a_status_command() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(2).await;
    rig.sim.emit(
        &ma,
        ServiceType::Delivery,
        codes::FAILED,
        "Không liên lạc được",
    );
    rig.report(&ma, ServiceType::Delivery, &[codes::RETURNED]);
    assert!(rig.sim.settle(SETTLE).await);
    let (_, t) = rig.tracking(&ma).await;
    assert_eq!(t["delivery"]["state"], "returned_to_sender");
    assert_eq!(t["delivery"]["events"][1]["state"], "delivery_failed");
    assert_eq!(t["delivery"]["events"][1]["note"], "Không liên lạc được");
    assert_eq!(
        line_kinds(&rig.hub),
        vec![
            "postal.delivery_requested",
            "postal.delivery_failed",
            "postal.returned_to_sender"
        ]
    );
    assert_eq!(lines(&rig.hub)[1].3, "Không liên lạc được");
    assert!(returned_keys(&rig.hub).is_empty(), "no status command");
    // A late "delivered" after the return is the provider's word: a line
    // with its own time, but it moves neither the order nor the status.
    rig.report(&ma, ServiceType::Delivery, &[codes::DELIVERED]);
    assert!(rig.sim.settle(SETTLE).await);
    let (_, t) = rig.tracking(&ma).await;
    assert_eq!(t["delivery"]["state"], "returned_to_sender");
    assert_eq!(line_kinds(&rig.hub).len(), 4);
    assert!(returned_keys(&rig.hub).is_empty());
}

#[tokio::test]
async fn duplicate_webhooks_are_absorbed() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(3).await;
    rig.sim.switches(|s| s.duplicate = true);
    rig.report(&ma, ServiceType::Delivery, &[codes::DELIVERED]);
    assert!(rig.sim.settle(SETTLE).await);
    let delivered: Vec<_> = rig
        .sim
        .webhook_attempts()
        .into_iter()
        .filter(|a| a.code == codes::DELIVERED)
        .collect();
    assert_eq!(delivered.len(), 2, "sent twice");
    assert!(delivered.iter().all(|a| a.status == Some(200)));
    // Both reached the adapter: one line per event (the duplicate's is
    // dropped before the hub), the status command once, then a replay.
    let keys: Vec<String> = lines(&rig.hub).into_iter().map(|l| l.0).collect();
    let mut distinct = keys.clone();
    distinct.dedup();
    assert_eq!(keys, distinct, "no line asked twice: {keys:?}");
    assert_eq!(
        line_kinds(&rig.hub),
        vec!["postal.delivery_requested", "postal.delivered"]
    );
    let returns: Vec<_> = rig
        .hub
        .calls()
        .into_iter()
        .filter(|r| matches!(r.command, Some(Command::ReturnResult(_))))
        .collect();
    assert_eq!(returns.len(), 2);
    assert_eq!(returns[0].idempotency_key, returns[1].idempotency_key);
    assert_eq!(returned_keys(&rig.hub).len(), 1);
    let (_, t) = rig.tracking(&ma).await;
    assert_eq!(
        t["delivery"]["events"].as_array().unwrap().len(),
        2,
        "CREATED + DELIVERED once"
    );
}

#[tokio::test]
async fn wrong_signatures_are_refused_with_401() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(4).await;
    assert!(rig.sim.settle(SETTLE).await);
    rig.sim.switches(|s| s.wrong_signature = true);
    rig.report(&ma, ServiceType::Delivery, &[codes::DELIVERED]);
    assert!(rig.sim.settle(SETTLE).await);
    let last = rig.sim.webhook_attempts().pop().unwrap();
    assert_eq!(last.status, Some(401));
    assert!(
        last.response.contains("does not match"),
        "{}",
        last.response
    );
    // Only the order's creation reached the hub, as a line.
    assert_eq!(line_kinds(&rig.hub), vec!["postal.delivery_requested"]);
    assert_eq!(rig.hub.calls().len(), 1);
    let (_, t) = rig.tracking(&ma).await;
    assert_eq!(t["delivery"]["state"], "delivery_requested");

    // Unsigned, stale and malformed calls too.
    let url = format!("{}/webhook", rig.partner_url);
    let body = br#"{"EventId":"X1","OrderId":"DL1","OrderNumber":"x","ServiceType":"DELIVERY","Code":"DELIVERED","Time":"20251122100000"}"#;
    let unsigned = rig
        .http
        .post(&url)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    let old = "1000000000";
    let stale = rig
        .http
        .post(&url)
        .header("x-timestamp", old)
        .header(
            "x-signature",
            signature::sign(rig.sim.webhook_secret(), old, body),
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 401);
    let text = stale.text().await.unwrap();
    assert!(text.contains("replay"), "{text}");
}

#[tokio::test]
async fn out_of_order_events_never_move_the_state_backwards() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(5).await;
    assert!(rig.sim.settle(SETTLE).await);
    rig.sim.switches(|s| s.out_of_order = true);
    rig.report(
        &ma,
        ServiceType::Delivery,
        &[codes::IN_TRANSIT, codes::DELIVERED],
    );
    assert!(rig.sim.settle(SETTLE).await);
    let sent: Vec<String> = rig
        .sim
        .webhook_attempts()
        .into_iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(
        sent,
        vec![codes::CREATED, codes::DELIVERED, codes::IN_TRANSIT]
    );
    let (_, t) = rig.tracking(&ma).await;
    assert_eq!(t["delivery"]["state"], "delivered");
    let late = &t["delivery"]["events"][2];
    assert_eq!(late["state"], "in_transit");
    assert_eq!(late["advanced"], false, "recorded, not applied");
    assert_eq!(returned_keys(&rig.hub).len(), 1);
    // Lines in the order the events arrived, each with its own time.
    assert_eq!(
        line_kinds(&rig.hub),
        vec![
            "postal.delivery_requested",
            "postal.delivered",
            "postal.in_transit"
        ]
    );
}

#[tokio::test]
async fn an_unmapped_code_is_refused_naming_it() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(6).await;
    rig.report(&ma, ServiceType::Delivery, &["LOST_IN_SEA"]);
    assert!(rig.sim.settle(SETTLE).await);
    let last = rig.sim.webhook_attempts().pop().unwrap();
    assert_eq!(last.status, Some(400));
    assert!(last.response.contains("LOST_IN_SEA"), "{}", last.response);
    assert!(last.response.contains("event_map"), "{}", last.response);
    let (_, t) = rig.tracking(&ma).await;
    assert_eq!(t["delivery"]["events"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_busy_hub_gets_503_and_the_provider_retry_lands() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(7).await;
    assert!(rig.sim.settle(SETTLE).await);
    rig.hub
        .refuse_next(1, refusal(ErrorCode::Unavailable, "stopping"));
    rig.report(&ma, ServiceType::Delivery, &[codes::DELIVERED]);
    assert!(rig.sim.settle(SETTLE).await);
    let statuses: Vec<Option<u16>> = rig
        .sim
        .webhook_attempts()
        .into_iter()
        .filter(|a| a.code == codes::DELIVERED)
        .map(|a| a.status)
        .collect();
    assert_eq!(statuses, vec![Some(503), Some(200)]);
    assert_eq!(returned_keys(&rig.hub).len(), 1);
}

#[tokio::test]
async fn a_hub_refusal_is_recorded_on_the_event_and_the_provider_is_answered() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(8).await;
    rig.hub.refuse_always(Some(HubCallError {
        code: ErrorCode::FailedPrecondition,
        message: "return_result is not allowed in status 10".into(),
    }));
    rig.report(&ma, ServiceType::Delivery, &[codes::DELIVERED]);
    assert!(rig.sim.settle(SETTLE).await);
    let (_, t) = rig.tracking(&ma).await;
    let hub = &t["delivery"]["events"][1]["hub"];
    assert_eq!(hub["ok"], false);
    assert!(hub["detail"].as_str().unwrap().contains("status 10"));
}

#[tokio::test]
async fn pickup_progress_is_tracked_and_unknown_dossiers_are_404() {
    let rig = Rig::webhook().await;
    let d = dossier(9);
    rig.deliver(EventType::DossierSubmitted, d.clone(), 1).await;
    rig.report(
        &d.ma_ho_so,
        ServiceType::Pickup,
        &[codes::PICKED, codes::HANDED_OVER],
    );
    assert!(rig.sim.settle(SETTLE).await);
    let (_, t) = rig.tracking(&d.ma_ho_so).await;
    assert_eq!(t["pickup"]["state"], "handed_over_to_agency");
    assert!(t.get("delivery").is_none());
    // Pickups are history lines, in order, and no status command.
    assert_eq!(
        line_kinds(&rig.hub),
        vec![
            "postal.pickup_requested",
            "postal.picked_up",
            "postal.handed_over_to_agency"
        ]
    );
    assert_eq!(rig.hub.calls().len(), 3);
    let (status, body) = rig.tracking("000.00.01.H22-251122-99999").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("99999"));
}

#[tokio::test]
async fn the_autopilot_runs_orders_to_the_end() {
    let rig = Rig::webhook().await;
    rig.sim
        .switches(|s| s.autopilot = Some(Duration::from_millis(20)));
    rig.sim.make_undeliverable(&common::ma_ho_so(11));
    let ok = rig.delivery_order(10).await;
    let failing = rig.delivery_order(11).await;
    rig.eventually_tracked(&ok, |t| t["delivery"]["state"] == "delivered")
        .await;
    rig.eventually_tracked(&failing, |t| t["delivery"]["state"] == "returned_to_sender")
        .await;
    rig.eventually("one return_result", |r| returned_keys(&r.hub).len() == 1)
        .await;
}

// issue 10 defect 9
#[tokio::test]
async fn the_tracking_read_outs_answer_only_with_the_read_token() {
    let rig = Rig::webhook().await;
    let ma = rig.delivery_order(7).await;
    for path in [format!("orders/{ma}"), "status".to_string()] {
        for bearer in [None, Some("wrong-token-0123456789")] {
            let mut request = rig.http.get(format!("{}/{path}", rig.partner_url));
            if let Some(token) = bearer {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 401, "{path} {bearer:?}");
            let body = response.text().await.unwrap();
            assert!(!body.contains("delivery_requested"), "{body}");
        }
    }
    let (status, tracking) = rig.tracking(&ma).await;
    assert_eq!(status, 200, "{tracking}");
}
