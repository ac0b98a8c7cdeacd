//! Inbound against the simulated portal: catalogue pulls, the push-down of
//! dossiers filed on the portal, the tasks' stop, and the kind's settings.

mod common;

use common::*;
use lienthong_adapter::AdapterSettings;
use lienthong_adapter::{AdapterKind, ErrorCode, Stop};
use lienthong_adapter_national_portal::catalog::Pulled;
use lienthong_adapter_national_portal::protocol::{ops, HoSo, LinhVuc, ThuTuc};
use lienthong_adapter_national_portal::simulator::{SimConfig, Simulator};
use lienthong_adapter_national_portal::NationalPortalKind;
use std::sync::Arc;
use std::time::Duration;

/// Every catalogue the default profile offers, in pull order.
const ALL_KINDS: [&str; 10] = [
    "procedures",
    "agencies",
    "sectors",
    "admin_units",
    "fees",
    "services",
    "result_types",
    "treasury_accounts",
    "revenue_items",
    "banks",
];

async fn sim() -> Simulator {
    Simulator::start(SimConfig::default())
        .await
        .expect("simulator")
}

#[tokio::test]
async fn catalogues_are_published_whole_and_only_when_changed() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "");
    let puller = parts.catalog_puller(&settings);
    puller.pull_all().await;
    let published = hub.published();
    let kinds: Vec<&str> = published.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ALL_KINDS);
    let procedures = &published[0];
    assert_eq!(procedures.entries.len(), 3);
    let first = &procedures.entries[0];
    assert_eq!(first.code, "1.000894.000.00.00.H22");
    assert_eq!(
        first.attributes.get("sector_code").map(String::as_str),
        Some("G09")
    );
    assert_eq!(
        first.attributes.get("online_level").map(String::as_str),
        Some("4")
    );
    assert!(
        !first.attributes.contains_key("fees"),
        "list form has no detail"
    );
    let agencies = &published[1];
    assert_eq!(agencies.entries[1].parent_code, "000.00.00.H22");
    assert!(procedures
        .idempotency_key
        .starts_with("dvcqg:catalog:procedures:"));

    // Unchanged: nothing published.
    assert_eq!(puller.pull("sectors").await.unwrap(), Pulled::Unchanged);
    // Changed, with records the hub would refuse: those are left out.
    let mut sectors = vec![
        LinhVuc {
            MaLinhVuc: "G09".into(),
            TenLinhVuc: "Lý lịch tư pháp".into(),
            ..Default::default()
        },
        LinhVuc {
            MaLinhVuc: "G 10".into(),
            TenLinhVuc: "mã có dấu cách".into(),
            ..Default::default()
        },
        LinhVuc {
            MaLinhVuc: "G12".into(),
            TenLinhVuc: "".into(),
            ..Default::default()
        },
    ];
    sim.set_sectors(sectors.clone());
    let Pulled::Published(reply) = puller.pull("sectors").await.unwrap() else {
        panic!("expected a publication");
    };
    assert_eq!(reply.version, 2);
    let last = hub.published().last().cloned().unwrap();
    let codes: Vec<&str> = last.entries.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["G09"]);
    let summary = parts.state.summary(0);
    assert_eq!(summary.catalogs["sectors"].skipped, 2);
    assert_eq!(summary.catalogs["sectors"].version, 2);

    // An empty answer never empties the hub's catalogue.
    sectors.clear();
    sim.set_sectors(sectors);
    assert!(puller.pull("sectors").await.is_err());
    assert_eq!(hub.published().len(), ALL_KINDS.len() + 1);
    assert!(parts.state.summary(0).catalogs["sectors"]
        .last_error
        .is_none());
    puller.pull_all().await;
    assert!(parts.state.summary(0).catalogs["sectors"]
        .last_error
        .is_some());
}

#[tokio::test]
async fn procedure_details_come_from_lay_thu_tuc() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "catalog_procedure_details = true");
    parts
        .catalog_puller(&settings)
        .pull("procedures")
        .await
        .unwrap();
    assert_eq!(sim.calls_of(ops::PROCEDURE).len(), 3);
    let published = hub.published()[0].clone();
    let fees = &published.entries[0].attributes["fees"];
    assert!(fees.contains("LP01"), "{fees}");
    assert!(published.entries[0].attributes.contains_key("legal_basis"));
}

#[tokio::test]
async fn catalogue_pulls_survive_500s_and_session_expiry() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "");
    let puller = parts.catalog_puller(&settings);
    sim.fail_next_of(ops::PROCEDURES, 1);
    sim.expire_sessions();
    puller.pull_all().await;
    assert_eq!(
        hub.published().len(),
        ALL_KINDS.len() - 1,
        "all but procedures"
    );
    assert!(parts.state.summary(0).catalogs["procedures"]
        .last_error
        .is_some());
    sim.expire_sessions();
    puller.pull_all().await;
    let kinds: Vec<String> = hub.published().iter().map(|p| p.kind.clone()).collect();
    assert_eq!(kinds[..2], ["agencies", "sectors"]);
    assert_eq!(kinds.last().map(String::as_str), Some("procedures"));
    let _ = ThuTuc::default();
}

