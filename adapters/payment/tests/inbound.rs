//! Inbound: the gateway's callbacks, verified and idempotent, and the
//! re-query task for payments whose callback never came or was refused.

mod common;

use common::*;
use lienthong_adapter::testing::refusal;
use lienthong_adapter::ErrorCode;
use lienthong_adapter_payment::protocol::{Callback, Signed};
use lienthong_adapter_payment::simulator::{Outcome, Switches};
use std::time::Duration;

#[tokio::test]
async fn a_paid_payment_is_recorded_once_with_its_transaction_id() {
    let h = start(Options::default()).await;
    let reference = h.create_payment(5).await;
    let paid = h.sim.pay(&reference).await.expect("paid");
    assert_eq!(paid.callbacks.len(), 1);
    assert_eq!(paid.callbacks[0].status, Some(200));
    let reply: serde_json::Value = serde_json::from_str(&paid.callbacks[0].reply).expect("json");
    assert_eq!(reply["MaLoi"], "00");
    let payments = payments_asked(&h.hub);
    assert_eq!(payments.len(), 1);
    let (key, payment) = &payments[0];
    assert_eq!(key, &format!("paygov:{}", paid.transaction_id));
    assert_eq!(payment.transaction_id, paid.transaction_id);
    assert_eq!(payment.reference, reference);
    assert_eq!(payment.amount_vnd, 150_000);
    assert!(payment.paid_at.is_some());
    let request = h.hub.calls()[0].clone();
    assert_eq!(
        request.dossier.and_then(|d| d.r#ref),
        Some(lienthong_adapter::pb::dossier_ref::Ref::MaHoSo(
            MA_HO_SO.into()
        ))
    );
    let view = h.payment_state(&reference).await;
    assert_eq!(view["state"], "paid");
    assert_eq!(view["transaction_id"], paid.transaction_id.as_str());
    // The re-query round fetches the electronic receipt.
    for _ in 0..50 {
        if !h.payment_state(&reference).await["receipt"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let view = h.payment_state(&reference).await;
    assert_eq!(view["receipt"]["MaHoSo"], MA_HO_SO);
    assert!(!view["receipt"]["SoBienLai"]
        .as_str()
        .unwrap_or_default()
        .is_empty());
    assert_eq!(
        payments_asked(&h.hub).len(),
        1,
        "a paid payment is not queried again"
    );
}

#[tokio::test]
async fn duplicate_callbacks_change_nothing() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    h.sim.switches().duplicate_callbacks(3);
    let paid = h.sim.pay(&reference).await.expect("paid");
    assert_eq!(paid.callbacks.len(), 4);
    assert!(paid.callbacks.iter().all(|c| c.status == Some(200)));
    assert_eq!(
        h.hub.calls().len(),
        1,
        "one record_payment for four callbacks"
    );
    assert_eq!(h.payment_state(&reference).await["state"], "paid");
}

/// Turns a misbehaviour of the simulated gateway on.
type Arm = fn(&Switches);

/// A callback with a wrong signature is answered 401, one with a wrong
/// amount 400; neither is retried, nothing is recorded.
#[tokio::test]
async fn a_wrong_callback_is_refused_and_nothing_is_recorded() {
    let cases: [(&str, Arm, u16, &str); 2] = [
        (
            "wrong signature",
            |s| s.wrong_signature_callbacks(1),
            401,
            "MaXacThuc",
        ),
        (
            "wrong amount",
            |s| s.wrong_amount_callbacks(1),
            400,
            "151000",
        ),
    ];
    for (case, arm, status, named) in cases {
        let h = start(callbacks_only()).await;
        let reference = h.create_payment(5).await;
        arm(h.sim.switches());
        let paid = h.sim.pay(&reference).await.expect("paid");
        assert_eq!(paid.callbacks.len(), 1, "{case}: a refusal is not retried");
        assert_eq!(paid.callbacks[0].status, Some(status), "{case}");
        let reply = &paid.callbacks[0].reply;
        assert!(reply.contains(named), "{case}: {reply}");
        assert_eq!(h.hub.calls().len(), 0, "{case}");
        assert_eq!(h.payment_state(&reference).await["state"], "pending");
    }
}

#[tokio::test]
async fn refused_callbacks_are_caught_up_by_query() {
    let h = start(Options::default()).await;
    let bad_sig = h.create_payment(5).await;
    let bad_amount = h.create_payment(6).await;
    h.sim.switches().wrong_signature_callbacks(1);
    h.sim.pay(&bad_sig).await.expect("paid");
    h.sim.switches().wrong_amount_callbacks(1);
    h.sim.pay(&bad_amount).await.expect("paid");
    assert_eq!(h.hub.calls().len(), 0);
    h.wait_state(&bad_sig, "paid").await;
    h.wait_state(&bad_amount, "paid").await;
    let recorded = payments_asked(&h.hub);
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().all(|(_, p)| p.amount_vnd == 150_000));
}

#[tokio::test]
async fn a_lost_callback_is_caught_up_by_query() {
    let h = start(Options::default()).await;
    let reference = h.create_payment(5).await;
    h.sim.switches().drop_callbacks(true);
    let paid = h.sim.pay(&reference).await.expect("paid");
    assert!(paid.callbacks.is_empty());
    let view = h.wait_state(&reference, "paid").await;
    assert_eq!(view["transaction_id"], paid.transaction_id.as_str());
    assert_eq!(payments_asked(&h.hub).len(), 1);
}

#[tokio::test]
async fn pending_for_n_queries_then_success() {
    let h = start(Options::default()).await;
    h.sim.switches().pending_for_queries(2, Outcome::Success);
    let reference = h.create_payment(5).await;
    let view = h.wait_state(&reference, "paid").await;
    assert_eq!(view["queries"], 3, "two pending answers, then success");
    assert_eq!(payments_asked(&h.hub).len(), 1);
    assert_eq!(h.sim.settled().len(), 1);
    assert!(h.sim.callbacks().is_empty());
}

#[tokio::test]
async fn pending_for_n_queries_then_failure() {
    let h = start(Options::default()).await;
    h.sim.switches().pending_for_queries(1, Outcome::Failure);
    let reference = h.create_payment(5).await;
    let view = h.wait_state(&reference, "failed").await;
    assert_eq!(view["gateway_result"], "TrangThai 4");
    assert_eq!(h.hub.calls().len(), 0);
    assert!(h.sim.settled().is_empty());
    // Final: no more queries.
    let queries = view["queries"].clone();
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(h.payment_state(&reference).await["queries"], queries);
}

#[tokio::test]
async fn a_declined_payment_is_failed() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    let declined = h.sim.decline(&reference).await.expect("declined");
    assert_eq!(declined.callbacks[0].status, Some(200));
    let view = h.payment_state(&reference).await;
    assert_eq!(view["state"], "failed");
    assert_eq!(view["gateway_result"], "24");
    assert_eq!(h.hub.calls().len(), 0);
}

