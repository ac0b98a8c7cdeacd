//! The signed-in applicant on the portal (`/tai-khoan/…`), in a real
//! Chromium: registration with its errors next to the fields (nothing
//! stored), a taken address, the account page with the applicant's own
//! dossiers and their status in Vietnamese, sign-out, a wrong password and
//! the lock; over raw HTTP, posts without the form's token or cookie.

use super::browser::Browser;
use super::http;
use super::{file_dossier, shots, web_hub, AGENCY_A};

const EMAIL: &str = "tranthihoa@example.vn";
const PASSWORD: &str = "mat-khau-cua-hoa-2026";

#[tokio::test]
async fn an_applicant_registers_signs_out_and_in_and_sees_own_dossiers() {
    let mut hub = web_hub(3).await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().applicant_records();
    let browser = Browser::start("applicant_account", web, &shots(&hub)).await;

    // The account page asks for a sign-in first.
    browser.goto("/tai-khoan/").await;
    assert_eq!(browser.path().await, "/tai-khoan/dang-nhap");
    browser.look("dang-nhap").await;
    browser.click("a[href='/tai-khoan/dang-ky']").await;
    assert_eq!(browser.path().await, "/tai-khoan/dang-ky");
    browser.look("dang-ky").await;

    // Every wrong field is named next to itself; nothing is stored.
    browser.fill("#ho-ten", "Trần Thị Hoa").await;
    browser.fill("#email", "tranthihoa@example").await;
    browser.fill("#mat-khau", "ngan").await;
    browser.fill("#nhap-lai", "ngan").await;
    browser.click("form.form button[type=submit]").await;
    let email_error = browser.text_of("#email-loi", "the e-mail error").await;
    assert!(email_error.contains("chưa đúng dạng"), "{email_error}");
    let password_error = browser.text_of("#mat-khau-loi", "the password error").await;
    assert!(
        password_error.contains("ít nhất 10 ký tự"),
        "{password_error}"
    );
    let name = browser
        .script("return document.querySelector('#ho-ten').value")
        .await;
    assert_eq!(name, "Trần Thị Hoa", "what was typed stays");
    assert!(records.account("tranthihoa@example").unwrap().is_none());
    browser.look("dang-ky-loi").await;

    browser.fill("#email", EMAIL).await;
    browser.fill("#mat-khau", PASSWORD).await;
    browser.fill("#nhap-lai", PASSWORD).await;
    browser.click("form.form button[type=submit]").await;
    assert_eq!(
        browser.path().await,
        "/tai-khoan/",
        "registered and signed in"
    );
    let text = browser.text().await;
    assert!(
        text.contains("Trần Thị Hoa") && text.contains(EMAIL),
        "{text}"
    );
    assert!(text.contains("Bạn chưa nộp hồ sơ trực tuyến nào"), "{text}");
    let stored = records.account(EMAIL).unwrap().expect("the account");
    assert!(stored.password_hash.unwrap().starts_with("$argon2id$"));

    // The applicant's own dossiers, with their status in Vietnamese; a
    // dossier of someone else is not listed.
    let own = file_dossier(&hub, "applicant-own-1", AGENCY_A, "Trần Thị Hoa").await;
    let other = file_dossier(&hub, "applicant-other-1", AGENCY_A, "Lê Văn Nam").await;
    records.add_dossier(EMAIL, &own).unwrap();
    records
        .add_dossier("le.van.nam@example.vn", &other)
        .unwrap();
    browser.goto("/tai-khoan/").await;
    let table = browser
        .text_of(".applicant-dossiers", "the applicant's dossiers")
        .await;
    assert!(
        table.contains(&own) && table.contains("Mới đăng ký"),
        "{table}"
    );
    assert!(!table.contains(&other), "{table}");
    browser.look("tai-khoan").await;

    browser.click(".account-bar__sign-out button").await;
    assert_eq!(browser.path().await, "/");
    browser.goto("/tai-khoan/").await;
    assert_eq!(browser.path().await, "/tai-khoan/dang-nhap", "signed out");

    // The same address cannot be registered twice.
    browser.goto("/tai-khoan/dang-ky").await;
    browser.fill("#ho-ten", "Người khác").await;
    browser.fill("#email", "TranThiHoa@Example.vn").await;
    browser.fill("#mat-khau", "mot-mat-khau-khac").await;
    browser.fill("#nhap-lai", "mot-mat-khau-khac").await;
    browser.click("form.form button[type=submit]").await;
    let taken = browser.text_of("#email-loi", "the taken address").await;
    assert!(taken.contains("đã có tài khoản"), "{taken}");
    assert_eq!(
        records.account(EMAIL).unwrap().unwrap().name,
        "Trần Thị Hoa"
    );

    // A wrong password is refused with the one answer; the right one
    // signs in, the address typed in any case.
    browser.goto("/tai-khoan/dang-nhap").await;
    browser.fill("#email", EMAIL).await;
    browser.fill("#mat-khau", "sai-mat-khau-roi").await;
    browser.click("form.form button[type=submit]").await;
    let refusal = browser.text_of("#loi-dang-nhap", "the refusal").await;
    assert!(refusal.contains("không đúng"), "{refusal}");
    browser.look("dang-nhap-sai").await;
    browser.fill("#email", "TRANTHIHOA@example.vn").await;
    browser.fill("#mat-khau", PASSWORD).await;
    browser.click("form.form button[type=submit]").await;
    assert_eq!(browser.path().await, "/tai-khoan/");
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn applicant_forms_need_their_token_and_the_lock_holds_the_right_password() {
    let mut hub = web_hub(2).await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().applicant_records();
    let body = format!("ho-ten=A&email={EMAIL}&mat-khau={PASSWORD}&nhap-lai={PASSWORD}");

    // Without the form's cookie, or with a wrong token: 403, nothing stored.
    let no_cookie = http::post(web, "/tai-khoan/dang-ky", None, &format!("csrf=x&{body}")).await;
    assert_eq!(no_cookie.status, 403);
    let form = http::get(web, "/tai-khoan/dang-ky").await;
    let cookie = form
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("lienthong_cong_dan_bieu_mau="))
        .and_then(|c| c.split(';').next())
        .expect("the form's cookie")
        .to_string();
    assert!(form.header("set-cookie").unwrap().contains("HttpOnly"));
    assert!(form
        .header("set-cookie")
        .unwrap()
        .contains("SameSite=Strict"));
    let token = cookie.split_once('=').unwrap().1.to_string();
    let wrong = http::post(
        web,
        "/tai-khoan/dang-ky",
        Some(&cookie),
        &format!("csrf={}&{body}", "0".repeat(64)),
    )
    .await;
    assert_eq!(wrong.status, 403);
    assert!(records.account(EMAIL).unwrap().is_none());

    let registered = http::post(
        web,
        "/tai-khoan/dang-ky",
        Some(&cookie),
        &format!("csrf={token}&{body}"),
    )
    .await;
    assert_eq!(registered.status, 303, "{}", registered.body);
    assert!(records.account(EMAIL).unwrap().is_some());

    // Two wrong passwords lock the account: the right one is refused too,
    // with the same answer as a wrong one or an unknown address.
    let sign_in = |password: &str| format!("csrf={token}&email={EMAIL}&mat-khau={password}");
    for _ in 0..2 {
        let refused = http::post(
            web,
            "/tai-khoan/dang-nhap",
            Some(&cookie),
            &sign_in("sai-mat-khau-x"),
        )
        .await;
        assert_eq!(refused.status, 200);
        assert!(refused.body.contains("Đăng nhập không thành công"));
    }
    let locked = http::post(
        web,
        "/tai-khoan/dang-nhap",
        Some(&cookie),
        &sign_in(PASSWORD),
    )
    .await;
    assert_eq!(locked.status, 200);
    assert!(locked.body.contains("Đăng nhập không thành công"));
    assert!(locked
        .all("set-cookie")
        .iter()
        .all(|c| !c.starts_with("lienthong_cong_dan=")));
    let unknown = http::post(
        web,
        "/tai-khoan/dang-nhap",
        Some(&cookie),
        &format!("csrf={token}&email=khong-co@example.vn&mat-khau={PASSWORD}"),
    )
    .await;
    assert_eq!(unknown.status, locked.status);
    assert!(records
        .login_failures(EMAIL)
        .unwrap()
        .is_locked(lienthong::domain::UnixMillis::now()));

    // An officer's session opens no applicant page, and the other way round.
    let (officer, _) = http::sign_in(web, "tiepnhan", "dev-tiepnhan-matkhau").await;
    let as_officer = http::get_as(web, "/tai-khoan/", &officer).await;
    assert_eq!(as_officer.status, 303);
    assert_eq!(as_officer.header("location"), Some("/tai-khoan/dang-nhap"));
    hub.stop().await;
}
