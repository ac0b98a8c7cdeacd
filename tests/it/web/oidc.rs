//! Applicants' single sign-on in a real Chromium, through the OpenID
//! Connect provider simulator on its own loopback port: the sign-in page's
//! button, the provider's page where a test citizen is chosen, back to the
//! portal signed in (an account made with its identity link the first
//! time, the same account the next); a refused ID token is a clear page and
//! creates nothing; a redirect replayed in the browser is refused.

use super::browser::Browser;
use super::{shots, web_hub_with};
use crate::common::TestHub;
use lienthong::config::OidcSection;
use lienthong::domain::applicant::OidcIdentity;
use lienthong_oidc_simulator::{Client, Provider};
use std::time::Duration;

const CLIENT_ID: &str = "cong-dich-vu-cong";
const SECRET: &str = "bi-mat-cua-cong-dich-vu-cong";

/// A portal on a port chosen first (the redirect URL names it), with
/// `[web.oidc]` pointing at a provider simulator that knows that URL.
pub async fn hub_with_provider() -> (TestHub, Provider) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let redirect = format!("http://127.0.0.1:{port}/tai-khoan/dang-nhap-mot-lan/ve");
    let provider = Provider::start(Client {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        redirect_uri: redirect.clone(),
    })
    .await
    .unwrap();
    let secret_dir = tempfile::tempdir().unwrap();
    let secret_file = secret_dir.path().join("oidc-secret");
    std::fs::write(&secret_file, SECRET).unwrap();
    let issuer = provider.issuer().to_string();
    let hub = web_hub_with(5, move |config| {
        let web = config.web.as_mut().unwrap();
        web.listen = format!("127.0.0.1:{port}").parse().unwrap();
        web.oidc = Some(OidcSection {
            issuer,
            client_id: CLIENT_ID.into(),
            client_secret_file: secret_file,
            redirect_url: redirect,
            scopes: vec!["openid".into(), "profile".into(), "email".into()],
            display_name: "tài khoản định danh điện tử".into(),
            timeout_seconds: 5,
        });
    })
    .await;
    drop(secret_dir);
    (hub, provider)
}

/// Waits (up to 30 s) until the browser is at `path` (a page that moves on
/// by itself).
async fn arrive(browser: &Browser, path: &str) {
    for _ in 0..300 {
        if browser.path().await == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never reached {path}: at {}\n{}",
        browser.path().await,
        browser.text().await
    );
}

/// From the sign-in page through the provider as citizen `index`.
async fn sign_in_as(browser: &Browser, index: usize, shots: Option<&str>) {
    browser.goto("/tai-khoan/dang-nhap").await;
    browser.click("#dang-nhap-mot-lan").await;
    assert_eq!(browser.path().await, "/authorize", "at the provider");
    if let Some(name) = shots {
        browser.screenshots(name).await;
    }
    browser
        .script(&format!(
            "document.querySelector('input[name=cong-dan][value=\"{index}\"]').checked = true"
        ))
        .await;
    browser.click("#dong-y").await;
}

#[tokio::test]
async fn an_applicant_signs_in_through_the_identity_provider() {
    let (mut hub, provider) = hub_with_provider().await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().applicant_records();
    let browser = Browser::start("applicant_oidc", web, &shots(&hub)).await;

    browser.goto("/tai-khoan/dang-nhap").await;
    let button = browser
        .text_of("#dang-nhap-mot-lan", "the single sign-on button")
        .await;
    assert_eq!(button, "Đăng nhập bằng tài khoản định danh điện tử");
    browser.look("dang-nhap-co-dinh-danh").await;

    // Trần Văn Bình has no e-mail address at the provider.
    sign_in_as(&browser, 1, Some("nha-cung-cap")).await;
    arrive(&browser, "/tai-khoan/").await;
    let text = browser.text().await;
    assert!(text.contains("Trần Văn Bình"), "{text}");
    assert!(
        !text.contains("dinh-danh.invalid"),
        "no made-up address shown: {text}"
    );
    browser.look("tai-khoan-dinh-danh").await;
    let identity = OidcIdentity {
        issuer: provider.issuer().to_string(),
        subject: "001085004321".into(),
    };
    let key = records.by_identity(&identity).unwrap().expect("the link");
    let account = records.account(&key).unwrap().expect("the account");
    assert_eq!(account.name, "Trần Văn Bình");
    assert_eq!(account.password_hash, None);
    assert_eq!(account.oidc.as_ref(), Some(&identity));

    // Signed out and in again: the same account.
    browser.click(".account-bar__sign-out button").await;
    sign_in_as(&browser, 1, None).await;
    arrive(&browser, "/tai-khoan/").await;
    assert_eq!(records.by_identity(&identity).unwrap(), Some(key));

    // Nguyễn Thị Mai's verified address keys her account.
    browser.click(".account-bar__sign-out button").await;
    sign_in_as(&browser, 0, None).await;
    arrive(&browser, "/tai-khoan/").await;
    assert!(browser.text().await.contains("nguyenthimai@example.vn"));
    let mai = records.account("nguyenthimai@example.vn").unwrap().unwrap();
    assert_eq!(mai.oidc.unwrap().subject, "079203001234");
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_refused_id_token_or_a_replayed_redirect_signs_nobody_in() {
    let (mut hub, provider) = hub_with_provider().await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().applicant_records();
    let browser = Browser::start("applicant_oidc_refused", web, &shots(&hub)).await;

    // An ID token for another client: a clear page, no account.
    provider.switches().set_wrong_audience(true);
    sign_in_as(&browser, 2, None).await;
    assert_eq!(browser.path().await, "/tai-khoan/dang-nhap-mot-lan/ve");
    let refusal = browser.text_of("#loi-dinh-danh", "the refusal").await;
    assert!(refusal.contains("không hợp lệ"), "{refusal}");
    browser.look("dinh-danh-bi-tu-choi").await;
    assert!(records.account("lehoangyen@example.vn").unwrap().is_none());
    let identity = OidcIdentity {
        issuer: provider.issuer().to_string(),
        subject: "036190007788".into(),
    };
    assert_eq!(records.by_identity(&identity).unwrap(), None);
    browser.goto("/tai-khoan/").await;
    assert_eq!(
        browser.path().await,
        "/tai-khoan/dang-nhap",
        "not signed in"
    );

    // A good sign-in, then its redirect opened again: refused.
    provider.switches().set_wrong_audience(false);
    browser.goto("/tai-khoan/dang-nhap").await;
    browser.click("#dang-nhap-mot-lan").await;
    let authorize = browser.client_url().await;
    let back = provider.authorize_as(&authorize, 2).await.unwrap();
    browser.goto_url(&back).await;
    arrive(&browser, "/tai-khoan/").await;
    browser.click(".account-bar__sign-out button").await;
    browser.goto_url(&back).await;
    let refusal = browser
        .text_of("#loi-dinh-danh", "the replay's refusal")
        .await;
    assert!(refusal.contains("hết hạn, đã được dùng"), "{refusal}");
    browser.goto("/tai-khoan/").await;
    assert_eq!(browser.path().await, "/tai-khoan/dang-nhap");
    browser.close().await;
    hub.stop().await;
}