#[tokio::test]
async fn query_500s_only_delay_the_outcome() {
    let h = start(Options::default()).await;
    let reference = h.create_payment(5).await;
    h.sim.switches().drop_callbacks(true);
    h.sim.pay(&reference).await.expect("paid");
    h.sim.switches().fail_next(2);
    h.wait_state(&reference, "paid").await;
    assert_eq!(payments_asked(&h.hub).len(), 1);
}

#[tokio::test]
async fn an_unavailable_hub_gets_the_gateway_to_call_again() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    h.hub
        .refuse_next(1, refusal(ErrorCode::Unavailable, "stopping"));
    let paid = h.sim.pay(&reference).await.expect("paid");
    let statuses: Vec<_> = paid.callbacks.iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(200)]);
    assert_eq!(payments_asked(&h.hub).len(), 2, "tried, then recorded");
    assert_eq!(h.payment_state(&reference).await["state"], "paid");
}

#[tokio::test]
async fn a_payment_the_hub_refuses_is_visible_for_an_operator() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    h.hub.refuse_always(Some(refusal(
        ErrorCode::FailedPrecondition,
        "dossier is withdrawn",
    )));
    let paid = h.sim.pay(&reference).await.expect("paid");
    assert_eq!(
        paid.callbacks.len(),
        1,
        "answered 200: retrying cannot help"
    );
    assert_eq!(paid.callbacks[0].status, Some(200));
    let view = h.payment_state(&reference).await;
    assert_eq!(view["state"], "paid_not_recorded");
    assert!(view["last_error"]
        .as_str()
        .unwrap_or_default()
        .contains("FAILED_PRECONDITION"));
}

