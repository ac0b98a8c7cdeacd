//! The dossier page and the officers' actions on it, driven in Chromium as
//! officers work: reception receives a dossier filed over gRPC and prints
//! the receipt (Mẫu 01) with the computed date; a supplement request stops
//! the clock and the resubmission restarts it; a fee request is paid
//! through the gateway; the leader finishes and reception returns the
//! result; a refusal needs a reason (Mẫu 03). The reception notice reaches
//! a real SMTP server exactly once. Raw HTTP sends what a browser
//! would not: another agency's officer, a post without token or cookie, a
//! role that does not take the action — each refused and nothing written.

use super::browser::Browser;
use super::http;
use super::{
    file_dossier, publish_agencies, shots, stored, web_hub, web_hub_with, AGENCY_A, AGENCY_B,
    DEV_OFFICERS, OFFICER_B,
};
use crate::adapters::settled;
use crate::common::{catalog_entry, publish_catalog, TestHub, PAYMENT, PORTAL, PROCEDURE};
use crate::notifications::email::email_channel;
use crate::notifications::notifications_table;
use crate::notifications::smtp_sink::SmtpSink;
use fantoccini::Locator;
use lienthong::domain::{EventType, Status};
use lienthong::grpc::pb;
use lienthong::hub::{NotificationOutcome, NotificationRecord, NotifyChannel};

const RECEPTION: (&str, &str) = (DEV_OFFICERS[0].0, DEV_OFFICERS[0].1);
const SPECIALIST: (&str, &str) = (DEV_OFFICERS[1].0, DEV_OFFICERS[1].1);
const LEADER: (&str, &str) = (DEV_OFFICERS[2].0, DEV_OFFICERS[2].1);

/// Publishes the procedure with its time limit, so reception can compute
/// the appointment date.
async fn publish_procedure(hub: &TestHub) {
    publish_procedure_with(hub, &[("time_limit", "15 working_days")]).await;
}

async fn publish_procedure_with(hub: &TestHub, attributes: &[(&str, &str)]) {
    let mut portal = hub.client(PORTAL).await;
    let procedure = pb::CatalogEntry {
        attributes: attributes
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        ..catalog_entry(PROCEDURE, "Cấp giấy phép xây dựng")
    };
    publish_catalog(
        &mut portal,
        "procedures-v1",
        "procedures",
        vec![procedure],
        None,
    )
    .await
    .expect("procedures published");
}

async fn ready(test: &str) -> (TestHub, Browser) {
    let hub = web_hub(5).await;
    publish_agencies(&hub).await;
    publish_procedure(&hub).await;
    let browser = Browser::start(test, hub.web_addr.unwrap(), &shots(&hub)).await;
    (hub, browser)
}

/// The same, the procedure processed by agency A then agency B.
async fn ready_interagency(test: &str) -> (TestHub, Browser) {
    let hub = web_hub(5).await;
    publish_agencies(&hub).await;
    let sequence = format!("{AGENCY_A},{AGENCY_B}");
    publish_procedure_with(
        &hub,
        &[
            ("time_limit", "15 working_days"),
            ("interagency_sequence", sequence.as_str()),
        ],
    )
    .await;
    let browser = Browser::start(test, hub.web_addr.unwrap(), &shots(&hub)).await;
    (hub, browser)
}

fn writes(hub: &TestHub) -> u64 {
    hub.running.as_ref().unwrap().write_totals().0
}

fn page_of(ma_ho_so: &str) -> String {
    format!("/mot-cua/ho-so/{ma_ho_so}")
}

/// `dd/mm/yyyy` of a stored instant, as the pages write it.
fn shown_date(at: lienthong::domain::UnixMillis) -> String {
    let day = lienthong::domain::time::format_date(at.0 / 1000);
    format!("{}/{}/{}", &day[6..8], &day[4..6], &day[0..4])
}

impl Browser {
    /// Opens the action form `slug` on the dossier page (a `<details>`).
    async fn open_form(&self, slug: &str) {
        let Ok(summary) = self
            .client
            .find(Locator::Css(&format!("#{slug} > summary")))
            .await
        else {
            panic!("no form {slug} on the page:\n{}", self.text().await);
        };
        summary.click().await.unwrap();
    }

    async fn send_form(&self, slug: &str) {
        self.click(&format!("#{slug} button[type=submit]")).await;
    }

    /// Signs out from the workspace (a printed form has no account bar).
    async fn sign_out(&self) {
        self.goto("/mot-cua/").await;
        self.click(".account__sign-out button").await;
    }

