//! Outbound over real HTTP against the simulated provider: orders from
//! dossier events, the misbehaviour switches, refusals, order kept.

mod common;

use common::{dossier, event, ma_ho_so, Rig};
use lienthong_adapter::pb::{self, EventType};
use lienthong_adapter::DeliveryError;
use lienthong_adapter_postal::simulator::codes;
use lienthong_adapter_postal::vocabulary::ServiceType;
use std::time::Duration;

#[tokio::test]
async fn postal_submission_creates_a_pickup_order() {
    let rig = Rig::webhook().await;
    let d = dossier(1);
    let accepted = rig.deliver(EventType::DossierSubmitted, d.clone(), 1).await;
    let order = rig
        .sim
        .order(&d.ma_ho_so, ServiceType::Pickup)
        .expect("order exists");
    assert_eq!(accepted.partner_reference, order.order_id);
    assert_eq!(order.request.sender.fullname, "Nguyễn Văn An");
    assert_eq!(order.request.sender.tel, "0912345678");
    assert_eq!(
        order.request.receiver.fullname,
        "Bộ phận Một cửa UBND tỉnh Quảng Ninh"
    );
    assert_eq!(order.request.agency_code, common::AGENCY);
    assert_eq!(order.request.cod_amount, 0, "pickup_cod defaults to none");
    assert_eq!(
        order.request.sender.address, "",
        "a pickup is not sent to the result's address"
    );
    // The provider's CREATED event comes back and is tracked.
    let t = rig
        .eventually_tracked(&d.ma_ho_so, |t| t["pickup"]["state"] == "pickup_requested")
        .await;
    assert_eq!(t["pickup"]["order_id"], order.order_id.as_str());
}

#[tokio::test]
async fn finished_by_post_creates_a_delivery_order_with_unpaid_fees_as_cod() {
    let rig = Rig::webhook().await;
    let mut d = dossier(2);
    d.result_address = "Số 12 phố Lê Thánh Tông, phường Hồng Gai, TP Hạ Long".into();
    d.payments.push(pb::Payment {
        transaction_id: "T1".into(),
        amount_vnd: 35_000,
        ..Default::default()
    });
    rig.deliver(EventType::ProcessingFinished, d.clone(), 1)
        .await;
    let order = rig
        .sim
        .order(&d.ma_ho_so, ServiceType::Delivery)
        .expect("order");
    assert_eq!(order.request.receiver.fullname, "Nguyễn Văn An");
    assert_eq!(
        order.request.receiver.address, "Số 12 phố Lê Thánh Tông, phường Hồng Gai, TP Hạ Long",
        "the result goes to the address the applicant gave"
    );
    assert_eq!(
        order.request.sender.address,
        "Số 1 đường 25/4, phường Hồng Gai"
    );
    assert_eq!(
        order.request.cod_amount, 100_000,
        "fees 135 000 minus 35 000 paid"
    );
}

/// The applicant's structured address, when the dossier has one, is the
/// applicant's side of both orders: street, province and commune codes,
/// and the phone given with it.
#[tokio::test]
async fn the_structured_address_is_where_both_orders_go() {
    let rig = Rig::webhook().await;
    let mut d = dossier(12);
    d.result_address = "chỉ dùng khi không có địa chỉ có cấu trúc".into();
    d.applicant_address = Some(pb::PostalAddress {
        province_code: "22".into(),
        commune_code: "06658".into(),
        street: "Số 5 phố Cao Thắng".into(),
        phone: "0987000111".into(),
        district_code: String::new(),
    });
    rig.deliver(EventType::DossierSubmitted, d.clone(), 1).await;
    rig.deliver(EventType::ProcessingFinished, d.clone(), 2)
        .await;
    let pickup = rig
        .sim
        .order(&d.ma_ho_so, ServiceType::Pickup)
        .expect("pickup");
    let delivery = rig
        .sim
        .order(&d.ma_ho_so, ServiceType::Delivery)
        .expect("delivery");
    for party in [&pickup.request.sender, &delivery.request.receiver] {
        assert_eq!(party.address, "Số 5 phố Cao Thắng");
        assert_eq!(party.province, "22");
        assert_eq!(party.commune, "06658");
        assert_eq!(party.district, "", "no district since 1 July 2025");
        assert_eq!(party.tel, "0987000111");
        assert_eq!(party.fullname, "Nguyễn Văn An");
    }
    // The wire carries the commune only when there is one.
    let wire = serde_json::to_value(&delivery.request).unwrap();
    assert_eq!(wire["Receiver"]["Commune"], "06658");
    assert!(wire["Sender"].get("Commune").is_none(), "{wire}");
}

#[tokio::test]
async fn events_the_provider_does_not_act_on_are_accepted_without_a_call() {
    let rig = Rig::webhook().await;
    let mut online = dossier(3);
    online.channel = pb::SubmissionChannel::Online as i32;
    online.result_delivery = pb::ResultDelivery::AtCounter as i32;
    for (i, kind) in [
        EventType::DossierSubmitted,
        EventType::ProcessingFinished,
        EventType::DossierWithdrawn,
        EventType::DossierReceived,
    ]
    .into_iter()
    .enumerate()
    {
        let accepted = rig.deliver(kind, online.clone(), i as u64 + 1).await;
        assert_eq!(accepted.partner_reference, "");
    }
    assert!(rig.sim.calls().is_empty(), "{:?}", rig.sim.calls());
    // A postal dossier's other events are not acted on either.
    rig.deliver(EventType::ProcessingStarted, dossier(3), 9)
        .await;
    assert!(rig.sim.calls().is_empty());
}

