//! The national portal's wire format, shared by the adapter and the simulator.
//!
//! *(from public implementations — DOMAIN.md §3)* JSON over HTTP POST.
//! `POST <endpoint>/<login_path>` with a `dstcode` header and `{username,
//! password}` answers `{error_code, message, session}`. Every other call
//! carries the session, the unit (`madonvi`), the operation's service name,
//! its parameters and its `data` — in one JSON body, or in the query with
//! the data list as the body — and answers `{error_code, message}` or
//! `{error_code, result: [...]}`; `0` and `00` mean success. Which names,
//! paths and encodings a deployment uses is its protocol profile
//! ([`crate::profile`]); the structs below are the records in their
//! canonical names. Date-times are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh.
//!
//! The error codes other than success are not published; the values here are
//! the simulator's, and the adapter also recognises the portal's usual
//! wording, so a real deployment can adjust one place.
#![allow(non_snake_case)]

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `dstcode` header of the login call.
pub const DSTCODE_HEADER: &str = "dstcode";

/// The operations, by their canonical names (what the simulator's switches
/// and call log take); their wire names come from the profile.
pub mod ops {
    pub use crate::profile::Op;
    pub const SYNC_DOSSIERS: Op = Op::SyncDossiers;
    pub const PROGRESS: Op = Op::Progress;
    pub const PROCEDURES: Op = Op::Procedures;
    pub const PROCEDURE: Op = Op::Procedure;
    pub const AGENCIES: Op = Op::Agencies;
    pub const SECTORS: Op = Op::Sectors;
    pub const LOOKUP: Op = Op::Lookup;
    pub const NEW_DOSSIERS: Op = Op::NewDossiers;
    pub const RATING: Op = Op::Rating;
    pub const QUESTION_ANSWER: Op = Op::QuestionAnswer;
}

/// Error codes (simulator values, see the module comment).
pub mod codes {
    pub const OK: &str = "0";
    pub const OK_LONG: &str = "00";
    pub const INVALID: &str = "-1";
    pub const SESSION: &str = "-2";
    pub const ALREADY_EXISTS: &str = "-3";
    pub const NOT_FOUND: &str = "-4";
    pub const LOGIN: &str = "-5";
}

/// Login body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// Any answer of the portal, login included.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reply {
    /// A string or a number on the wire.
    #[serde(default)]
    pub error_code: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

impl Reply {
    pub fn ok(result: Vec<Value>) -> Reply {
        Reply {
            error_code: Value::from(codes::OK),
            result: Some(result),
            ..Reply::default()
        }
    }

    pub fn error(code: &str, message: impl Into<String>) -> Reply {
        Reply {
            error_code: Value::from(code),
            message: Some(message.into()),
            ..Reply::default()
        }
    }

    /// The error code as text (`0`, `-3`, …).
    pub fn code(&self) -> String {
        match &self.error_code {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    pub fn is_success(&self) -> bool {
        let code = self.code();
        code == codes::OK || code == codes::OK_LONG
    }

    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }
}

/// True when a refusal says the session is unknown or expired.
pub fn is_session_error(code: &str, message: &str) -> bool {
    let m = message.to_lowercase();
    code == codes::SESSION
        || m.contains("session")
        || m.contains("phiên làm việc")
        || m.contains("hết hạn")
}

/// True when a refusal says the dossier already exists.
pub fn is_already_exists(code: &str, message: &str) -> bool {
    let m = message.to_lowercase();
    code == codes::ALREADY_EXISTS || m.contains("đã tồn tại") || m.contains("already exists")
}

/// True when a refusal says the dossier does not exist.
pub fn is_not_found(code: &str, message: &str) -> bool {
    let m = message.to_lowercase();
    code == codes::NOT_FOUND || m.contains("không tìm thấy") || m.contains("not found")
}

// The records below are the CANONICAL form: their field names are the
// canonical names a profile maps to the wire (`profile/schema.rs` lists
// them with their kinds and which an answer must carry). They are read only
// through `Profile::read`, which refuses a record missing a required field
// by name, so `#[serde(default)]` here fills optional fields only.

/// A dossier (hồ sơ).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoSo {
    pub MaHoSo: String,
    pub MaTTHC: String,
    pub TenTTHC: String,
    pub MaLinhVuc: String,
    pub TenLinhVuc: String,
    /// The receipt's number, when the receiving system numbers receipts.
    pub SoBienNhan: String,
    /// 1 counter, 2 online, 3 post.
    pub KenhThucHien: i64,
    pub ChuHoSo: String,
    /// 1 citizen, 2 enterprise, 3 state agency, 4 other.
    pub LoaiDoiTuong: i64,
    pub SoGiayToChuHoSo: String,
    pub Email: String,
    pub SoDienThoai: String,
    pub TrichYeuHoSo: String,
    pub NgayNopHoSo: String,
    pub NgayTiepNhan: String,
    pub NgayHenTra: String,
    pub NgayTra: String,
    /// When processing finished (the hub's `finished_at`).
    pub NgayKetThucXuLy: String,
    /// 1–10, DOMAIN.md §1.
    pub TrangThaiHoSo: i64,
    /// Result delivery: 0 counter, 1 post, 2 electronic *(2 provisional)*.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub HinhThuc: Option<i64>,
    pub DonViXuLy: String,
    /// The status reason (refusal, stop, withdrawal), when there is one.
    pub GhiChu: String,
    pub TaiLieuNop: Vec<TaiLieu>,
    pub DanhSachLePhi: Vec<LePhi>,
    pub DanhSachTepDinhKemKhac: Vec<TepKhac>,
    pub DanhSachHoSoBoSung: Vec<HoSoBoSung>,
    pub DanhSachGiayToKetQua: Vec<GiayToKetQua>,
}