fn callback(reference: &str, amount: i64) -> Callback {
    Callback {
        partner_code: PARTNER_CODE.into(),
        reference: reference.into(),
        transaction_id: "PG20251122000042".into(),
        amount_vnd: amount,
        result_code: "00".into(),
        result_message: "Giao dịch thành công".into(),
        bank: "BIDV".into(),
        paid_at: "20251122093000".into(),
        signature: String::new(),
    }
}

fn json(cb: &Callback) -> serde_json::Value {
    serde_json::to_value(cb).expect("json")
}

#[tokio::test]
async fn callback_checks_answer_clear_errors() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;

    // The right callback with one change, signed.
    let changed = |change: fn(&mut Callback)| {
        let mut cb = callback(&reference, 150_000);
        change(&mut cb);
        json(&cb.signed(SECRET))
    };

    let other_partner = changed(|cb| cb.partner_code = "SOMEONE".into());
    let (status, _) = h.post_callback(other_partner).await;
    assert_eq!(status, 403);

    let (status, body) = h
        .post_callback(json(&callback(&reference, 150_000).signed("wrong-secret")))
        .await;
    assert_eq!((status, body["MaLoi"].as_str()), (401, Some("01")));

    // Malformed or wrong: 400, naming the field.
    let cases = [
        (serde_json::json!({"nonsense": true}), "MaDoiTac"),
        (
            json(&callback("000.00.01.H22-251122-00099-1", 150_000).signed(SECRET)),
            "MaThamChieu",
        ),
        (
            changed(|cb| cb.paid_at = "22/11/2025".into()),
            "ThoiGianThanhToan",
        ),
        (changed(|cb| cb.transaction_id.clear()), "MaGiaoDich"),
    ];
    for (callback, field) in cases {
        let (status, body) = h.post_callback(callback).await;
        assert_eq!(status, 400, "{field}: {body}");
        let named = body["MoTaLoi"].as_str().unwrap_or_default();
        assert!(named.contains(field), "{body}");
    }

    let response = h
        .http
        .post(format!("{}/callback", h.routes_url))
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 400);

    assert_eq!(h.hub.calls().len(), 0, "nothing reached the hub");

    // Every answer is signed.
    let (status, body) = h
        .post_callback(json(&callback(&reference, 150_000).signed(SECRET)))
        .await;
    assert_eq!(status, 200);
    let reply: lienthong_adapter_payment::protocol::CallbackReply =
        serde_json::from_value(body).expect("reply");
    assert!(reply.verify_with(SECRET));
    assert_eq!(payments_asked(&h.hub).len(), 1);
}

#[tokio::test]
async fn a_second_transaction_for_a_paid_reference_is_kept_for_refund() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    h.sim.pay(&reference).await.expect("paid");
    let mut second = callback(&reference, 150_000);
    second.transaction_id = "PG20251122999999".into();
    let (status, _) = h.post_callback(json(&second.signed(SECRET))).await;
    assert_eq!(status, 200);
    assert_eq!(h.hub.calls().len(), 1);
    let view = h.payment_state(&reference).await;
    assert_eq!(view["extra_transactions"][0], "PG20251122999999");
}

#[tokio::test]
async fn unknown_payment_view_is_404() {
    let h = start(callbacks_only()).await;
    let response = h
        .http
        .get(format!("{}/payments/nope", h.routes_url))
        .bearer_auth(common::READ_TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 404);
}

