//! Hand-overs and statistics in a real Chromium: reception transfers a
//! received dossier to a department (the hub starts processing it), the
//! leader assigns a specialist, the specialist finds it under "của tôi" and
//! returns it to the one-stop unit; each step is a hand-over line. A role
//! that may not act, and an officer of another agency, are refused with
//! nothing written. The statistics page counts from the read model, and
//! its CSV starts with the byte-order mark Excel needs.

use super::browser::Browser;
use super::http;
use super::queues::scrolled_on_phone;
use super::{publish_agencies, shots, web_hub, AGENCY_A, DEV_OFFICERS, OFFICER_B};
use crate::common::{
    command, command_named, submission, submit_request, TestHub, ONE_STOP, PORTAL,
};
use fantoccini::Locator;
use lienthong::grpc::pb;

const URBAN: &str = "Phòng Quản lý đô thị";

async fn file_and_receive(hub: &TestHub, key: &str, owner: &str) -> (u64, String) {
    let mut portal = hub.client(PORTAL).await;
    let dossier = portal
        .exec(submit_request(
            key,
            pb::SubmitDossier {
                agency_code: AGENCY_A.into(),
                owner_name: owner.into(),
                ..submission()
            },
        ))
        .await
        .expect("submitted")
        .dossier
        .unwrap();
    let mut one_stop = hub.client(ONE_STOP).await;
    one_stop
        .exec(command(
            &format!("{key}-receive"),
            dossier.id,
            command_named("receive"),
        ))
        .await
        .expect("received");
    (dossier.id, dossier.ma_ho_so)
}

async fn status_of(hub: &TestHub, id: u64) -> (i32, String) {
    let dossier = dossier(hub, id).await;
    (dossier.status, dossier.processing_unit)
}

async fn dossier(hub: &TestHub, id: u64) -> pb::Dossier {
    let mut one_stop = hub.client(ONE_STOP).await;
    one_stop.get(id).await.unwrap().dossier.unwrap()
}

async fn session_cookie(browser: &Browser) -> String {
    let cookie = browser
        .client
        .get_named_cookie("lienthong_can_bo")
        .await
        .expect("the session cookie");
    format!("lienthong_can_bo={}", cookie.value())
}

