//! The national portal's wire format, shared by the adapter and the simulator.
//!
//! *(provisional, from public implementations — DOMAIN.md §3)* JSON over
//! HTTP POST. `POST <endpoint>/login` with a `dstcode` header and
//! `{username, password}` answers `{error_code, message, session}`. Every
//! other call is `POST <endpoint>/service` with `{session, madonvi, service,
//! …parameters, data}` and answers `{error_code, message}` or
//! `{error_code, result: [...]}`; `0` and `00` mean success. Field names are
//! the portal's own (Vietnamese, PascalCase), so the structs below keep them
//! verbatim. Date-times are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh.
//!
//! The error codes other than success are not published; the values here are
//! the simulator's, and the adapter also recognises the portal's usual
//! wording, so a real deployment can adjust one place.
#![allow(non_snake_case)]

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The `dstcode` header of the login call.
pub const DSTCODE_HEADER: &str = "dstcode";

/// Operation names (`service`).
pub mod ops {
    /// Create (`isUpdating: false`) or update (`true`) dossiers.
    pub const SYNC_DOSSIERS: &str = "DongBoHoSoMC";
    /// Append progress entries to existing dossiers.
    pub const PROGRESS: &str = "CapNhatTienDoHoSoMC";
    /// Procedures, list.
    pub const PROCEDURES: &str = "LayDanhSachTTHC";
    /// One procedure in full (`MaTTHC`).
    pub const PROCEDURE: &str = "LayThuTuc";
    /// Agencies.
    pub const AGENCIES: &str = "LayDanhMucCoQuan";
    /// Sectors (lĩnh vực).
    pub const SECTORS: &str = "LayDanhMucLinhVuc";
    /// One dossier with its progress (`MaHoSo`).
    pub const LOOKUP: &str = "TraCuuHoSo";
    /// *(provisional name)* Dossiers filed on the portal for the caller's
    /// unit since `TuNgay` (inclusive, `yyyyMMddHHmmss`).
    pub const NEW_DOSSIERS: &str = "LayDanhSachHoSoMoi";
    /// A citizen's satisfaction rating of a returned dossier. The name is
    /// public (a one-gate system's constants, `DVCQG_SYNC_UP.PROBE_DVCQG =
    /// "DongBoDanhGia"`); its fields are not — see [`DanhGia`].
    pub const RATING: &str = "DongBoDanhGia";
    /// A question (phản ánh, kiến nghị) with its published answer — the
    /// name as VietOpenCPS/opencps-v2 `DVCQGIntegrationActionImpl`
    /// (`syncFAQToDVCQG`) calls it; fields in [`HoiDap`].
    pub const QUESTION_ANSWER: &str = "DongBoHoiDap";
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

/// Removes `null` members (recursively), so that `#[serde(default)]` applies
/// to them: real systems send `null` for empty strings and lists.
pub fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Reads one `result` item as `T`, tolerating `null` members.
pub fn from_item<T: serde::de::DeserializeOwned>(item: &Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(strip_nulls(item.clone()))
}

/// An integer sent as a number or as a numeric string (`"2"`); empty is 0.
fn flex_int<'de, D: Deserializer<'de>>(de: D) -> Result<i64, D::Error> {
    match Value::deserialize(de)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom(format!("`{n}` is not an integer"))),
        Value::String(s) if s.trim().is_empty() => Ok(0),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("`{s}` is not an integer"))),
        Value::Null => Ok(0),
        other => Err(serde::de::Error::custom(format!(
            "`{other}` is not an integer"
        ))),
    }
}

fn flex_opt_int<'de, D: Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(de)? {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        other => flex_int(other).map(Some).map_err(serde::de::Error::custom),
    }
}

