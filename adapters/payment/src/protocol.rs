//! The payment platform's four messages (DOMAIN.md §6) as JSON types, and
//! the exact field order each one signs into `MaXacThuc`.
//!
//! Both the adapter and the simulator use these types, so the order is
//! written once. All messages are JSON over HTTPS POST; amounts are whole
//! VND (`SoTien`, an integer); times are `yyyyMMddHHmmss` Asia/Ho_Chi_Minh.
//!
//! | message | path | `MaXacThuc` over (then `|secret`) |
//! |---|---|---|
//! | INIT request | `POST /api/v1/init` | `MaDoiTac|MaThamChieu|SoTien|LoaiTienTe|ThoiGianGD|ThongTinBienLai.MaHoSo|UrlCallback` |
//! | INIT answer | | `MaLoi|MaThamChieu|UrlThanhToan` |
//! | callback (gateway → us) | `POST <UrlCallback>` | `MaDoiTac|MaThamChieu|MaGiaoDich|SoTien|MaKetQua|NganHang|ThoiGianThanhToan` |
//! | callback answer | | `MaLoi|MaThamChieu` |
//! | QUERY request | `POST /api/v1/query` | `MaDoiTac|MaThamChieu|ThoiGianGD` |
//! | QUERY answer | | `MaLoi|MaThamChieu|TrangThai|SoTien|MaGiaoDich|ThoiGianThanhToan` |
//! | GET_BILL request | `POST /api/v1/bill` | `MaDoiTac|MaThamChieu|MaGiaoDich` |
//! | GET_BILL answer | | `MaLoi|MaThamChieu|MaGiaoDich|BienLai.SoBienLai|SoTien` |
//! | settlement file | `GET /api/v1/settlements.csv?MaDoiTac=&Ngay=&MaXacThuc=` | `MaDoiTac|Ngay` |
//!
//! `MaLoi` (answer code): `00` success, `01` wrong signature, `02`
//! `MaThamChieu` already exists, `03` invalid data, `04` not found, `99`
//! system error. `TrangThai` (QUERY): `1` success, `3` pending, `4` failed.
//! `MaKetQua` (callback): `00` paid; any other code means not paid.
//!
//! INIT may carry `UrlTraVe`, where the gateway sends the payer's browser
//! back after the payment page (unsigned, like the free text `MoTa`).

pub use lienthong_adapter::ma_xac_thuc::Signed;
use serde::{Deserialize, Serialize};

pub const PATH_INIT: &str = "/api/v1/init";
pub const PATH_QUERY: &str = "/api/v1/query";
pub const PATH_BILL: &str = "/api/v1/bill";
pub const PATH_SETTLEMENTS: &str = "/api/v1/settlements.csv";

pub const CODE_OK: &str = "00";
pub const CODE_BAD_SIGNATURE: &str = "01";
pub const CODE_DUPLICATE: &str = "02";
pub const CODE_INVALID: &str = "03";
pub const CODE_NOT_FOUND: &str = "04";
pub const CODE_SYSTEM: &str = "99";

pub const CURRENCY_VND: &str = "VND";

/// `TrangThai` of a QUERY answer.
pub const STATUS_SUCCESS: i64 = 1;
pub const STATUS_PENDING: i64 = 3;
pub const STATUS_FAILED: i64 = 4;

/// One fee item on the receipt (`KhoanNop`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeItem {
    #[serde(rename = "MaKhoan")]
    pub code: String,
    #[serde(rename = "TenKhoan")]
    pub name: String,
    #[serde(rename = "SoTien")]
    pub amount_vnd: i64,
}

/// Who pays (`NguoiNop`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    #[serde(rename = "HoTen")]
    pub name: String,
    #[serde(rename = "SoGiayTo", default)]
    pub id_number: String,
    #[serde(rename = "SoDienThoai", default)]
    pub phone: String,
    #[serde(rename = "Email", default)]
    pub email: String,
}

/// What the treasury needs to credit the money (`ThongTinBienLai`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptInfo {
    #[serde(rename = "MaHoSo")]
    pub ma_ho_so: String,
    #[serde(rename = "MaCoQuan")]
    pub agency_code: String,
    #[serde(rename = "TaiKhoanThuHuong")]
    pub beneficiary_account: String,
    #[serde(rename = "NganHangThuHuong")]
    pub beneficiary_bank: String,
    #[serde(rename = "MaKhoBac")]
    pub treasury_code: String,
    #[serde(rename = "TenKhoBac", default)]
    pub treasury_name: String,
    #[serde(rename = "TaiKhoanThuNSNN")]
    pub revenue_account: String,
    #[serde(rename = "KhoanNop")]
    pub items: Vec<FeeItem>,
    #[serde(rename = "NguoiNop")]
    pub payer: Payer,
}

