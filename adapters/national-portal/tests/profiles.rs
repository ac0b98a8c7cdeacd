//! Protocol profiles end to end: the adapter and the simulator speaking a
//! second profile (query parameters, other names, other encodings); a
//! profile that does not fit the portal's answers failing with the fields
//! named instead of empty records; every shared catalogue pulled from the
//! simulator.

mod common;

use common::*;
use lienthong_adapter::{AdapterSettings, Sink};
use lienthong_adapter_national_portal::catalog::{Pulled, DISTRICTS_ABOLISHED_ON};
use lienthong_adapter_national_portal::protocol::ops;
use lienthong_adapter_national_portal::settings::Settings;
use lienthong_adapter_national_portal::simulator::{Profile, SimConfig, Simulator};
use lienthong_adapter_national_portal::Parts;
use std::sync::Arc;

/// A deployment like the C# client that posts `DongBoHoSoMC?MaDinhDanhDV=
/// …&isUpdating=True` with the dossiers as the body, names the unit
/// `MaDinhDanhDV`, writes numbers as numbers, numbers its progress steps
/// and names procedures in mixed case.
const QUERY_PROFILE: &str = r#"
name = "td-query"
version = "2024.2"
source = "a C# client posting DongBoHoSoMC?MaDinhDanhDV=…&isUpdating= (TD.DichVuCongApi)"
login_path = "api/token"
[parameters]
unit = "MaDinhDanhDV"
dossier_code = "MaHoSo"
procedure_code = "MaTTHC"
[encodings]
numbers = "number"
[operations]
sync_dossiers = { service = "DongBoHoSoMC", path = "api/SynsTTHCC/DongBoHoSoMC", params = "query" }
progress = { service = "CapNhatTienDoHoSoMC", path = "api/SynsTTHCC/CapNhatTienDoHoSoMC", params = "query" }
districts = { service = "" }
[records.progress]
SoThuTu = "SoThuTu"
PhongBanXuLy = "DonViXuLy"
[records.procedure]
MaTTHC = "MaTTHC"
TenTTHC = "TenTTHC"
LinhVucThucHien = "LinhVuc"
[records.procedure_sector]
MaLinhVuc = "MaLinhVuc"
TenLinhVuc = "TenLinhVuc"
"#;

