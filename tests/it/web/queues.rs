//! The workspace's queues in a real Chromium: a reception officer finds
//! dossiers by unaccented name and by ID number, narrows by channel, is
//! told which filter field is wrong, and sees a dossier flagged overdue
//! once its appointment date has passed — and never another agency's.

use super::browser::Browser;
use super::{publish_agencies, shots, web_hub, AGENCY_A, AGENCY_B, DEV_OFFICERS};
use crate::common::{command, submission, submit_request, TestHub, ONE_STOP, PORTAL};
use fantoccini::Locator;
use lienthong::grpc::pb::{self, command_request::Command as C};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

async fn file(
    hub: &TestHub,
    key: &str,
    agency: &str,
    owner: &str,
    id: &str,
    channel: pb::SubmissionChannel,
) -> (u64, String) {
    let mut portal = hub.client(PORTAL).await;
    let dossier = portal
        .exec(submit_request(
            key,
            pb::SubmitDossier {
                agency_code: agency.into(),
                owner_name: owner.into(),
                owner_id_number: id.into(),
                channel: channel as i32,
                ..submission()
            },
        ))
        .await
        .expect("submit accepted")
        .dossier
        .expect("the filed dossier");
    (dossier.id, dossier.ma_ho_so)
}

/// The MaHoSo listed in the queue table of the page.
async fn listed(browser: &Browser) -> Vec<String> {
    let mut codes = Vec::new();
    for link in browser
        .client
        .find_all(Locator::Css("table.work-queue tbody th a.code"))
        .await
        .unwrap()
    {
        codes.push(link.text().await.unwrap());
    }
    codes
}

/// A phone-width screenshot scrolled to the queue's table (the cards).
pub async fn table_on_phone(browser: &Browser, name: &str) {
    scrolled_on_phone(browser, "table.work-queue", "work_queues", name).await;
}

/// A phone-width screenshot scrolled to what `css` finds, saved as
/// `target/screenshots/<test>/<name>-phone.png` (what lies below the first
/// screen, to look at).
pub async fn scrolled_on_phone(browser: &Browser, css: &str, test: &str, name: &str) {
    let (width, height) = super::browser::PHONE;
    browser.client.set_window_size(width, height).await.unwrap();
    browser
        .script(&format!("document.querySelector({css:?}).scrollIntoView()"))
        .await;
    let png = browser.client.screenshot().await.unwrap();
    let dir = super::browser::stable_screenshot_dir().join(test);
    std::fs::write(dir.join(format!("{name}-phone.png")), png).unwrap();
    let (width, height) = super::browser::DESKTOP;
    browser.client.set_window_size(width, height).await.unwrap();
}

