//! End to end: the real hub, the payment adapter (`payment_paygov`) and the
//! simulated payment gateway. A financial obligation becomes a payment
//! (INIT) through the hub's delivery relay; the gateway's callbacks —
//! duplicated, forged, with a wrong amount — or, when they never come, the
//! adapter's re-QUERY record the payment once and move the dossier on.

use super::{dossier, inbound_json, inbound_url, partner, settled, start_hub, wait_status};
use crate::common::{self, command, in_days, status, submission, submit_request, TestHub};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong_adapter_payment::simulator::{Outcome, SimConfig, Simulator};
use std::time::Duration;

const PARTNER: &str = "paygov-sim";
const TOKEN: &str = "paygov-sim-token-0001";
const PARTNER_CODE: &str = "LIENTHONG";
const SECRET: &str = "paygov-shared-secret";

pub async fn gateway() -> Simulator {
    Simulator::start(SimConfig {
        partner_code: PARTNER_CODE.into(),
        secret: SECRET.into(),
    })
    .await
    .expect("gateway simulator")
}

/// The payment partner's entry on `gateway`: records payments, hears
/// obligations.
pub fn payment_partner(
    id: &str,
    token: &str,
    gateway: &Simulator,
) -> lienthong::config::PartnerSection {
    let mut adapter = gateway.adapter_settings();
    adapter.insert("kind".into(), "payment_paygov".into());
    adapter.insert("treasury_name".into(), "KBNN Hà Nội".into());
    let subscription = SubscriptionSection {
        event_types: vec!["financial_obligation_requested".into()],
        ..Default::default()
    };
    partner(id, token, &["record_payment"], Some(subscription), adapter)
}

async fn hub_with_gateway() -> (TestHub, Simulator) {
    let sim = gateway().await;
    let hub = start_hub(vec![payment_partner(PARTNER, TOKEN, &sim)]).await;
    sim.set_callback_url(Some(format!("{}/callback", inbound_url(&hub, PARTNER))));
    (hub, sim)
}

/// A dossier received, in processing, then asked to pay two fees; answers
/// the dossier and the payment's reference (`<MaHoSo>-<version>`).
pub async fn dossier_owing(hub: &TestHub, key: &str) -> (pb::Dossier, String) {
    dossier_owing_on(&mut hub.client(common::ONE_STOP).await, key).await
}

/// The same, through `one_stop` (a client of any hub).
pub async fn dossier_owing_on(one_stop: &mut common::Client, key: &str) -> (pb::Dossier, String) {
    let d = one_stop
        .exec(submit_request(key, submission()))
        .await
        .expect("submitted")
        .dossier
        .expect("dossier");
    let steps = [
        C::Receive(pb::ReceiveDossier {
            due_at: Some(in_days(10)),
        }),
        common::command_named("start_processing"),
        C::RequestFinancialObligation(pb::RequestFinancialObligation {
            fees: vec![
                pb::Fee {
                    code: "LP1".into(),
                    name: "Lệ phí cấp giấy phép xây dựng".into(),
                    amount_vnd: 75_000,
                },
                pb::Fee {
                    code: "PH2".into(),
                    name: "Phí thẩm định, hồ sơ".into(),
                    amount_vnd: 25_000,
                },
            ],
            note: "Nộp phí trước khi cấp phép".into(),
        }),
    ];
    let mut last = None;
    for (i, step) in steps.into_iter().enumerate() {
        last = one_stop
            .exec(command(&format!("{key}-{i}"), d.id, step))
            .await
            .expect("accepted")
            .dossier;
    }
    let owing = last.expect("dossier");
    let reference = format!("{}-{}", owing.ma_ho_so, owing.version);
    (owing, reference)
}

async fn payment_state(hub: &TestHub, reference: &str) -> serde_json::Value {
    inbound_json(
        hub,
        PARTNER,
        &format!("payments/{reference}"),
        lienthong_adapter_payment::simulator::READ_TOKEN,
    )
    .await
}

