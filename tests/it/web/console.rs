//! The operator console (`/quan-tri/`) as operators use it: a partner's
//! system (the legacy adapter's simulator) refuses a dossier's event, which
//! parks; an administrator sees the destination in arrears, opens it, asks
//! to re-drive the parked delivery, confirms, and the partner then has it
//! exactly once; the dossier's ledger shows what each destination took,
//! when, and the partner's answer, and the national portal's sync state
//! (through the national-portal adapter and its simulator). Only the
//! Administrator role gets in; a post without the session's token, a stale
//! confirmation and unknown names change nothing and say what was wrong;
//! the re-drive's audit entry names the officer.

use super::browser::Browser;
use super::http::{self, Answer};
use super::{file_dossier, shots, web_hub_with, AGENCY_A, DEV_OFFICERS};
use crate::adapters::{inbound_url, partner, settled};
use crate::common::TestHub;
use lienthong::audit::Kind;
use lienthong::config::SubscriptionSection;
use lienthong_adapter_legacy::simulator::{SimConfig, Simulator};
use lienthong_adapter_national_portal::simulator as portal_sim;
use std::time::Duration;

/// The partner whose system refuses: a legacy system through its adapter.
const LEGACY: &str = "he-thong-cu";
/// The national portal (DVCQG) through its adapter.
const DVCQG: &str = "dvcqg";
const ADMIN: (&str, &str) = (DEV_OFFICERS[3].0, DEV_OFFICERS[3].1);
const RECEPTION: (&str, &str) = (DEV_OFFICERS[0].0, DEV_OFFICERS[0].1);

struct World {
    hub: TestHub,
    legacy: Simulator,
    _portal: portal_sim::Simulator,
}

/// The development hub with the web pages, plus a legacy system and the
/// national portal as adapter partners, with quick retries.
async fn world() -> World {
    let legacy = Simulator::start(SimConfig::default())
        .await
        .expect("legacy simulator");
    let portal = portal_sim::Simulator::start(portal_sim::SimConfig::default())
        .await
        .expect("portal simulator");
    let mut legacy_adapter = legacy.adapter_settings(&["dossier_submitted", "dossier_received"]);
    legacy_adapter.insert("kind".into(), "legacy_rest".into());
    let mut portal_adapter = portal.adapter_settings("000.00.00.H22");
    portal_adapter.insert("kind".into(), "national_portal_dvcqg".into());
    portal_adapter.extend(
        "catalog_poll_interval_seconds = 0\npushdown_poll_interval_seconds = 0"
            .parse::<toml::Table>()
            .unwrap(),
    );
    let mut portal_partner = partner(
        DVCQG,
        "dvcqg-sim-token-0001",
        &["*"],
        Some(SubscriptionSection::default()),
        portal_adapter,
    );
    portal_partner.kind = "national_portal".into();
    let legacy_partner = partner(
        LEGACY,
        "he-thong-cu-token-01",
        &[],
        Some(SubscriptionSection::default()),
        legacy_adapter,
    );
    let hub = web_hub_with(5, move |config| {
        config.hub.http_listen = Some("127.0.0.1:0".parse().unwrap());
        config.delivery.initial_backoff_milliseconds = 20;
        config.delivery.max_backoff_seconds = 1;
        config.delivery.max_attempts = 5;
        config.partners.push(legacy_partner);
        config.partners.push(portal_partner);
    })
    .await;
    legacy.set_hub_url(Some(format!("{}/updates", inbound_url(&hub, LEGACY))));
    World {
        hub,
        legacy,
        _portal: portal,
    }
}

/// Files a dossier the legacy system refuses; returns its MaHoSo once the
/// refusal is parked.
async fn parked_dossier(world: &World, key: &str) -> String {
    world.legacy.switches(|s| s.reject_next = 1);
    let ma_ho_so = file_dossier(&world.hub, key, AGENCY_A, "Trần Thị Bình").await;
    let status = settled(&world.hub, LEGACY).await;
    assert_eq!(status.parked, 1, "{status:?}");
    ma_ho_so
}

/// How many times the legacy system accepted an event of `ma_ho_so`.
fn accepted_for(sim: &Simulator, ma_ho_so: &str) -> usize {
    sim.accepted()
        .iter()
        .filter(|m| m["soHoSo"] == ma_ho_so)
        .count()
}

