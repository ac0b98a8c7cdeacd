//! The one-stop system's REST/JSON messages, shared by adapter and simulator.
//!
//! *(provisional: each province's system has its own API; this is the shape
//! the adapter speaks, with the system's own status vocabulary carried
//! through `status_map`.)*
//!
//! - hub → system: `POST <dossiers_path>` with a [`DossierRecord`] when a
//!   dossier is routed to it (`Idempotency-Key: <event id>`; 201 created,
//!   200 for a repeated key, 409 when it already holds that MaHoSo), and
//!   `POST <dossiers_path>/<ma_ho_so>/events` with a [`DossierEvent`] for
//!   every later change (200, duplicates by `event_id` answered 200, 404 when
//!   it does not hold the dossier). `Authorization: Bearer <api_token>`.
//! - system → hub: `POST <hub>/partners/<id>/status` with a
//!   [`StatusReport`] in its own status code, authenticated by the shared
//!   secret header. Answered with a [`StatusAnswer`] or an [`ErrorAnswer`].
//!
//! Date-times are `yyyyMMddHHmmss`, Asia/Ho_Chi_Minh.

use serde::{Deserialize, Serialize};

/// The header carrying the hub's event id on outbound posts.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// A dossier as the one-stop system receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DossierRecord {
    pub ma_ho_so: String,
    pub version: u64,
    pub ma_co_quan: String,
    pub ma_tthc: String,
    pub ten_tthc: String,
    pub ma_linh_vuc: String,
    /// 1 counter, 2 online, 3 post.
    pub kenh_thuc_hien: i32,
    pub chu_ho_so: String,
    /// 1 citizen, 2 enterprise, 3 state agency, 4 other.
    pub loai_doi_tuong: i32,
    pub so_giay_to: String,
    pub email: String,
    pub so_dien_thoai: String,
    pub trich_yeu: String,
    pub ngay_nop: String,
    pub ngay_tiep_nhan: String,
    pub ngay_hen_tra: String,
    pub ngay_tra: String,
    /// Canonical status 1–10.
    pub trang_thai_chuan: i32,
    /// The system's own code for it, when the mapping has exactly one.
    pub trang_thai: String,
    /// counter | post | electronic | "" (not chosen).
    pub hinh_thuc_tra_kq: String,
    pub don_vi_xu_ly: String,
    pub tai_lieu: Vec<Document>,
    pub le_phi: Vec<Fee>,
    pub ket_qua: Vec<Document>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Document {
    pub ma: String,
    pub ten: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fee {
    pub ma: String,
    pub ten: String,
    pub so_tien: i64,
}

/// One change of a dossier the system already holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DossierEvent {
    pub event_id: String,
    pub ma_ho_so: String,
    pub version: u64,
    /// e.g. `processing_started`.
    pub loai_su_kien: String,
    pub trang_thai_chuan: i32,
    pub trang_thai: String,
    pub thoi_diem: String,
    pub nguoi_xu_ly: String,
    pub don_vi: String,
    pub ghi_chu: String,
    pub ho_so: DossierRecord,
}

/// What the system answers to a post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostAnswer {
    /// Its own id for the dossier.
    pub id: String,
    pub message: String,
}

/// A status change reported by the system, in its own vocabulary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusReport {
    /// Its own id for this report: the idempotency key.
    pub event_id: String,
    pub ma_ho_so: String,
    /// Its own status code, mapped by `status_map`.
    pub status: String,
    pub note: String,
    /// Appointment date (on reception) or new date (after a supplement,
    /// or an apology for an overdue dossier), `yyyyMMddHHmmss`.
    pub due_at: String,
    pub actor: String,
    pub unit: String,
    /// The competent unit, when the dossier is transferred (→ 4).
    pub processing_unit: String,
    /// What must be added (→ 5).
    pub items: Vec<String>,
    /// Supplement documents (5 → 4).
    pub documents: Vec<Document>,
    /// Fees requested (→ 6).
    pub fees: Vec<Fee>,
    /// The payment made (6 → back).
    pub payment: Option<Payment>,
    /// Result documents (→ 9).
    pub results: Vec<Document>,
    /// How the result was returned (→ 10): counter | post | electronic.
    pub delivery: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Payment {
    pub transaction_id: String,
    pub reference: String,
    pub amount_vnd: i64,
    pub paid_at: String,
}

/// The hub's answer to a status report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusAnswer {
    /// applied | already_applied | unchanged
    pub outcome: String,
    /// The canonical command sent to the hub (empty when unchanged).
    pub command: String,
    pub ma_ho_so: String,
    /// The dossier's canonical status and version after the report.
    pub status: i32,
    pub version: u64,
}

/// A refusal of a status report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorAnswer {
    pub error: String,
    /// The field at fault, when one is.
    pub field: String,
}
