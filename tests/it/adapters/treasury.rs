//! End to end: the real hub, the payment adapter with its simulated
//! gateway, and the treasury adapter (`treasury_kbnn`) with its simulated
//! treasury. Every recorded payment becomes a credit notice through the
//! hub's relay (treasury faults retried, a hopeless one parked); then
//! `POST reconcile` fetches the gateway's settlement file and the
//! treasury's credit file and reports what matched and what did not.

use super::payment::{dossier_owing, gateway, payment_partner};
use super::{http, inbound_url, partner, settled, start_hub, wait_status};
use crate::common::{status, TestHub};
use lienthong::config::SubscriptionSection;
use lienthong_adapter::vietnam_time::{self, now_unix};
use lienthong_adapter_payment::simulator as payment_sim;
use lienthong_adapter_treasury::simulator::{SimConfig, Simulator};
use lienthong_adapter_treasury::Credited;
use std::path::PathBuf;
use std::time::Duration;

const PAYMENT: &str = "paygov-for-kbnn";
const PAYMENT_TOKEN: &str = "paygov-for-kbnn-token-01";
const TREASURY: &str = "kbnn-sim";
const TREASURY_TOKEN: &str = "kbnn-sim-token-000000001";
const TREASURY_CODE: &str = "LIENTHONG-KB";
const TREASURY_SECRET: &str = "kbnn-shared-secret";
const TRIGGER: &str = "reconcile-now-token-0001";

struct World {
    hub: TestHub,
    gateway: payment_sim::Simulator,
    treasury: Simulator,
    report_dir: PathBuf,
}

async fn world() -> World {
    let gateway = gateway().await;
    let treasury = Simulator::start(SimConfig {
        partner_code: TREASURY_CODE.into(),
        secret: TREASURY_SECRET.into(),
    })
    .await
    .expect("treasury simulator");
    let report_dir = std::env::temp_dir().join(format!(
        "lienthong-it-doisoat-{}-{}",
        std::process::id(),
        now_unix()
    ));
    let mut adapter = treasury.adapter_settings(&report_dir);
    adapter.extend(gateway.settlement_settings());
    adapter.insert("kind".into(), "treasury_kbnn".into());
    adapter.insert("trigger_token".into(), TRIGGER.into());
    let subscription = SubscriptionSection {
        event_types: vec!["payment_recorded".into()],
        ..Default::default()
    };
    let hub = start_hub(vec![
        payment_partner(PAYMENT, PAYMENT_TOKEN, &gateway),
        partner(TREASURY, TREASURY_TOKEN, &[], Some(subscription), adapter),
    ])
    .await;
    gateway.set_callback_url(Some(format!("{}/callback", inbound_url(&hub, PAYMENT))));
    World {
        hub,
        gateway,
        treasury,
        report_dir,
    }
}

impl World {
    /// A dossier owing fees, paid at the gateway, recorded in the hub;
    /// answers its MaHoSo.
    async fn paid_dossier(&self, key: &str) -> String {
        let (d, reference) = dossier_owing(&self.hub, key).await;
        settled(&self.hub, PAYMENT).await;
        self.gateway.pay(&reference).await.expect("paid");
        wait_status(&self.hub, d.id, status::PROCESSING).await;
        d.ma_ho_so
    }

    async fn wait_credits(&self, n: usize) {
        for _ in 0..200 {
            if self.treasury.credits().len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the treasury has {} credits, not {n}",
            self.treasury.credits().len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn credit_notices_and_reconciliation_with_treasury_faults() {
    let mut w = world().await;

    // 1: credited as it should be.
    let first = w.paid_dossier("kb-e2e-1").await;
    w.wait_credits(1).await;
    let credit = &w.treasury.credits()[0];
    assert_eq!(credit.ma_ho_so, first);
    assert_eq!(credit.amount_vnd, 100_000);
    assert_eq!(credit.revenue_account, "7111");

    // 2: the treasury books 1 000 VND too much.
    w.treasury.switches().wrong_amount_next(1);
    let second = w.paid_dossier("kb-e2e-2").await;
    w.wait_credits(2).await;

    // 3: the treasury books it twice.
    w.treasury.switches().duplicate_next(1);
    w.paid_dossier("kb-e2e-3").await;
    w.wait_credits(4).await;

    // 4: the treasury fails twice and loses one answer: retried, once.
    w.treasury.switches().fail_next(2);
    w.treasury.switches().fail_after_record_next(1);
    w.paid_dossier("kb-e2e-4").await;
    w.wait_credits(5).await;
    let delivery = settled(&w.hub, TREASURY).await;
    assert!(delivery.retried >= 3, "{delivery:?}");

    // 5: the treasury is down for good: the notice is parked, visible.
    w.treasury.switches().fail_next(1_000);
    let fifth = w.paid_dossier("kb-e2e-5").await;
    let delivery = settled(&w.hub, TREASURY).await;
    assert_eq!(delivery.parked, 1, "{delivery:?}");
    w.treasury.switches().fail_next(0);

    // A credit the gateway never settled.
    w.treasury.add_credit(Credited {
        document_number: "BC-LAC".into(),
        reference: "KHONG-RO".into(),
        transaction_id: "PG-KHONG-RO".into(),
        ma_ho_so: "000.00.01.H22-251122-99999".into(),
        amount_vnd: 5_000,
        paid_at: vietnam_time::format(now_unix()),
        credited_at: vietnam_time::format(now_unix()),
        ..Default::default()
    });

    let today = vietnam_time::format_date(now_unix());
    let url = format!("{}/reconcile", inbound_url(&w.hub, TREASURY));
    let (code, _) = http("POST", &url, Some("wrong"), None).await;
    assert_eq!(code, 401);
    let body = format!("{{\"date\": \"{today}\"}}");
    let (code, report) = http("POST", &url, Some(TRIGGER), Some(&body)).await;
    assert_eq!(code, 200, "{report}");
    let s = &report["summary"];
    assert_eq!(s["gateway_records"], 5, "{report}");
    assert_eq!(s["treasury_records"], 6, "{report}");
    assert_eq!(s["matched"], 3, "{report}");
    assert_eq!(s["amount_mismatch"], 1, "{report}");
    assert_eq!(s["duplicate_in_treasury"], 1, "{report}");
    assert_eq!(s["missing_in_treasury"], 1, "{report}");
    assert_eq!(s["missing_in_gateway"], 1, "{report}");
    let discrepancies = report["discrepancies"].as_array().expect("list");
    let of = |outcome: &str| {
        discrepancies
            .iter()
            .find(|d| d["outcome"] == outcome)
            .unwrap_or_else(|| panic!("no {outcome} in {report}"))
            .clone()
    };
    assert_eq!(of("amount_mismatch")["ma_ho_so"], second.as_str());
    assert_eq!(of("amount_mismatch")["treasury_amount_vnd"], 101_000);
    assert_eq!(of("missing_in_treasury")["ma_ho_so"], fifth.as_str());
    assert_eq!(of("missing_in_gateway")["reference"], "KHONG-RO");

    let file = report["report_file"].as_str().expect("report file");
    let text = std::fs::read_to_string(file).expect("report written");
    assert!(
        text.starts_with("KetQua,MaThamChieu,MaGiaoDich,MaHoSo,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + 7, "{text}");
    assert!(text.contains("kho bạc ghi có hai lần"), "{text}");
    let _ = std::fs::remove_dir_all(&w.report_dir);
    w.hub.stop().await;
}
