//! The gateway simulator's own HTTP surface: the settlement file with its
//! signature, the demo's pay/decline routes and the payment page.

mod common;

use common::*;
use lienthong_adapter::ma_xac_thuc::DailyFileRequest;
use lienthong_adapter::vietnam_time::{self, now_unix};

#[tokio::test]
async fn settlement_file_lists_settled_transactions_of_the_day() {
    let h = start(callbacks_only()).await;
    let a = h.create_payment(5).await;
    let b = h.create_payment(6).await;
    let paid = h.sim.pay(&a).await.expect("paid");
    h.sim.decline(&b).await.expect("declined");
    let today = vietnam_time::format_date(now_unix());
    let file = |request: &DailyFileRequest| {
        h.http
            .get(format!("{}/api/v1/settlements.csv", h.sim.base_url()))
            .query(request)
            .send()
    };
    let response = file(&DailyFileRequest::new(PARTNER_CODE, &today, SECRET))
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 200);
    let csv = response.text().await.expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,ThoiGianThanhToan"
    );
    assert_eq!(lines.len(), 2, "only the paid one: {csv}");
    assert!(lines[1].starts_with(&format!("{a},{},{MA_HO_SO},150000,", paid.transaction_id)));
    assert_eq!(csv, h.sim.settlement_csv(Some(&today)));

    let other_day = "20000101";
    let csv = file(&DailyFileRequest::new(PARTNER_CODE, other_day, SECRET))
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert_eq!(csv.lines().count(), 1, "header only");

    let forged = DailyFileRequest {
        signature: "bad".into(),
        ..DailyFileRequest::new(PARTNER_CODE, &today, SECRET)
    };
    let response = file(&forged).await.expect("get");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn the_demo_pays_over_http() {
    let h = start(callbacks_only()).await;
    let reference = h.create_payment(5).await;
    let page = h
        .http
        .get(format!("{}/pay/{reference}", h.sim.base_url()))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status().as_u16(), 200);
    // The gateway shows the amount as people read it: 150.000 (VND).
    assert!(page.text().await.expect("text").contains("150.000"));
    let pay = || {
        h.http
            .post(format!("{}/sim/pay/{reference}", h.sim.base_url()))
            .send()
    };
    let response = pay().await.expect("pay");
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["callbacks"][0]["status"], 200);
    assert_eq!(h.payment_state(&reference).await["state"], "paid");
    let again = pay().await.expect("pay again");
    assert_eq!(
        again.status().as_u16(),
        409,
        "a paid payment cannot be paid again"
    );
}

#[tokio::test]
async fn a_registered_callback_url_wins_over_the_init_one() {
    let h = start(callbacks_only()).await;
    let a = h.create_payment(5).await;
    let b = h.create_payment(6).await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let nowhere = format!("http://{}/callback", closed.local_addr().expect("addr"));
    drop(closed);
    h.sim.set_callback_url(Some(nowhere));
    let lost = h.sim.pay(&a).await.expect("paid");
    assert_eq!(lost.callbacks.len(), 3, "three attempts on a failing URL");
    assert!(lost.callbacks.iter().all(|c| c.status.is_none()));
    h.sim
        .set_callback_url(Some(format!("{}/callback", h.routes_url)));
    let paid = h.sim.pay(&b).await.expect("paid");
    assert_eq!(paid.callbacks[0].status, Some(200));
    assert_eq!(payments_asked(&h.hub).len(), 1);
}
