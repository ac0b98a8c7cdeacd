//! The web pages, tested as people use them: a real headless Chromium signs
//! officers in, reads their queue, is refused what it must be refused, and
//! is checked for accessibility; a raw HTTP client sends what a browser
//! would not (posts without token or cookie) and checks headers.
//!
//! Every page visited is saved at phone and desktop widths under the test's
//! temp dir and copied to `target/screenshots/<test>/`.

mod applicant;
pub mod browser;
mod citizen_sync;
mod console;
mod dossier;
mod feedback;
mod filing;
mod first_layout;
mod forms;
mod handover;
mod headers;
pub mod http;
mod module;
mod oidc;
mod payment;
mod portal;
mod queue;
mod queues;
mod rating;
mod sign_in;

use crate::common::{submission, submit_request, TestHub, PORTAL};
use lienthong::config::{HubConfig, OfficerSection};
use lienthong::grpc::pb;
use std::path::PathBuf;

pub const AGENCY_A: &str = crate::common::AGENCY;
pub const AGENCY_B: &str = "000.00.02.H22";

/// The development configuration's officers: login, PUBLIC password, role
/// as the pages say it.
pub const DEV_OFFICERS: [(&str, &str, &str); 4] = [
    ("tiepnhan", "dev-tiepnhan-matkhau", "Cán bộ tiếp nhận"),
    ("chuyenvien", "dev-chuyenvien-matkhau", "Chuyên viên xử lý"),
    ("lanhdao", "dev-lanhdao-matkhau", "Lãnh đạo phê duyệt"),
    ("quantri", "dev-quantri-matkhau", "Quản trị hệ thống"),
];

/// A reception officer of agency B, added by the tests with only the hash
/// of the password in configuration, as production does.
pub const OFFICER_B: (&str, &str) = ("tiepnhan-b", "dev-tiepnhan-b-matkhau");

/// The embedded configuration plus an officer of agency B, locking an
/// account after `lockout_failures` failures.
pub async fn web_hub(lockout_failures: u32) -> TestHub {
    web_hub_with(lockout_failures, |_| {}).await
}

/// The same, with more configuration set by `more`.
pub async fn web_hub_with(lockout_failures: u32, more: impl FnOnce(&mut HubConfig)) -> TestHub {
    let hub = TestHub::start_with(move |config| {
        more(config);
        let web = config
            .web
            .as_mut()
            .expect("the dev configuration has [web]");
        web.lockout_failures = lockout_failures;
        web.officers.push(OfficerSection {
            login: OFFICER_B.0.into(),
            name: "Hoàng Văn Đức".into(),
            role: "reception".into(),
            agency: AGENCY_B.into(),
            unit: "Bộ phận Một cửa".into(),
            password: None,
            password_argon2: Some(lienthong::web::hash_password(OFFICER_B.1).unwrap()),
        });
    })
    .await;
    assert!(hub.web_addr.is_some(), "the web listener is up");
    hub
}

/// The dossier `ma_ho_so` and its history as the hub holds them, read
/// through the library as the national portal partner (every agency).
pub fn stored(
    hub: &TestHub,
    ma_ho_so: &str,
) -> (
    lienthong::domain::Dossier,
    Vec<lienthong::domain::HistoryEntry>,
) {
    let running = hub.running.as_ref().unwrap();
    let portal = running
        .hub
        .partners()
        .get("national-portal")
        .unwrap()
        .clone();
    running
        .hub
        .get_dossier(
            &portal,
            &lienthong::domain::DossierRef::MaHoSo(ma_ho_so.into()),
        )
        .unwrap()
}

pub fn shots(hub: &TestHub) -> PathBuf {
    hub.dir.path().join("screenshots")
}

/// Files a dossier over gRPC as the national portal; returns its MaHoSo.
pub async fn file_dossier(hub: &TestHub, key: &str, agency: &str, owner: &str) -> String {
    let mut portal = hub.client(PORTAL).await;
    let reply = portal
        .exec(submit_request(
            key,
            pb::SubmitDossier {
                agency_code: agency.into(),
                owner_name: owner.into(),
                ..submission()
            },
        ))
        .await
        .expect("submit accepted");
    reply.dossier.expect("the filed dossier").ma_ho_so
}

/// Publishes the agencies catalogue, so the pages can name the agencies.
pub async fn publish_agencies(hub: &TestHub) {
    let mut portal = hub.client(PORTAL).await;
    let entry = |code: &str, name: &str| pb::CatalogEntry {
        code: code.into(),
        name: name.into(),
        parent_code: String::new(),
        attributes: Default::default(),
    };
    let request = portal.req(pb::PublishCatalogRequest {
        idempotency_key: "agencies-v1".into(),
        kind: "agencies".into(),
        entries: vec![
            entry(AGENCY_A, "Sở Xây dựng tỉnh Quảng Ninh"),
            entry(AGENCY_B, "Sở Tư pháp tỉnh Quảng Ninh"),
        ],
        expected_version: None,
    });
    portal
        .catalogs
        .publish_catalog(request)
        .await
        .expect("agencies published");
}