fn filed(n: u32, minute: i64) -> HoSo {
    HoSo {
        MaHoSo: ma(n),
        MaTTHC: PROCEDURE.into(),
        TenTTHC: "Cấp Phiếu lý lịch tư pháp".into(),
        MaLinhVuc: "G09".into(),
        KenhThucHien: 2,
        ChuHoSo: format!("Công dân {n}"),
        LoaiDoiTuong: 1,
        NgayNopHoSo: lienthong_adapter::vietnam_time::format(now() - 3600 + minute * 60),
        TrangThaiHoSo: 1,
        HinhThuc: Some(1),
        ..Default::default()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn dossiers_filed_on_the_portal_are_submitted_once_each() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "");
    for n in 1..=3 {
        sim.file_on_portal(MADONVI, filed(n, n as i64));
    }
    sim.file_on_portal("000.00.00.H99", filed(50, 1)); // another unit's
    let poller = parts.pushdown(&settings);
    let polled = poller.poll_once().await.unwrap();
    assert_eq!((polled.submitted, polled.already_there), (3, 0));
    let first = submitted(&hub);
    let mas: Vec<&str> = first.iter().map(|s| s.ma_ho_so.as_str()).collect();
    assert_eq!(mas, [ma(1), ma(2), ma(3)]);
    assert_eq!(first[0].agency_code, AGENCY);
    assert_eq!(
        first[0].channel,
        lienthong_adapter::pb::SubmissionChannel::Online as i32
    );
    assert_eq!(
        first[0].result_delivery,
        lienthong_adapter::pb::ResultDelivery::ByPost as i32
    );
    let request = hub.applied()[0].clone();
    assert!(request
        .idempotency_key
        .starts_with(&format!("dvcqg:submit:{}:", ma(1))));
    assert_eq!(request.unit, MADONVI);

    // Duplicates on the portal's side: every dossier listed twice, and the
    // cursor's inclusive bound re-reads the last one.
    sim.set_duplicates(true);
    sim.file_on_portal(MADONVI, filed(4, 10));
    let polled = poller.poll_once().await.unwrap();
    assert_eq!(polled.submitted, 1);
    assert!(polled.already_there >= 1);
    assert_eq!(submitted(&hub).len(), 4);

    // A restarted adapter re-reads everything (lookback): the hub says
    // "already there" (replayed keys), nothing new is submitted.
    let again = parts.pushdown(&settings);
    let polled = again.poll_once().await.unwrap();
    assert_eq!(polled.submitted, 0);
    assert_eq!(polled.already_there, 8);
    assert_eq!(submitted(&hub).len(), 4);
    let summary = parts.state.summary(0);
    assert_eq!(summary.pushdown.submitted, 4);
    assert!(summary.pushdown.last_error.is_none());
}

#[tokio::test]
async fn a_dossier_already_in_the_hub_counts_as_there() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "");
    sim.file_on_portal(MADONVI, filed(1, 1));
    parts.pushdown(&settings).poll_once().await.unwrap();
    // Another portal instance holds a changed record with the same MaHoSo:
    // a new idempotency key, but the MaHoSo is taken.
    let other = self::sim().await;
    let mut changed = filed(1, 1);
    changed.TrichYeuHoSo = "sửa trích yếu".into();
    other.file_on_portal(MADONVI, changed);
    let settings2 = lienthong_adapter_national_portal::settings::Settings::from_table(
        &settings_table(&other, ""),
    )
    .unwrap();
    let parts2 = lienthong_adapter_national_portal::Parts::new(&settings2, hub.clone()).unwrap();
    let polled = parts2.pushdown(&settings2).poll_once().await.unwrap();
    assert_eq!((polled.submitted, polled.already_there), (0, 1));
    assert_eq!(submitted(&hub).len(), 1);
}

