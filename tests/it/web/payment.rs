//! An applicant pays a dossier's fees in a real Chromium through the
//! payment gateway simulator: the fees on the applicant's payment page
//! (money as `1.500.000 đ`), "Thanh toán" to the gateway's own page (the
//! URL the payment adapter got for the officer's fee request, through the
//! hub's facade), paid there, the gateway's verified callback records the
//! payment, and the browser comes back to the portal's return page, which
//! says paid from the dossier; the officer's dossier page shows it too. A
//! payment given up at the gateway comes back "not paid".

use super::browser::Browser;
use super::{shots, web_hub_with, DEV_OFFICERS};
use crate::adapters::inbound_url;
use crate::adapters::payment::{dossier_owing, gateway, payment_partner};
use crate::common::TestHub;
use lienthong_adapter_payment::simulator::Simulator;
use std::time::Duration;

const PARTNER: &str = "paygov-cong";
const TOKEN: &str = "paygov-cong-token-0001";
const EMAIL: &str = "nguyenvanan@example.vn";
const PASSWORD: &str = "mat-khau-cua-an-2026";

/// A portal on a port chosen first (the adapter's `return_url` names it)
/// whose applicants pay through the gateway simulator.
async fn hub_with_gateway() -> (TestHub, Simulator) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let sim = gateway().await;
    let mut partner = payment_partner(PARTNER, TOKEN, &sim);
    partner.adapter.as_mut().unwrap().insert(
        "return_url".into(),
        format!("http://127.0.0.1:{port}/tai-khoan/ho-so/{{MaHoSo}}/thanh-toan/ket-qua").into(),
    );
    let hub = web_hub_with(5, move |config| {
        config.hub.http_listen = Some("127.0.0.1:0".parse().unwrap());
        config.partners.push(partner);
        let web = config.web.as_mut().unwrap();
        web.listen = format!("127.0.0.1:{port}").parse().unwrap();
        web.payment_partner = PARTNER.into();
    })
    .await;
    sim.set_callback_url(Some(format!("{}/callback", inbound_url(&hub, PARTNER))));
    (hub, sim)
}

/// Reloads the payment page until the gateway's page is ready (the relay
/// delivers the fee request to the adapter in the background).
async fn until_payable(browser: &Browser, path: &str) {
    for _ in 0..300 {
        browser.goto(path).await;
        if browser
            .script("return !!document.querySelector('#thanh-toan')")
            .await
            == true
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no payment button at {path}: {}", browser.text().await);
}

async fn register(browser: &Browser) {
    browser.goto("/tai-khoan/dang-ky").await;
    browser.fill("#ho-ten", "Nguyễn Văn An").await;
    browser.fill("#email", EMAIL).await;
    browser.fill("#mat-khau", PASSWORD).await;
    browser.fill("#nhap-lai", PASSWORD).await;
    browser.click("form.form button[type=submit]").await;
    assert_eq!(browser.path().await, "/tai-khoan/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_applicant_pays_through_the_gateway_and_sees_the_dossier_paid() {
    let (mut hub, sim) = hub_with_gateway().await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().applicant_records();
    let browser = Browser::start("applicant_payment", web, &shots(&hub)).await;
    register(&browser).await;
    let (owing, reference) = dossier_owing(&hub, "portal-pay-1").await;
    records.add_dossier(EMAIL, &owing.ma_ho_so).unwrap();

    // The account page links the dossier that owes fees to its payment.
    browser.goto("/tai-khoan/").await;
    let line = browser.text_of(".applicant-dossiers", "the dossiers").await;
    assert!(line.contains("Nộp phí"), "{line}");
    let page = format!("/tai-khoan/ho-so/{}/thanh-toan", owing.ma_ho_so);
    until_payable(&browser, &page).await;
    let fees = browser.text_of("#cac-khoan-phi", "the fees").await;
    assert!(
        fees.contains("Lệ phí cấp giấy phép xây dựng") && fees.contains("75.000 đ"),
        "{fees}"
    );
    assert_eq!(
        browser.text_of("#tong-cong", "the total").await,
        "100.000 đ"
    );
    browser.look("thanh-toan").await;

    // To the gateway's own page, which is the one INIT made.
    browser.click("#thanh-toan").await;
    assert_eq!(browser.path().await, format!("/pay/{reference}"));
    assert_eq!(
        browser.text_of("#so-tien", "the amount").await,
        "100.000 VND"
    );
    browser.screenshots("cong-thanh-toan").await;

    // Paid: the callback recorded it before the browser came back.
    browser.click("#thanh-toan").await;
    assert_eq!(browser.path().await, format!("{page}/ket-qua"));
    let outcome = browser.text_of("#ket-qua-thanh-toan", "the outcome").await;
    assert!(outcome.contains("Thanh toán thành công"), "{outcome}");
    let status = browser.text_of("#trang-thai", "the status").await;
    assert_ne!(status, owing_status(), "{status}");
    let paid = browser.text_of("#da-nop", "the payments").await;
    assert!(
        paid.contains("100.000 đ") && paid.contains(PARTNER),
        "{paid}"
    );
    browser.look("thanh-toan-xong").await;
    let callbacks = sim.callbacks();
    assert!(
        callbacks
            .iter()
            .all(|c| c.correctly_signed && c.status == Some(200)),
        "{callbacks:?}"
    );

    // The officer's dossier page shows the payment through the gateway.
    browser.click(".account-bar__sign-out button").await;
    let (login, password, _) = DEV_OFFICERS[0];
    browser.sign_in(login, password).await;
    browser
        .goto(&format!("/mot-cua/ho-so/{}", owing.ma_ho_so))
        .await;
    let text = browser.text().await;
    assert!(
        text.contains("Qua cổng thanh toán") && text.contains("100.000 đ"),
        "{text}"
    );
    browser.screenshots_at("can-bo-da-nop", Some("#phi")).await;
    browser.close().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_given_up_at_the_gateway_comes_back_not_paid() {
    let (mut hub, _sim) = hub_with_gateway().await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().applicant_records();
    let browser = Browser::start("applicant_payment_declined", web, &shots(&hub)).await;
    register(&browser).await;
    let (owing, _) = dossier_owing(&hub, "portal-pay-2").await;
    let (other, _) = dossier_owing(&hub, "portal-pay-3").await;
    records.add_dossier(EMAIL, &owing.ma_ho_so).unwrap();
    let page = format!("/tai-khoan/ho-so/{}/thanh-toan", owing.ma_ho_so);
    until_payable(&browser, &page).await;
    browser.click("#thanh-toan").await;
    browser.click("#huy").await;
    assert_eq!(browser.path().await, format!("{page}/ket-qua"));
    let outcome = browser.text_of("#ket-qua-thanh-toan", "the outcome").await;
    assert!(
        outcome.contains("Chưa ghi nhận khoản thanh toán"),
        "{outcome}"
    );
    assert_eq!(
        browser.text_of("#trang-thai", "the status").await,
        owing_status()
    );
    browser.look("thanh-toan-chua-xong").await;

    // Another applicant's dossier: the page of an unknown one.
    browser
        .goto(&format!("/tai-khoan/ho-so/{}/thanh-toan", other.ma_ho_so))
        .await;
    assert!(browser.text().await.contains("Không tìm thấy trang"));
    browser
        .goto(&format!(
            "/tai-khoan/ho-so/{}/thanh-toan/cong",
            other.ma_ho_so
        ))
        .await;
    assert!(browser.text().await.contains("Không tìm thấy trang"));
    browser.close().await;
    hub.stop().await;
}

fn owing_status() -> &'static str {
    lienthong::domain::Status::FinancialObligation.vietnamese()
}
