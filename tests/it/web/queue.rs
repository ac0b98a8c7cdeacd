//! The reception queue: the officer's own agency's waiting dossiers, with
//! the applicant masked, and nothing of another agency.

use super::browser::Browser;
use super::{
    file_dossier, publish_agencies, shots, web_hub, AGENCY_A, AGENCY_B, DEV_OFFICERS, OFFICER_B,
};
use fantoccini::Locator;

#[tokio::test]
async fn officers_see_only_their_agencys_waiting_dossiers() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    let of_a = file_dossier(&hub, "web-queue-a", AGENCY_A, "Trần Thị Bình").await;
    let of_b = file_dossier(&hub, "web-queue-b", AGENCY_B, "Đỗ Minh Khoa").await;
    // A received dossier is no longer waiting for reception.
    let received = file_dossier(&hub, "web-queue-a2", AGENCY_A, "Lê Văn Sơn").await;
    {
        use crate::common::{command, command_named, ONE_STOP};
        let mut one_stop = hub.client(ONE_STOP).await;
        let got = one_stop
            .list(lienthong::grpc::pb::ListDossiersRequest {
                agency_code: AGENCY_A.into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let id = got
            .dossiers
            .iter()
            .find(|d| d.ma_ho_so == received)
            .unwrap()
            .id;
        one_stop
            .exec(command("web-queue-receive", id, command_named("receive")))
            .await
            .expect("received");
    }
    let browser = Browser::start("queue_by_agency", hub.web_addr.unwrap(), &shots(&hub)).await;

    browser.sign_in(DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    let row = browser
        .client
        .find(Locator::XPath(&format!(
            "//table[contains(@class,'queue')]//tr[.//a[@class='code' and text()='{of_a}']]"
        )))
        .await
        .expect("agency A's waiting dossier has a row")
        .text()
        .await
        .unwrap();
    assert!(row.contains("Cấp giấy phép xây dựng"), "procedure: {row}");
    assert!(
        row.contains("T. T. B."),
        "applicant masked to initials: {row}"
    );
    assert!(
        !row.contains("Trần Thị Bình"),
        "the full name is not shown: {row}"
    );
    assert!(row.contains("Trực tuyến"), "channel: {row}");
    let today = lienthong::domain::time::format_date(lienthong::domain::time::now_unix());
    let date = format!("{}/{}/{}", &today[6..8], &today[4..6], &today[0..4]);
    assert!(row.contains(&date), "submitted {date}: {row}");
    let text = browser.text().await;
    assert!(
        !text.contains(&of_b),
        "agency B's dossier is not shown to A:\n{text}"
    );
    assert!(
        !text.contains(&received),
        "a received dossier is not waiting:\n{text}"
    );
    browser.click(".account__sign-out button").await;

    browser.sign_in(OFFICER_B.0, OFFICER_B.1).await;
    let text = browser.text().await;
    assert!(text.contains("Sở Tư pháp tỉnh Quảng Ninh"), "{text}");
    assert!(
        text.contains(&of_b),
        "B's officer sees B's dossier:\n{text}"
    );
    assert!(text.contains("Đ. M. K."), "{text}");
    assert!(
        !text.contains(&of_a),
        "agency A's dossier is not shown to B:\n{text}"
    );
    browser.look("mot-cua-hang-cho-co-quan-b").await;
    browser.click(".account__sign-out button").await;

    browser.close().await;
    hub.stop().await;
}