#[tokio::test]
async fn an_unavailable_hub_holds_the_cursor_and_bad_records_are_named() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "");
    let mut bad = filed(1, 1);
    bad.LoaiDoiTuong = 9;
    sim.file_on_portal(MADONVI, bad);
    sim.file_on_portal(MADONVI, filed(2, 2));
    let poller = parts.pushdown(&settings);
    fail_with(&hub, Some(ErrorCode::Unavailable));
    let polled = poller.poll_once().await.unwrap();
    assert_eq!((polled.refused, polled.deferred), (1, 1));
    fail_with(&hub, None);
    let polled = poller.poll_once().await.unwrap();
    assert_eq!(polled.submitted, 1, "read again and submitted");
    assert_eq!(submitted(&hub)[0].ma_ho_so, ma(2));
    let summary = parts.state.summary(0);
    assert_eq!(summary.pushdown.refused.len(), 1);
    assert_eq!(summary.pushdown.refused[0].ma_ho_so, ma(1));
    assert!(summary.pushdown.refused[0].reason.contains("LoaiDoiTuong"));
    // A refusal by the hub is recorded with the hub's message, not retried.
    fail_with(&hub, Some(ErrorCode::InvalidArgument));
    sim.file_on_portal(MADONVI, filed(3, 30));
    let polled = poller.poll_once().await.unwrap();
    assert_eq!(polled.refused, 1);
    fail_with(&hub, None);
    let polled = poller.poll_once().await.unwrap();
    assert_eq!(polled.submitted, 0);
}

#[tokio::test]
async fn the_push_down_poll_survives_500s_and_expiry() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "");
    sim.file_on_portal(MADONVI, filed(1, 1));
    let poller = parts.pushdown(&settings);
    sim.fail_next(1);
    assert!(poller.poll_once().await.is_err());
    assert!(parts.state.summary(0).pushdown.last_error.is_some());
    sim.expire_sessions();
    poller.poll_once().await.unwrap();
    assert_eq!(submitted(&hub).len(), 1);
    assert!(parts.state.summary(0).pushdown.last_error.is_none());
}

#[tokio::test]
async fn tasks_run_at_start_and_end_when_stopped() {
    let sim = sim().await;
    sim.file_on_portal(MADONVI, filed(1, 1));
    let table = settings_table(
        &sim,
        "catalog_poll_interval_seconds = 3600\npushdown_poll_interval_seconds = 3600",
    );
    let hub = Arc::new(FakeHub::default());
    let adapter = NationalPortalKind
        .build("dvcqg", &table, hub.clone())
        .unwrap();
    assert!(adapter.sink.is_some() && adapter.routes.is_some());
    assert_eq!(adapter.tasks.len(), 2);
    let mut stops = Vec::new();
    let mut handles = Vec::new();
    for task in adapter.tasks {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let stop: Stop = Box::pin(async move {
            let _ = rx.await;
        });
        stops.push(tx);
        handles.push(tokio::spawn(task(stop)));
    }
    for _ in 0..200 {
        if hub.published().len() == ALL_KINDS.len() && submitted(&hub).len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(hub.published().len(), ALL_KINDS.len());
    assert_eq!(submitted(&hub).len(), 1);
    for tx in stops {
        let _ = tx.send(());
    }
    for h in handles {
        tokio::time::timeout(Duration::from_secs(2), h)
            .await
            .expect("task ended on stop")
            .unwrap();
    }
}

#[test]
fn the_kind_validates_its_settings() {
    let kind = NationalPortalKind;
    assert_eq!(kind.kind(), "national_portal_dvcqg");
    let ok: toml::Table =
        "endpoint = \"https://dvcqg.example/api\"\nusername = \"u\"\npassword = \"p\"\n\
        dstcode = \"H22\"\nmadonvi = \"000.00.00.H22\""
            .parse()
            .unwrap();
    kind.validate(&ok).unwrap();
    let mut bad = ok.clone();
    bad.insert("endpoint".into(), "ftp://x".into());
    assert_eq!(kind.validate(&bad).unwrap_err().key, "endpoint");
    let mut missing = ok.clone();
    missing.remove("dstcode");
    assert!(kind
        .validate(&missing)
        .unwrap_err()
        .to_string()
        .contains("dstcode"));
    let mut extra = ok;
    extra.insert("poll_interval".into(), 5.into());
    assert!(kind
        .validate(&extra)
        .unwrap_err()
        .to_string()
        .contains("poll_interval"));
}

#[test]
fn the_documented_profile_example_is_valid() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/national-portal-profile.example.toml"
    );
    let mut table: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    assert_eq!(
        table
            .remove("kind")
            .and_then(|k| k.as_str().map(String::from))
            .as_deref(),
        Some(NationalPortalKind.kind())
    );
    let settings =
        lienthong_adapter_national_portal::settings::Settings::from_table(&table).unwrap();
    assert_eq!(settings.profile.name, "td-query");
    assert_eq!(settings.profile.parameters.unit, "MaDinhDanhDV");
    // An unknown key inside the profile is named.
    let mut bad = table.clone();
    bad["profile"]
        .as_table_mut()
        .unwrap()
        .insert("naem".into(), "x".into());
    let err = lienthong_adapter_national_portal::settings::Settings::from_table(&bad).unwrap_err();
    assert_eq!(err.key, "profile.naem", "{err}");
}
