//! The simulated legacy system's own vocabulary — its field names, status
//! codes and event names — and the adapter settings that map them, ready
//! for tests and the demo.

/// Status codes of the legacy system and the canonical code of each.
pub const STATUSES: [(&str, i64); 10] = [
    ("MOI", 1),
    ("DA_TIEP_NHAN", 2),
    ("TU_CHOI", 3),
    ("DANG_XU_LY", 4),
    ("CHO_BO_SUNG", 5),
    ("CHO_NOP_PHI", 6),
    ("DA_RUT", 7),
    ("TAM_DUNG", 8),
    ("DA_XU_LY", 9),
    ("DA_TRA_KQ", 10),
];

/// The header carrying its API key (outbound) and the shared secret it
/// presents to the hub (inbound).
pub const API_KEY_HEADER: &str = "X-Api-Key";
pub const SECRET_HEADER: &str = "X-Legacy-Secret";

/// Where it receives the hub's events.
pub const RECEIVE_PATH: &str = "/api/hoso/dongbo";

/// Outbound mapping: legacy field → canonical path.
pub const FIELDS: [(&str, &str); 13] = [
    ("maSuKien", "event.event_id"),
    ("loaiSuKien", "event.type"),
    ("thoiGian", "event.occurred_at"),
    ("soHoSo", "dossier.ma_ho_so"),
    ("maThuTuc", "dossier.procedure_code"),
    ("tenThuTuc", "dossier.procedure_name"),
    ("maCoQuan", "dossier.agency_code"),
    ("chuHoSo.hoTen", "dossier.owner_name"),
    ("chuHoSo.soDienThoai", "dossier.phone"),
    ("maTrangThai", "dossier.status"),
    ("ngayHenTra", "dossier.due_at"),
    ("ghiChu", "entry.note"),
    ("tongLePhi", "dossier.fees_total_vnd"),
];

/// Canonical event type → the legacy system's event name.
pub const EVENT_NAMES: [(&str, &str); 4] = [
    ("dossier_submitted", "NOP_MOI"),
    ("dossier_received", "TIEP_NHAN"),
    ("processing_finished", "XU_LY_XONG"),
    ("result_returned", "TRA_KET_QUA"),
];

/// Inbound mapping: role → legacy field.
pub const COMMANDS: [(&str, &str); 9] = [
    ("ma_ho_so", "soHoSo"),
    ("status", "maTrangThai"),
    ("note", "ghiChu"),
    ("due_date", "ngayHenTra"),
    ("request_id", "maYeuCau"),
    ("actor", "canBo"),
    ("unit", "donVi"),
    ("items", "danhSachBoSung"),
    ("result_name", "ketQua.ten"),
];

fn table<'a>(pairs: impl IntoIterator<Item = (&'a str, toml::Value)>) -> toml::Table {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A table of names: hub name → the legacy system's name.
fn names(pairs: &[(&str, &str)]) -> toml::Value {
    toml::Value::Table(table(
        pairs.iter().map(|(k, v)| (*k, toml::Value::from(*v))),
    ))
}

/// A complete `[partners.adapter]` table (without `kind`) for this simulator.
pub(crate) fn adapter_settings(
    base_url: &str,
    api_key: &str,
    secret: &str,
    events: &[&str],
) -> toml::Table {
    let mut t = toml::Table::new();
    t.insert(
        "endpoint".into(),
        format!("{base_url}{RECEIVE_PATH}").into(),
    );
    t.insert("timeout_seconds".into(), toml::Value::Integer(2));
    t.insert(
        "events".into(),
        toml::Value::Array(events.iter().map(|e| toml::Value::from(*e)).collect()),
    );
    t.insert("secret_header".into(), SECRET_HEADER.into());
    t.insert("secret".into(), secret.into());
    t.insert("processing_unit".into(), "Phòng Quản lý hành chính".into());
    t.insert(
        "headers".into(),
        toml::Value::Table(table([(API_KEY_HEADER, api_key.into())])),
    );
    t.insert("fields".into(), names(&FIELDS));
    t.insert(
        "status_map".into(),
        toml::Value::Table(table(
            STATUSES.iter().map(|(k, v)| (*k, toml::Value::Integer(*v))),
        )),
    );
    t.insert("event_names".into(), names(&EVENT_NAMES));
    t.insert(
        "reply".into(),
        toml::Value::Table(table([
            ("code_field", "maLoi".into()),
            ("success_codes", toml::Value::Array(vec!["00".into()])),
            ("duplicate_codes", toml::Value::Array(vec!["02".into()])),
            ("retry_codes", toml::Value::Array(vec!["99".into()])),
            ("message_field", "moTa".into()),
            ("reference_field", "maThamChieu".into()),
        ])),
    );
    t.insert("commands".into(), names(&COMMANDS));
    t
}