/// A dossier (hồ sơ) as the portal names its fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoSo {
    pub MaHoSo: String,
    pub MaTTHC: String,
    pub TenTTHC: String,
    pub MaLinhVuc: String,
    /// 1 counter, 2 online, 3 post.
    #[serde(deserialize_with = "flex_int")]
    pub KenhThucHien: i64,
    pub ChuHoSo: String,
    /// 1 citizen, 2 enterprise, 3 state agency, 4 other.
    #[serde(deserialize_with = "flex_int")]
    pub LoaiDoiTuong: i64,
    pub SoGiayToChuHoSo: String,
    pub Email: String,
    pub SoDienThoai: String,
    pub TrichYeuHoSo: String,
    pub NgayNopHoSo: String,
    pub NgayTiepNhan: String,
    pub NgayHenTra: String,
    pub NgayTra: String,
    /// 1–10, DOMAIN.md §1.
    #[serde(deserialize_with = "flex_int")]
    pub TrangThaiHoSo: i64,
    /// Result delivery: 0 counter, 1 post, 2 electronic *(2 provisional)*.
    #[serde(
        deserialize_with = "flex_opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub HinhThuc: Option<i64>,
    pub DonViXuLy: String,
    pub TaiLieuNop: Vec<TaiLieu>,
    pub DanhSachLePhi: Vec<LePhi>,
    pub DanhSachHoSoBoSung: Vec<HoSoBoSung>,
    pub DanhSachGiayToKetQua: Vec<GiayToKetQua>,
}

/// TaiLieuNop[]: a submitted file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaiLieu {
    pub MaThanhPhanHoSo: String,
    pub TenTepDinhKem: String,
    pub DuongDanTaiTepTin: String,
}

/// DanhSachLePhi[]: a fee item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LePhi {
    pub MaPhiLePhi: String,
    pub TenPhiLePhi: String,
    #[serde(deserialize_with = "flex_int")]
    pub MucPhi: i64,
}

/// DanhSachHoSoBoSung[]: one supplement round, with the due dates before
/// and after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoSoBoSung {
    pub NgayYeuCauBoSung: String,
    pub NoiDungYeuCauBoSung: String,
    pub DanhSachGiayToBoSung: Vec<String>,
    pub NgayHenTraTruoc: String,
    pub NgayHenTraMoi: String,
    pub NgayBoSung: String,
    pub TaiLieuBoSung: Vec<TaiLieu>,
}

/// DanhSachGiayToKetQua[]: a result document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GiayToKetQua {
    pub MaGiayToKetQua: String,
    pub TenGiayTo: String,
    pub DuongDanTepTinKetQua: String,
}

/// A progress entry (CapNhatTienDoHoSoMC): who, when, which unit, what, status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TienDo {
    pub MaHoSo: String,
    /// *(provisional)* The entry's position in the dossier's history (the
    /// hub's version), so a resend can be recognised.
    #[serde(deserialize_with = "flex_int")]
    pub SoThuTu: i64,
    pub NguoiXuLy: String,
    pub ThoiDiemXuLy: String,
    pub DonViXuLy: String,
    pub NoiDungXuLy: String,
    #[serde(deserialize_with = "flex_int")]
    pub TrangThai: i64,
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
/// offers. A real deployment adjusts this struct and `citizen.rs`.)*
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DanhGia {
    pub MaHoSo: String,
    pub MaTTHC: String,
    /// The agency that resolved the dossier.
    pub MaCoQuan: String,
    /// 1 Rất hài lòng, 2 Hài lòng, 3 Không hài lòng.
    #[serde(deserialize_with = "flex_int")]
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
    pub MaLinhVuc: String,
    pub MaCoQuanThucHien: String,
    pub CapThucHien: String,
    /// Online service level (2–4).
    #[serde(deserialize_with = "flex_int")]
    pub MucDo: i64,
    /// Detail only (LayThuTuc): kept as the portal sends them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub KenhThucHien: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ThoiHanGiaiQuyet: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub PhiLePhi: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ThanhPhanHoSo: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub KetQua: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub CanCuPhapLy: Vec<Value>,
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

    #[test]
    fn tolerates_nulls_and_numeric_strings() {
        let item = json!({"MaHoSo": "A-251122-00001", "KenhThucHien": "2", "Email": null,
                          "TaiLieuNop": null, "HinhThuc": "", "TrangThaiHoSo": 1});
        let ho_so: HoSo = from_item(&item).unwrap();
        assert_eq!(ho_so.KenhThucHien, 2);
        assert_eq!(ho_so.Email, "");
        assert!(ho_so.TaiLieuNop.is_empty());
        assert_eq!(ho_so.HinhThuc, None);
        assert!(from_item::<HoSo>(&json!({"KenhThucHien": "hai"})).is_err());
    }
}
