//! Rating a dossier from the public lookup, in a real Chromium: offered
//! only once the result is returned (before, the page names the status),
//! recorded once (a second rating, replayed with the lookup's proof, is
//! refused with the first rating named and nothing written), counted in the
//! public statistics' satisfaction column; and over raw HTTP a forged or
//! missing proof is refused before anything is read.

use super::browser::Browser;
use super::http;
use super::{publish_agencies, shots, web_hub};
use crate::common::{
    command, every_command, submission, submit_request, TestHub, ONE_STOP, PORTAL,
};
use lienthong::grpc::pb;

const ID_NUMBER: &str = "001099012345";

pub(super) async fn file_online(hub: &TestHub, key: &str) -> (u64, String) {
    let dossier = hub
        .client(PORTAL)
        .await
        .exec(submit_request(
            key,
            pb::SubmitDossier {
                owner_id_number: ID_NUMBER.into(),
                channel: pb::SubmissionChannel::Online as i32,
                ..submission()
            },
        ))
        .await
        .expect("submit accepted")
        .dossier
        .expect("the filed dossier");
    (dossier.id, dossier.ma_ho_so)
}

pub(super) async fn act(hub: &TestHub, key: &str, id: u64, names: &[&str]) {
    for name in names {
        let (_, cmd) = every_command()
            .into_iter()
            .find(|(n, _)| n == name)
            .expect("a known command");
        hub.client(ONE_STOP)
            .await
            .exec(command(&format!("{key}-{name}"), id, cmd))
            .await
            .unwrap_or_else(|e| panic!("{name} accepted: {e:?}"));
    }
}

/// Looks `ma` up over HTTP; returns the form cookie, its token and the page.
pub(super) async fn look_up(web: std::net::SocketAddr, ma: &str) -> (String, String, String) {
    let page = http::get(web, "/tra-cuu").await;
    let cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("the lookup form's cookie")
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    let body = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("ma-ho-so", ma),
        ("thong-tin", ID_NUMBER),
    ])
    .unwrap();
    let found = http::post(web, "/tra-cuu", Some(&cookie), &body).await;
    assert_eq!(found.status, 200);
    (cookie, token, found.body)
}

/// The value of the hidden input `name` in `page`.
pub(super) fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    Some(page[start..].split('"').next()?.to_string())
}

pub(super) async fn post_rating(
    web: std::net::SocketAddr,
    cookie: &str,
    token: &str,
    ma: &str,
    proof: &str,
    level: &str,
) -> http::Answer {
    let body = serde_urlencoded::to_string([
        ("csrf", token),
        ("ma-ho-so", ma),
        ("bang-chung", proof),
        ("muc-do", level),
        ("y-kien", ""),
    ])
    .unwrap();
    http::post(web, "/tra-cuu/danh-gia", Some(cookie), &body).await
}

#[tokio::test]
async fn a_returned_dossier_is_rated_once_from_the_lookup() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    let web = hub.web_addr.unwrap();
    let (open_id, open_ma) = file_online(&hub, "rate-open").await;
    act(&hub, "rate-open", open_id, &["receive"]).await;
    let (id, ma) = file_online(&hub, "rate-1").await;
    act(
        &hub,
        "rate-1",
        id,
        &["receive", "start_processing", "finish", "return_result"],
    )
    .await;

    // Not returned yet: no form, and the page names the status.
    let (_, _, page) = look_up(web, &open_ma).await;
    assert!(hidden(&page, "bang-chung").is_none(), "no rating form yet");
    assert!(
        page.contains(
            "Chỉ đánh giá được hồ sơ đã trả kết quả; hồ sơ này đang ở trạng thái «Được tiếp nhận»"
        ),
        "{page}"
    );
    let _ = open_id;

    // The proof a lookup hands out, kept to replay a second rating later.
    let (cookie, token, page) = look_up(web, &ma).await;
    let proof = hidden(&page, "bang-chung").expect("the rating form's proof");
    assert!(
        !proof.contains(ID_NUMBER),
        "the proof does not carry the second fact"
    );

    // A forged proof, or another dossier's, is refused and writes nothing.
    let forged = post_rating(web, &cookie, &token, &ma, "99999999999999.00", "1").await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("tra cứu lại hồ sơ"), "{}", forged.body);
    let elsewhere = post_rating(web, &cookie, &token, &open_ma, &proof, "1").await;
    assert_eq!(elsewhere.status, 403, "a proof opens its own dossier only");
    let no_token = post_rating(web, &cookie, "", &ma, &proof, "1").await;
    assert_eq!(no_token.status, 403, "the form's token is required");

    let browser = Browser::start("portal_rating", web, &shots(&hub)).await;
    browser.goto("/tra-cuu").await;
    browser.fill("#ma-ho-so", &ma).await;
    browser.fill("#thong-tin", ID_NUMBER).await;
    browser.click("form.lookup-form button[type=submit]").await;
    let text = browser.text().await;
    assert!(text.contains("Trạng thái: Đã trả kết quả"), "{text}");
    assert!(text.contains("Mời bạn đánh giá"), "{text}");
    browser
        .screenshots_at("rating-offer", Some("#danh-gia"))
        .await;
    browser.check_accessibility("rating-offer").await;
    // Sent without a level: the field's error, nothing recorded.
    browser.click("form.rating-form button[type=submit]").await;
    assert_eq!(browser.path().await, "/tra-cuu/danh-gia");
    let text = browser.text().await;
    assert!(text.contains("Chọn một mức đánh giá"), "{text}");
    browser.look("rating-error").await;
    // A radio button: no new page to wait for.
    browser
        .script("document.querySelector('#muc-do-1').click()")
        .await;
    browser.fill("#y-kien", "Cán bộ hướng dẫn tận tình.").await;
    browser.click("form.rating-form button[type=submit]").await;
    let text = browser.text().await;
    assert!(text.contains("Đã ghi nhận đánh giá"), "{text}");
    assert!(text.contains("Rất hài lòng"), "{text}");
    browser.look("rating-done").await;

    // A second rating, replayed with the lookup's proof, is refused.
    let second = post_rating(web, &cookie, &token, &ma, &proof, "3").await;
    assert_eq!(second.status, 409);
    assert!(
        second.body.contains("mỗi hồ sơ chỉ đánh giá một lần")
            && second.body.contains("«Rất hài lòng»"),
        "{}",
        second.body
    );
    // The lookup now says it was rated, and offers no form.
    browser.goto("/tra-cuu").await;
    browser.fill("#ma-ho-so", &ma).await;
    browser.fill("#thong-tin", ID_NUMBER).await;
    browser.click("form.lookup-form button[type=submit]").await;
    let text = browser.text().await;
    assert!(text.contains("đã được đánh giá"), "{text}");
    assert!(!text.contains("Gửi đánh giá"), "{text}");

    // The statistics count the one rating: 100 % satisfied, the second
    // (unsatisfied) one was not written.
    browser.goto("/thong-ke").await;
    let row = browser
        .text_of("table tbody tr", "the online service's line")
        .await;
    assert!(row.ends_with("100%"), "{row}");
    browser.close().await;
    hub.stop().await;
}
