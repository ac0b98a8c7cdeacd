//! A legacy system's update (`POST …/update`): the body read as JSON, its
//! fields found by the configured paths and read (`commands::read`: status
//! mapped, dates in the legacy format), the command planned against
//! dossiers in each status, and the planned command taken through the
//! hub's decoding and rules.

use crate::{refused, Target};
use lienthong::domain::validate;
use lienthong::wire::from_proto;
use lienthong::wire::pb;
use lienthong_adapter::AdapterSettings;
use lienthong_adapter_legacy::commands::{plan, read, Plan};
use lienthong_adapter_legacy::settings::Settings;
use serde_json::Value;
use std::sync::OnceLock;

/// Settings like the adapter's own tests use: every inbound field mapped,
/// nested paths included.
const SETTINGS: &str = r#"
    secret_header = "X-S"
    secret = "0123456789abcdef"
    processing_unit = "Vụ Pháp chế"
    [status_map]
    MOI = 1
    TN = 2
    TC = 3
    XL = 4
    BS = 5
    PHI = 6
    RUT = 7
    DUNG = 8
    XONG = 9
    TRA = 10
    [commands]
    ma_ho_so = "so"
    status = "tt"
    note = "ghiChu"
    due_date = "hen"
    request_id = "id"
    items = "ds"
    result_name = "kq.ten"
    result_url = "kq.url"
    fee_amount = "phi"
"#;

fn settings() -> &'static Settings {
    static SETTINGS_ONCE: OnceLock<Settings> = OnceLock::new();
    SETTINGS_ONCE.get_or_init(|| {
        let table: toml::Table = SETTINGS.parse().expect("the fuzz settings are TOML");
        Settings::from_table(&table).expect("the fuzz settings are valid")
    })
}

pub fn target() -> Target {
    Target {
        name: "legacy_update",
        max_len: 16 * 1024,
        run,
        seeds,
        dictionary: super::JSON_TOKENS,
    }
}

fn run(body: &[u8]) -> String {
    let config = settings();
    let inbound = config
        .inbound
        .as_ref()
        .expect("the fuzz settings have inbound");
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return "refused:json".into();
    };
    let update = match read(&body, config, inbound) {
        Ok(update) => update,
        Err(e) => return refused(&e),
    };
    let mut labels = Vec::new();
    for status in [2, 4, 5, 6, 8, 9] {
        let current = pb::Dossier {
            ma_ho_so: update.ma_ho_so.clone(),
            status,
            version: 3,
            result_delivery: pb::ResultDelivery::ByPost as i32,
            ..Default::default()
        };
        labels.push(match plan(&update, &current, inbound) {
            Ok(Plan::Unchanged) => "unchanged".to_string(),
            Ok(Plan::Execute { name, command }) => match hub(&update.ma_ho_so, command) {
                Ok(()) => format!("ok:{name}"),
                Err(e) => e,
            },
            Err(e) => refused(&e),
        });
    }
    labels.join(" ")
}

fn hub(ma_ho_so: &str, command: pb::command_request::Command) -> Result<(), String> {
    let request = pb::CommandRequest {
        idempotency_key: format!("legacy-{ma_ho_so}"),
        expected_version: Some(3),
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma_ho_so.to_string())),
        }),
        actor: "Hệ thống cũ".into(),
        unit: "Vụ Pháp chế".into(),
        command: Some(command),
    };
    let envelope =
        from_proto::command_request(request).map_err(|e| format!("hub:{}", refused(&e)))?;
    validate::envelope(&envelope).map_err(|e| format!("hub:{}", refused(&e)))
}

fn seeds() -> Vec<Vec<u8>> {
    [
        r#"{"so":"000.00.01.H22-251122-00001","tt":"XL","ghiChu":"Đang thẩm định"}"#,
        r#"{"so":"000.00.01.H22-251122-00001","tt":"BS","ghiChu":"Thiếu giấy tờ","ds":["Bản sao CCCD","Tờ khai"],"hen":"20251130170000","id":"r-2"}"#,
        r#"{"so":"000.00.01.H22-251122-00001","tt":"XONG","kq":{"ten":"Giấy phép","url":"https://example.vn/kq.pdf"}}"#,
        r#"{"so":"000.00.01.H22-251122-00001","tt":"PHI","phi":150000}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
