//! Outbound: recorded payments become credit notices at the simulated
//! treasury.

mod common;

use common::*;
use lienthong_adapter::pb;
use lienthong_adapter::testing::assert_ignored;
use lienthong_adapter::vietnam_time::{self, now_unix};
use lienthong_adapter_treasury::simulator::Switches;
use std::time::Duration;

#[tokio::test]
async fn a_recorded_payment_becomes_a_credit_notice() {
    let h = start(Options::default()).await;
    let accepted = h
        .sink
        .deliver(&payment_event(17, 150_000))
        .await
        .expect("accepted");
    assert!(accepted.partner_reference.starts_with("BC"), "{accepted:?}");
    let credits = h.sim.credits();
    assert_eq!(credits.len(), 1);
    let c = &credits[0];
    assert_eq!(c.document_number, accepted.partner_reference);
    assert_eq!(c.reference, format!("{}-5", ma_ho_so(17)));
    assert_eq!(c.transaction_id, "PG00000017");
    assert_eq!(c.ma_ho_so, ma_ho_so(17));
    assert_eq!(c.amount_vnd, 150_000);
    assert_eq!(c.revenue_account, "7111");
    assert_eq!(c.treasury_code, "0011");
    assert_eq!(&c.paid_at[..8], &vietnam_time::format(now_unix())[..8]);
    assert!(
        h.hub.calls().is_empty(),
        "the treasury sends the hub nothing"
    );
}

#[tokio::test]
async fn other_events_need_no_action() {
    let h = start(Options::default()).await;
    let kinds = [
        pb::EventType::FinancialObligationRequested,
        pb::EventType::DossierSubmitted,
        pb::EventType::ResultReturned,
    ];
    assert_ignored(&*h.sink, payment_event(1, 10_000), &kinds).await;
    assert_eq!(h.sim.notices_received(), 0);
}

#[tokio::test]
async fn a_redelivered_notice_is_credited_once() {
    let h = start(Options::default()).await;
    let event = payment_event(2, 50_000);
    let first = h.sink.deliver(&event).await.expect("first");
    let again = h
        .sink
        .deliver(&event)
        .await
        .expect("again: already credited");
    assert_eq!(first, again);
    assert_eq!(h.sim.credits().len(), 1);
}

/// Turns a misbehaviour of the simulated treasury on.
type Arm = fn(&Switches);

/// A notice answered HTTP 500, before or after the treasury credited it,
/// is retried, and credited once.
#[tokio::test]
async fn failed_and_lost_answers_are_retried_and_credited_once() {
    let cases: [(&str, Arm, usize); 2] = [
        ("500 before crediting", |s| s.fail_next(2), 2),
        ("500 after crediting", |s| s.fail_after_record_next(1), 1),
    ];
    for (case, arm, failures) in cases {
        let h = start(Options::default()).await;
        arm(h.sim.switches());
        let event = payment_event(3, 50_000);
        for _ in 0..failures {
            let err = h.sink.deliver(&event).await.expect_err(case);
            assert!(err.is_retryable(), "{case}: {err}");
        }
        let accepted = h.sink.deliver(&event).await.expect(case);
        assert_eq!(h.sim.credits().len(), 1, "{case}");
        assert_eq!(
            accepted.partner_reference,
            h.sim.credits()[0].document_number,
            "{case}"
        );
    }
}

#[tokio::test]
async fn a_slow_treasury_is_retried() {
    let h = start(Options {
        timeout_seconds: 1,
        ..Default::default()
    })
    .await;
    h.sim.switches().set_delay(Duration::from_millis(1_500));
    let err = h
        .sink
        .deliver(&payment_event(5, 50_000))
        .await
        .expect_err("timeout");
    assert!(err.is_retryable(), "{err}");
    h.sim.switches().set_delay(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(700)).await;
    h.sink
        .deliver(&payment_event(5, 50_000))
        .await
        .expect("retry");
    assert_eq!(
        h.sim.credits().len(),
        1,
        "the slow notice and the retry: one credit"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_a_rejection() {
    let h = start(Options {
        adapter_secret: "not-the-treasury-secret".into(),
        ..Default::default()
    })
    .await;
    let err = h
        .sink
        .deliver(&payment_event(6, 50_000))
        .await
        .expect_err("refused");
    assert!(!err.is_retryable(), "{err}");
    assert!(
        err.to_string().contains("MaLoi 01") || err.to_string().contains("MaXacThuc"),
        "{err}"
    );
    assert!(h.sim.credits().is_empty());
}

#[tokio::test]
async fn an_event_without_a_payment_is_a_rejection() {
    let h = start(Options::default()).await;
    let mut event = payment_event(7, 50_000);
    if let Some(pb::event::Payload::DossierChanged(c)) = event.payload.as_mut() {
        if let Some(d) = c.dossier.as_mut() {
            d.payments.clear();
        }
    }
    let err = h.sink.deliver(&event).await.expect_err("nothing to credit");
    assert!(!err.is_retryable(), "{err}");
    assert_eq!(h.sim.notices_received(), 0);
}

#[tokio::test]
async fn credits_keep_the_order_they_were_delivered_in() {
    let h = start(Options::default()).await;
    for n in 1..=30 {
        h.sink
            .deliver(&payment_event(n, 1_000 * i64::from(n)))
            .await
            .expect("accepted");
    }
    let ids: Vec<String> = h
        .sim
        .credits()
        .into_iter()
        .map(|c| c.transaction_id)
        .collect();
    let expected: Vec<String> = (1..=30).map(|n| format!("PG{n:08}")).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn the_daily_task_ends_when_stopped() {
    let h = start(Options::default()).await;
    for task in h.tasks.stop() {
        tokio::time::timeout(Duration::from_secs(2), task)
            .await
            .expect("stopped")
            .expect("no panic");
    }
}