/// TaiLieuNop[]: a submitted file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaiLieu {
    pub TepDinhKemId: String,
    pub MaThanhPhanHoSo: String,
    pub TenTepDinhKem: String,
    pub DuongDanTaiTepTin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub IsDeleted: Option<i64>,
}

/// DanhSachLePhi[]: a fee item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LePhi {
    pub MaPhiLePhi: String,
    pub TenPhiLePhi: String,
    /// The amount, in đồng.
    pub Gia: i64,
    /// How it is collected; not sent when the hub does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub HinhThucThu: Option<i64>,
    /// Phí or lệ phí; not sent when the hub does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub LoaiPhiLePhi: Option<i64>,
}

/// DanhSachTepDinhKemKhac[]: another attached paper.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TepKhac {
    pub TenGiayTo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub SoLuong: Option<i64>,
    pub LoaiGiayTo: String,
}

/// DanhSachHoSoBoSung[]: one supplement round, with the due dates before
/// and after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoSoBoSung {
    /// The round, counted from 1.
    pub HoSoBoSungId: String,
    pub NguoiYeuCauBoSung: String,
    pub NoiDungBoSung: String,
    pub NgayYeuCauBoSung: String,
    pub NgayBoSung: String,
    pub NguoiTiepNhanBoSung: String,
    pub ThongTinTiepNhan: String,
    pub NgayTiepNhanBoSung: String,
    /// Not sent: no public implementation shows its codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub TrangThaiBoSung: Option<i64>,
    pub DanhSachGiayToBoSung: Vec<Value>,
    pub DanhSachLePhiBoSung: Vec<LePhi>,
    pub NgayHenTraTruoc: String,
    pub NgayHenTraMoi: String,
    pub TaiLieuBoSung: Vec<TaiLieu>,
}

/// DanhSachGiayToKetQua[]: a result document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GiayToKetQua {
    pub GiayToId: String,
    pub MaThanhPhanHoSo: String,
    pub TenGiayTo: String,
    pub DuongDanTepTinKetQua: String,
}

/// A progress entry (CapNhatTienDoHoSoMC): who, with which title, when,
/// which department, what, status, and the step's dates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TienDo {
    pub MaHoSo: String,
    /// The hub's history version — sent only by profiles that name it
    /// (the default does not: no public implementation has it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub SoThuTu: Option<i64>,
    pub NguoiXuLy: String,
    pub ChucDanh: String,
    pub ThoiDiemXuLy: String,
    pub PhongBanXuLy: String,
    pub NoiDungXuLy: String,
    pub TrangThai: i64,
    pub NgayBatDau: String,
    pub NgayKetThucTheoQuyDinh: String,
}

impl TienDo {
    /// The same step, whichever optional fields a profile carried: how the
    /// adapter recognises its own entries on the portal.
    pub fn same_step(&self, other: &TienDo) -> bool {
        self.MaHoSo == other.MaHoSo
            && self.ThoiDiemXuLy == other.ThoiDiemXuLy
            && self.TrangThai == other.TrangThai
            && self.NoiDungXuLy == other.NoiDungXuLy
    }
}

/// TraCuuHoSo: the dossier and its progress so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoSoTraCuu {
    #[serde(flatten)]
    pub HoSo: HoSo,
    pub QuaTrinhXuLy: Vec<TienDo>,
}