/// A simulator speaking `profile` and the adapter's parts configured with
/// the same `[profile]` table (none: the built-in one).
async fn speaking(profile: Option<&str>) -> (Simulator, Parts, Settings, Arc<FakeHub>) {
    let built = match profile {
        Some(text) => Profile::from_toml(text).expect("valid profile"),
        None => Profile::default_profile(),
    };
    let sim = Simulator::start(SimConfig {
        profile: Arc::new(built),
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    let mut table = settings_table(&sim, "");
    if let Some(text) = profile {
        table.insert("profile".into(), toml::Value::Table(text.parse().unwrap()));
    }
    let settings = Settings::from_table(&table).expect("valid settings");
    let hub = Arc::new(FakeHub::default());
    let parts = Parts::new(&settings, hub.clone()).expect("parts");
    (sim, parts, settings, hub)
}

#[tokio::test]
async fn a_second_profile_works_end_to_end() {
    let (sim, parts, settings, hub) = speaking(Some(QUERY_PROFILE)).await;
    assert_eq!(sim.profile().name, "td-query");
    let sink = parts.sink(&settings);
    let ma = ma(1);
    hub_knows(&hub, &ma);
    for v in 1..=7 {
        sink.deliver(&event(&ma, v)).await.expect("accepted");
    }
    let stored = sim.dossier(&ma).expect("on the portal");
    assert_eq!(stored.ho_so.TrangThaiHoSo, 10);
    assert_eq!((stored.creates, stored.updates), (1, 6));
    // This profile numbers its steps: SoThuTu carries the hub's versions.
    let numbered: Vec<Option<i64>> = sim.progress(&ma).iter().map(|t| t.SoThuTu).collect();
    assert_eq!(numbered, (1..=7).map(Some).collect::<Vec<_>>());
    assert_eq!(
        sim.progress(&ma)[0].PhongBanXuLy,
        "Bộ phận một cửa Sở Tư pháp"
    );
    assert!(sim.order_violations().is_empty());
    // The writes went to their own paths with the unit and isUpdating in
    // the query, as "True"/"False".
    let writes = sim.calls_of(ops::SYNC_DOSSIERS);
    assert_eq!(writes[0].madonvi, MADONVI);
    assert_eq!(writes[0].is_updating, Some(false));
    assert!(writes[1..].iter().all(|c| c.is_updating == Some(true)));

    // A restarted adapter finds the portal's copy by its lookup parameter
    // `MaHoSo` and sends nothing twice.
    let again = Parts::new(&settings, hub.clone()).unwrap();
    again.sink(&settings).deliver(&event(&ma, 7)).await.unwrap();
    assert_eq!(sim.progress(&ma).len(), 7);

    // Catalogues in this profile's names.
    let puller = parts.catalog_puller(&settings);
    let Pulled::Published(_) = puller.pull("procedures").await.unwrap() else {
        panic!("procedures published");
    };
    let procedures = hub.published().last().cloned().unwrap();
    assert_eq!(procedures.entries.len(), 3);
    assert_eq!(procedures.entries[0].attributes["sector_code"], "G09");
    // Districts are not offered here: admin units are provinces and communes.
    puller.pull("admin_units").await.unwrap();
    let units = hub.published().last().cloned().unwrap();
    assert!(units
        .entries
        .iter()
        .all(|e| e.attributes["level"] != "district"));
    assert!(parts.state.summary(0).unknown_fields.is_empty());
}

#[tokio::test]
async fn a_profile_that_does_not_fit_the_answers_names_the_fields() {
    // The portal speaks the public profile (upper-case procedures); the
    // adapter was configured with lienthong's old mixed-case names.
    let (sim, _, _, _) = speaking(None).await;
    let old = r#"
name = "lienthong-provisional"
version = "2024.1"
source = "lienthong's first reading of the portal"
[records.procedure]
MaTTHC = "MaTTHC"
TenTTHC = "TenTTHC"
"#;
    let mut table = settings_table(&sim, "");
    table.insert("profile".into(), toml::Value::Table(old.parse().unwrap()));
    let settings = Settings::from_table(&table).unwrap();
    let hub = Arc::new(FakeHub::default());
    let parts = Parts::new(&settings, hub.clone()).unwrap();
    let err = parts
        .catalog_puller(&settings)
        .pull("procedures")
        .await
        .unwrap_err()
        .to_string();
    // Not "no usable procedures" alone: which fields were missing and which
    // the portal sent instead.
    assert!(
        err.contains("missing field result[0].MaTTHC, result[0].TenTTHC"),
        "{err}"
    );
    assert!(err.contains("unknown field result[0].MATTHC"), "{err}");
    assert!(hub.published().is_empty(), "nothing published");

    // Under the built-in profile the same answer reads.
    let (_sim, parts, settings, hub) = speaking(None).await;
    parts
        .catalog_puller(&settings)
        .pull("procedures")
        .await
        .unwrap();
    let entries = &hub.published()[0].entries;
    assert_eq!(entries[0].code, "1.000894.000.00.00.H22");
    assert_eq!(
        entries[0].name,
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    );
}

#[tokio::test]
async fn a_dossier_write_in_the_wrong_encoding_is_refused_by_the_portal() {
    // The adapter writes isUpdating as a JSON boolean; the portal wants
    // "True"/"False": refused, naming isUpdating, never applied.
    let (sim, _, _, _) = speaking(None).await;
    let boolean =
        "name = \"b\"\nversion = \"1\"\nsource = \"test\"\n[encodings]\nis_updating = \"boolean\"";
    let mut table = settings_table(&sim, "");
    table.insert(
        "profile".into(),
        toml::Value::Table(boolean.parse().unwrap()),
    );
    let settings = Settings::from_table(&table).unwrap();
    let parts = Parts::new(&settings, Arc::new(FakeHub::default())).unwrap();
    let err = parts
        .sink(&settings)
        .deliver(&event(&ma(2), 1))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("isUpdating"), "{err}");
    assert!(sim.dossier(&ma(2)).is_none());
}

#[tokio::test]
async fn an_unknown_field_in_an_answer_is_reported_by_name() {
    let (sim, parts, settings, _hub) = speaking(None).await;
    sim.set_raw_answer(
        ops::SECTORS,
        vec![serde_json::json!({"MALINHVUC": "G09", "TENLINHVUC": "Lý lịch tư pháp", "MOTA": "x"})],
    );
    parts
        .catalog_puller(&settings)
        .pull("sectors")
        .await
        .unwrap();
    let summary = parts.state.summary(0);
    let unknown = &summary.unknown_fields["LayDanhMucLinhVuc"];
    assert!(unknown.contains("result.MOTA"), "{unknown:?}");
}

#[tokio::test]
async fn every_shared_catalogue_is_pulled_from_its_operation() {
    let (sim, parts, settings, hub) = speaking(None).await;
    parts.catalog_puller(&settings).pull_all().await;
    let published = hub.published();
    let of = |kind: &str| {
        published
            .iter()
            .find(|p| p.kind == kind)
            .unwrap_or_else(|| panic!("{kind} published"))
            .entries
            .clone()
    };
    // Administrative units: 34 provinces, their communes under them, and
    // the abolished district for older three-level codes.
    let units = of("admin_units");
    let level = |l: &str| units.iter().filter(|e| e.attributes["level"] == l).count();
    assert_eq!(level("province"), 34);
    let van_don = units.iter().find(|e| e.code == "07192").unwrap();
    assert_eq!(van_don.parent_code, "22");
    assert_eq!(van_don.attributes["type"], "Đặc khu");
    let district = units.iter().find(|e| e.code == "193").unwrap();
    assert_eq!(district.attributes["level"], "district");
    assert_eq!(district.attributes["abolished_on"], DISTRICTS_ABOLISHED_ON);
    // Each of the others from its own operation, with its attributes.
    let fee = &of("fees")[0];
    assert_eq!(
        (fee.code.as_str(), fee.attributes["amount"].as_str()),
        ("LP01", "200000")
    );
    assert_eq!(fee.attributes["fee_type"], "2");
    assert_eq!(of("services")[0].attributes["online_level"], "4");
    assert_eq!(of("result_types")[0].code, "KQ01");
    assert_eq!(
        of("treasury_accounts")[0].attributes["treasury_code"],
        "0111"
    );
    assert_eq!(of("revenue_items").len(), 2);
    assert_eq!(of("banks")[1].attributes["bin"], "970418");
    for (op, service) in [
        (
            lienthong_adapter_national_portal::profile::Op::Provinces,
            "LayDanhMucTinhThanh",
        ),
        (
            lienthong_adapter_national_portal::profile::Op::Communes,
            "LayDanhMucPhuongXa",
        ),
        (
            lienthong_adapter_national_portal::profile::Op::Districts,
            "LayDanhMucQuanHuyen",
        ),
        (
            lienthong_adapter_national_portal::profile::Op::Fees,
            "LayDanhMucLePhi",
        ),
    ] {
        let calls = sim.calls_of(op);
        assert_eq!(calls.len(), 1, "{service}");
        assert_eq!(calls[0].service, service);
    }
    // A province record without its name is left out, named.
    sim.set_raw_answer(
        lienthong_adapter_national_portal::profile::Op::Provinces,
        vec![
            serde_json::json!({"MATINH": "22", "TENTINH": "Tỉnh Quảng Ninh"}),
            serde_json::json!({"MATINH": "01"}),
        ],
    );
    parts
        .catalog_puller(&settings)
        .pull("admin_units")
        .await
        .unwrap();
    let status = &parts.state.summary(0).catalogs["admin_units"];
    assert_eq!(status.skipped, 1);
    assert!(
        status.problems[0].contains("result[1].TENTINH"),
        "{:?}",
        status.problems
    );
}
