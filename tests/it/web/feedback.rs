//! Feedback and petitions as a citizen and an officer use them, in a real
//! Chromium: the citizen sends one (first with every field wrong: each
//! field's error in Vietnamese, nothing stored), gets a tracking code and
//! its page; the officer finds it in the workspace's queue and answers it
//! publicly (a second answer is refused); the citizen sees the answer on
//! the code's page and on the public list. Over raw HTTP, a post without
//! the form's token is refused and the per-address allowance answers 429.

use super::browser::Browser;
use super::http;
use super::{shots, web_hub_with, DEV_OFFICERS};

async fn form_token(web: std::net::SocketAddr) -> (String, String) {
    let page = http::get(web, "/phan-anh").await;
    assert_eq!(page.status, 200);
    let cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("the form's cookie")
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    (cookie, token)
}

#[tokio::test]
async fn feedback_is_sent_answered_publicly_and_seen_by_the_citizen() {
    let mut hub = web_hub_with(5, |config| {
        config.web.as_mut().unwrap().lookup_attempts = 3;
    })
    .await;
    let web = hub.web_addr.unwrap();
    let browser = Browser::start("portal_feedback", web, &shots(&hub)).await;
    browser.goto("/phan-anh").await;
    assert!(browser
        .text()
        .await
        .contains("Chưa có câu trả lời nào được công khai"));
    browser.look("feedback-form").await;

    // Every field wrong: each named, nothing sent.
    browser.fill("#ho-ten", "A").await;
    browser.fill("#lien-he", "không phải địa chỉ").await;
    browser.fill("#tieu-de", "Hỏi").await;
    browser.fill("#chi-tiet", "ngắn").await;
    browser
        .click("form.feedback-form button[type=submit]")
        .await;
    let text = browser.text().await;
    assert_eq!(browser.path().await, "/phan-anh");
    for error in [
        "Nhập họ và tên (2 đến 100 ký tự).",
        "Nhập địa chỉ thư điện tử",
        "Nhập tiêu đề (5 đến 200 ký tự).",
        "Nhập nội dung phản ánh, kiến nghị (10 đến 5000 ký tự).",
    ] {
        assert!(text.contains(error), "{error}: {text}");
    }
    browser.look("feedback-errors").await;

    browser.fill("#ho-ten", "Trần Thị Bình").await;
    browser.fill("#lien-he", "binh@example.vn").await;
    browser
        .fill("#tieu-de", "Lệ phí cấp giấy phép xây dựng")
        .await;
    browser
        .fill(
            "#chi-tiet",
            "Xin hỏi lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ là bao nhiêu?",
        )
        .await;
    browser
        .click("form.feedback-form button[type=submit]")
        .await;
    let path = browser.path().await;
    let code = path
        .strip_prefix("/phan-anh/")
        .expect("the feedback's page")
        .to_string();
    assert!(
        code.starts_with("PAKN-") && code.len() == "PAKN-261202-".len() + 8,
        "{code}"
    );
    let text = browser.text().await;
    assert!(text.contains("Đã gửi phản ánh"), "{text}");
    assert!(
        text.contains("Tình trạng: Đã tiếp nhận, đang xử lý"),
        "{text}"
    );
    assert!(
        !text.contains("binh@example.vn"),
        "the contact is never shown"
    );
    browser.look("feedback-sent").await;

    // The officer answers it publicly in the workspace.
    let (login, password, _) = DEV_OFFICERS[0];
    browser.sign_in(login, password).await;
    browser.goto("/mot-cua/phan-anh").await;
    let text = browser.text().await;
    assert!(
        text.contains(&code) && text.contains("Đã tiếp nhận, đang xử lý"),
        "{text}"
    );
    browser.look("feedback-queue").await;
    browser
        .click(&format!("a[href='/mot-cua/phan-anh/{code}']"))
        .await;
    let text = browser.text().await;
    assert!(
        text.contains("binh@example.vn"),
        "the officer sees the contact: {text}"
    );
    browser
        .fill(
            "#tra-loi",
            "Lệ phí là 75.000 đồng theo Nghị quyết của HĐND tỉnh.",
        )
        .await;
    browser
        .script("document.querySelector('#cong-khai').click()")
        .await;
    browser.look("feedback-answer-form").await;
    browser.click("form.answer-form button[type=submit]").await;
    let text = browser.text().await;
    assert!(
        text.contains("Lệ phí là 75.000 đồng") && text.contains("đã công khai"),
        "{text}"
    );
    assert!(
        !text.contains("Lưu câu trả lời"),
        "answered once: no form any more"
    );
    browser.look("feedback-answered").await;

    // The citizen sees the answer on the code's page and on the list.
    browser.goto(&format!("/phan-anh/{code}")).await;
    let text = browser.text().await;
    assert!(text.contains("Tình trạng: Đã trả lời"), "{text}");
    assert!(text.contains("Lệ phí là 75.000 đồng"), "{text}");
    browser.goto("/phan-anh").await;
    let text = browser.text().await;
    assert!(
        text.contains("Lệ phí cấp giấy phép xây dựng") && text.contains("Lệ phí là 75.000 đồng"),
        "the public answers: {text}"
    );
    browser
        .screenshots_at("feedback-public", Some("#tra-loi"))
        .await;
    browser.check_accessibility("feedback-public").await;
    // The lookup by code leads to the same page.
    browser.fill("#ma", &code.to_lowercase()).await;
    browser.click("form[method=get] button[type=submit]").await;
    assert_eq!(browser.path().await, format!("/phan-anh/{code}"));
    browser.close().await;

    // Over HTTP: no token, no feedback; then the address's allowance.
    let body = serde_urlencoded::to_string([
        ("ho-ten", "Lê Văn Cường"),
        ("lien-he", "0912345678"),
        ("tieu-de", "Thời gian giải quyết"),
        ("chi-tiet", "Hồ sơ của tôi quá hạn mà chưa có kết quả."),
    ])
    .unwrap();
    let refused = http::post(web, "/phan-anh", None, &body).await;
    assert_eq!(refused.status, 403);
    let (cookie, token) = form_token(web).await;
    let with_token = format!("csrf={token}&{body}");
    // The browser sent twice already (the wrong form counts too): one left.
    let sent = http::post(web, "/phan-anh", Some(&cookie), &with_token).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let limited = http::post(web, "/phan-anh", Some(&cookie), &with_token).await;
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    assert!(limited.body.contains("Tạm dừng gửi phản ánh"));
    hub.stop().await;
}
