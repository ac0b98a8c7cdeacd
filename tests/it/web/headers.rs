//! What every answer of the web listener carries, and the assets' types.

use super::http;
use super::web_hub;

#[tokio::test]
async fn answers_carry_security_headers_and_assets_their_types() {
    let mut hub = web_hub(5).await;
    let web = hub.web_addr.unwrap();

    let page = http::get(web, "/mot-cua/dang-nhap").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page
        .header("content-security-policy")
        .expect("a content policy");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-"),
        "scripts only as files of this origin, never inline: {policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(
        page.header("strict-transport-security").is_none(),
        "no HSTS over plain HTTP"
    );
    assert!(!page.body.contains("<script"), "no script on the page");
    assert!(page.body.contains("<html lang=\"vi\">"));

    let css = http::get(web, "/tai-nguyen/giao-dien.css").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.header("content-security-policy").is_some());
    let icon = http::get(web, "/tai-nguyen/bieu-tuong.svg").await;
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
    // The one script: the upload progress of forms with files.
    let script = http::get(web, "/tai-nguyen/tai-len.js").await;
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("upload.addEventListener(\"progress\""));

    let missing = http::get(web, "/khong-co-trang-nay").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Không tìm thấy trang"));

    // The portal's home page at the root, with the same headers and no script.
    let root = http::get(web, "/").await;
    assert_eq!(root.status, 200);
    assert!(root.body.contains("Cổng dịch vụ công") && !root.body.contains("<script"));
    assert_eq!(root.header("content-security-policy"), Some(policy));
    let lookup_cookie = root.header("set-cookie").expect("the lookup form's cookie");
    assert!(lookup_cookie.contains("HttpOnly") && lookup_cookie.contains("SameSite=Strict"));
    let workspace = http::get(web, "/mot-cua/").await;
    assert_eq!(workspace.status, 303, "the workspace needs a sign-in");
    assert_eq!(workspace.header("location"), Some("/mot-cua/dang-nhap"));
    hub.stop().await;
}

#[tokio::test]
async fn behind_https_cookies_are_secure_and_hsts_is_sent() {
    let mut hub = crate::common::TestHub::start_with(|config| {
        config.web.as_mut().unwrap().served_over_https = true;
    })
    .await;
    let page = http::get(hub.web_addr.unwrap(), "/mot-cua/dang-nhap").await;
    assert!(page
        .header("strict-transport-security")
        .is_some_and(|v| v.starts_with("max-age=")));
    let cookie = page.header("set-cookie").unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    hub.stop().await;
}
