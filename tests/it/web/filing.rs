//! Online filing on the portal, in a real Chromium: from the procedure's
//! page to the sign-in and back to the form, an executable refused next to
//! its field with nothing written, two files and a result by post, the
//! dossier in the applicant's list and page and in the officer's workspace
//! with links to its files; an officer's supplement request answered with
//! files, and a withdrawal after its confirmation page. Over raw HTTP, what
//! a browser would not show: a double post makes one dossier, the files'
//! headers, and another applicant (or nobody) gets the same 404 as for a
//! dossier or file that does not exist.

use super::browser::Browser;
use super::http;
use super::{publish_agencies, shots, web_hub, AGENCY_A, DEV_OFFICERS, OFFICER_B};
use crate::common::{TestHub, PORTAL};
use fantoccini::Locator;
use lienthong::domain::{Channel, Dossier, ResultDelivery, Status};
use lienthong::grpc::pb;
use std::path::{Path, PathBuf};

const BUILD: &str = "1.001612.000.00.00.H22";
const EMAIL: &str = "tranthihoa@example.vn";
const PASSWORD: &str = "mat-khau-cua-hoa-2026";
const ADDRESS: &str = "Số 12 phố Lê Thánh Tông, phường Hồng Gai, TP Hạ Long, Quảng Ninh";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
/// Another image, carried only by the dossiers filed over raw HTTP.
const PNG_2: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x02\0\0\0\x02\x08\x02\0\0\0";
const EXE: &[u8] =
    b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0This program cannot be run in DOS mode";

