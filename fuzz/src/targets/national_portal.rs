//! The national portal's answers: any reply read as the client reads it
//! (error code as string or number, message, result list), its code
//! classified, and each result item read as a dossier filed on the portal
//! (`pushdown`), turned into the `submit` the adapter sends and taken
//! through the hub's decoding and rules.

use crate::{refused, Target};
use lienthong::domain::validate;
use lienthong::wire::from_proto;
use lienthong::wire::pb;
use lienthong_adapter_national_portal::mapping::submission;
use lienthong_adapter_national_portal::profile::{Profile, Record};
use lienthong_adapter_national_portal::protocol::{
    is_already_exists, is_not_found, is_session_error, HoSo, Reply,
};

pub fn target() -> Target {
    Target {
        name: "national_portal",
        max_len: 16 * 1024,
        run,
        seeds,
        dictionary: super::JSON_TOKENS,
    }
}

fn run(body: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(body) else {
        return "refused:not-utf8".into();
    };
    let reply: Reply = match serde_json::from_str(text) {
        Ok(reply) => reply,
        Err(_) => return "refused:json".into(),
    };
    let code = reply.code();
    if code.is_empty() {
        return "refused:no-code".into();
    }
    let message = reply.message();
    let class = (
        reply.is_success(),
        is_session_error(&code, message),
        is_already_exists(&code, message),
        is_not_found(&code, message),
    );
    let mut labels = vec![format!("class:{class:?}")];
    let profile = Profile::default_profile();
    for (i, item) in reply.result.unwrap_or_default().iter().enumerate() {
        let label = match profile.read::<HoSo>(Record::Dossier, item, &format!("result[{i}]")) {
            Err(_) => "item:unreadable".to_string(),
            Ok(read) => match submission(&read.value) {
                Err(_) => "item:unusable".to_string(),
                Ok(submit) => hub(submit).map_or_else(|e| e, |()| "item:ok".to_string()),
            },
        };
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels.join(" ")
}

fn hub(submit: pb::SubmitDossier) -> Result<(), String> {
    let request = pb::CommandRequest {
        idempotency_key: "portal-pushdown".into(),
        actor: "Cổng DVC quốc gia".into(),
        command: Some(pb::command_request::Command::Submit(submit)),
        ..Default::default()
    };
    let envelope =
        from_proto::command_request(request).map_err(|e| format!("hub:{}", refused(&e)))?;
    validate::envelope(&envelope).map_err(|e| format!("hub:{}", refused(&e)))
}

fn seeds() -> Vec<Vec<u8>> {
    [
        r#"{"error_code":"0","message":"Thành công","result":[{"MaHoSo":"000.00.01.H22-251122-00001","MaTTHC":"1.000948","TenTTHC":"Cấp phiếu lý lịch tư pháp","KenhThucHien":"2","ChuHoSo":"Nguyễn Văn An","LoaiDoiTuong":1,"SoGiayToChuHoSo":"001090000001","SoDienThoai":"0912345678","TrichYeuHoSo":"Cấp phiếu","NgayNopHoSo":"20251122100405","NgayHenTra":"20251202170000","TrangThaiHoSo":1,"DonViXuLy":"000.00.01.H22","TaiLieuNop":[{"TepDinhKemId":"1","TenTepDinhKem":"to-khai.pdf","DuongDanTaiTepTin":"https://example.vn/1.pdf"}],"DanhSachLePhi":[{"MaPhiLePhi":"LP01","TenPhiLePhi":"Lệ phí","Gia":"200000","HinhThucThu":"1","LoaiPhiLePhi":"1"}]}]}"#,
        r#"{"error_code":0,"message":null,"result":[]}"#,
        r#"{"error_code":"-1","message":"Phiên đăng nhập hết hạn"}"#,
        r#"{"error_code":"99","message":"Hồ sơ đã tồn tại"}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
