//! The simulated portal's side of the hosted portal's feedback:
//! `DongBoDanhGia` (a rating of a dossier it holds) and `DongBoHoiDap` (a
//! question with its answer). Both are upserts — by MaHoSo, by `HOIDAPID` —
//! so a redelivered item changes nothing; every field the portal needs is
//! checked, so a test sees a missing one as a refusal.

use super::state::SimState;
use crate::profile::Record;
use crate::protocol::{codes, DanhGia, HoiDap, Reply};
use lienthong_adapter::vietnam_time;

impl SimState {
    pub(super) fn rating(&mut self, data: &[serde_json::Value]) -> Reply {
        let list: Vec<DanhGia> = match self.items(Record::Rating, data) {
            Ok(list) => list,
            Err(reply) => return reply,
        };
        for r in &list {
            if !self.dossiers.contains_key(&r.MaHoSo) {
                return Reply::error(
                    codes::NOT_FOUND,
                    format!(
                        "Không tìm thấy hồ sơ {}: đồng bộ hồ sơ trước khi đánh giá",
                        r.MaHoSo
                    ),
                );
            }
            if !(1..=3).contains(&r.MucDoHaiLong)
                || vietnam_time::parse(&r.NgayDanhGia).is_none()
                || r.MaTTHC.is_empty()
                || r.MaCoQuan.is_empty()
            {
                return Reply::error(
                    codes::INVALID,
                    format!(
                        "Dữ liệu không hợp lệ: MucDoHaiLong/NgayDanhGia/MaTTHC/MaCoQuan ({})",
                        r.MaHoSo
                    ),
                );
            }
        }
        let count = list.len();
        for r in list {
            self.ratings.insert(r.MaHoSo.clone(), r);
        }
        Reply::ok(vec![serde_json::json!({ "SoBanGhi": count })])
    }

    pub(super) fn question_answer(&mut self, data: &[serde_json::Value]) -> Reply {
        let list: Vec<HoiDap> = match self.items(Record::QuestionAnswer, data) {
            Ok(list) => list,
            Err(reply) => return reply,
        };
        for h in &list {
            if h.HOIDAPID.is_empty()
                || h.NOIDUNG.is_empty()
                || h.NOIDUNGTRALOI.is_empty()
                || h.MADONVI.is_empty()
                || vietnam_time::parse(&h.NGAYTRALOI).is_none()
            {
                return Reply::error(
                    codes::INVALID,
                    format!(
                        "Dữ liệu không hợp lệ: HOIDAPID/NOIDUNG/NOIDUNGTRALOI/MADONVI/NGAYTRALOI ({})",
                        h.HOIDAPID
                    ),
                );
            }
        }
        let count = list.len();
        for h in list {
            self.answers.insert(h.HOIDAPID.clone(), h);
        }
        Reply::ok(vec![serde_json::json!({ "SoBanGhi": count })])
    }
}