async fn wait_payment(hub: &TestHub, reference: &str, state: &str) -> serde_json::Value {
    for _ in 0..200 {
        let view = payment_state(hub, reference).await;
        if view["state"] == state {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "payment {reference} never became {state}: {}",
        payment_state(hub, reference).await
    );
}

fn payments_recorded(reply: &pb::GetDossierReply) -> usize {
    reply
        .history
        .iter()
        .filter(|h| h.command == "record_payment")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paid_by_callback_with_gateway_faults_and_duplicate_callbacks() {
    let (mut hub, sim) = hub_with_gateway().await;

    // The gateway fails INIT twice: the relay retries, one payment.
    sim.switches().fail_next(2);
    let (d, reference) = dossier_owing(&hub, "pay-e2e-1").await;
    let delivery = settled(&hub, PARTNER).await;
    assert!(delivery.retried >= 2, "{delivery:?}");
    assert_eq!(delivery.parked, 0, "{delivery:?}");
    let payment = sim.payment(&reference).expect("INIT reached the gateway");
    assert_eq!(payment.request.amount_vnd, 100_000);
    assert_eq!(payment.request.receipt.ma_ho_so, d.ma_ho_so);
    assert_eq!(payment.request.receipt.payer.name, "Trần Thị Bình");
    assert_eq!(payment.request.receipt.items.len(), 2);
    assert_eq!(sim.payments().len(), 1);
    assert_eq!(payment_state(&hub, &reference).await["state"], "pending");

    // The user pays; the gateway calls back three times.
    sim.switches().duplicate_callbacks(2);
    let paid = sim.pay(&reference).await.expect("paid");
    assert_eq!(paid.callbacks.len(), 3);
    assert!(
        paid.callbacks.iter().all(|c| c.status == Some(200)),
        "{:?}",
        paid.callbacks
    );
    let reply = wait_status(&hub, d.id, status::PROCESSING).await;
    assert_eq!(payments_recorded(&reply), 1, "duplicates changed nothing");
    let dossier = reply.dossier.expect("dossier");
    assert_eq!(dossier.payments.len(), 1);
    let recorded = &dossier.payments[0];
    assert_eq!(recorded.transaction_id, paid.transaction_id);
    assert_eq!(recorded.reference, reference);
    assert_eq!(recorded.amount_vnd, 100_000);
    let entry = reply
        .history
        .iter()
        .find(|h| h.command == "record_payment")
        .expect("entry");
    assert_eq!(entry.partner_id, PARTNER);
    let view = wait_payment(&hub, &reference, "paid").await;
    assert_eq!(view["transaction_id"], paid.transaction_id.as_str());
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_and_wrong_amount_callbacks_are_refused_and_query_catches_up() {
    let (mut hub, sim) = hub_with_gateway().await;
    let (forged, forged_ref) = dossier_owing(&hub, "pay-e2e-2").await;
    let (tampered, tampered_ref) = dossier_owing(&hub, "pay-e2e-3").await;
    settled(&hub, PARTNER).await;

    sim.switches().wrong_signature_callbacks(1);
    let paid = sim.pay(&forged_ref).await.expect("paid");
    assert_eq!(paid.callbacks[0].status, Some(401));
    sim.switches().wrong_amount_callbacks(1);
    let paid = sim.pay(&tampered_ref).await.expect("paid");
    assert_eq!(paid.callbacks[0].status, Some(400));
    assert_eq!(
        dossier(&hub, forged.id).await.dossier.unwrap().status,
        status::FINANCIAL_OBLIGATION
    );

    // The re-query finds both paid at the gateway, for the right amount.
    for (d, reference) in [(forged, forged_ref), (tampered, tampered_ref)] {
        let reply = wait_status(&hub, d.id, status::PROCESSING).await;
        assert_eq!(payments_recorded(&reply), 1);
        assert_eq!(reply.dossier.unwrap().payments[0].amount_vnd, 100_000);
        wait_payment(&hub, &reference, "paid").await;
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pending_payments_are_queried_until_final() {
    let (mut hub, sim) = hub_with_gateway().await;
    sim.switches().pending_for_queries(2, Outcome::Success);
    let (paid, paid_ref) = dossier_owing(&hub, "pay-e2e-4").await;
    settled(&hub, PARTNER).await;
    sim.switches().pending_for_queries(1, Outcome::Failure);
    let (failed, failed_ref) = dossier_owing(&hub, "pay-e2e-5").await;
    settled(&hub, PARTNER).await;

    let reply = wait_status(&hub, paid.id, status::PROCESSING).await;
    assert_eq!(payments_recorded(&reply), 1);
    let view = wait_payment(&hub, &paid_ref, "paid").await;
    assert!(view["queries"].as_u64().unwrap_or_default() >= 3, "{view}");
    assert!(sim.callbacks().is_empty(), "settled by QUERY alone");

    let view = wait_payment(&hub, &failed_ref, "failed").await;
    assert_eq!(view["gateway_result"], "TrangThai 4");
    let reply = dossier(&hub, failed.id).await;
    assert_eq!(
        reply.dossier.as_ref().map(|d| d.status),
        Some(status::FINANCIAL_OBLIGATION),
        "a failed payment moves nothing"
    );
    assert_eq!(payments_recorded(&reply), 0);
    hub.stop().await;
}
