//! A pending payment across a SIGKILL: the payment the adapter created
//! before the crash is paid while the hub is down (its callback lost), and
//! after the restart the adapter, having read its ledger back from the
//! hub's store, re-QUERYs it and records it once.

use super::{partner_table, KilledHub};
use crate::adapters::payment::{dossier_owing_on, gateway};
use crate::common::{self, status};
use lienthong_adapter_payment::simulator::READ_TOKEN;

const PARTNER: &str = "paygov-restart";
const TOKEN: &str = "paygov-restart-token-01";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_pending_across_a_killed_hub_is_confirmed_once_after_it() {
    let sim = gateway().await;
    let mut adapter = sim.adapter_settings();
    adapter.insert("kind".into(), "payment_paygov".into());
    let mut hub = KilledHub::start(partner_table(
        PARTNER,
        TOKEN,
        &["record_payment"],
        &["financial_obligation_requested"],
        adapter,
    ))
    .await;
    sim.set_callback_url(Some(format!("{}/callback", hub.inbound_url(PARTNER))));

    let mut one_stop = hub.client(common::ONE_STOP).await;
    let (d, reference) = dossier_owing_on(&mut one_stop, "pay-restart-1").await;
    let path = format!("payments/{reference}");
    let before = hub
        .wait_json(PARTNER, &path, READ_TOKEN, "payment pending", |v| {
            v["state"] == "pending"
        })
        .await;

    hub.settled(PARTNER).await;
    hub.kill_and_restart().await;

    // The ledger came back: the same payment, still pending.
    let after = hub.inbound_json(PARTNER, &path, READ_TOKEN).await;
    for field in [
        "state",
        "payment_url",
        "created_at_unix",
        "amount_vnd",
        "ma_ho_so",
    ] {
        assert_eq!(after[field], before[field], "{field}: {after}");
    }
    // Paid with the callback lost: only the adapter's re-QUERY can tell.
    sim.switches().drop_callbacks(true);
    let paid = sim.pay(&reference).await.expect("paid");
    let view = hub
        .wait_json(PARTNER, &path, READ_TOKEN, "payment paid", |v| {
            v["state"] == "paid"
        })
        .await;
    assert_eq!(view["transaction_id"], paid.transaction_id.as_str());
    let reply = hub.wait_status(d.id, status::PROCESSING).await;
    let recorded = reply
        .history
        .iter()
        .filter(|h| h.command == "record_payment")
        .count();
    assert_eq!(recorded, 1, "recorded once");
    assert_eq!(reply.dossier.expect("dossier").payments.len(), 1);
    // One payment at the gateway: the obligation, offered again after the
    // restart or not, never made a second INIT reach it as a new payment.
    assert_eq!(sim.payments().len(), 1);
}