// issue 10 defect 9
#[tokio::test]
async fn the_payment_view_answers_only_with_the_read_token() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(1).await;
    for bearer in [None, Some("wrong-token-0123456789")] {
        let mut request = h.http.get(format!("{}/payments/{reference}", h.routes_url));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("get");
        assert_eq!(response.status().as_u16(), 401, "{bearer:?}");
        let body = response.text().await.unwrap();
        assert!(
            !body.contains(&reference),
            "nothing of the payment leaks: {body}"
        );
    }
    assert_eq!(h.payment_state(&reference).await["reference"], reference);
}

#[tokio::test]
async fn payments_of_many_dossiers_are_settled_each_once() {
    let h = start(callbacks_only()).await;
    let mut references = Vec::new();
    for n in 1..=20u64 {
        let ma_ho_so = format!("000.00.01.H22-251122-{n:05}");
        let accepted = h
            .sink
            .deliver(&obligation_event(&ma_ho_so, 4, standard_fees()))
            .await
            .expect("created");
        assert!(accepted
            .partner_reference
            .ends_with(&format!("{ma_ho_so}-4")));
        references.push(format!("{ma_ho_so}-4"));
    }
    h.sim.switches().duplicate_callbacks(1);
    let mut payers = Vec::new();
    for reference in &references {
        let sim = &h.sim;
        payers.push(sim.pay(reference));
    }
    for paid in futures_join(payers).await {
        paid.expect("paid");
    }
    assert_eq!(h.hub.calls().len(), 20);
    let mut seen: Vec<_> = payments_asked(&h.hub)
        .into_iter()
        .map(|(_, p)| p.reference)
        .collect();
    seen.sort();
    references.sort();
    assert_eq!(seen, references);
}

/// Awaits all futures concurrently (no extra crate).
async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, f) in pinned.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => outputs[i] = Some(v),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[tokio::test]
async fn pending_payments_survive_a_restart_in_the_hub_store() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    let Harness {
        sim, hub, tasks, ..
    } = h;
    for task in tasks.stop() {
        tokio::time::timeout(Duration::from_secs(2), task)
            .await
            .expect("the re-query task ends when stopped")
            .expect("no panic");
    }
    let keys: Vec<String> = hub.kept().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [format!("payment/{reference}")],
        "the ledger is in the hub's store"
    );
    sim.switches().drop_callbacks(true);
    sim.pay(&reference)
        .await
        .expect("paid while the adapter was down");
    // A new adapter on the same hub: it reads the ledger back, re-QUERYs.
    let h = start_with(sim, hub, Options::default()).await;
    h.wait_state(&reference, "paid").await;
    assert_eq!(payments_asked(&h.hub).len(), 1);
}

#[tokio::test]
async fn a_former_state_file_is_imported_into_the_hub_store_at_the_first_start() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    let Harness {
        sim, hub, tasks, ..
    } = h;
    drop(tasks);
    // The file an older adapter wrote: a JSON list of its records.
    let records: Vec<serde_json::Value> = hub
        .kept()
        .iter()
        .map(|(_, v)| serde_json::from_slice(v).expect("JSON"))
        .collect();
    let dir = std::env::temp_dir().join(format!("lienthong-payment-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("payments.json");
    let bytes = serde_json::to_vec(&records).unwrap();
    std::fs::write(&file, &bytes).expect("written");
    sim.switches().drop_callbacks(true);
    sim.pay(&reference)
        .await
        .expect("paid while the adapter was down");
    // An adapter on a hub whose store has none of it, given the file.
    let fresh = std::sync::Arc::new(lienthong_adapter::testing::FakeHub::default());
    let options = Options {
        extra: format!("state_file = {:?}", file.display().to_string()),
        ..Default::default()
    };
    let h = start_with(sim, fresh, options).await;
    h.wait_state(&reference, "paid").await;
    let keys: Vec<String> = h.hub.kept().into_iter().map(|(k, _)| k).collect();
    assert!(keys.contains(&"import/state_file".to_string()), "{keys:?}");
    assert!(keys.contains(&format!("payment/{reference}")), "{keys:?}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        bytes,
        "the file is never written"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
