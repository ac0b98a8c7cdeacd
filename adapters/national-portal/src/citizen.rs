//! Outbound, the hosted portal's feedback: a rating of a returned dossier
//! becomes one `DongBoDanhGia` call, a published answer one `DongBoHoiDap`
//! call (fields in `protocol::DanhGia` and `protocol::HoiDap`, with their
//! sources).
//!
//! The hub sends these events only to a partner that asks for them
//! (`citizen_feedback` in its subscription). A rating travels in its
//! dossier's lane, after the event that returned the result, so the portal
//! has the dossier when it is rated; a published answer belongs to no
//! dossier. Both are upserts on the portal's side (by MaHoSo, by
//! `HOIDAPID`), so a redelivery after a lost answer changes nothing.

use crate::protocol::{DanhGia, HoiDap};
use lienthong_adapter::pb;
use lienthong_adapter::vietnam_time;

/// The `DongBoDanhGia` item of a `dossier_rated` event.
pub fn danh_gia(r: &pb::DossierRated) -> DanhGia {
    DanhGia {
        MaHoSo: r.ma_ho_so.clone(),
        MaTTHC: r.procedure_code.clone(),
        MaCoQuan: r.agency_code.clone(),
        MucDoHaiLong: i64::from(r.level),
        NoiDungDanhGia: r.comment.clone(),
        NgayDanhGia: vietnam_time::format_ts(r.rated_at.as_ref()),
    }
}

/// The `DongBoHoiDap` item of an `answer_published` event. The answer has
/// no id of its own on the hub (one answer per question): `TRALOIID` is the
/// question's code too.
pub fn hoi_dap(a: &pb::AnswerPublished) -> HoiDap {
    HoiDap {
        HOIDAPID: a.code.clone(),
        TIEUDE: a.subject.clone(),
        NOIDUNG: a.question.clone(),
        MaLinhVuc: String::new(),
        MADONVI: a.agency_code.clone(),
        TENDONVI: a.agency_name.clone(),
        MaHoSo: a.ma_ho_so.clone(),
        TRALOIID: a.code.clone(),
        NOIDUNGTRALOI: a.answer.clone(),
        NGUOITRALOI: a.officer.clone(),
        CHUCVUNGUOITRALOI: a.unit.clone(),
        NGAYTRALOI: vietnam_time::format_ts(a.answered_at.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_and_an_answer_keep_every_field() {
        let at = Some(lienthong_adapter::prost_types::Timestamp {
            seconds: 1_764_633_600, // 2025-12-02 07:00 in Vietnam
            nanos: 0,
        });
        let d = danh_gia(&pb::DossierRated {
            ma_ho_so: "H22.01-251202-0001".into(),
            agency_code: "H22.01".into(),
            procedure_code: "1.000948.H38".into(),
            level: 2,
            comment: "Nhanh".into(),
            rated_at: at,
        });
        assert_eq!(d.MaHoSo, "H22.01-251202-0001");
        assert_eq!(d.MaTTHC, "1.000948.H38");
        assert_eq!(d.MaCoQuan, "H22.01");
        assert_eq!(d.MucDoHaiLong, 2);
        assert_eq!(d.NoiDungDanhGia, "Nhanh");
        assert_eq!(d.NgayDanhGia, "20251202070000");
        let h = hoi_dap(&pb::AnswerPublished {
            code: "PAKN-251202-ABCDEFGH".into(),
            subject: "Lệ phí".into(),
            question: "Bao nhiêu?".into(),
            ma_ho_so: String::new(),
            agency_code: "H22.01".into(),
            answer: "Miễn phí.".into(),
            officer: "Lan".into(),
            unit: "Một cửa".into(),
            answered_at: at,
            agency_name: "UBND".into(),
        });
        assert_eq!(h.HOIDAPID, "PAKN-251202-ABCDEFGH");
        assert_eq!(h.TRALOIID, h.HOIDAPID);
        assert_eq!(
            (h.TIEUDE.as_str(), h.NOIDUNG.as_str()),
            ("Lệ phí", "Bao nhiêu?")
        );
        assert_eq!(
            (h.MADONVI.as_str(), h.TENDONVI.as_str()),
            ("H22.01", "UBND")
        );
        assert_eq!(h.NOIDUNGTRALOI, "Miễn phí.");
        assert_eq!(
            (h.NGUOITRALOI.as_str(), h.CHUCVUNGUOITRALOI.as_str()),
            ("Lan", "Một cửa")
        );
        assert_eq!(h.NGAYTRALOI, "20251202070000");
    }
}
