//! Outbound: obligation events become INITs at the simulated gateway.

mod common;

use common::*;
use lienthong_adapter::testing::assert_ignored;
use lienthong_adapter::{pb, DeliveryError};
use lienthong_adapter_payment::protocol::Signed;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn obligation_becomes_an_init_with_the_receipt_information() {
    let h = start(Options::default()).await;
    let accepted = h
        .sink
        .deliver(&obligation_event(MA_HO_SO, 5, standard_fees()))
        .await
        .expect("accepted");
    let reference = reference(5);
    assert_eq!(
        accepted.partner_reference,
        format!("{}/pay/{reference}", h.sim.base_url())
    );
    let payment = h.sim.payment(&reference).expect("gateway has it");
    let init = &payment.request;
    assert!(init.verify_with(SECRET), "INIT is signed");
    assert_eq!(init.partner_code, PARTNER_CODE);
    assert_eq!(init.amount_vnd, 150_000);
    assert_eq!(init.currency, "VND");
    assert_eq!(init.time.len(), 14);
    assert_eq!(init.callback_url, format!("{}/callback", h.routes_url));
    let receipt = &init.receipt;
    assert_eq!(receipt.ma_ho_so, MA_HO_SO);
    assert_eq!(receipt.agency_code, "000.00.01.H22");
    assert_eq!(receipt.beneficiary_account, "3511.0.1059325");
    assert_eq!(receipt.beneficiary_bank, "VCB");
    assert_eq!(receipt.treasury_code, "0011");
    assert_eq!(receipt.treasury_name, "KBNN Hà Nội");
    assert_eq!(receipt.revenue_account, "7111");
    assert_eq!(receipt.items.len(), 2);
    assert_eq!(receipt.items[0].code, "LP01");
    assert_eq!(receipt.payer.name, "Nguyễn Văn An");
    let view = h.payment_state(&reference).await;
    assert_eq!(view["state"], "pending");
    assert_eq!(view["amount_vnd"], 150_000);
    assert_eq!(view["ma_ho_so"], MA_HO_SO);
}

#[tokio::test]
async fn other_events_need_no_action() {
    let h = start(Options::default()).await;
    let kinds = [
        pb::EventType::DossierSubmitted,
        pb::EventType::PaymentRecorded,
        pb::EventType::ProcessingFinished,
    ];
    let event = obligation_event(MA_HO_SO, 3, standard_fees());
    assert_ignored(&*h.sink, event, &kinds).await;
    assert_eq!(h.sim.calls(), 0);
}

#[tokio::test]
async fn only_unpaid_fees_are_collected() {
    let h = start(Options::default()).await;
    let mut event = obligation_event(MA_HO_SO, 9, standard_fees());
    if let Some(pb::event::Payload::DossierChanged(c)) = event.payload.as_mut() {
        if let Some(d) = c.dossier.as_mut() {
            d.payments.push(pb::Payment {
                amount_vnd: 75_000,
                ..Default::default()
            });
        }
    }
    h.sink.deliver(&event).await.expect("accepted");
    let init = h.sim.payment(&reference(9)).expect("created").request;
    assert_eq!(init.amount_vnd, 75_000);
    assert_eq!(init.receipt.items.len(), 1);
    assert_eq!(init.receipt.items[0].code, "PH02");
}

#[tokio::test]
async fn nothing_to_collect_is_a_rejection() {
    let h = start(Options::default()).await;
    let event = obligation_event(MA_HO_SO, 4, vec![fee("MIEN", "Miễn phí", 0)]);
    let err = h.sink.deliver(&event).await.expect_err("rejected");
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("nothing to collect"), "{err}");
    assert_eq!(h.sim.calls(), 0);
}

#[tokio::test]
async fn an_event_without_dossier_is_a_rejection() {
    let h = start(Options::default()).await;
    let mut event = obligation_event(MA_HO_SO, 4, standard_fees());
    event.payload = None;
    let err = h.sink.deliver(&event).await.expect_err("rejected");
    assert!(matches!(err, DeliveryError::Reject { .. }), "{err}");
}

