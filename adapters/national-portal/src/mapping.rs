//! Translation between the canonical dossier and the portal's records.
//!
//! Outbound: a `pb::Dossier` becomes a `HoSo` and a `pb::HistoryEntry` a
//! `TienDo`. Inbound: a `HoSo` filed on the portal becomes a `submit`
//! command. The numeric codes of status, channel and applicant type ARE the
//! portal's (the contract was built on them); only the result-delivery
//! enumeration differs (`HinhThuc` counts from 0).

use crate::protocol::{GiayToKetQua, HoSo, HoSoBoSung, LePhi, TaiLieu, TienDo};
use lienthong_adapter::pb;
use lienthong_adapter::vietnam_time;
use serde_json::Value;

/// The dossier as the portal names its fields.
pub fn ho_so(d: &pb::Dossier) -> HoSo {
    HoSo {
        MaHoSo: d.ma_ho_so.clone(),
        MaTTHC: d.procedure_code.clone(),
        TenTTHC: d.procedure_name.clone(),
        MaLinhVuc: d.sector_code.clone(),
        // The dossier carries the sector's code only; the receipt has no
        // number of its own (MaHoSo is the reference).
        TenLinhVuc: String::new(),
        SoBienNhan: String::new(),
        KenhThucHien: i64::from(d.channel),
        ChuHoSo: d.owner_name.clone(),
        LoaiDoiTuong: i64::from(d.applicant_type),
        SoGiayToChuHoSo: d.owner_id_number.clone(),
        Email: d.email.clone(),
        SoDienThoai: d.phone.clone(),
        TrichYeuHoSo: d.summary.clone(),
        NgayNopHoSo: vietnam_time::format_ts(d.submitted_at.as_ref()),
        NgayTiepNhan: vietnam_time::format_ts(d.received_at.as_ref()),
        NgayHenTra: vietnam_time::format_ts(d.due_at.as_ref()),
        NgayTra: vietnam_time::format_ts(d.returned_at.as_ref()),
        NgayKetThucXuLy: vietnam_time::format_ts(d.finished_at.as_ref()),
        TrangThaiHoSo: i64::from(d.status),
        HinhThuc: hinh_thuc(d.result_delivery),
        DonViXuLy: d.processing_unit.clone(),
        GhiChu: d.status_reason.clone(),
        TaiLieuNop: d.documents.iter().map(tai_lieu).collect(),
        DanhSachLePhi: d
            .fees
            .iter()
            .map(|f| LePhi {
                MaPhiLePhi: f.code.clone(),
                TenPhiLePhi: f.name.clone(),
                Gia: f.amount_vnd,
                HinhThucThu: None,
                LoaiPhiLePhi: None,
            })
            .collect(),
        DanhSachTepDinhKemKhac: Vec::new(),
        DanhSachHoSoBoSung: supplements(d),
        DanhSachGiayToKetQua: d
            .results
            .iter()
            .map(|r| GiayToKetQua {
                GiayToId: String::new(),
                MaThanhPhanHoSo: r.code.clone(),
                TenGiayTo: r.name.clone(),
                DuongDanTepTinKetQua: r.url.clone(),
            })
            .collect(),
    }
}

/// `HinhThuc`: 0 counter, 1 post, 2 electronic *(2 provisional)*.
fn hinh_thuc(result_delivery: i32) -> Option<i64> {
    match pb::ResultDelivery::try_from(result_delivery) {
        Ok(pb::ResultDelivery::AtCounter) => Some(0),
        Ok(pb::ResultDelivery::ByPost) => Some(1),
        Ok(pb::ResultDelivery::Electronic) => Some(2),
        _ => None,
    }
}

fn tai_lieu(doc: &pb::Document) -> TaiLieu {
    TaiLieu {
        TepDinhKemId: String::new(),
        MaThanhPhanHoSo: doc.component_code.clone(),
        TenTepDinhKem: doc.name.clone(),
        DuongDanTaiTepTin: doc.url.clone(),
        IsDeleted: None,
    }
}

