//! The one-stop system's status report (`POST …/status`): the body read as
//! a report, its required fields checked, its status mapped, and the
//! command derived for it against dossiers in each status, then taken
//! through the hub's decoding and rules as the adapter would send it.

use crate::{refused, Target};
use lienthong::domain::validate;
use lienthong::wire::from_proto;
use lienthong::wire::pb;
use lienthong_adapter_one_stop::commands::{derive, Derived};
use lienthong_adapter_one_stop::protocol::StatusReport;

/// A status map like the development configuration's.
const STATUS_MAP: &[(&str, u8)] = &[
    ("MOI", 1),
    ("DA_TIEP_NHAN", 2),
    ("TU_CHOI", 3),
    ("BO_SUNG", 4),
    ("DANG_XU_LY", 5),
    ("NGHIA_VU_TAI_CHINH", 6),
    ("RUT", 7),
    ("DUNG", 8),
    ("CO_KET_QUA", 9),
    ("DA_TRA", 10),
    ("KHONG_HOP_LE", 11),
];

pub fn target() -> Target {
    Target {
        name: "one_stop_status",
        max_len: 16 * 1024,
        run,
        seeds,
        dictionary: super::JSON_TOKENS,
    }
}

fn run(body: &[u8]) -> String {
    let report: StatusReport = match serde_json::from_slice(body) {
        Ok(report) => report,
        Err(_) => return "refused:json".into(),
    };
    for (field, value) in [
        ("event_id", &report.event_id),
        ("ma_ho_so", &report.ma_ho_so),
        ("status", &report.status),
    ] {
        if value.trim().is_empty() {
            return format!("refused:required:{field}");
        }
    }
    let Some(&(_, target)) = STATUS_MAP.iter().find(|(name, _)| *name == report.status) else {
        return "refused:status".into();
    };
    let mut labels = Vec::new();
    for current in [2, 4, 5, 6, 8, 9] {
        let dossier = pb::Dossier {
            ma_ho_so: report.ma_ho_so.clone(),
            status: current,
            version: 3,
            ..Default::default()
        };
        let label = match derive(target, &dossier, &report) {
            Ok(Derived::Command(name, command)) => {
                hub(&report, *command).map_or_else(|e| e, |()| format!("ok:{name}"))
            }
            Ok(Derived::Unchanged) => "unchanged".into(),
            Ok(Derived::Unreachable(_)) => "unreachable".into(),
            Err(e) => format!("refused:{}", e.field),
        };
        labels.push(label);
    }
    labels.join(" ")
}

/// The derived command through the hub's own decoding and field rules.
fn hub(report: &StatusReport, command: pb::command_request::Command) -> Result<(), String> {
    let request = pb::CommandRequest {
        idempotency_key: format!("one-stop-{}", report.event_id),
        expected_version: Some(3),
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(report.ma_ho_so.clone())),
        }),
        actor: report.actor.clone(),
        unit: report.unit.clone(),
        command: Some(command),
    };
    let envelope =
        from_proto::command_request(request).map_err(|e| format!("hub:{}", refused(&e)))?;
    validate::envelope(&envelope).map_err(|e| format!("hub:{}", refused(&e)))
}

fn seeds() -> Vec<Vec<u8>> {
    [
        r#"{"event_id":"ev-1","ma_ho_so":"000.00.01.H22-251122-00001","status":"DANG_XU_LY","actor":"Trần Thị B","unit":"Phòng Tư pháp","processing_unit":"Phòng Tư pháp"}"#,
        r#"{"event_id":"ev-2","ma_ho_so":"000.00.01.H22-251122-00001","status":"BO_SUNG","note":"Thiếu bản sao CCCD","items":["Bản sao CCCD"],"due_at":"20251130170000"}"#,
        r#"{"event_id":"ev-3","ma_ho_so":"000.00.01.H22-251122-00001","status":"CO_KET_QUA","results":[{"ma":"KQ1","ten":"Giấy chứng nhận","url":"https://example.vn/kq.pdf"}],"delivery":"by_post"}"#,
        r#"{"event_id":"ev-4","ma_ho_so":"000.00.01.H22-251122-00001","status":"NGHIA_VU_TAI_CHINH","fees":[{"ma":"LP","ten":"Lệ phí","so_tien":150000}],"payment":{"transaction_id":"GD1","reference":"TT-1","amount_vnd":150000,"paid_at":"20251122100405"}}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