async fn hidden(browser: &Browser, name: &str) -> String {
    browser
        .client
        .find(Locator::Css(&format!("input[name='{name}']")))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn sign_out(browser: &Browser) {
    browser.click(".account__sign-out button").await;
}

#[tokio::test]
async fn transfer_assign_return_and_statistics() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    let (id, ma) = file_and_receive(&hub, "ho-a", "Nguyễn Văn A").await;
    let (_, other) = file_and_receive(&hub, "ho-b", "Phạm Thị Hoa").await;
    let web = hub.web_addr.unwrap();
    let browser = Browser::start("handover", web, &shots(&hub)).await;
    let page = format!("/mot-cua/phan-cong/{ma}");

    // Reception: the received dossier waits to be transferred.
    browser.sign_in(DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    browser.goto("/mot-cua/hang-cho/da-tiep-nhan").await;
    let text = browser.text().await;
    assert!(text.contains(&ma) && text.contains(&other), "{text}");
    browser.goto(&page).await;
    assert!(
        browser
            .client
            .find(Locator::Css("#chuyen-vien"))
            .await
            .is_err(),
        "reception is not offered the assignment"
    );
    browser
        .fill("#ghi-chu-chuyen", "Hồ sơ đủ, chuyển xử lý")
        .await;
    browser.click("form[action$='/chuyen-phong'] button").await;
    let text = browser.text().await;
    assert!(
        text.contains("Đã chuyển hồ sơ cho phòng chuyên môn xử lý."),
        "{text}"
    );
    assert!(
        text.contains("Chuyển phòng chuyên môn xử lý: Hồ sơ đủ, chuyển xử lý"),
        "{text}"
    );
    assert_eq!(
        status_of(&hub, id).await,
        (4, URBAN.to_string()),
        "the hub started processing with the department as unit"
    );
    // Reception may not assign: refused with the rule, nothing written.
    let cookie = session_cookie(&browser).await;
    let csrf = hidden(&browser, "csrf").await;
    let version = dossier(&hub, id).await.version;
    let form = format!("csrf={csrf}&phien-ban={version}&chuyen-vien=chuyenvien");
    let before = http::get_as(web, &page, &cookie).await.body;
    let refused = http::post(
        web,
        &format!("{page}/giao-chuyen-vien"),
        Some(&cookie),
        &form,
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("Chỉ lãnh đạo hoặc chuyên viên"),
        "{}",
        refused.body
    );
    let after = http::get_as(web, &page, &cookie).await.body;
    assert_eq!(
        before.matches("<tr>").count(),
        after.matches("<tr>").count(),
        "no hand-over line was added"
    );
    browser.look("mot-cua-phan-cong-chuyen").await;
    sign_out(&browser).await;

    // Another agency's officer is refused (403) and nothing is written.
    browser.sign_in(OFFICER_B.0, OFFICER_B.1).await;
    let cookie_b = session_cookie(&browser).await;
    browser.goto("/mot-cua/hang-cho/tat-ca").await;
    let csrf_b = hidden(&browser, "csrf").await;
    let foreign = http::post(
        web,
        &format!("{page}/tra-mot-cua"),
        Some(&cookie_b),
        &format!("csrf={csrf_b}&phien-ban={version}&ghi-chu=x"),
    )
    .await;
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    assert!(
        !foreign.body.contains("Nguyễn"),
        "nothing of the dossier is shown"
    );
    sign_out(&browser).await;

    // The leader finds it in the department's queue and assigns it.
    browser.sign_in(DEV_OFFICERS[2].0, DEV_OFFICERS[2].1).await;
    assert_eq!(browser.path().await, "/mot-cua/", "signed in");
    browser
        .goto(&format!(
            "/mot-cua/hang-cho/dang-xu-ly?phong={}",
            "Ph%C3%B2ng%20Qu%E1%BA%A3n%20l%C3%BD%20%C4%91%C3%B4%20th%E1%BB%8B"
        ))
        .await;
    let text = browser.text().await;
    assert!(text.contains(&ma), "in the department's queue: {text}");
    assert!(
        !text.contains(&other),
        "the other is still at reception: {text}"
    );
    browser.goto(&page).await;
    browser.fill("#ghi-chu-giao", "Xử lý trong tuần").await;
    browser.look("mot-cua-phan-cong-giao").await;
    browser
        .click("form[action$='/giao-chuyen-vien'] button")
        .await;
    let text = browser.text().await;
    assert!(text.contains("Đã phân công chuyên viên xử lý."), "{text}");
    assert!(
        text.contains("Trần Văn Minh (Phòng Quản lý đô thị)"),
        "{text}"
    );
    sign_out(&browser).await;

    // The specialist finds it under "của tôi" and returns it.
    browser.sign_in(DEV_OFFICERS[1].0, DEV_OFFICERS[1].1).await;
    browser.goto("/mot-cua/hang-cho").await;
    assert_eq!(browser.path().await, "/mot-cua/hang-cho/cua-toi");
    let text = browser.text().await;
    assert!(text.contains(&ma) && !text.contains(&other), "{text}");
    browser.goto(&page).await;
    browser
        .fill("#ghi-chu-tra", "Cần bộ phận một cửa bổ sung bản vẽ")
        .await;
    browser.click("form[action$='/tra-mot-cua'] button").await;
    let text = browser.text().await;
    assert!(text.contains("Đã trả hồ sơ về Bộ phận Một cửa."), "{text}");
    let lines = browser
        .client
        .find_all(Locator::Css("table.queue tbody tr"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        lines, 3,
        "transfer, assignment, return: three hand-over lines"
    );
    assert!(
        text.contains("Trả về Bộ phận Một cửa: Cần bộ phận một cửa bổ sung bản vẽ"),
        "{text}"
    );
    let holder = browser
        .client
        .find(Locator::XPath(
            "//dt[text()='Đang ở']/following-sibling::dd",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(holder, "Bộ phận Một cửa", "back at the one-stop unit");
    browser.screenshots("mot-cua-phan-cong-tra-ve").await;
    // The dossier's process-control sheet (Mẫu 05) shows the hand-overs.
    for path in [
        format!("/mot-cua/ho-so/{ma}"),
        format!("/mot-cua/ho-so/{ma}/in/mau-05"),
    ] {
        browser.goto(&path).await;
        let text = browser.text().await;
        assert!(
            text.contains("Phân công chuyên viên xử lý: Trần Văn Minh (Phòng Quản lý đô thị)"),
            "{path}: {text}"
        );
        assert!(text.contains("Trả về Bộ phận Một cửa"), "{path}: {text}");
    }
    browser.goto(&page).await;
    scrolled_on_phone(
        &browser,
        "table.queue",
        "handover",
        "mot-cua-phan-cong-dong",
    )
    .await;
    browser
        .check_accessibility("mot-cua-phan-cong-tra-ve")
        .await;

    // Statistics from the read model: two received, both in processing
    // within their time.
    browser.goto("/mot-cua/thong-ke").await;
    let row = browser.text_of("table.stats tfoot tr", "on the page").await;
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cells[cells.len() - 11..],
        ["2", "0", "0", "0", "2", "0", "0", "0", "0", "0", "100%"],
        "received 2, in processing within time 2: {row}"
    );
    browser.screenshots("mot-cua-thong-ke").await;
    scrolled_on_phone(&browser, "ul.bars", "handover", "mot-cua-thong-ke-bieu-do").await;
    scrolled_on_phone(&browser, "table.stats", "handover", "mot-cua-thong-ke-bang").await;
    browser.check_accessibility("mot-cua-thong-ke").await;
    let cookie = session_cookie(&browser).await;
    let csv = http::get_as(web, "/mot-cua/thong-ke.csv", &cookie).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    assert!(
        csv.body.starts_with('\u{feff}'),
        "UTF-8 byte-order mark for Excel"
    );
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("Cơ quan,Mã thủ tục,Thủ tục,Kênh,Tiếp nhận"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(
            "Sở Xây dựng tỉnh Quảng Ninh,1.000948.H38,Cấp giấy phép xây dựng,Trực tuyến,2,"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines.last().unwrap().contains("Tổng cộng"),
        "{csv:?}",
        csv = lines
    );
    let bad = http::get_as(web, "/mot-cua/thong-ke.csv?tu-ngay=32/01/2026", &cookie).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("Từ ngày phải là một ngày có thật"),
        "{}",
        bad.body
    );
    let without = http::request(web, "GET", "/mot-cua/thong-ke.csv", None, None).await;
    assert_eq!(without.status, 303, "no session, no statistics");

    browser.close().await;
    hub.stop().await;
}
