//! The treasury's messages (provisional: no public format; modelled on the
//! payment platform's conventions, DOMAIN.md §6): a credit notice (báo có)
//! per settled payment, and the daily file of credited records.
//!
//! | message | path | `MaXacThuc` over (then `|secret`) |
//! |---|---|---|
//! | credit notice | `POST /api/v1/credit-notices` | `MaDoiTac|MaThamChieu|MaGiaoDich|MaHoSo|SoTien|TaiKhoanThuNSNN|MaKhoBac|ThoiGianThanhToan` |
//! | its answer | | `MaLoi|MaGiaoDich|SoChungTu` |
//! | credit file | `GET /api/v1/credits.csv?MaDoiTac=&Ngay=&MaXacThuc=` | `MaDoiTac|Ngay` |
//!
//! `MaLoi`: `00` credited, `01` wrong signature, `02` this `MaGiaoDich` is
//! already credited (the answer carries the existing `SoChungTu`), `03`
//! invalid data, `99` system error. `Ngay` (`yyyyMMdd`) selects credits by
//! their credit date `NgayGhiCo`.

pub use lienthong_adapter::ma_xac_thuc::Signed;
use serde::{Deserialize, Serialize};

pub const PATH_CREDIT_NOTICES: &str = "/api/v1/credit-notices";
pub const PATH_CREDITS: &str = "/api/v1/credits.csv";

pub const CODE_OK: &str = "00";
pub const CODE_BAD_SIGNATURE: &str = "01";
pub const CODE_DUPLICATE: &str = "02";
pub const CODE_INVALID: &str = "03";
pub const CODE_SYSTEM: &str = "99";

/// A credit notice (báo có) for one settled payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNotice {
    #[serde(rename = "MaDoiTac")]
    pub partner_code: String,
    #[serde(rename = "MaThamChieu")]
    pub reference: String,
    #[serde(rename = "MaGiaoDich")]
    pub transaction_id: String,
    #[serde(rename = "MaHoSo")]
    pub ma_ho_so: String,
    #[serde(rename = "SoTien")]
    pub amount_vnd: i64,
    #[serde(rename = "TaiKhoanThuNSNN")]
    pub revenue_account: String,
    #[serde(rename = "MaKhoBac")]
    pub treasury_code: String,
    #[serde(rename = "ThoiGianThanhToan")]
    pub paid_at: String,
    #[serde(rename = "NoiDung", default)]
    pub description: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

/// The treasury's answer to a credit notice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditReply {
    #[serde(rename = "MaLoi")]
    pub code: String,
    #[serde(rename = "MoTaLoi", default)]
    pub message: String,
    #[serde(rename = "MaGiaoDich", default)]
    pub transaction_id: String,
    #[serde(rename = "SoChungTu", default)]
    pub document_number: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

// The signing table of the module's `//!`, field by field.
lienthong_adapter::signed! {
    CreditNotice => [
        partner_code,
        reference,
        transaction_id,
        ma_ho_so,
        amount_vnd,
        revenue_account,
        treasury_code,
        paid_at,
    ];
    CreditReply => [code, transaction_id, document_number];
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::ma_xac_thuc::sign;

    #[test]
    fn notice_signs_the_documented_order() {
        let mut notice = CreditNotice {
            partner_code: "LT".into(),
            reference: "R".into(),
            transaction_id: "T".into(),
            ma_ho_so: "HS".into(),
            amount_vnd: 150_000,
            revenue_account: "7111".into(),
            treasury_code: "0011".into(),
            paid_at: "20251122093000".into(),
            description: "free | text".into(),
            signature: String::new(),
        };
        notice.sign_with("k");
        assert_eq!(
            notice.signature,
            sign(
                &[
                    "LT",
                    "R",
                    "T",
                    "HS",
                    "150000",
                    "7111",
                    "0011",
                    "20251122093000"
                ],
                "k"
            )
        );
        assert!(notice.verify_with("k"));
        notice.amount_vnd += 1;
        assert!(!notice.verify_with("k"));
    }
}