/// One `DongBoDanhGia` item. *(provisional: no public implementation shows
/// the fields of this call; these follow the portal's naming of the
/// dossier — `MaHoSo`, `MaTTHC` — and the three levels the rating form
/// offers. A deployment renames them in its profile.)*
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DanhGia {
    pub MaHoSo: String,
    pub MaTTHC: String,
    /// The agency that resolved the dossier.
    pub MaCoQuan: String,
    /// 1 Rất hài lòng, 2 Hài lòng, 3 Không hài lòng.
    pub MucDoHaiLong: i64,
    /// What the applicant added (may be empty).
    pub NoiDungDanhGia: String,
    /// `yyyyMMddHHmmss`.
    pub NgayDanhGia: String,
}

/// One `DongBoHoiDap` item. `HOIDAPID`, `MaLinhVuc`, `NOIDUNG`, `MADONVI`,
/// `TENDONVI`, `TRALOIID` and `NOIDUNGTRALOI` are the fields
/// VietOpenCPS/opencps-v2 sends with this call (`syncFAQToDVCQG` in
/// `DVCQGIntegrationActionImpl.java`); `NGUOITRALOI`, `CHUCVUNGUOITRALOI`
/// and `NGAYTRALOI` those of its answer call
/// (`DongBoKetQuaHoiDapGuiTuDVCQG`, same file). *(provisional: `TIEUDE`
/// and `MaHoSo`, which no public implementation shows.)*
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoiDap {
    /// The question's id: the hub's tracking code.
    pub HOIDAPID: String,
    pub TIEUDE: String,
    pub NOIDUNG: String,
    pub MaLinhVuc: String,
    pub MADONVI: String,
    pub TENDONVI: String,
    pub MaHoSo: String,
    pub TRALOIID: String,
    pub NOIDUNGTRALOI: String,
    pub NGUOITRALOI: String,
    pub CHUCVUNGUOITRALOI: String,
    /// `yyyyMMddHHmmss`.
    pub NGAYTRALOI: String,
}

/// A procedure (thủ tục hành chính), list or detail form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThuTuc {
    pub MaTTHC: String,
    pub TenTTHC: String,
    pub LinhVucThucHien: Vec<LinhVucTTHC>,
    pub CoQuanThucHien: Vec<CoQuanTTHC>,
    pub CapThucHien: String,
    /// Online service level (2–4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub MucDo: Option<i64>,
    /// Detail only (LayThuTuc): per channel, the time limits and fees.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub CachThucThucHien: Vec<CachThuc>,
    /// Detail only: kept as the portal sends them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ThanhPhanHoSo: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub KetQuaThucHien: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub CanCuPhapLy: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub TrinhTuThucHien: Vec<Value>,
}

/// LINHVUCTHUCHIEN[]: a sector the procedure belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinhVucTTHC {
    pub MaLinhVuc: String,
    pub TenLinhVuc: String,
}

/// COQUANTHUCHIEN[]: an agency that carries the procedure out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoQuanTTHC {
    pub MaDonVi: String,
    pub TenDonVi: String,
}

/// CACHTHUCTHUCHIEN[]: one channel (KENH 1 counter, 2 online, 3 post).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CachThuc {
    pub Kenh: i64,
    pub ThoiGian: Vec<ThoiGian>,
}

/// THOIGIAN[]: a time limit on a channel, with its fees.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThoiGian {
    /// A number of `DonViTinh` (text on the wire: "10", "0.5").
    pub ThoiGianGiaiQuyet: String,
    /// "Ngày làm việc", "Ngày", "Giờ làm việc", …
    pub DonViTinh: String,
    pub MoTa: String,
    pub PhiLePhi: Vec<PhiTTHC>,
}

/// PHILEPHI[]: a fee of a channel's time limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhiTTHC {
    pub MaPhiLePhi: String,
    /// The amount, in đồng (text on the wire).
    pub SoTien: String,
    pub DonVi: String,
    pub MoTa: String,
}

/// An agency (cơ quan).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoQuan {
    pub MaCoQuan: String,
    pub TenCoQuan: String,
    pub MaCoQuanCha: String,
    pub CapCoQuan: String,
}

/// A sector (lĩnh vực).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinhVuc {
    pub MaLinhVuc: String,
    pub TenLinhVuc: String,
    pub MaNganh: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn success_codes_are_zero_and_double_zero_as_text_or_number() {
        for code in [json!("0"), json!("00"), json!(0)] {
            let reply = Reply {
                error_code: code,
                ..Reply::default()
            };
            assert!(reply.is_success());
        }
        assert!(!Reply::error("-3", "x").is_success());
    }
}