/// Each round with the due date before it and, once answered, the one after
/// it: the next round's old date, or the dossier's current one for the last.
fn supplements(d: &pb::Dossier) -> Vec<HoSoBoSung> {
    let rounds = &d.supplements;
    rounds
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let new_due = if s.submitted_at.is_none() {
                String::new()
            } else {
                match rounds.get(i + 1) {
                    Some(next) => vietnam_time::format_ts(next.old_due_at.as_ref()),
                    None => vietnam_time::format_ts(d.due_at.as_ref()),
                }
            };
            HoSoBoSung {
                HoSoBoSungId: (i + 1).to_string(),
                NoiDungBoSung: s.reason.clone(),
                NgayYeuCauBoSung: vietnam_time::format_ts(s.requested_at.as_ref()),
                DanhSachGiayToBoSung: s.items.iter().map(|i| Value::from(i.as_str())).collect(),
                NgayHenTraTruoc: vietnam_time::format_ts(s.old_due_at.as_ref()),
                NgayHenTraMoi: new_due,
                NgayBoSung: vietnam_time::format_ts(s.submitted_at.as_ref()),
                TaiLieuBoSung: s.documents.iter().map(tai_lieu).collect(),
                ..HoSoBoSung::default()
            }
        })
        .collect()
}

/// One history line as a progress entry.
pub fn tien_do(ma_ho_so: &str, e: &pb::HistoryEntry) -> TienDo {
    let or_partner = |s: &str| {
        if s.trim().is_empty() {
            e.partner_id.clone()
        } else {
            s.to_string()
        }
    };
    let what = command_label(&e.command);
    // A partner's event (the post collected the papers, a delivery failed)
    // says itself what happened, with the partner's reference and time:
    // its note is the whole content. The step's time stays the hub's, so
    // the portal's progress stays in order whatever the partner's clock.
    let content = if e.partner_event.is_some() || what.is_empty() {
        e.note.clone()
    } else if e.note.trim().is_empty() {
        what.to_string()
    } else {
        format!("{what}: {}", e.note)
    };
    TienDo {
        MaHoSo: ma_ho_so.to_string(),
        SoThuTu: Some(e.version as i64),
        NguoiXuLy: or_partner(&e.actor),
        ThoiDiemXuLy: vietnam_time::format_ts(e.at.as_ref()),
        PhongBanXuLy: or_partner(&e.unit),
        NoiDungXuLy: content,
        TrangThai: i64::from(e.to_status),
        // Neither the title of who acted nor the step's own dates are in
        // the hub's history: sent empty, as the public implementations do.
        ChucDanh: String::new(),
        NgayBatDau: String::new(),
        NgayKetThucTheoQuyDinh: String::new(),
    }
}

/// The process-control slip's wording for each command.
fn command_label(command: &str) -> &str {
    match command {
        "submit" => "Nộp hồ sơ",
        "receive" => "Tiếp nhận hồ sơ",
        "refuse" => "Từ chối tiếp nhận hồ sơ",
        "request_supplement" => "Yêu cầu bổ sung hồ sơ",
        "submit_supplement" => "Bổ sung hồ sơ",
        "start_processing" => "Chuyển xử lý",
        "request_financial_obligation" => "Yêu cầu thực hiện nghĩa vụ tài chính",
        "record_payment" => "Đã thực hiện nghĩa vụ tài chính",
        "stop" => "Dừng xử lý",
        "resume" => "Tiếp tục xử lý",
        "withdraw" => "Công dân rút hồ sơ",
        "finish" => "Đã xử lý xong",
        "return_result" => "Trả kết quả",
        "reschedule" => "Xin lỗi và hẹn lại ngày trả kết quả",
        "forward" => "Chuyển liên thông",
        // The note names the event (`Bưu chính: đã thu gom hồ sơ: …`).
        "record_partner_event" => "",
        other => other,
    }
}

/// Why a dossier filed on the portal cannot be submitted as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable(pub String);

/// The agency part of a MaHoSo (`<agency>-<yyMMdd>-<NNNNN>`).
pub fn agency_of(ma_ho_so: &str) -> Option<&str> {
    let mut parts = ma_ho_so.rsplitn(3, '-');
    let (_seq, _date, agency) = (parts.next()?, parts.next()?, parts.next()?);
    crate::settings::is_code(agency).then_some(agency)
}

