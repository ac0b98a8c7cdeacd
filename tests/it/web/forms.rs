//! Every form carries a token: a post without it, or without the cookie it
//! belongs to, is refused with 403 and changes nothing.

use super::browser::Browser;
use super::http;
use super::{shots, web_hub, DEV_OFFICERS};
use fantoccini::Locator;

#[tokio::test]
async fn posts_without_token_or_cookie_are_refused_and_change_nothing() {
    let mut hub = web_hub(2).await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().officer_records();
    let (login, password) = (DEV_OFFICERS[0].0, DEV_OFFICERS[0].1);

    // Sign-in: a real form's token and cookie, from the page.
    let page = http::get(web, "/mot-cua/dang-nhap").await;
    let cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("the sign-in cookie")
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    assert!(
        page.body.contains(&format!("value=\"{token}\"")),
        "the form repeats the cookie's token"
    );

    let right = format!("login={login}&password={password}");
    let wrong = format!("login={login}&password=sai-mat-khau-123");
    for (what, cookie, form) in [
        ("no cookie", None, format!("csrf={token}&{right}")),
        ("no token", Some(cookie.as_str()), right.clone()),
        (
            "a wrong token",
            Some(cookie.as_str()),
            format!("csrf={}&{right}", "0".repeat(64)),
        ),
        (
            "no cookie, wrong password",
            None,
            format!("csrf={token}&{wrong}"),
        ),
        (
            "no token, wrong password",
            Some(cookie.as_str()),
            wrong.clone(),
        ),
        (
            "no token, wrong password",
            Some(cookie.as_str()),
            wrong.clone(),
        ),
    ] {
        let answer = http::post(web, "/mot-cua/dang-nhap", cookie, &form).await;
        assert_eq!(answer.status, 403, "sign-in with {what} is refused");
        assert!(
            answer.body.contains("Yêu cầu bị từ chối"),
            "{what}: {}",
            answer.body
        );
        assert!(
            answer.header("set-cookie").is_none(),
            "{what}: no cookie is set"
        );
    }
    let not_a_form = http::request(web, "POST", "/mot-cua/dang-nhap", Some(&cookie), None).await;
    assert_eq!(
        not_a_form.status, 403,
        "a post that is not a form is refused too"
    );
    assert_eq!(
        records.session_count().unwrap(),
        0,
        "no session was started"
    );
    assert_eq!(
        records.login_failures(login).unwrap(),
        Default::default(),
        "refused posts were not counted as attempts (two would have locked the account)"
    );

    // The same post with both is accepted: the refusals were for the token.
    let answer = http::post(
        web,
        "/mot-cua/dang-nhap",
        Some(&cookie),
        &format!("csrf={token}&{right}"),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.header("location"), Some("/mot-cua/"));
    let session = answer
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("lienthong_can_bo="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert_eq!(records.session_count().unwrap(), 1);

    // In the browser: the sign-out form without its token is refused, and
    // the session goes on.
    let browser = Browser::start("forms_refused", web, &shots(&hub)).await;
    browser.sign_in(login, password).await;
    assert_eq!(records.session_count().unwrap(), 2);
    let text = browser.text().await;
    assert!(
        text.contains("Chờ tiếp nhận") && text.contains("Không có hồ sơ nào."),
        "{text}"
    );
    browser.screenshots("mot-cua-trong").await;
    let session_token = browser
        .client
        .get_named_cookie("lienthong_can_bo")
        .await
        .expect("the session cookie")
        .value()
        .to_string();
    let form_token = browser
        .client
        .find(Locator::Css(".account__sign-out input[name=csrf]"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .expect("the sign-out form's token");
    browser
        .script("document.querySelector('.account__sign-out input[name=csrf]').remove()")
        .await;
    browser.click(".account__sign-out button").await;
    assert!(browser.text().await.contains("Yêu cầu bị từ chối"));
    browser.look("tu-choi-403").await;
    browser.goto("/mot-cua/").await;
    assert_eq!(browser.path().await, "/mot-cua/", "still signed in");

    // Raw: the right token without the cookie, the cookie without the token.
    let session_cookie = format!("lienthong_can_bo={session_token}");
    for (what, cookie, form) in [
        ("no cookie", None, format!("csrf={form_token}")),
        ("no token", Some(session_cookie.as_str()), String::new()),
        (
            "another session's token",
            Some(session_cookie.as_str()),
            format!("csrf={token}"),
        ),
    ] {
        let answer = http::post(web, "/mot-cua/dang-xuat", cookie, &form).await;
        assert_eq!(answer.status, 403, "sign-out with {what} is refused");
    }
    assert_eq!(records.session_count().unwrap(), 2, "no session was ended");
    browser.goto("/mot-cua/").await;
    assert_eq!(browser.path().await, "/mot-cua/", "still signed in");
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_session_ended_on_the_server_opens_nothing_and_carries_no_form() {
    let mut hub = web_hub(5).await;
    let web = hub.web_addr.unwrap();
    let records = hub.running.as_ref().unwrap().officer_records();
    let (login, password) = (DEV_OFFICERS[0].0, DEV_OFFICERS[0].1);
    let (session, csrf) = http::sign_in(web, login, password).await;

    assert_eq!(records.sign_out_everywhere(login).unwrap(), 1);
    let answer = http::get_as(web, "/mot-cua/", &session).await;
    assert_eq!(
        answer.status, 303,
        "an ended session does not open the workspace"
    );
    assert_eq!(answer.header("location"), Some("/mot-cua/dang-nhap"));
    let answer = http::post(
        web,
        "/mot-cua/dang-xuat",
        Some(&session),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(answer.status, 403, "nor does it carry a form");
    hub.stop().await;
}