/// Waits (10 s at most) until the legacy system accepted `ma_ho_so` once.
async fn delivered_once(sim: &Simulator, ma_ho_so: &str) {
    for _ in 0..200 {
        if accepted_for(sim, ma_ho_so) >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(accepted_for(sim, ma_ho_so), 1, "delivered exactly once");
}

fn destination_path() -> String {
    format!("/quan-tri/diem-nhan/adapter/{LEGACY}")
}

/// The seq of the parked event the destination page offers to re-drive.
fn offered_seq(page: &Answer) -> u64 {
    page.body
        .split("gui-lai?seq=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|seq| seq.parse().ok())
        .unwrap_or_else(|| panic!("a re-drive link on the page:\n{}", page.body))
}

fn assert_page(answer: &Answer, status: u16, says: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(
        answer.body.contains(says),
        "expected «{says}»:\n{}",
        answer.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_an_administrator_gets_in_and_a_confirmed_redrive_is_audited_and_delivered_once() {
    let mut world = world().await;
    let web = world.hub.web_addr.unwrap();
    let ma_ho_so = parked_dossier(&world, "console-http-1").await;
    assert_eq!(accepted_for(&world.legacy, &ma_ho_so), 0);

    // Signed out: to the sign-in page. Another role: refused, saying why.
    let signed_out = http::get(web, "/quan-tri/").await;
    assert_eq!(signed_out.status, 303);
    assert_eq!(signed_out.header("location"), Some("/mot-cua/dang-nhap"));
    let (reception, reception_csrf) = http::sign_in(web, RECEPTION.0, RECEPTION.1).await;
    for path in [
        "/quan-tri/",
        "/quan-tri/ban-tin",
        destination_path().as_str(),
    ] {
        assert_page(
            &http::get_as(web, path, &reception).await,
            403,
            "Quản trị hệ thống",
        );
    }
    let workspace = http::get_as(web, "/mot-cua/", &reception).await;
    assert!(
        !workspace.body.contains("href=\"/quan-tri/\""),
        "no console link for reception"
    );
    let post = format!("csrf={reception_csrf}&seq=1");
    let path = format!("{}/gui-lai", destination_path());
    assert_page(
        &http::post(web, &path, Some(&reception), &post).await,
        403,
        "Quản trị hệ thống",
    );

    // The administrator: the overview names the destination and its state.
    let (admin, csrf) = http::sign_in(web, ADMIN.0, ADMIN.1).await;
    let workspace = http::get_as(web, "/mot-cua/", &admin).await;
    assert!(
        workspace.body.contains("href=\"/quan-tri/\""),
        "the console is linked"
    );
    let overview = http::get_as(web, "/quan-tri/", &admin).await;
    assert_page(&overview, 200, &format!("href=\"{}\"", destination_path()));
    assert!(
        overview.body.contains("Có sự kiện bị giữ"),
        "{}",
        overview.body
    );
    for named in [DVCQG, "national-portal", "mot-cua"] {
        assert!(overview.body.contains(named), "{named} on the overview");
    }
    let page = http::get_as(web, &destination_path(), &admin).await;
    assert_page(&page, 200, &ma_ho_so);
    assert!(page.body.contains("Đối tác từ chối"), "{}", page.body);
    let seq = offered_seq(&page);

    // The confirmation asks; a post without the token, with a wrong one,
    // or of a stale "all" changes nothing.
    let confirm = http::get_as(web, &format!("{path}?seq={seq}"), &admin).await;
    assert_page(&confirm, 200, &format!("Xác nhận gửi lại sự kiện số {seq}"));
    assert_page(
        &http::post(web, &path, Some(&admin), &format!("seq={seq}")).await,
        403,
        "mã xác thực",
    );
    assert_page(
        &http::post(
            web,
            &path,
            Some(&admin),
            &format!("csrf={}&seq={seq}", "0".repeat(64)),
        )
        .await,
        403,
        "mã xác thực",
    );
    let all = http::get_as(web, &format!("{path}?tat-ca=1"), &admin).await;
    assert_page(&all, 200, "Gửi lại tất cả 1 sự kiện");
    let stale_all = format!("csrf={csrf}&tat-ca=1&so-luong=2&den-seq={seq}");
    assert_page(
        &http::post(web, &path, Some(&admin), &stale_all).await,
        409,
        "Không có gì thay đổi",
    );
    let bad = format!("csrf={csrf}&seq=abc");
    assert_page(
        &http::post(web, &path, Some(&admin), &bad).await,
        400,
        "«abc»",
    );
    assert_eq!(settled(&world.hub, LEGACY).await.parked, 1, "still parked");
    assert_eq!(accepted_for(&world.legacy, &ma_ho_so), 0);

    // Confirmed: re-driven, said, delivered once; the same again is stale.
    let done = http::post(web, &path, Some(&admin), &format!("csrf={csrf}&seq={seq}")).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let back = done.header("location").unwrap().to_string();
    assert_eq!(back, format!("{}?da-gui-lai=1", destination_path()));
    assert_page(
        &http::get_as(web, &back, &admin).await,
        200,
        "Đã gửi lại 1 sự kiện",
    );
    delivered_once(&world.legacy, &ma_ho_so).await;
    let again = http::post(web, &path, Some(&admin), &format!("csrf={csrf}&seq={seq}")).await;
    assert_page(&again, 409, &format!("Sự kiện số {seq} không còn bị giữ"));
    assert_eq!(accepted_for(&world.legacy, &ma_ho_so), 1);

    // The ledger: delivered, when, the answer; the portal's sync state.
    let ledger_path = format!("/quan-tri/ho-so/{ma_ho_so}");
    let mut ledger = http::get_as(web, &ledger_path, &admin).await;
    for _ in 0..200 {
        let portal_synced = ledger.body.contains("Đã đồng bộ phiên bản mới nhất");
        if portal_synced && ledger.body.matches("Đã giao").count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        ledger = http::get_as(web, &ledger_path, &admin).await;
    }
    assert_page(&ledger, 200, "Đã đồng bộ phiên bản mới nhất");
    assert!(ledger.body.contains("Sổ giao nhận"), "{}", ledger.body);
    // The legacy system's answer to the re-driven delivery: its reference.
    let legacy_part = ledger
        .body
        .split(&format!("id=\"diem-adapter-{LEGACY}\""))
        .nth(1)
        .expect("the legacy system's part of the ledger");
    let legacy_part = legacy_part.split("</section>").next().unwrap();
    assert!(
        legacy_part.contains("Đã giao") && legacy_part.contains("Mã tham chiếu: LG"),
        "{legacy_part}"
    );
    assert!(
        !ledger.body.contains("Trần Thị Bình"),
        "no personal data on the ledger"
    );

    // Bad names: said, nothing else.
    let search = http::get_as(web, &format!("/quan-tri/ho-so?ma-ho-so={ma_ho_so}"), &admin).await;
    assert_eq!(
        (search.status, search.header("location")),
        (303, Some(ledger_path.as_str()))
    );
    let unknown = "000.00.01.H22-250101-99999";
    assert_page(
        &http::get_as(web, &format!("/quan-tri/ho-so/{unknown}"), &admin).await,
        404,
        unknown,
    );
    assert_page(
        &http::get_as(web, "/quan-tri/ho-so/khong-phai-ma", &admin).await,
        400,
        "không đúng định dạng",
    );
    assert_page(
        &http::get_as(web, "/quan-tri/ho-so?ma-ho-so=abc", &admin).await,
        400,
        "không đúng định dạng",
    );
    assert_page(
        &http::get_as(web, "/quan-tri/diem-nhan/adapter/khong-co", &admin).await,
        404,
        "«khong-co»",
    );
    let grpc_partner = http::get_as(
        web,
        "/quan-tri/diem-nhan/partner/national-portal/gui-lai?tat-ca=1",
        &admin,
    )
    .await;
    assert_page(&grpc_partner, 400, "không giữ sự kiện");
    let no_broker = http::get_as(web, "/quan-tri/ban-tin", &admin).await;
    assert_page(&no_broker, 200, "không có RabbitMQ");

    // The audit log: one re-drive, naming the officer, what it moved.
    world.hub.stop().await;
    let log = crate::audit::entries(&world.hub.dir.path().join("data"));
    let redrives: Vec<_> = log
        .iter()
        .filter(|e| e.record.kind == Kind::Operator)
        .map(|e| {
            (
                e.record.actor.as_str(),
                e.record.action.as_str(),
                e.record.subject.as_str(),
                e.record.count,
                e.record.detail.clone(),
            )
        })
        .collect();
    assert_eq!(
        redrives,
        [(
            "officer:quantri",
            "redrive_parked_deliveries",
            LEGACY,
            1,
            seq.to_string()
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_administrator_redrives_a_parked_delivery_in_the_browser_and_reads_the_ledger() {
    let world = world().await;
    let web = world.hub.web_addr.unwrap();
    let ma_ho_so = parked_dossier(&world, "console-browser-1").await;
    let browser = Browser::start("console", web, &shots(&world.hub)).await;

    // From the workspace to the console; the destination is in arrears.
    browser.sign_in(ADMIN.0, ADMIN.1).await;
    browser
        .click("nav.workspace-nav a[href=\"/quan-tri/\"]")
        .await;
    assert_eq!(browser.path().await, "/quan-tri/");
    let text = browser.text().await;
    assert!(
        text.contains("Tổng quan điểm nhận") && text.contains(LEGACY),
        "{text}"
    );
    assert!(text.contains("Có sự kiện bị giữ"), "{text}");
    browser.look("overview").await;
    browser
        .screenshots_at("overview-table", Some(".console-table"))
        .await;

    browser
        .click(&format!("a[href=\"{}\"]", destination_path()))
        .await;
    let text = browser.text().await;
    assert!(
        text.contains(&ma_ho_so) && text.contains("Đối tác từ chối"),
        "{text}"
    );
    browser.look("destination").await;

    // One re-drive, confirmed; the result is said.
    browser.click("a[href*=\"gui-lai?seq=\"]").await;
    let text = browser.text().await;
    assert!(text.contains("Xác nhận gửi lại sự kiện số"), "{text}");
    assert!(text.contains(&ma_ho_so), "{text}");
    browser.look("confirm").await;
    browser.click("form.action-form button[type=submit]").await;
    let said = browser
        .text_of(".notice--done", "the re-drive is said")
        .await;
    assert!(said.contains("Đã gửi lại 1 sự kiện"), "{said}");
    assert!(browser.text().await.contains("Không có sự kiện nào bị giữ"));
    browser.look("redriven").await;
    delivered_once(&world.legacy, &ma_ho_so).await;

    // The dossier's ledger, through the overview's search box.
    browser.goto("/quan-tri/").await;
    browser.fill("#ma-ho-so", &ma_ho_so).await;
    browser
        .click("form.console-search button[type=submit]")
        .await;
    assert_eq!(browser.path().await, format!("/quan-tri/ho-so/{ma_ho_so}"));
    let mut text = browser.text().await;
    for _ in 0..200 {
        if text.contains("Đã đồng bộ phiên bản mới nhất") && text.matches("Đã giao").count() >= 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        browser.goto(&format!("/quan-tri/ho-so/{ma_ho_so}")).await;
        text = browser.text().await;
    }
    assert!(text.contains("Đã đồng bộ phiên bản mới nhất"), "{text}");
    assert!(text.contains("Đã giao"), "{text}");
    browser.look("ledger").await;
    browser
        .screenshots_at("ledger-relay", Some(&format!("#diem-adapter-{LEGACY}")))
        .await;

    // The broker's parked messages: none without [amqp], and it says so.
    browser.goto("/quan-tri/ban-tin").await;
    assert!(browser.text().await.contains("không có RabbitMQ"));
    browser.look("messages-without-broker").await;

    // Another role is refused, with the reason.
    browser.click(".account__sign-out button").await;
    browser.sign_in(RECEPTION.0, RECEPTION.1).await;
    browser.goto("/quan-tri/").await;
    let text = browser.text().await;
    assert!(
        text.contains("Không có quyền truy cập") && text.contains("Quản trị hệ thống"),
        "{text}"
    );
    browser.look("refused").await;
    browser.close().await;
}