#[tokio::test]
async fn queues_filter_search_and_flag_the_overdue() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    let (_, counter) = file(
        &hub,
        "wq-a",
        AGENCY_A,
        "Nguyễn Văn A",
        "001099012345",
        pb::SubmissionChannel::Counter,
    )
    .await;
    let (late_id, late) = file(
        &hub,
        "wq-b",
        AGENCY_A,
        "Trần Thị Bình",
        "079188000777",
        pb::SubmissionChannel::Online,
    )
    .await;
    let (_, of_b) = file(
        &hub,
        "wq-c",
        AGENCY_B,
        "Nguyễn Văn An",
        "001099099999",
        pb::SubmissionChannel::Counter,
    )
    .await;
    // Received with an appointment date two seconds ahead (the explicit
    // date an external one-stop system may send), which then passes.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let due = now + Duration::from_secs(2);
    let mut one_stop = hub.client(ONE_STOP).await;
    one_stop
        .exec(command(
            "wq-receive",
            late_id,
            C::Receive(pb::ReceiveDossier {
                due_at: Some(prost_types::Timestamp {
                    seconds: due.as_secs() as i64,
                    nanos: due.subsec_nanos() as i32,
                }),
            }),
        ))
        .await
        .expect("received");
    while SystemTime::now().duration_since(UNIX_EPOCH).unwrap() <= due + Duration::from_millis(200)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let browser = Browser::start("work_queues", hub.web_addr.unwrap(), &shots(&hub)).await;
    browser.sign_in(DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    browser.goto("/mot-cua/hang-cho").await;
    assert_eq!(
        browser.path().await,
        "/mot-cua/hang-cho/cho-tiep-nhan",
        "reception starts at reception"
    );
    assert_eq!(
        listed(&browser).await,
        vec![counter.clone()],
        "only the dossier still waiting"
    );
    let href = browser
        .client
        .find(Locator::Css("table.work-queue tbody th a.code"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(
        href.as_deref(),
        Some(format!("/mot-cua/ho-so/{counter}").as_str())
    );
    browser.look("mot-cua-hang-cho-tiep-nhan").await;

    browser.goto("/mot-cua/hang-cho/tat-ca").await;
    let mut shown = listed(&browser).await;
    shown.sort();
    let mut both = vec![counter.clone(), late.clone()];
    both.sort();
    assert_eq!(shown, both, "every dossier of agency A, none of B");
    browser.fill("#tim", "nguyen van a").await;
    browser.click("form.filters button[type=submit]").await;
    assert_eq!(
        listed(&browser).await,
        vec![counter.clone()],
        "unaccented name finds Nguyễn Văn A"
    );
    let text = browser.text().await;
    assert!(
        !text.contains(&of_b),
        "agency B's Nguyễn Văn An is not shown to A:\n{text}"
    );
    assert!(
        text.contains("N. V. A."),
        "the applicant is masked in lists:\n{text}"
    );
    browser.look("mot-cua-tim-kiem").await;

    browser.fill("#tim", "079188000777").await;
    browser.click("form.filters button[type=submit]").await;
    assert_eq!(
        listed(&browser).await,
        vec![late.clone()],
        "found by ID number"
    );

    let today = lienthong::domain::time::format_date(lienthong::domain::time::now_unix());
    let tomorrow = lienthong::domain::time::shift_date(&today, 1).unwrap();
    let written = |d: &str| format!("{}/{}/{}", &d[6..8], &d[4..6], &d[0..4]);
    browser
        .goto(&format!(
            "/mot-cua/hang-cho/tat-ca?tu-ngay={}&den-ngay={}",
            written(&today),
            written(&today)
        ))
        .await;
    assert_eq!(listed(&browser).await.len(), 2, "both dossiers came today");
    browser
        .goto(&format!(
            "/mot-cua/hang-cho/tat-ca?tu-ngay={}",
            written(&tomorrow)
        ))
        .await;
    assert!(listed(&browser).await.is_empty(), "none from tomorrow on");
    browser
        .goto("/mot-cua/hang-cho/tat-ca?kenh=truc-tiep")
        .await;
    assert_eq!(
        listed(&browser).await,
        vec![counter.clone()],
        "the counter channel only"
    );
    browser
        .goto("/mot-cua/hang-cho/tat-ca?kenh=fax&tu-ngay=31/02/2026")
        .await;
    let text = browser.text().await;
    assert!(
        text.contains("Kênh nộp không có trong danh sách."),
        "{text}"
    );
    assert!(text.contains("Từ ngày phải là một ngày có thật"), "{text}");
    assert_eq!(
        listed(&browser).await.len(),
        2,
        "a wrong field does not filter"
    );
    browser.look("mot-cua-loc-sai").await;

    browser.goto("/mot-cua/hang-cho/qua-han").await;
    assert_eq!(
        listed(&browser).await,
        vec![late.clone()],
        "the dossier past its date"
    );
    let row = browser
        .text_of("table.work-queue tbody tr", "on the page")
        .await;
    assert!(row.contains("Quá hạn"), "flagged: {row}");
    browser.screenshots("mot-cua-qua-han").await;
    table_on_phone(&browser, "mot-cua-qua-han-bang").await;
    browser.check_accessibility("mot-cua-qua-han").await;

    browser.close().await;
    hub.stop().await;
}