/// The procedures catalogue with one procedure filed online (level 4):
/// two components (the drawing optional) and a fee.
async fn publish_procedure(hub: &TestHub) {
    let mut portal = hub.client(PORTAL).await;
    let attributes = [
        ("agency_code", AGENCY_A),
        ("sector_code", "G05"),
        ("level", "Cấp Tỉnh"),
        ("online_level", "4"),
        ("time_limit.counter", "10 working_days"),
        ("time_limit.online", "10 working_days"),
        ("channels", r#"[{"Kenh":1},{"Kenh":2}]"#),
        ("fees", r#"[{"MaPhiLePhi":"LP01","TenPhiLePhi":"Lệ phí cấp phép","MucPhi":75000}]"#),
        (
            "components",
            r#"[{"Ma":"TP01","Ten":"Đơn đề nghị cấp giấy phép xây dựng"},{"Ma":"TP02","Ten":"Bản vẽ thiết kế","BatBuoc":false}]"#,
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let request = portal.req(pb::PublishCatalogRequest {
        idempotency_key: "procedures-filing-v1".into(),
        kind: "procedures".into(),
        entries: vec![pb::CatalogEntry {
            code: BUILD.into(),
            name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
            parent_code: String::new(),
            attributes,
        }],
        expected_version: None,
    });
    portal
        .catalogs
        .publish_catalog(request)
        .await
        .expect("procedures published");
}

/// The test's files on disk, for the file inputs.
fn files(hub: &TestHub) -> (PathBuf, PathBuf, PathBuf) {
    let dir = hub.dir.path().join("tep-nguoi-nop");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    (
        write("don-de-nghi.pdf", PDF),
        write("ban-ve.png", PNG),
        write("don-de-nghi.exe", EXE),
    )
}

/// The dossier as the hub holds it.
fn stored(hub: &TestHub, ma_ho_so: &str) -> Dossier {
    super::stored(hub, ma_ho_so).0
}

fn digest(bytes: &[u8]) -> String {
    lienthong::domain::attachment::digest(bytes)
}

impl Browser {
    async fn choose_file(&self, css: &str, path: &Path) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .send_keys(path.to_str().unwrap())
            .await
            .unwrap();
    }

    /// Ticks a radio button (no new page).
    async fn choose(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// From the procedure's page: "file online" asks to sign in, the
    /// sign-in page leads to registration, and registering comes back to
    /// the form. `look` names the sign-in page's screenshots, if wanted.
    async fn register_from_the_procedure_page(&self, look: Option<&str>) {
        self.goto(&format!("/dich-vu/{BUILD}")).await;
        self.click(&format!("a[href='/tai-khoan/nop/{BUILD}']"))
            .await;
        assert_eq!(self.path().await, "/tai-khoan/dang-nhap");
        if let Some(name) = look {
            self.look(name).await;
        }
        self.click("a[href^='/tai-khoan/dang-ky']").await;
        self.fill("#ho-ten", "Trần Thị Hoa").await;
        self.fill("#email", EMAIL).await;
        self.fill("#mat-khau", PASSWORD).await;
        self.fill("#nhap-lai", PASSWORD).await;
        self.click("form.form button[type=submit]").await;
        assert_eq!(
            self.path().await,
            format!("/tai-khoan/nop/{BUILD}"),
            "back to the form after registering"
        );
    }

    /// The applicant's session cookie (`name=value`), for raw requests.
    async fn applicant_cookie(&self) -> String {
        let cookie = self
            .client
            .get_named_cookie("lienthong_cong_dan")
            .await
            .expect("the applicant's session cookie");
        format!("lienthong_cong_dan={}", cookie.value())
    }
}

/// Files the procedure over raw HTTP (no JavaScript) as the applicant of
/// `cookie`; returns the page's form token and the answer.
async fn file_by_http(
    web: std::net::SocketAddr,
    cookie: &str,
    token: Option<&str>,
) -> (String, http::Answer) {
    let form = http::get_as(web, &format!("/tai-khoan/nop/{BUILD}"), cookie).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = http::hidden(&form.body, "csrf");
    let token = token
        .map(str::to_string)
        .unwrap_or_else(|| http::hidden(&form.body, "ma-nop"));
    let answer = http::post_multipart(
        web,
        &format!("/tai-khoan/nop/{BUILD}"),
        cookie,
        &[
            ("csrf", &csrf),
            ("ma-nop", &token),
            ("ho-ten", "Lê Văn Nam"),
            ("so-giay-to", "001099012346"),
            ("dien-thoai", "0987654321"),
            ("email", "levannam@example.vn"),
            ("trich-yeu", "Cấp phép xây nhà hai tầng"),
            ("nhan-ket-qua", "quay"),
            ("dia-chi", ""),
        ],
        &[("tp-1", "don.pdf", PDF), ("tp-2", "ban-ve.png", PNG_2)],
    )
    .await;
    (token, answer)
}

#[tokio::test]
async fn an_applicant_files_online_with_two_files_by_post() {
    let mut hub = web_hub(5).await;
    let web = hub.web_addr.unwrap();
    publish_agencies(&hub).await;
    publish_procedure(&hub).await;
    let (pdf, png, exe) = files(&hub);
    let records = hub.running.as_ref().unwrap().applicant_records();
    let attachments = hub.running.as_ref().unwrap().attachment_records();
    let browser = Browser::start("filing_online", web, &shots(&hub)).await;

    // From the procedure's page: sign-in first, then back to the form.
    browser
        .register_from_the_procedure_page(Some("dang-nhap-de-nop"))
        .await;
    // Auto-filled from the account.
    let name = browser
        .script("return document.querySelector('#ho-ten').value")
        .await;
    assert_eq!(name, "Trần Thị Hoa");
    let email = browser
        .script("return document.querySelector('#email').value")
        .await;
    assert_eq!(email, EMAIL);
    let text = browser.text().await;
    assert!(
        text.contains("Đơn đề nghị cấp giấy phép xây dựng"),
        "{text}"
    );
    assert!(
        text.contains("12 chữ số"),
        "the format is said next to the field: {text}"
    );
    browser.look("nop-ho-so").await;
    browser.screenshots_at("nop-ho-so-tep", Some("#tp-1")).await;

    // An executable and a missing address: refused next to the fields,
    // nothing written.
    let writes_before = hub.running.as_ref().unwrap().write_totals().0;
    browser.fill("#so-giay-to", "001 099 012 345").await;
    browser.fill("#dien-thoai", "0912 345 678").await;
    browser
        .fill("#trich-yeu", "Xin cấp giấy phép xây dựng nhà ở hai tầng")
        .await;
    browser.choose("#nhan-buu-dien").await;
    browser.choose_file("#tp-1", &exe).await;
    browser.choose_file("#tp-2", &png).await;
    browser.click("form.filing button[type=submit]").await;
    let refused = browser
        .text_of("#tp-1-loi", "the error next to the file")
        .await;
    assert!(
        refused.contains("don-de-nghi.exe") && refused.contains("chương trình chạy được"),
        "{refused}"
    );
    let address = browser.text_of("#dia-chi-loi", "the address error").await;
    assert!(address.contains("địa chỉ"), "{address}");
    assert_eq!(
        browser
            .script("return document.querySelector('#trich-yeu').value")
            .await,
        "Xin cấp giấy phép xây dựng nhà ở hai tầng",
        "what was typed stays"
    );
    assert_eq!(
        hub.running.as_ref().unwrap().write_totals().0,
        writes_before
    );
    assert!(records.dossiers(EMAIL).unwrap().is_empty());
    assert_eq!(
        attachments.meta(&digest(PNG)).unwrap(),
        None,
        "no file kept"
    );
    browser.look("nop-ho-so-loi").await;
    browser
        .screenshots_at("nop-ho-so-loi-tep", Some("#tp-1"))
        .await;

    // Corrected: two files, the result by post to an address. The page's
    // script shows the upload's progress in percent (kept in the tab's
    // session storage to be read after the page changed).
    browser.fill("#dia-chi", ADDRESS).await;
    browser.choose_file("#tp-1", &pdf).await;
    browser.choose_file("#tp-2", &png).await;
    browser
        .script(
            "const shown = document.querySelector('#tien-do-so');
             new MutationObserver(() => sessionStorage.setItem('tien-do', shown.textContent))
               .observe(shown, { childList: true, characterData: true, subtree: true });
             return true;",
        )
        .await;
    browser.click("form.filing button[type=submit]").await;
    let path = browser.path().await;
    let ma = path
        .strip_prefix("/tai-khoan/ho-so/")
        .unwrap_or_else(|| panic!("on the dossier's page, not {path}"))
        .to_string();
    assert_eq!(
        browser
            .script("return sessionStorage.getItem('tien-do')")
            .await,
        "100%",
        "the progress reached 100 % before the page changed"
    );
    let text = browser.text().await;
    assert!(text.contains("Đã nộp hồ sơ"), "{text}");
    assert!(
        text.contains("Mới đăng ký") && text.contains(ADDRESS),
        "{text}"
    );
    assert!(text.contains("Bản vẽ thiết kế (ban-ve.png)"), "{text}");
    browser.look("ho-so-vua-nop").await;

    let d = stored(&hub, &ma);
    assert_eq!(d.channel, Channel::Online);
    assert_eq!(d.result_delivery, Some(ResultDelivery::ByPost));
    assert_eq!(d.result_address, ADDRESS);
    assert_eq!(
        (d.owner_id_number.as_str(), d.phone.as_str()),
        ("001099012345", "0912345678")
    );
    assert_eq!(d.fees.len(), 1, "the catalogue's fee is on the dossier");
    let urls: Vec<&str> = d.documents.iter().map(|doc| doc.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            format!("http://{web}/tep/{}", digest(PDF)),
            format!("http://{web}/tep/{}", digest(PNG))
        ]
    );
    assert_eq!(records.dossiers(EMAIL).unwrap(), std::slice::from_ref(&ma));

    // The list on the account page.
    browser.goto("/tai-khoan/").await;
    let list = browser
        .text_of(".applicant-dossiers", "the applicant's dossiers")
        .await;
    assert!(
        list.contains(&ma)
            && list.contains("Mới đăng ký")
            && list.contains("Cấp giấy phép xây dựng"),
        "{list}"
    );
    browser.look("tai-khoan-co-ho-so").await;

    // The files: the applicant gets them as downloads of their own type.
    let cookie = browser.applicant_cookie().await;
    let file = http::get_as(web, &format!("/tep/{}", digest(PDF)), &cookie).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("application/pdf"));
    assert!(file
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert!(file.body.starts_with("%PDF-1.7"));
    let unknown = http::get(web, &format!("/tep/{}", digest(b"none"))).await;
    let nobody = http::get(web, &format!("/tep/{}", digest(PDF))).await;
    assert_eq!((unknown.status, nobody.status), (404, 404));
    assert_eq!(unknown.body, nobody.body, "the same answer as for no file");

    // A double post of the same form (no JavaScript) makes one dossier.
    let other = http::register_applicant(web, "levannam@example.vn", "Lê Văn Nam").await;
    let (token, first) = file_by_http(web, &other, None).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let (_, second) = file_by_http(web, &other, Some(&token)).await;
    assert_eq!(second.status, 303, "{}", second.body);
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(records.dossiers("levannam@example.vn").unwrap().len(), 1);
    assert_eq!(
        attachments.carriers(&digest(PDF)).unwrap().len(),
        2,
        "the same PDF, stored once, carried by both dossiers"
    );

    // Another applicant gets the first one's dossier and files as nothing.
    let theirs = http::get_as(web, &format!("/tai-khoan/ho-so/{ma}"), &other).await;
    let none = http::get_as(web, "/tai-khoan/ho-so/000.00.01.H22-991231-99999", &other).await;
    assert_eq!((theirs.status, none.status), (404, 404));
    assert_eq!(theirs.body, none.body);
    let png_of_first = http::get_as(web, &format!("/tep/{}", digest(PNG)), &other).await;
    assert_eq!(
        png_of_first.status, 404,
        "a file only the first one's dossier carries"
    );
    assert_eq!(png_of_first.body, unknown.body);
    let shared = http::get_as(web, &format!("/tep/{}", digest(PDF)), &other).await;
    assert_eq!(
        shared.status, 200,
        "the same PDF, through their own dossier"
    );

    // The agency's officer sees the dossier and its links; another
    // agency's officer gets no file.
    browser.sign_in(DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    browser.goto(&format!("/mot-cua/ho-so/{ma}")).await;
    let link = browser
        .client
        .find(Locator::Css(&format!("a[href='/tep/{}']", digest(PNG))))
        .await
        .expect("the officer's page links to the file");
    assert!(link.text().await.unwrap().contains("ban-ve.png"));
    let facts = browser.text().await;
    assert!(
        facts.contains(ADDRESS),
        "the officer sees where the result goes: {facts}"
    );
    browser.look("mot-cua-ho-so-nop-truc-tuyen").await;
    let (officer, _) = http::sign_in(web, DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    let seen = http::get_as(web, &format!("/tep/{}", digest(PNG)), &officer).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.header("content-type"), Some("image/png"));
    let (officer_b, _) = http::sign_in(web, OFFICER_B.0, OFFICER_B.1).await;
    let refused = http::get_as(web, &format!("/tep/{}", digest(PNG)), &officer_b).await;
    assert_eq!(refused.status, 404);
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn an_applicant_answers_a_supplement_request_and_withdraws() {
    let mut hub = web_hub(5).await;
    let web = hub.web_addr.unwrap();
    publish_agencies(&hub).await;
    publish_procedure(&hub).await;
    let (pdf, png, exe) = files(&hub);
    let browser = Browser::start("filing_supplement", web, &shots(&hub)).await;
    browser.goto("/tai-khoan/dang-ky").await;
    browser.fill("#ho-ten", "Lê Văn Nam").await;
    browser.fill("#email", "levannam@example.vn").await;
    browser.fill("#mat-khau", PASSWORD).await;
    browser.fill("#nhap-lai", PASSWORD).await;
    browser.click("form.form button[type=submit]").await;
    let cookie = browser.applicant_cookie().await;
    let (_, filed) = file_by_http(web, &cookie, None).await;
    let ma = filed
        .header("location")
        .and_then(|l| l.strip_prefix("/tai-khoan/ho-so/"))
        .and_then(|l| l.split('?').next())
        .expect("the dossier's page")
        .to_string();
    // A dossier answered at the counter has no address.
    assert_eq!(stored(&hub, &ma).result_address, "");

    // The officer asks for a supplement from the workspace.
    browser.sign_in(DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    browser.goto(&format!("/mot-cua/ho-so/{ma}")).await;
    browser
        .client
        .find(Locator::Css("#yeu-cau-bo-sung > summary"))
        .await
        .expect("the supplement request form")
        .click()
        .await
        .unwrap();
    browser
        .fill(
            "#yeu-cau-bo-sung-reason",
            "Bản vẽ chưa có chữ ký của người thiết kế",
        )
        .await;
    browser
        .fill(
            "#yeu-cau-bo-sung-other_items",
            "Bản vẽ thiết kế có chữ ký\nẢnh chụp hiện trạng khu đất",
        )
        .await;
    browser.click("#yeu-cau-bo-sung button[type=submit]").await;
    assert_eq!(stored(&hub, &ma).status, Status::SupplementRequested);

    // The applicant sees what is asked and answers with the files.
    browser.goto(&format!("/tai-khoan/ho-so/{ma}")).await;
    let asked = browser
        .text_of("section[aria-labelledby='can-lam']", "what is asked")
        .await;
    assert!(
        asked.contains("Bản vẽ chưa có chữ ký") && asked.contains("Ảnh chụp hiện trạng khu đất"),
        "{asked}"
    );
    browser.look("ho-so-yeu-cau-bo-sung").await;
    browser.choose_file("#bs-1", &exe).await;
    browser.choose_file("#bs-2", &png).await;
    browser.click("#bo-sung button[type=submit]").await;
    let refused = browser
        .text_of("#bs-1-loi", "the error next to the file")
        .await;
    assert!(refused.contains("chương trình chạy được"), "{refused}");
    assert_eq!(
        stored(&hub, &ma).status,
        Status::SupplementRequested,
        "nothing written"
    );
    browser
        .screenshots_at("ho-so-bo-sung-loi", Some("#bo-sung"))
        .await;
    browser.check_accessibility("ho-so-bo-sung-loi").await;
    browser.choose_file("#bs-1", &pdf).await;
    browser.choose_file("#bs-2", &png).await;
    browser.click("#bo-sung button[type=submit]").await;
    let done = browser.text_of("#da-xong", "the supplement was sent").await;
    assert!(done.contains("Đã gửi giấy tờ bổ sung"), "{done}");
    let d = stored(&hub, &ma);
    assert_eq!(d.status, Status::Submitted, "back where it paused");
    let sent = &d.supplements.last().unwrap().documents;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].name, "Bản vẽ thiết kế có chữ ký (don-de-nghi.pdf)");
    browser.look("ho-so-da-bo-sung").await;
    // The same answer posted again (a double click, a resend), opened at
    // the version before it: answered as the first was, nothing written.
    let csrf = http::hidden(
        &http::get_as(web, &format!("/tai-khoan/ho-so/{ma}"), &cookie)
            .await
            .body,
        "csrf",
    );
    let before = d.version;
    let again = http::post_multipart(
        web,
        &format!("/tai-khoan/ho-so/{ma}/bo-sung"),
        &cookie,
        &[("csrf", &csrf), ("phien-ban", &(before - 1).to_string())],
        &[
            ("bs-1", "don-de-nghi.pdf", PDF),
            ("bs-2", "ban-ve.png", PNG),
        ],
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(
        again.header("location"),
        Some(format!("/tai-khoan/ho-so/{ma}?da-bo-sung=1").as_str())
    );
    assert_eq!(stored(&hub, &ma).version, before, "nothing written twice");

    // Withdrawal: a confirmation page with the reason, then no button.
    browser
        .click(&format!("a[href='/tai-khoan/ho-so/{ma}/rut']"))
        .await;
    browser.look("rut-ho-so").await;
    browser.click("form.form button[type=submit]").await;
    let error = browser
        .text_of("#ly-do-loi", "the reason is asked for")
        .await;
    assert!(error.contains("lý do"), "{error}");
    assert_eq!(
        stored(&hub, &ma).status,
        Status::Submitted,
        "nothing written"
    );
    browser
        .fill("#ly-do", "Gia đình thay đổi thiết kế, sẽ nộp hồ sơ mới")
        .await;
    browser.click("form.form button[type=submit]").await;
    let text = browser.text().await;
    assert!(text.contains("Đã rút hồ sơ"), "{text}");
    assert!(text.contains(Status::Withdrawn.vietnamese()), "{text}");
    assert!(
        !text.contains("Rút hồ sơ…"),
        "no withdrawal offered any more: {text}"
    );
    let d = stored(&hub, &ma);
    assert_eq!(d.status, Status::Withdrawn);
    assert_eq!(
        d.status_reason,
        "Gia đình thay đổi thiết kế, sẽ nộp hồ sơ mới"
    );
    browser.look("ho-so-da-rut").await;
    let resent = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("phien-ban", &(d.version - 1).to_string()),
        ("ly-do", "Gia đình thay đổi thiết kế, sẽ nộp hồ sơ mới"),
    ])
    .unwrap();
    let resent = http::post(
        web,
        &format!("/tai-khoan/ho-so/{ma}/rut"),
        Some(&cookie),
        &resent,
    )
    .await;
    assert_eq!(
        (resent.status, resent.header("location")),
        (
            303,
            Some(format!("/tai-khoan/ho-so/{ma}?da-rut=1").as_str())
        ),
        "a withdrawal posted twice answers as the first: {}",
        resent.body
    );
    assert_eq!(
        stored(&hub, &ma).version,
        d.version,
        "nothing written twice"
    );
    let again = http::get_as(web, &format!("/tai-khoan/ho-so/{ma}/rut"), &cookie).await;
    assert_eq!(
        again.status, 303,
        "no confirmation page for a withdrawn dossier"
    );
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn an_account_files_at_most_the_daily_limit_and_nothing_past_it_is_stored() {
    let mut hub = super::web_hub_with(5, |config| {
        config
            .web
            .as_mut()
            .unwrap()
            .max_filings_per_applicant_per_day = 2;
    })
    .await;
    let web = hub.web_addr.unwrap();
    publish_agencies(&hub).await;
    publish_procedure(&hub).await;
    let records = hub.running.as_ref().unwrap().applicant_records();
    let cookie = http::register_applicant(web, "levannam@example.vn", "Lê Văn Nam").await;
    for _ in 0..2 {
        let (_, filed) = file_by_http(web, &cookie, None).await;
        assert_eq!(filed.status, 303, "{}", filed.body);
    }
    let (_, third) = file_by_http(web, &cookie, None).await;
    assert_eq!(third.status, 429, "{}", third.body);
    assert!(
        third
            .body
            .contains("đã nộp 2 hồ sơ trong 24 giờ qua; mỗi tài khoản được nộp tối đa 2 hồ sơ"),
        "{}",
        third.body
    );
    assert_eq!(records.dossiers("levannam@example.vn").unwrap().len(), 2);
    // Another account is not held back by this one's filings.
    let other = http::register_applicant(web, "tranthibinh@example.vn", "Trần Thị Bình").await;
    let (_, theirs) = file_by_http(web, &other, None).await;
    assert_eq!(theirs.status, 303, "{}", theirs.body);
    hub.stop().await;
}

#[path = "filing_address.rs"]
mod address;