#[tokio::test]
async fn a_redelivered_event_creates_no_second_payment() {
    let h = start(Options::default()).await;
    let event = obligation_event(MA_HO_SO, 5, standard_fees());
    let first = h.sink.deliver(&event).await.expect("first");
    let again = h.sink.deliver(&event).await.expect("again");
    assert_eq!(first, again);
    assert_eq!(h.sim.payments().len(), 1);
    assert_eq!(h.sim.calls(), 1, "the ledger answered without the gateway");

    // A new adapter on a hub whose store lost the ledger: the gateway
    // answers "already exists" and QUERY confirms the same payment.
    let Harness { sim, .. } = h;
    let fresh = std::sync::Arc::new(lienthong_adapter::testing::FakeHub::default());
    let h = start_with(sim, fresh, Options::default()).await;
    let third = h.sink.deliver(&event).await.expect("after restart");
    assert_eq!(first, third);
    assert_eq!(h.sim.payments().len(), 1);
    assert_eq!(h.payment_state(&reference(5)).await["state"], "pending");
}

#[tokio::test]
async fn a_later_obligation_of_the_same_dossier_is_a_new_payment() {
    let h = start(Options::default()).await;
    let a = h.create_payment(5).await;
    let b = h.create_payment(8).await;
    assert_ne!(a, b);
    assert_eq!(h.sim.payments().len(), 2);
}

#[tokio::test]
async fn same_reference_with_another_amount_is_rejected() {
    let h = start(Options::default()).await;
    h.create_payment(5).await;
    // An adapter whose hub lost the ledger: only the gateway knows it.
    let Harness { sim, .. } = h;
    let fresh = std::sync::Arc::new(lienthong_adapter::testing::FakeHub::default());
    let h = start_with(sim, fresh, Options::default()).await;
    let event = obligation_event(MA_HO_SO, 5, vec![fee("LP01", "Lệ phí", 99_000)]);
    let err = h.sink.deliver(&event).await.expect_err("rejected");
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("99000"), "{err}");
}

#[tokio::test]
async fn gateway_500s_are_retried() {
    let h = start(Options::default()).await;
    h.sim.switches().fail_next(2);
    let event = obligation_event(MA_HO_SO, 5, standard_fees());
    for _ in 0..2 {
        let err = h.sink.deliver(&event).await.expect_err("500");
        assert!(err.is_retryable(), "{err}");
        assert!(err.to_string().contains("HTTP 500"), "{err}");
    }
    h.sink.deliver(&event).await.expect("third time");
    assert_eq!(h.sim.payments().len(), 1);
}

#[tokio::test]
async fn a_slow_gateway_is_retried() {
    let h = start(Options {
        timeout_seconds: 1,
        ..Default::default()
    })
    .await;
    h.sim.switches().set_delay(Duration::from_millis(1_500));
    let event = obligation_event(MA_HO_SO, 5, standard_fees());
    let err = h.sink.deliver(&event).await.expect_err("timeout");
    assert!(err.is_retryable(), "{err}");
    h.sim.switches().set_delay(Duration::ZERO);
    // The slow INIT was taken by the gateway after all: the retry finds it.
    let accepted = h.sink.deliver(&event).await.expect("retry");
    assert!(accepted.partner_reference.ends_with(&reference(5)));
    assert_eq!(h.sim.payments().len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_is_a_rejection_not_a_retry() {
    let h = start(Options {
        adapter_secret: "not-the-gateway-secret".into(),
        ..Default::default()
    })
    .await;
    let err = h
        .sink
        .deliver(&obligation_event(MA_HO_SO, 5, standard_fees()))
        .await
        .expect_err("refused");
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("MaXacThuc"), "{err}");
}

#[tokio::test]
async fn gateway_unreachable_is_retried() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let endpoint = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let adapter = adapter(
        &endpoint,
        Arc::new(FakeHub::default()),
        Options {
            timeout_seconds: 2,
            ..Default::default()
        },
    )
    .await;
    let err = adapter
        .sink
        .expect("sink")
        .deliver(&obligation_event(MA_HO_SO, 5, standard_fees()))
        .await
        .expect_err("unreachable");
    assert!(err.is_retryable(), "{err}");
}