/// INIT: create a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitRequest {
    #[serde(rename = "MaDoiTac")]
    pub partner_code: String,
    #[serde(rename = "MaThamChieu")]
    pub reference: String,
    #[serde(rename = "SoTien")]
    pub amount_vnd: i64,
    #[serde(rename = "LoaiTienTe")]
    pub currency: String,
    #[serde(rename = "MoTa")]
    pub description: String,
    #[serde(rename = "ThoiGianGD")]
    pub time: String,
    #[serde(rename = "UrlCallback")]
    pub callback_url: String,
    /// Where the gateway sends the payer's browser once the payment ended
    /// (the portal's return page). Optional, and not signed (like `MoTa`):
    /// the page it leads to trusts nothing the browser brings.
    #[serde(rename = "UrlTraVe", default, skip_serializing_if = "String::is_empty")]
    pub return_url: String,
    #[serde(rename = "ThongTinBienLai")]
    pub receipt: ReceiptInfo,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// The answer to INIT.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitReply {
    #[serde(rename = "MaLoi")]
    pub code: String,
    #[serde(rename = "MoTaLoi", default)]
    pub message: String,
    #[serde(rename = "MaThamChieu", default)]
    pub reference: String,
    #[serde(rename = "UrlThanhToan", default)]
    pub payment_url: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// The gateway's callback (confirm) to the adapter after a payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    #[serde(rename = "MaDoiTac", default)]
    pub partner_code: String,
    #[serde(rename = "MaThamChieu", default)]
    pub reference: String,
    #[serde(rename = "MaGiaoDich", default)]
    pub transaction_id: String,
    #[serde(rename = "SoTien", default)]
    pub amount_vnd: i64,
    #[serde(rename = "MaKetQua", default)]
    pub result_code: String,
    #[serde(rename = "MoTaKetQua", default)]
    pub result_message: String,
    #[serde(rename = "NganHang", default)]
    pub bank: String,
    #[serde(rename = "ThoiGianThanhToan", default)]
    pub paid_at: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// The adapter's answer to a callback.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackReply {
    #[serde(rename = "MaLoi")]
    pub code: String,
    #[serde(rename = "MoTaLoi", default)]
    pub message: String,
    #[serde(rename = "MaThamChieu", default)]
    pub reference: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// QUERY: the state of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryRequest {
    #[serde(rename = "MaDoiTac")]
    pub partner_code: String,
    #[serde(rename = "MaThamChieu")]
    pub reference: String,
    #[serde(rename = "ThoiGianGD")]
    pub time: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// The answer to QUERY. `MaGiaoDich`, `NganHang` and `ThoiGianThanhToan`
/// are empty until the payment succeeded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryReply {
    #[serde(rename = "MaLoi")]
    pub code: String,
    #[serde(rename = "MoTaLoi", default)]
    pub message: String,
    #[serde(rename = "MaThamChieu", default)]
    pub reference: String,
    #[serde(rename = "TrangThai", default)]
    pub status: i64,
    #[serde(rename = "SoTien", default)]
    pub amount_vnd: i64,
    #[serde(rename = "MaGiaoDich", default)]
    pub transaction_id: String,
    #[serde(rename = "NganHang", default)]
    pub bank: String,
    #[serde(rename = "ThoiGianThanhToan", default)]
    pub paid_at: String,
    #[serde(rename = "UrlThanhToan", default)]
    pub payment_url: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// GET_BILL: the electronic receipt of a paid payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRequest {
    #[serde(rename = "MaDoiTac")]
    pub partner_code: String,
    #[serde(rename = "MaThamChieu")]
    pub reference: String,
    #[serde(rename = "MaGiaoDich")]
    pub transaction_id: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// The electronic receipt (`BienLai`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    #[serde(rename = "SoBienLai", default)]
    pub number: String,
    #[serde(rename = "KyHieu", default)]
    pub series: String,
    #[serde(rename = "NgayThu", default)]
    pub collected_at: String,
    #[serde(rename = "MaHoSo", default)]
    pub ma_ho_so: String,
    #[serde(rename = "UrlBienLai", default)]
    pub url: String,
}

/// The answer to GET_BILL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillReply {
    #[serde(rename = "MaLoi")]
    pub code: String,
    #[serde(rename = "MoTaLoi", default)]
    pub message: String,
    #[serde(rename = "MaThamChieu", default)]
    pub reference: String,
    #[serde(rename = "MaGiaoDich", default)]
    pub transaction_id: String,
    #[serde(rename = "SoTien", default)]
    pub amount_vnd: i64,
    #[serde(rename = "BienLai", default)]
    pub bill: Bill,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

// The signing table of the module's `//!`, field by field.
lienthong_adapter::signed! {
    InitRequest => [
        partner_code,
        reference,
        amount_vnd,
        currency,
        time,
        receipt.ma_ho_so,
        callback_url,
    ];
    InitReply => [code, reference, payment_url];
    Callback => [
        partner_code,
        reference,
        transaction_id,
        amount_vnd,
        result_code,
        bank,
        paid_at,
    ];
    CallbackReply => [code, reference];
    QueryRequest => [partner_code, reference, time];
    QueryReply => [code, reference, status, amount_vnd, transaction_id, paid_at];
    BillRequest => [partner_code, reference, transaction_id];
    BillReply => [code, reference, transaction_id, bill.number, amount_vnd];
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::ma_xac_thuc::sign;

    #[test]
    fn callback_signs_the_documented_order() {
        let cb = Callback {
            partner_code: "LT".into(),
            reference: "R1".into(),
            transaction_id: "T1".into(),
            amount_vnd: 150_000,
            result_code: "00".into(),
            result_message: "Giao dịch thành công | free text".into(),
            bank: "VCB".into(),
            paid_at: "20251122093000".into(),
            signature: String::new(),
        }
        .signed("k");
        assert_eq!(
            cb.signature,
            sign(
                &["LT", "R1", "T1", "150000", "00", "VCB", "20251122093000"],
                "k"
            )
        );
        assert!(cb.verify_with("k"));
        let mut tampered = cb.clone();
        tampered.amount_vnd = 1;
        assert!(!tampered.verify_with("k"));
        // Free text is not signed.
        let mut retexted = cb;
        retexted.result_message = "khác".into();
        assert!(retexted.verify_with("k"));
    }

    #[test]
    fn json_uses_the_platform_field_names() {
        let reply = QueryReply {
            code: "00".into(),
            status: STATUS_PENDING,
            ..Default::default()
        };
        let json = serde_json::to_value(&reply).expect("serialises");
        assert_eq!(json["MaLoi"], "00");
        assert_eq!(json["TrangThai"], 3);
    }
}