/// A dossier filed on the portal as a `submit`, keeping its MaHoSo.
pub fn submission(h: &HoSo) -> Result<pb::SubmitDossier, Unusable> {
    let agency = agency_of(&h.MaHoSo).ok_or_else(|| {
        Unusable(format!(
            "MaHoSo `{}` is not of the form <agency code>-<yyMMdd>-<NNNNN>",
            h.MaHoSo
        ))
    })?;
    // Filed on the portal: online unless the portal says otherwise.
    let channel = match h.KenhThucHien {
        0 | 2 => pb::SubmissionChannel::Online,
        1 => pb::SubmissionChannel::Counter,
        3 => pb::SubmissionChannel::Postal,
        other => return Err(Unusable(format!("KenhThucHien `{other}` is not 1, 2 or 3"))),
    };
    let applicant = match h.LoaiDoiTuong {
        1 => pb::ApplicantType::Citizen,
        2 => pb::ApplicantType::Enterprise,
        3 => pb::ApplicantType::StateAgency,
        4 => pb::ApplicantType::Other,
        other => {
            return Err(Unusable(format!(
                "LoaiDoiTuong `{other}` is not 1, 2, 3 or 4"
            )))
        }
    };
    let delivery = match h.HinhThuc {
        None => pb::ResultDelivery::Unspecified,
        Some(0) => pb::ResultDelivery::AtCounter,
        Some(1) => pb::ResultDelivery::ByPost,
        Some(2) => pb::ResultDelivery::Electronic,
        Some(other) => return Err(Unusable(format!("HinhThuc `{other}` is not 0, 1 or 2"))),
    };
    Ok(pb::SubmitDossier {
        agency_code: agency.to_string(),
        procedure_code: h.MaTTHC.clone(),
        procedure_name: h.TenTTHC.clone(),
        sector_code: h.MaLinhVuc.clone(),
        channel: channel as i32,
        owner_name: h.ChuHoSo.clone(),
        applicant_type: applicant as i32,
        owner_id_number: h.SoGiayToChuHoSo.clone(),
        email: h.Email.clone(),
        phone: h.SoDienThoai.clone(),
        summary: h.TrichYeuHoSo.clone(),
        result_delivery: delivery as i32,
        documents: h
            .TaiLieuNop
            .iter()
            .map(|t| pb::Document {
                component_code: t.MaThanhPhanHoSo.clone(),
                name: t.TenTepDinhKem.clone(),
                url: t.DuongDanTaiTepTin.clone(),
            })
            .collect(),
        fees: h
            .DanhSachLePhi
            .iter()
            .map(|f| pb::Fee {
                code: f.MaPhiLePhi.clone(),
                name: f.TenPhiLePhi.clone(),
                amount_vnd: f.Gia,
            })
            .collect(),
        ma_ho_so: h.MaHoSo.clone(),
        // The portal's dossier (as this adapter reads it) carries no
        // address for a result by post, nor a structured one.
        result_address: String::new(),
        applicant_address: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::prost_types::Timestamp;

    fn ts(seconds: i64) -> Option<Timestamp> {
        Some(Timestamp { seconds, nanos: 0 })
    }

    #[test]
    fn dossier_fields_carry_the_portal_names_and_codes() {
        let d = pb::Dossier {
            ma_ho_so: "000.00.01.H22-251122-00017".into(),
            procedure_code: "1.000948.H38".into(),
            status: pb::DossierStatus::Processing as i32,
            channel: pb::SubmissionChannel::Postal as i32,
            applicant_type: pb::ApplicantType::Enterprise as i32,
            result_delivery: pb::ResultDelivery::ByPost as i32,
            submitted_at: ts(1_763_780_645),
            supplements: vec![pb::Supplement {
                reason: "thiếu bản sao".into(),
                old_due_at: ts(1_763_780_645),
                submitted_at: ts(1_763_780_700),
                ..Default::default()
            }],
            due_at: ts(1_764_000_000),
            ..Default::default()
        };
        let h = ho_so(&d);
        assert_eq!(h.TrangThaiHoSo, 4);
        assert_eq!(h.KenhThucHien, 3);
        assert_eq!(h.LoaiDoiTuong, 2);
        assert_eq!(h.HinhThuc, Some(1));
        assert_eq!(h.NgayNopHoSo, "20251122100405");
        assert_eq!(h.NgayTiepNhan, "");
        assert_eq!(h.DanhSachHoSoBoSung[0].NgayHenTraTruoc, "20251122100405");
        assert_eq!(
            h.DanhSachHoSoBoSung[0].NgayHenTraMoi,
            lienthong_adapter::vietnam_time::format(1_764_000_000)
        );
        let json = serde_json::to_value(&h).unwrap();
        assert!(json.get("MaTTHC").is_some() && json.get("DanhSachGiayToKetQua").is_some());
    }

    #[test]
    fn progress_entry_says_who_when_which_unit_what_status() {
        let e = pb::HistoryEntry {
            version: 3,
            at: ts(1_763_780_645),
            partner_id: "mot-cua-h22".into(),
            actor: "".into(),
            unit: "Bộ phận một cửa".into(),
            command: "request_supplement".into(),
            to_status: 5,
            note: "thiếu giấy tờ".into(),
            ..Default::default()
        };
        let t = tien_do("A-251122-00001", &e);
        assert_eq!(t.NguoiXuLy, "mot-cua-h22");
        assert_eq!(t.PhongBanXuLy, "Bộ phận một cửa");
        assert_eq!(t.ThoiDiemXuLy, "20251122100405");
        assert_eq!(t.NoiDungXuLy, "Yêu cầu bổ sung hồ sơ: thiếu giấy tờ");
        assert_eq!((t.TrangThai, t.SoThuTu), (5, Some(3)));
    }

    #[test]
    fn a_partner_event_is_a_progress_entry_that_says_itself_what_happened() {
        let e = pb::HistoryEntry {
            version: 2,
            at: ts(1_763_780_645),
            partner_id: "buu-dien".into(),
            actor: "Bưu chính công ích".into(),
            unit: "Bưu cục Hoàn Kiếm".into(),
            command: "record_partner_event".into(),
            from_status: 1,
            to_status: 1,
            note: "Bưu chính: đã thu gom hồ sơ: mã PU-7, lúc 10:00 22/11/2025".into(),
            partner_event: Some(pb::PartnerEvent {
                kind: "postal.picked_up".into(),
                occurred_at: ts(1_763_780_400),
                reference: "PU-7".into(),
            }),
        };
        let t = tien_do("A-251122-00001", &e);
        assert_eq!(
            t.NoiDungXuLy,
            "Bưu chính: đã thu gom hồ sơ: mã PU-7, lúc 10:00 22/11/2025"
        );
        assert_eq!(t.ThoiDiemXuLy, "20251122100405", "the hub's time: in order");
        assert_eq!(t.NguoiXuLy, "Bưu chính công ích");
        assert_eq!(t.PhongBanXuLy, "Bưu cục Hoàn Kiếm");
        assert_eq!(t.TrangThai, 1, "the status it stayed in");
    }

    #[test]
    fn a_forward_is_reported_as_a_progress_entry_naming_both_agencies() {
        let e = pb::HistoryEntry {
            version: 4,
            command: "forward".into(),
            unit: "Phòng Quản lý đô thị".into(),
            to_status: 4,
            note: "từ 000.00.01.H22 đến 000.00.02.H22".into(),
            ..Default::default()
        };
        let t = tien_do("A-251122-00001", &e);
        assert_eq!(
            t.NoiDungXuLy,
            "Chuyển liên thông: từ 000.00.01.H22 đến 000.00.02.H22"
        );
        assert_eq!(t.TrangThai, 4);
    }

    #[test]
    fn portal_dossier_becomes_a_submission_or_a_named_problem() {
        let mut h = HoSo {
            MaHoSo: "000.00.01.H22-251122-00017".into(),
            MaTTHC: "1.000948.H38".into(),
            ChuHoSo: "Nguyễn Văn A".into(),
            LoaiDoiTuong: 1,
            ..Default::default()
        };
        let s = submission(&h).unwrap();
        assert_eq!(s.agency_code, "000.00.01.H22");
        assert_eq!(s.channel, pb::SubmissionChannel::Online as i32);
        assert_eq!(s.ma_ho_so, h.MaHoSo);
        h.LoaiDoiTuong = 9;
        assert!(submission(&h).unwrap_err().0.contains("LoaiDoiTuong"));
        h.LoaiDoiTuong = 1;
        h.MaHoSo = "nonsense".into();
        assert!(submission(&h).unwrap_err().0.contains("MaHoSo"));
    }
}
