//! The public portal as a citizen uses it, in a real Chromium: the home
//! page, the dossier lookup with the right and a wrong second fact, the
//! service search without diacritics and a procedure page, the public
//! statistics against a hand-counted scenario and their CSV; over raw HTTP,
//! what a browser would not show: equal answers to a wrong pair and an
//! unknown MaHoSo, the per-address limit (429 with Retry-After), the
//! missing form token.

use super::browser::Browser;
use super::http;
use super::{publish_agencies, shots, web_hub, web_hub_with, AGENCY_A};
use crate::common::{
    command, every_command, submission, submit_request, TestHub, ONE_STOP, PORTAL,
};
use fantoccini::Locator;
use lienthong::grpc::pb::{self, command_request::Command as C};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BUILD: &str = "1.001612.000.00.00.H22";
const BIRTH: &str = "2.000889.000.00.00.H22";
const ID_NUMBER: &str = "001099012345";
const PHONE: &str = "0987654321";

/// The procedures catalogue as the national portal's pull publishes it
/// (attributes as `adapters/national-portal/src/catalog.rs` writes them),
/// with the sectors it names, so the pages show their names.
async fn publish_procedures(hub: &TestHub) {
    let mut portal = hub.client(PORTAL).await;
    let sector = |code: &str, name: &str| pb::CatalogEntry {
        code: code.into(),
        name: name.into(),
        parent_code: String::new(),
        attributes: Default::default(),
    };
    let request = portal.req(pb::PublishCatalogRequest {
        idempotency_key: "sectors-v1".into(),
        kind: "sectors".into(),
        entries: vec![
            sector("G05", "Xây dựng"),
            sector("G09", "Lý lịch tư pháp"),
            sector("G11", "Hộ tịch"),
        ],
        expected_version: None,
    });
    portal
        .catalogs
        .publish_catalog(request)
        .await
        .expect("sectors published");
    let entry = |code: &str, name: &str, sector: &str, level: &str| pb::CatalogEntry {
        code: code.into(),
        name: name.into(),
        parent_code: String::new(),
        attributes: [
            ("agency_code", AGENCY_A),
            ("sector_code", sector),
            ("level", "Cấp Tỉnh"),
            ("online_level", level),
            ("time_limit.counter", "10 working_days"),
            ("time_limit.online", "10 working_days"),
            ("time_limit.postal", "12 working_days"),
            ("channels", r#"[{"Kenh":1},{"Kenh":2},{"Kenh":3}]"#),
            ("fees", r#"[{"MaPhiLePhi":"LP01","MucPhi":200000}]"#),
            ("components", r#"[{"Ma":"TP01","Ten":"Tờ khai"}]"#),
            ("results", r#"[{"Ma":"KQ01","Ten":"Giấy phép"}]"#),
            ("legal_basis", r#"[{"SoKyHieu":"61/2018/NĐ-CP"}]"#),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    let request = portal.req(pb::PublishCatalogRequest {
        idempotency_key: "procedures-v1".into(),
        kind: "procedures".into(),
        entries: vec![
            entry(BUILD, "Cấp giấy phép xây dựng", "G05", "3"),
            entry(BIRTH, "Đăng ký khai sinh", "G11", "4"),
            entry(
                "1.000894.000.00.00.H22",
                "Cấp Phiếu lý lịch tư pháp",
                "G09",
                "2",
            ),
        ],
        expected_version: None,
    });
    portal
        .catalogs
        .publish_catalog(request)
        .await
        .expect("procedures published");
}

/// Files a dossier for `procedure` through `channel`; returns id and MaHoSo.
async fn file(
    hub: &TestHub,
    key: &str,
    procedure: &str,
    channel: pb::SubmissionChannel,
) -> (u64, String) {
    let mut portal = hub.client(PORTAL).await;
    let dossier = portal
        .exec(submit_request(
            key,
            pb::SubmitDossier {
                procedure_code: procedure.into(),
                owner_id_number: ID_NUMBER.into(),
                phone: PHONE.into(),
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

/// Sends the command `name` (as `every_command` fills it) as the one-stop
/// system.
async fn act(hub: &TestHub, key: &str, id: u64, name: &str) {
    let (_, cmd) = every_command()
        .into_iter()
        .find(|(n, _)| *n == name)
        .expect("a known command");
    hub.client(ONE_STOP)
        .await
        .exec(command(key, id, cmd))
        .await
        .unwrap_or_else(|e| panic!("{name} accepted: {e:?}"));
}

async fn receive(hub: &TestHub, key: &str, id: u64, due: SystemTime) {
    let due = due.duration_since(UNIX_EPOCH).unwrap();
    hub.client(ONE_STOP)
        .await
        .exec(command(
            key,
            id,
            C::Receive(pb::ReceiveDossier {
                due_at: Some(prost_types::Timestamp {
                    seconds: due.as_secs() as i64,
                    nanos: due.subsec_nanos() as i32,
                }),
            }),
        ))
        .await
        .expect("received");
}

/// The form token and its cookie, as a browser gets them from the page.
async fn lookup_form(web: std::net::SocketAddr) -> (String, String) {
    let page = http::get(web, "/tra-cuu").await;
    assert_eq!(page.status, 200);
    let cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("the lookup form's cookie")
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    assert!(
        page.body.contains(&format!("value=\"{token}\"")),
        "the form repeats its cookie's token"
    );
    (cookie, token)
}

async fn post_lookup(
    web: std::net::SocketAddr,
    cookie: &str,
    token: &str,
    ma: &str,
    fact: &str,
) -> http::Answer {
    let body =
        serde_urlencoded::to_string([("csrf", token), ("ma-ho-so", ma), ("thong-tin", fact)])
            .unwrap();
    http::post(web, "/tra-cuu", Some(cookie), &body).await
}

#[tokio::test]
async fn portal_lookup_with_the_right_and_a_wrong_second_fact() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    publish_procedures(&hub).await;
    let (id, ma) = file(&hub, "pl-1", BUILD, pb::SubmissionChannel::Online).await;
    act(&hub, "pl-receive", id, "receive").await;
    act(&hub, "pl-process", id, "start_processing").await;
    act(&hub, "pl-supplement", id, "request_supplement").await;

    let browser = Browser::start("portal_lookup", hub.web_addr.unwrap(), &shots(&hub)).await;
    browser.goto("/").await;
    assert!(browser
        .text()
        .await
        .contains("Tìm thủ tục hành chính, dịch vụ công"));
    browser.look("home").await;
    // The home page's own lookup form, with the phone written the
    // international way.
    browser.fill("#ma-ho-so", &ma).await;
    browser.fill("#thong-tin", "+84 987 654 321").await;
    browser.click("form.lookup-form button[type=submit]").await;
    assert_eq!(browser.path().await, "/tra-cuu", "posted, not in the URL");
    let text = browser.text().await;
    assert!(text.contains(&format!("Hồ sơ {ma}")), "{text}");
    assert!(
        text.contains("Trạng thái: Yêu cầu bổ sung giấy tờ"),
        "{text}"
    );
    assert!(text.contains("Việc người nộp cần làm"), "{text}");
    assert!(
        text.contains("Thiếu bản vẽ") && text.contains("Bản vẽ thiết kế"),
        "the supplement list: {text}"
    );
    assert!(
        text.contains("Tiếp nhận hồ sơ, hẹn trả kết quả"),
        "every step: {text}"
    );
    assert!(text.contains("Ngày hẹn trả kết quả"), "{text}");
    assert!(
        text.contains("T. T. B."),
        "the name masked to initials: {text}"
    );
    assert!(
        text.contains("•••••••••345") && text.contains("•••••••321"),
        "{text}"
    );
    for secret in [ID_NUMBER, PHONE, "Trần Thị Bình", "binh.tran@example.vn"] {
        assert!(!text.contains(secret), "{secret} is not shown");
    }
    browser.look("lookup-found").await;

    // A wrong ID number, then a MaHoSo that does not exist: the same words.
    browser.goto("/tra-cuu").await;
    browser.fill("#ma-ho-so", &ma).await;
    browser.fill("#thong-tin", "001099012346").await;
    browser.click("form.lookup-form button[type=submit]").await;
    let wrong = browser.text_of(".notice", "the not-found notice").await;
    assert!(wrong.contains("Không tìm thấy hồ sơ"), "{wrong}");
    assert!(
        !browser.text().await.contains("Yêu cầu bổ sung"),
        "nothing of the dossier"
    );
    browser.look("lookup-not-found").await;
    let unknown_ma = format!("{AGENCY_A}-991231-99999");
    browser.fill("#ma-ho-so", &unknown_ma).await;
    browser.fill("#thong-tin", ID_NUMBER).await;
    browser.click("form.lookup-form button[type=submit]").await;
    let unknown = browser.text_of(".notice", "the not-found notice").await;
    assert_eq!(
        wrong, unknown,
        "a wrong pair and an unknown MaHoSo read the same"
    );
    // A field that cannot be an ID or a phone is named next to it.
    browser.fill("#ma-ho-so", &ma).await;
    browser.fill("#thong-tin", "123").await;
    browser.click("form.lookup-form button[type=submit]").await;
    let error = browser.text_of("#thong-tin-loi", "the field's error").await;
    assert!(error.contains("8 đến 20"), "{error}");
    browser.look("lookup-field-error").await;
    browser.close().await;
    hub.stop().await;
}

#[tokio::test]
async fn portal_lookup_answers_alike_and_limits_each_address() {
    let mut hub = web_hub_with(5, |config| {
        let web = config.web.as_mut().expect("[web]");
        web.lookup_attempts = 4;
        web.lookup_window_seconds = 600;
    })
    .await;
    let web = hub.web_addr.unwrap();
    let (_, ma) = file(&hub, "pr-1", BUILD, pb::SubmissionChannel::Counter).await;
    let unknown_ma = format!("{AGENCY_A}-991231-99999");
    // Without the form's token nothing is looked up (and nothing counted).
    let forged = http::post(
        web,
        "/tra-cuu",
        None,
        &format!("ma-ho-so={ma}&thong-tin={ID_NUMBER}"),
    )
    .await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("Biểu mẫu đã hết hạn") && !forged.body.contains("T. T. B."));

    let (cookie, token) = lookup_form(web).await;
    let right = post_lookup(web, &cookie, &token, &ma, ID_NUMBER).await;
    assert_eq!(right.status, 200);
    assert!(
        right.body.contains("T. T. B."),
        "the right pair shows the dossier"
    );
    let wrong = post_lookup(web, &cookie, &token, &ma, "001099099999").await;
    let unknown = post_lookup(web, &cookie, &token, &unknown_ma, ID_NUMBER).await;
    assert_eq!((wrong.status, unknown.status), (200, 200));
    // The same page word for word, but for the MaHoSo typed, kept in its field.
    assert_eq!(
        wrong.body.replace(&ma, "MA"),
        unknown.body.replace(&unknown_ma, "MA"),
        "a wrong pair and an unknown MaHoSo get the same answer"
    );
    assert!(wrong.body.contains("Không tìm thấy hồ sơ"));
    assert!(!wrong.body.contains("T. T. B."));

    // The fourth lookup used the allowance: the fifth is refused, right pair or not.
    let _ = post_lookup(web, &cookie, &token, &ma, ID_NUMBER).await;
    let limited = post_lookup(web, &cookie, &token, &ma, ID_NUMBER).await;
    assert_eq!(limited.status, 429);
    let retry: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=600).contains(&retry), "{retry}");
    assert!(limited.body.contains("Tạm dừng tra cứu") && limited.body.contains("phút"));
    assert!(!limited.body.contains("T. T. B."), "nothing of the dossier");
    // Security headers as on every page of the web room.
    assert!(limited
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'none'"));
    hub.stop().await;
}

#[tokio::test]
async fn portal_service_search_without_diacritics_and_a_procedure_page() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    publish_procedures(&hub).await;
    let browser = Browser::start("portal_services", hub.web_addr.unwrap(), &shots(&hub)).await;
    browser.goto("/").await;
    browser.fill("#tu-khoa", "cap giay phep xay dung").await;
    browser.click("form.search button[type=submit]").await;
    assert_eq!(browser.path().await, "/dich-vu");
    let mut found = Vec::new();
    for link in browser
        .client
        .find_all(Locator::Css(".service-list a"))
        .await
        .unwrap()
    {
        found.push(link.text().await.unwrap());
    }
    assert_eq!(found, vec!["Cấp giấy phép xây dựng".to_string()]);
    let listed = browser.text_of(".service-list", "results").await;
    assert!(
        listed.contains("· Xây dựng") && !listed.contains("G05"),
        "the sector by its catalogue name: {listed}"
    );
    browser.look("search-results").await;
    // đ folds to d, upper case to lower.
    browser.goto("/dich-vu?q=DANG+KY+KHAI+SINH").await;
    assert!(browser
        .text_of(".service-list", "results")
        .await
        .contains("Đăng ký khai sinh"));
    // Narrowed by online level: full online (4) only.
    browser.goto("/dich-vu?muc-do=4").await;
    let listed = browser.text_of(".service-list", "results").await;
    assert!(
        listed.contains("Đăng ký khai sinh") && !listed.contains("xây dựng"),
        "{listed}"
    );
    browser.goto("/dich-vu?q=cap+giay+phep+xay+dung").await;
    browser.click(".service-list a").await;
    assert_eq!(browser.path().await, format!("/dich-vu/{BUILD}"));
    let text = browser.text().await;
    for expected in [
        "Sở Xây dựng tỉnh Quảng Ninh",
        "Dịch vụ công trực tuyến một phần",
        "Trực tiếp, Trực tuyến, Bưu chính công ích",
        "10 ngày làm việc",
        "12 ngày làm việc",
        "Tờ khai",
        "200.000 đ",
        "Giấy phép",
        "61/2018/NĐ-CP",
    ] {
        assert!(
            text.contains(expected),
            "the procedure page shows {expected}: {text}"
        );
    }
    assert!(
        text.contains("Danh mục không kèm mẫu đơn"),
        "no form invented: {text}"
    );
    assert!(
        !text.contains("G05"),
        "the sector is named, not coded: {text}"
    );
    browser.look("procedure").await;
    browser.goto("/dich-vu/9.999999.H22").await;
    assert!(browser.text().await.contains("Không tìm thấy thủ tục"));
    browser.close().await;
    hub.stop().await;
}

/// The statistics of a scenario counted by hand. Procedure BUILD (online
/// level 3 in the catalogue), all at agency A:
/// - online #1 received due in 10 days, processed and finished now: resolved
///   early (finished on a day before the due day);
/// - online #2 received due 2 s ahead, finished after that: resolved late;
/// - online #3 received due in 10 days, not finished: in processing in time;
/// - counter #4 received due 2 s ahead, not finished: in processing overdue;
/// - counter #5 only submitted: received by nobody, counted nowhere.
///
/// So per service: received online 3, resolved 2, on time 1 (50%), total
/// received 4 (3 online + 1 counter); per agency: counter received 1,
/// overdue 1; online received 3, early 1, late 1, in time 1.
#[tokio::test]
async fn portal_statistics_match_a_hand_counted_scenario() {
    let mut hub = web_hub(5).await;
    publish_agencies(&hub).await;
    publish_procedures(&hub).await;
    let now = SystemTime::now();
    let in_ten_days = now + Duration::from_secs(10 * 86_400);
    let soon = now + Duration::from_secs(2);
    let (early, _) = file(&hub, "ps-1", BUILD, pb::SubmissionChannel::Online).await;
    let (late, _) = file(&hub, "ps-2", BUILD, pb::SubmissionChannel::Online).await;
    let (open, _) = file(&hub, "ps-3", BUILD, pb::SubmissionChannel::Online).await;
    let (overdue, _) = file(&hub, "ps-4", BUILD, pb::SubmissionChannel::Counter).await;
    let _ = file(&hub, "ps-5", BUILD, pb::SubmissionChannel::Counter).await;
    receive(&hub, "ps-r1", early, in_ten_days).await;
    receive(&hub, "ps-r2", late, soon).await;
    receive(&hub, "ps-r3", open, in_ten_days).await;
    receive(&hub, "ps-r4", overdue, soon).await;
    act(&hub, "ps-s1", early, "start_processing").await;
    act(&hub, "ps-f1", early, "finish").await;
    act(&hub, "ps-s2", late, "start_processing").await;
    while SystemTime::now() <= soon + Duration::from_millis(200) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    act(&hub, "ps-f2", late, "finish").await;

    let browser = Browser::start("portal_statistics", hub.web_addr.unwrap(), &shots(&hub)).await;
    browser.goto("/").await;
    browser.click("a[href='/thong-ke']").await;
    let cells = |css: &'static str| {
        let browser = &browser;
        async move {
            let mut out = Vec::new();
            for cell in browser.client.find_all(Locator::Css(css)).await.unwrap() {
                out.push(cell.text().await.unwrap());
            }
            out
        }
    };
    let services = cells("#bang-dich-vu tbody tr").await;
    let build = services
        .iter()
        .find(|line| line.starts_with("Cấp giấy phép xây dựng"))
        .unwrap_or_else(|| panic!("a line for the procedure: {services:?}"));
    assert_eq!(build, "Cấp giấy phép xây dựng 3 2 1 50% 4 Chưa có dữ liệu");
    let birth = services
        .iter()
        .find(|l| l.starts_with("Đăng ký khai sinh"))
        .expect("an online service with nothing yet");
    assert_eq!(birth, "Đăng ký khai sinh 0 0 0 — 0 Chưa có dữ liệu");
    assert!(
        !services.iter().any(|l| l.contains("lý lịch")),
        "level 2 is no online service"
    );
    let agencies = cells("#bang-co-quan tbody tr").await;
    assert_eq!(
        agencies,
        vec![
            "Sở Xây dựng tỉnh Quảng Ninh Trực tiếp 1 0 0 0 0 1".to_string(),
            "Sở Xây dựng tỉnh Quảng Ninh Trực tuyến 3 1 0 1 1 0".to_string(),
        ]
    );
    let title = browser
        .text_of("svg.chart__svg title", "the chart's title")
        .await;
    let _ = title; // SVG title text is not rendered; its presence is what counts.
    browser.look("statistics").await;
    browser
        .screenshots_at("statistics-agencies", Some("#co-quan"))
        .await;

    let csv = http::get(hub.web_addr.unwrap(), "/thong-ke/dich-vu.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv
        .header("content-type")
        .unwrap()
        .starts_with("text/csv; charset=utf-8"));
    assert!(csv
        .header("content-disposition")
        .unwrap()
        .contains("attachment"));
    assert!(
        csv.body.starts_with('\u{feff}'),
        "a byte-order mark for Excel"
    );
    assert!(
        csv.body.contains(&format!(
            "{BUILD},Cấp giấy phép xây dựng,3,2,1,50,4,Chưa có dữ liệu\r\n"
        )),
        "{}",
        csv.body
    );
    let csv = http::get(hub.web_addr.unwrap(), "/thong-ke/co-quan.csv").await;
    assert!(
        csv.body.starts_with("\u{feff}Cơ quan,Kênh,Tiếp nhận"),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains("Sở Xây dựng tỉnh Quảng Ninh,Trực tuyến,3,1,0,1,1,0\r\n"),
        "{}",
        csv.body
    );
    browser.close().await;
    hub.stop().await;
}