    /// Signs `officer` in and opens the dossier's page.
    async fn open_dossier(&self, officer: (&str, &str), ma_ho_so: &str) {
        self.sign_in(officer.0, officer.1).await;
        self.goto(&page_of(ma_ho_so)).await;
    }

    /// Takes the action `slug` with its form as the page fills it.
    async fn take(&self, slug: &str) {
        self.open_form(slug).await;
        self.send_form(slug).await;
    }

    async fn tick(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .click()
            .await
            .unwrap();
    }
}

/// Reception receives the dossier from its page (the receipt follows).
async fn reception_receives(browser: &Browser, ma_ho_so: &str) {
    browser.open_dossier(RECEPTION, ma_ho_so).await;
    browser.take("tiep-nhan").await;
}

/// Reception receives the dossier and signs out; the specialist signs in
/// and takes it for processing, and stays on its page.
async fn received_and_taken_for_processing(browser: &Browser, ma_ho_so: &str) {
    reception_receives(browser, ma_ho_so).await;
    browser.sign_out().await;
    browser.open_dossier(SPECIALIST, ma_ho_so).await;
    browser.take("nhan-xu-ly").await;
}

#[tokio::test]
async fn reception_receives_a_dossier_and_prints_the_receipt_with_the_computed_date() {
    // The applicant's e-mail goes to a real SMTP server started here.
    let sink = SmtpSink::start().await;
    let channel = email_channel(&sink);
    let mut hub = web_hub_with(5, move |config| {
        config.notifications = Some(notifications_table(&channel));
    })
    .await;
    publish_agencies(&hub).await;
    publish_procedure(&hub).await;
    let browser = Browser::start("dossier_receive", hub.web_addr.unwrap(), &shots(&hub)).await;
    let ma = file_dossier(&hub, "web-dossier-receive", AGENCY_A, "Trần Thị Bình").await;

    browser.open_dossier(RECEPTION, &ma).await;
    let text = browser.text().await;
    assert!(text.contains(&ma), "{text}");
    assert!(text.contains("Mới đăng ký"), "{text}");
    assert!(
        text.contains("Trần Thị Bình"),
        "the agency's officer sees the applicant: {text}"
    );
    assert!(
        text.contains("Đơn đề nghị"),
        "the documents are listed: {text}"
    );
    assert!(text.contains("Chưa tính thời gian"), "{text}");
    browser.open_form("tiep-nhan").await;
    let proposed = browser
        .text_of(
            "#tiep-nhan .appointment",
            "the computed appointment date is shown before receiving",
        )
        .await;
    browser.look("ho-so-moi").await;
    browser
        .screenshots_at("ho-so-moi-thao-tac", Some("#thao-tac"))
        .await;

    browser.send_form("tiep-nhan").await;
    assert_eq!(browser.path().await, format!("{}/in/mau-01", page_of(&ma)));
    let (dossier, history) = stored(&hub, &ma);
    assert_eq!(dossier.status, Status::Received);
    let running = hub.running.as_ref().unwrap();
    let expected = running
        .hub
        .appointment(PROCEDURE, dossier.channel, dossier.received_at.unwrap())
        .expect("an appointment from the catalogue's limit")
        .due_at;
    assert_eq!(
        dossier.due_at,
        Some(expected),
        "the date sent is the computed one"
    );
    let last = history.last().unwrap();
    assert_eq!(last.actor, "Nguyễn Thị Lan");
    assert_eq!(last.unit, "Bộ phận Một cửa");
    assert_eq!(last.partner_id, "mot-cua");

    let receipt = browser.text().await;
    for what in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mẫu số 01",
        "Sở Xây dựng tỉnh Quảng Ninh",
        ma.as_str(),
        "Trần Thị Bình",
        "Cấp giấy phép xây dựng",
        "Đơn đề nghị",
        "15 ngày làm việc",
        "Nguyễn Thị Lan",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ] {
        assert!(
            receipt.contains(what),
            "the receipt shows {what}:\n{receipt}"
        );
    }
    let due = shown_date(expected);
    assert!(
        receipt.contains(&due),
        "due {due} on the receipt:\n{receipt}"
    );
    assert!(
        proposed.ends_with(&due),
        "the form showed {proposed}, the receipt {due}"
    );
    browser.look("mau-01").await;
    browser
        .screenshots_at("mau-01-cuoi", Some(".sheet__items"))
        .await;
    // Printed (A4, the print stylesheet): a PDF, kept beside the
    // screenshots to look at.
    let pdf = browser
        .client
        .print(
            fantoccini::wd::PrintConfiguration::builder()
                .size(fantoccini::wd::PrintSize::A4)
                .build()
                .unwrap(),
        )
        .await
        .expect("the receipt prints");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    std::fs::write(
        super::browser::stable_screenshot_dir().join("dossier_receive/mau-01.pdf"),
        &pdf,
    )
    .unwrap();

    browser.goto(&page_of(&ma)).await;
    let text = browser.text().await;
    assert!(text.contains("Được tiếp nhận"), "{text}");
    assert!(
        text.contains("Đang tính thời gian") || text.contains("Sắp đến hạn"),
        "{text}"
    );
    assert!(
        text.contains("Tiếp nhận hồ sơ, hẹn trả kết quả"),
        "Mẫu 05 line: {text}"
    );

    // The reception notice reached the applicant's mailbox exactly once,
    // and the dossier page says so.
    settled(&hub, NotifyChannel::Email.delivery_name()).await;
    let mails = sink.mails();
    let receipts: Vec<_> = mails
        .iter()
        .filter(|m| m.subject == format!("Hồ sơ {ma} đã được tiếp nhận"))
        .collect();
    assert_eq!(receipts.len(), 1, "one reception e-mail: {mails:?}");
    assert!(
        receipts[0].body.contains(&due),
        "the e-mail gives the appointment {due}: {}",
        receipts[0].body
    );
    browser.goto(&page_of(&ma)).await;
    let sent = browser
        .text_of(
            "#thong-bao + table",
            "the notifications sent to the applicant",
        )
        .await;
    assert!(
        sent.contains("Thư điện tử") && sent.contains("Đã gửi"),
        "the e-mail is shown as sent: {sent}"
    );
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_supplement_request_stops_the_clock_and_the_resubmission_restarts_it() {
    let (mut hub, browser) = ready("dossier_supplement").await;
    let ma = file_dossier(&hub, "web-dossier-supplement", AGENCY_A, "Lê Văn Sơn").await;

    received_and_taken_for_processing(&browser, &ma).await;
    assert!(browser
        .text()
        .await
        .contains("Đã thực hiện: Nhận xử lý hồ sơ"));
    let (before, _) = stored(&hub, &ma);
    assert_eq!(before.status, Status::Processing);
    assert_eq!(before.processing_unit, "Phòng Quản lý đô thị");

    // Nothing ticked: refused next to the field, nothing written.
    let writes_before = writes(&hub);
    browser.open_form("yeu-cau-bo-sung").await;
    browser
        .fill("#yeu-cau-bo-sung-reason", "Hồ sơ thiếu bản vẽ")
        .await;
    browser.send_form("yeu-cau-bo-sung").await;
    let error = browser
        .text_of(
            "#yeu-cau-bo-sung-items-loi",
            "the error is next to the components",
        )
        .await;
    assert!(error.contains("ít nhất một thành phần"), "{error}");
    assert_eq!(writes(&hub), writes_before, "nothing was written");
    assert_eq!(stored(&hub, &ma).0.version, before.version);
    browser.look("ho-so-loi-bo-sung").await;
    browser
        .screenshots_at("ho-so-loi-bo-sung-bieu-mau", Some("#yeu-cau-bo-sung"))
        .await;

    browser.tick("#yeu-cau-bo-sung-items-1").await;
    browser
        .fill(
            "#yeu-cau-bo-sung-other_items",
            "Bản vẽ thiết kế\nGiấy chứng nhận quyền sử dụng đất",
        )
        .await;
    browser.send_form("yeu-cau-bo-sung").await;
    assert_eq!(browser.path().await, format!("{}/in/mau-02", page_of(&ma)));
    let request = browser.text().await;
    for what in [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Đơn đề nghị",
        "Bản vẽ thiết kế",
        "Giấy chứng nhận quyền sử dụng đất",
        "Hồ sơ thiếu bản vẽ",
        "Trần Văn Minh",
        ma.as_str(),
    ] {
        assert!(request.contains(what), "Mẫu 02 shows {what}:\n{request}");
    }
    browser.look("mau-02").await;
    browser
        .screenshots_at("mau-02-cuoi", Some(".sheet__items"))
        .await;
    let (paused, _) = stored(&hub, &ma);
    assert_eq!(paused.status, Status::SupplementRequested);
    assert_eq!(
        paused.supplements[0].items.len(),
        3,
        "one request lists everything"
    );

    browser.goto(&page_of(&ma)).await;
    let text = browser.text().await;
    assert!(
        text.contains("Tạm dừng tính thời gian"),
        "the clock stopped: {text}"
    );
    assert!(text.contains("còn lại"), "with the time left: {text}");
    browser.screenshots("ho-so-tam-dung").await;
    browser.sign_out().await;

    browser.open_dossier(RECEPTION, &ma).await;
    browser.open_form("nhan-bo-sung").await;
    browser.tick("#nhan-bo-sung-documents-2").await;
    browser.send_form("nhan-bo-sung").await;
    let text = browser.text().await;
    assert!(text.contains("Đã thực hiện: Nhận hồ sơ bổ sung"), "{text}");
    assert!(
        text.contains("Đang tính thời gian") || text.contains("Sắp đến hạn"),
        "the clock runs again: {text}"
    );
    let (resumed, _) = stored(&hub, &ma);
    assert_eq!(
        resumed.status,
        Status::Processing,
        "back where the pause began"
    );
    assert!(
        resumed.due_at >= paused.due_at,
        "the days left restart from the resubmission: {:?} then {:?}",
        paused.due_at,
        resumed.due_at
    );
    let resumed_at = resumed.supplements[0].submitted_at.unwrap();
    let expected = hub
        .running
        .as_ref()
        .unwrap()
        .hub
        .working_time()
        .due_after_resumption(
            resumed.received_at.unwrap(),
            resumed.supplements[0].requested_at,
            paused.due_at.unwrap(),
            resumed_at,
        )
        .unwrap();
    assert_eq!(
        resumed.due_at,
        Some(expected),
        "the hub's restarted date was sent"
    );
    assert_eq!(resumed.supplements[0].documents[0].name, "Bản vẽ thiết kế");
    browser.look("ho-so-da-bo-sung").await;
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_fee_paid_through_the_gateway_then_finished_approved_and_returned() {
    let (mut hub, browser) = ready("dossier_fee_finish_return").await;
    let ma = file_dossier(&hub, "web-dossier-fee", AGENCY_A, "Phạm Thị Hoa").await;

    reception_receives(&browser, &ma).await;
    // Handed over inside the agency on the workspace's hand-over page:
    // transferred to the department (the hub's start_processing).
    browser.goto(&page_of(&ma)).await;
    browser.click(".handover-link a").await;
    browser
        .click("form[action$='/chuyen-phong'] button[type=submit]")
        .await;
    browser.sign_out().await;

    // The channels' records of the reception's notifications, as the
    // e-mail and SMS outlets write them.
    let (received, _) = stored(&hub, &ma);
    let records = hub.running.as_ref().unwrap().hub.notification_records();
    for (channel, outcome) in [
        (
            "email",
            NotificationOutcome::Sent {
                reference: "<250 2.0.0 Ok: queued as 4F2A>".into(),
            },
        ),
        (
            "sms",
            NotificationOutcome::NotSent {
                reason: "hồ sơ không có số điện thoại".into(),
            },
        ),
    ] {
        records
            .record(NotificationRecord {
                dossier_id: received.id,
                ma_ho_so: ma.clone(),
                event_id: format!("ev-{channel}"),
                seq: 2,
                event_type: EventType::DossierReceived,
                channel: channel.into(),
                outcome,
                at: received.received_at.unwrap(),
            })
            .await
            .unwrap();
    }

    browser.open_dossier(SPECIALIST, &ma).await;
    let notices = browser
        .text_of("#thong-bao + table", "the notifications are listed")
        .await;
    assert!(notices.contains("Tiếp nhận hồ sơ"), "{notices}");
    assert!(notices.contains("Thư điện tử"), "{notices}");
    assert!(
        notices.contains("Đã gửi (mã <250 2.0.0 Ok: queued as 4F2A>)"),
        "{notices}"
    );
    assert!(
        notices.contains("Không gửi: hồ sơ không có số điện thoại"),
        "{notices}"
    );
    browser
        .screenshots_at("ho-so-thong-bao", Some("#thong-bao"))
        .await;
    browser.open_form("yeu-cau-nop-phi").await;
    browser.fill("#yeu-cau-nop-phi-fee_code", "LPXD").await;
    browser
        .fill("#yeu-cau-nop-phi-fee_name", "Lệ phí cấp giấy phép xây dựng")
        .await;
    browser
        .fill("#yeu-cau-nop-phi-fee_amount", "1,5 triệu")
        .await;
    browser.send_form("yeu-cau-nop-phi").await;
    let error = browser
        .text_of(
            "#yeu-cau-nop-phi-fee_amount-loi",
            "the amount's error is next to it",
        )
        .await;
    assert!(error.contains("không phải số tiền hợp lệ"), "{error}");
    let invalid = browser
        .client
        .find(Locator::Css("#yeu-cau-nop-phi-fee_amount"))
        .await
        .unwrap()
        .attr("aria-invalid")
        .await
        .unwrap();
    assert_eq!(invalid.as_deref(), Some("true"));
    browser.look("ho-so-loi-phi").await;
    browser
        .fill("#yeu-cau-nop-phi-fee_amount", "1.500.000")
        .await;
    browser.send_form("yeu-cau-nop-phi").await;
    let text = browser.text().await;
    assert!(text.contains("1.500.000 đ"), "{text}");
    assert!(
        text.contains("Yêu cầu thực hiện nghĩa vụ tài chính"),
        "{text}"
    );

    // The gateway records the payment.
    let (owing, _) = stored(&hub, &ma);
    let mut gateway = hub.client(PAYMENT).await;
    gateway
        .exec(crate::common::command(
            "web-dossier-paid",
            owing.id,
            pb::command_request::Command::RecordPayment(pb::RecordPayment {
                transaction_id: "PG-778899".into(),
                reference: "MTC-0001".into(),
                amount_vnd: 1_500_000,
                paid_at: None,
            }),
        ))
        .await
        .expect("the gateway's payment is recorded");
    browser.goto(&page_of(&ma)).await;
    let text = browser.text().await;
    assert!(
        text.contains("Giao dịch PG-778899"),
        "the payment shows: {text}"
    );
    assert!(text.contains("Qua cổng thanh toán"), "{text}");
    assert!(text.contains("Đang xử lý"), "{text}");
    browser
        .screenshots_at("ho-so-da-nop-phi", Some("#phi"))
        .await;
    browser.sign_out().await;

    browser.open_dossier(LEADER, &ma).await;
    browser.open_form("hoan-thanh").await;
    browser
        .fill("#hoan-thanh-result_name", "Giấy phép xây dựng số 123/GPXD")
        .await;
    browser.fill("#hoan-thanh-result_code", "123/GPXD").await;
    browser.send_form("hoan-thanh").await;
    let text = browser.text().await;
    assert!(text.contains("Đã xử lý xong"), "{text}");
    assert!(text.contains("Giấy phép xây dựng số 123/GPXD"), "{text}");
    browser.sign_out().await;

    browser.open_dossier(RECEPTION, &ma).await;
    browser.take("tra-ket-qua").await;
    let text = browser.text().await;
    assert!(text.contains("Đã trả kết quả"), "{text}");
    let (returned, history) = stored(&hub, &ma);
    assert_eq!(returned.status, Status::ResultReturned);
    // Mẫu 05: every hand-over, who, which unit, the status in Vietnamese.
    for (who, unit) in [
        ("Nguyễn Thị Lan", "Bộ phận Một cửa"),
        ("Trần Văn Minh", "Phòng Quản lý đô thị"),
        ("Lê Thị Hồng Nhung", "Ban Giám đốc"),
    ] {
        assert!(
            history.iter().any(|e| e.actor == who && e.unit == unit),
            "{who}"
        );
    }
    let rows = browser
        .client
        .find_all(Locator::Css(".sheet-table tbody tr"))
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        history.len() + 1,
        "one line per history line, and the transfer inside the agency"
    );
    let sheet = browser.text_of(".sheet-table", "on the page").await;
    for what in [
        "Chuyển phòng chuyên môn xử lý: Phòng Quản lý đô thị",
        "Ban Giám đốc",
        "Hoàn thành xử lý",
        "Đã xử lý xong",
        "Trả kết quả",
        "Đã trả kết quả",
    ] {
        assert!(sheet.contains(what), "Mẫu 05 shows {what}:\n{sheet}");
    }
    browser.look("ho-so-da-tra").await;
    browser
        .screenshots_at("ho-so-da-tra-mau-05", Some("#kiem-soat"))
        .await;
    browser.goto(&format!("{}/in/mau-05", page_of(&ma))).await;
    let printed = browser.text().await;
    assert!(
        printed.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        "{printed}"
    );
    assert!(printed.contains("Lê Thị Hồng Nhung"), "{printed}");
    browser.look("mau-05").await;
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_refusal_needs_a_reason_and_prints_the_refusal_slip() {
    let (mut hub, browser) = ready("dossier_refuse").await;
    let ma = file_dossier(&hub, "web-dossier-refuse", AGENCY_A, "Đỗ Minh Khoa").await;
    browser.open_dossier(RECEPTION, &ma).await;
    let writes_before = writes(&hub);
    browser.take("tu-choi").await;
    let error = browser
        .text_of("#tu-choi-reason-loi", "the error is next to the reason")
        .await;
    assert!(error.contains("Lý do từ chối: bắt buộc nhập"), "{error}");
    assert!(browser.text().await.contains("Hồ sơ chưa thay đổi"));
    assert_eq!(writes(&hub), writes_before, "nothing was written");
    browser.look("ho-so-loi-tu-choi").await;
    browser
        .screenshots_at("ho-so-loi-tu-choi-bieu-mau", Some("#tu-choi"))
        .await;

    browser
        .fill(
            "#tu-choi-reason",
            "Hồ sơ không thuộc thẩm quyền giải quyết của Sở Xây dựng",
        )
        .await;
    browser.send_form("tu-choi").await;
    assert_eq!(browser.path().await, format!("{}/in/mau-03", page_of(&ma)));
    let slip = browser.text().await;
    for what in [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "không thuộc thẩm quyền giải quyết",
        "Đỗ Minh Khoa",
        "Nguyễn Thị Lan",
        ma.as_str(),
    ] {
        assert!(slip.contains(what), "Mẫu 03 shows {what}:\n{slip}");
    }
    browser.look("mau-03").await;
    assert_eq!(stored(&hub, &ma).0.status, Status::Refused);
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn another_agency_a_missing_token_or_a_wrong_role_is_refused_and_nothing_written() {
    let (mut hub, browser) = ready("dossier_refused_403").await;
    let web = hub.web_addr.unwrap();
    let of_a = file_dossier(&hub, "web-dossier-403", AGENCY_A, "Vũ Thị Mai").await;
    let version = stored(&hub, &of_a).0.version;
    let form_of = |csrf: &str| {
        format!(
            "csrf={csrf}&version={version}&key={}&reason=Kh%C3%B4ng",
            "ab".repeat(16)
        )
    };
    let action = format!("{}/tu-choi", page_of(&of_a));
    let writes_before = writes(&hub);

    // B's officer: the page and the form are 403.
    browser.open_dossier(OFFICER_B, &of_a).await;
    let text = browser.text().await;
    assert!(text.contains("Không có quyền với hồ sơ này"), "{text}");
    assert!(text.contains("Hồ sơ thuộc cơ quan khác"), "{text}");
    assert!(
        !text.contains("Vũ Thị Mai"),
        "nothing of A's dossier is shown: {text}"
    );
    browser.look("ho-so-co-quan-khac-403").await;
    let (b_cookie, b_csrf) = http::sign_in(web, OFFICER_B.0, OFFICER_B.1).await;
    let page = http::get_as(web, &page_of(&of_a), &b_cookie).await;
    assert_eq!(page.status, 403);
    for print in ["mau-01", "mau-05"] {
        let answer = http::get_as(web, &format!("{}/in/{print}", page_of(&of_a)), &b_cookie).await;
        assert_eq!(answer.status, 403, "{print}");
    }
    let posted = http::post(web, &action, Some(&b_cookie), &form_of(&b_csrf)).await;
    assert_eq!(posted.status, 403, "B refuses A's dossier: {}", posted.body);

    // A's reception officer without the token, or without the cookie.
    let (a_cookie, a_csrf) = http::sign_in(web, RECEPTION.0, RECEPTION.1).await;
    for (what, cookie, form) in [
        ("no token", Some(a_cookie.as_str()), form_of("")),
        (
            "a wrong token",
            Some(a_cookie.as_str()),
            form_of(&"0".repeat(64)),
        ),
        ("no cookie", None, form_of(&a_csrf)),
    ] {
        let answer = http::post(web, &action, cookie, &form).await;
        assert_eq!(answer.status, 403, "{what}: {}", answer.body);
        assert!(
            answer.body.contains("Yêu cầu bị từ chối"),
            "{what}: {}",
            answer.body
        );
    }
    // A's specialist does not receive or refuse.
    let (s_cookie, s_csrf) = http::sign_in(web, SPECIALIST.0, SPECIALIST.1).await;
    let answer = http::post(web, &action, Some(&s_cookie), &form_of(&s_csrf)).await;
    assert_eq!(answer.status, 403, "the specialist's role does not refuse");

    assert_eq!(writes(&hub), writes_before, "nothing was written");
    let (still, history) = stored(&hub, &of_a);
    assert_eq!(still.status, Status::Submitted);
    assert_eq!(history.len(), 1);

    // The same post with the token, by the right officer, is accepted:
    // the refusals were for the agency, the token and the role.
    let answer = http::post(web, &action, Some(&a_cookie), &form_of(&a_csrf)).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.header("location"),
        Some(format!("{}/in/mau-03", page_of(&of_a)).as_str())
    );
    assert_eq!(stored(&hub, &of_a).0.status, Status::Refused);
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_stale_form_is_refused_then_stop_resume_apology_and_withdrawal() {
    let (mut hub, browser) = ready("dossier_stop_apology_withdraw").await;
    let ma = file_dossier(&hub, "web-dossier-apology", AGENCY_A, "Ngô Thị Thu").await;
    received_and_taken_for_processing(&browser, &ma).await;

    // The page is open; meanwhile the provincial one-stop system asks for a
    // fee. The officer's form, sent on what they saw, is refused.
    browser.open_form("dung-xu-ly").await;
    browser
        .fill("#dung-xu-ly-reason", "Chờ ý kiến của cơ quan phối hợp")
        .await;
    let (seen, _) = stored(&hub, &ma);
    let mut one_stop = hub.client(crate::common::ONE_STOP).await;
    one_stop
        .exec(crate::common::command(
            "web-dossier-fee-meanwhile",
            seen.id,
            crate::common::command_named("request_financial_obligation"),
        ))
        .await
        .expect("the other system's fee request");
    let writes_before = writes(&hub);
    browser.send_form("dung-xu-ly").await;
    let text = browser.text().await;
    assert!(
        text.contains(&format!(
            "bạn xem phiên bản {}, hiện là phiên bản {}",
            seen.version,
            seen.version + 1
        )),
        "{text}"
    );
    assert!(
        text.contains("Yêu cầu thực hiện nghĩa vụ tài chính"),
        "the current state is named: {text}"
    );
    assert_eq!(writes(&hub), writes_before, "nothing was written");
    assert_eq!(
        browser
            .client
            .find(Locator::Css("#dung-xu-ly-reason"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Chờ ý kiến của cơ quan phối hợp"),
        "what the officer typed is kept"
    );
    browser
        .screenshots_at("ho-so-phien-ban-cu", Some("#dung-xu-ly"))
        .await;
    browser.check_accessibility("ho-so-phien-ban-cu").await;

    // Sent again on the dossier as it is now: stopped.
    browser.send_form("dung-xu-ly").await;
    let text = browser.text().await;
    assert!(text.contains("Đã dừng xử lý"), "{text}");
    assert_eq!(stored(&hub, &ma).0.status, Status::Stopped);
    browser.take("tiep-tuc-xu-ly").await;
    assert_eq!(stored(&hub, &ma).0.status, Status::Processing);
    browser.sign_out().await;

    // The apology with a new date (Mẫu 04), signed by the leader, becomes
    // `reschedule`.
    browser.open_dossier(LEADER, &ma).await;
    let old_due = stored(&hub, &ma).0.due_at.unwrap();
    browser.open_form("hen-lai").await;
    browser
        .fill(
            "#hen-lai-apology",
            "Cần lấy ý kiến của Sở Tài nguyên và Môi trường",
        )
        .await;
    browser
        .script("document.querySelector('#hen-lai-new_date').value = '2020-01-01'")
        .await;
    browser.send_form("hen-lai").await;
    let error = browser
        .text_of("#hen-lai-new_date-loi", "the date's error is next to it")
        .await;
    assert!(error.contains("phải sau ngày hẹn hiện tại"), "{error}");
    let new_day = lienthong::domain::time::shift_date(
        &lienthong::domain::time::format_date(old_due.0 / 1000),
        7,
    )
    .unwrap();
    let iso = format!("{}-{}-{}", &new_day[0..4], &new_day[4..6], &new_day[6..8]);
    browser
        .script(&format!(
            "document.querySelector('#hen-lai-new_date').value = '{iso}'"
        ))
        .await;
    browser.send_form("hen-lai").await;
    assert_eq!(browser.path().await, format!("{}/in/mau-04", page_of(&ma)));
    let (rescheduled, _) = stored(&hub, &ma);
    let new_due = rescheduled.due_at.unwrap();
    assert_eq!(rescheduled.reschedules.len(), 1);
    assert_eq!(
        lienthong::domain::time::format_date(new_due.0 / 1000),
        new_day
    );
    let letter = browser.text().await;
    for what in [
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Mẫu số 04",
        "Ngô Thị Thu",
        "Lê Thị Hồng Nhung",
        "THỦ TRƯỞNG CƠ QUAN",
        "Cần lấy ý kiến của Sở Tài nguyên và Môi trường",
        ma.as_str(),
    ] {
        assert!(letter.contains(what), "Mẫu 04 shows {what}:\n{letter}");
    }
    assert!(
        letter.contains(&shown_date(old_due)),
        "the old date: {letter}"
    );
    assert!(
        letter.contains(&shown_date(new_due)),
        "the new date: {letter}"
    );
    browser.look("mau-04").await;
    browser
        .screenshots_at("mau-04-cuoi", Some(".sheet__reason"))
        .await;
    browser.sign_out().await;

    // Withdrawn at the applicant's request, by reception.
    browser.open_dossier(RECEPTION, &ma).await;
    browser.open_form("rut-ho-so").await;
    browser
        .fill(
            "#rut-ho-so-reason",
            "Người nộp có đơn xin rút hồ sơ ngày hôm nay",
        )
        .await;
    browser.send_form("rut-ho-so").await;
    let text = browser.text().await;
    assert!(text.contains("Công dân yêu cầu rút hồ sơ"), "{text}");
    assert!(
        text.contains("Không có thao tác nào"),
        "nothing more to do: {text}"
    );
    assert_eq!(stored(&hub, &ma).0.status, Status::Withdrawn);
    browser.look("ho-so-da-rut").await;
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn reception_forwards_a_received_dossier_to_the_next_agency_of_the_sequence() {
    let (mut hub, browser) = ready_interagency("dossier_forward").await;
    let ma = file_dossier(&hub, "web-dossier-forward", AGENCY_A, "Bùi Văn Tâm").await;
    browser.open_dossier(RECEPTION, &ma).await;
    assert!(
        browser
            .client
            .find(Locator::Css("#chuyen-lien-thong"))
            .await
            .is_err(),
        "nothing to forward before reception"
    );
    browser.take("tiep-nhan").await;
    browser.goto(&page_of(&ma)).await;
    browser.open_form("chuyen-lien-thong").await;
    let offered = browser.text_of("#chuyen-lien-thong", "on the page").await;
    assert!(
        offered.contains("Sở Tư pháp tỉnh Quảng Ninh"),
        "the next agency: {offered}"
    );
    browser
        .fill(
            "#chuyen-lien-thong-note",
            "Đề nghị Sở Tư pháp thẩm định phần hộ tịch",
        )
        .await;
    browser
        .screenshots_at("ho-so-chuyen-lien-thong", Some("#chuyen-lien-thong"))
        .await;
    browser.send_form("chuyen-lien-thong").await;
    let text = browser.text().await;
    assert!(text.contains("Đã chuyển hồ sơ"), "{text}");
    assert!(text.contains("Sở Tư pháp tỉnh Quảng Ninh"), "{text}");
    browser.look("da-chuyen-lien-thong").await;
    let (moved, history) = stored(&hub, &ma);
    assert_eq!(moved.agency_code, AGENCY_B);
    assert_eq!(moved.status, Status::Received, "the status does not change");
    let line = history.last().unwrap();
    assert_eq!(line.command, "forward");
    assert!(
        line.note.contains(AGENCY_A) && line.note.contains(AGENCY_B),
        "the history line names both agencies: {}",
        line.note
    );
    // From now on it is B's: A's officer is refused it.
    browser.goto(&page_of(&ma)).await;
    assert!(browser.text().await.contains("Hồ sơ thuộc cơ quan khác"));
    browser.sign_out().await;

    browser.open_dossier(OFFICER_B, &ma).await;
    let text = browser.text().await;
    assert!(
        text.contains("Bùi Văn Tâm"),
        "B's officer sees the dossier: {text}"
    );
    assert!(text.contains("Sở Tư pháp tỉnh Quảng Ninh"), "{text}");
    let sheet = browser.text_of(".sheet-table", "on the page").await;
    assert!(sheet.contains("Chuyển liên thông"), "{sheet}");
    assert!(
        sheet.contains("Đề nghị Sở Tư pháp thẩm định phần hộ tịch"),
        "{sheet}"
    );
    browser
        .screenshots_at("ho-so-co-quan-b", Some("#kiem-soat"))
        .await;
    browser.check_accessibility("ho-so-co-quan-b").await;
    browser.close().await;
    hub.stop().await;
}