#[tokio::test]
async fn withdrawal_cancels_an_open_pickup_and_is_refused_once_collected() {
    let rig = Rig::webhook().await;
    let d = dossier(4);
    rig.deliver(EventType::DossierSubmitted, d.clone(), 1).await;
    let mut withdrawn = d.clone();
    withdrawn.status_reason = "Không còn nhu cầu".into();
    rig.deliver(EventType::DossierWithdrawn, withdrawn.clone(), 2)
        .await;
    assert_eq!(
        rig.sim
            .order(&d.ma_ho_so, ServiceType::Pickup)
            .unwrap()
            .status,
        codes::CANCELLED
    );
    // Redelivered: cancelling a cancelled order is fine.
    rig.deliver(EventType::DossierWithdrawn, withdrawn, 2).await;
    rig.eventually_tracked(&d.ma_ho_so, |t| t["pickup"]["state"] == "pickup_cancelled")
        .await;

    // Another dossier, already picked up: the provider refuses for good.
    let late = dossier(5);
    rig.deliver(EventType::DossierSubmitted, late.clone(), 3)
        .await;
    assert!(rig
        .sim
        .emit(&late.ma_ho_so, ServiceType::Pickup, codes::PICKED, ""));
    let err = rig
        .sink
        .deliver(&event(EventType::DossierWithdrawn, late, 4))
        .await
        .expect_err("too late");
    assert!(matches!(err, DeliveryError::Reject { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot cancel"), "{err}");

    // No pickup was ever made: nothing to cancel, accepted.
    let accepted = rig
        .deliver(EventType::DossierWithdrawn, dossier(6), 5)
        .await;
    assert_eq!(accepted.partner_reference, "");
}

#[tokio::test]
async fn an_agency_without_an_address_is_refused_naming_it() {
    let rig = Rig::webhook().await;
    let mut d = dossier(7);
    d.agency_code = "000.00.02.H22".into();
    let err = rig
        .sink
        .deliver(&event(EventType::DossierSubmitted, d, 1))
        .await
        .expect_err("no address");
    assert!(matches!(err, DeliveryError::Reject { .. }));
    assert!(err.to_string().contains("000.00.02.H22"), "{err}");
    assert!(rig.sim.calls().is_empty());
}

#[tokio::test]
async fn provider_500s_are_retryable_and_a_retry_succeeds() {
    let rig = Rig::webhook().await;
    rig.sim.switches(|s| s.fail_next = 2);
    let e = event(EventType::DossierSubmitted, dossier(8), 1);
    for _ in 0..2 {
        let err = rig.sink.deliver(&e).await.expect_err("500");
        assert!(err.is_retryable(), "{err:?}");
    }
    rig.sink.deliver(&e).await.expect("third time");
    assert_eq!(rig.sim.orders().len(), 1);
}

#[tokio::test]
async fn a_lost_reply_is_retried_into_already_exists_without_a_second_order() {
    let rig = Rig::webhook().await;
    rig.sim.switches(|s| s.lose_reply_next = 1);
    let e = event(EventType::ProcessingFinished, dossier(9), 1);
    let err = rig.sink.deliver(&e).await.expect_err("reply lost");
    assert!(err.is_retryable());
    let accepted = rig.sink.deliver(&e).await.expect("already exists = done");
    let orders = rig.sim.orders();
    assert_eq!(orders.len(), 1, "one order only");
    assert_eq!(accepted.partner_reference, orders[0].order_id);
    assert_eq!(
        rig.sim.calls().iter().map(|c| c.status).collect::<Vec<_>>(),
        vec![500, 409]
    );
}

#[tokio::test]
async fn a_slow_provider_times_out_as_retryable() {
    // timeout_seconds is 2 in the simulator's settings.
    let rig = Rig::webhook().await;
    rig.sim.switches(|s| s.slow = Duration::from_millis(2500));
    let e = event(EventType::DossierSubmitted, dossier(10), 1);
    let err = rig.sink.deliver(&e).await.expect_err("too slow");
    assert!(err.is_retryable(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    rig.sim.switches(|s| s.slow = Duration::ZERO);
    // The slow call may have created the order after the adapter gave up.
    tokio::time::sleep(Duration::from_millis(700)).await;
    rig.sink.deliver(&e).await.expect("accepted");
    assert_eq!(rig.sim.orders().len(), 1);
}

#[tokio::test]
async fn a_wrong_api_key_is_a_refusal_and_a_dead_provider_a_retry() {
    let rig = Rig::start(true, |t| {
        t.insert("api_key".into(), "not-the-key".into());
    })
    .await;
    let e = event(EventType::DossierSubmitted, dossier(11), 1);
    let err = rig.sink.deliver(&e).await.expect_err("401");
    assert!(matches!(err, DeliveryError::Reject { .. }), "{err:?}");

    let dead = Rig::start(true, |t| {
        t.insert("endpoint".into(), "http://127.0.0.1:9".into());
    })
    .await;
    let err = dead.sink.deliver(&e).await.expect_err("no provider");
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn events_are_delivered_in_the_order_given() {
    let rig = Rig::webhook().await;
    for n in 20..30 {
        rig.sink
            .deliver(&event(
                EventType::DossierSubmitted,
                dossier(n),
                u64::from(n),
            ))
            .await
            .unwrap();
    }
    let numbers: Vec<String> = rig
        .sim
        .orders()
        .into_iter()
        .map(|o| o.request.order_number)
        .collect();
    let expected: Vec<String> = (20..30).map(ma_ho_so).collect();
    assert_eq!(numbers, expected);
}
