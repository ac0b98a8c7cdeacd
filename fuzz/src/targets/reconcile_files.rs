//! The reconciliation files that come from outside: the gateway's
//! settlement file and the treasury's credit file (CSV, RFC 4180 quoting),
//! read and then reconciled against each other as the treasury adapter does.

use crate::{refused, Target};
use lienthong_reconcile::files::{parse_credited, parse_settled};
use lienthong_reconcile::reconcile;

pub fn target() -> Target {
    Target {
        name: "reconcile_files",
        max_len: 16 * 1024,
        run,
        seeds,
        dictionary: &[
            b"\"",
            b"\"\"",
            b",",
            b"\r\n",
            b"\n",
            b"\xef\xbb\xbf",
            b"MaThamChieu",
            b"SoTien",
            b"150.000",
            b"-0",
        ],
    }
}

fn run(input: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(input) else {
        return "refused:not-utf8".into();
    };
    let settled = parse_settled(text);
    let credited = parse_credited(text);
    let label = format!(
        "settled:{} credited:{}",
        settled.as_ref().map_or_else(refused, |_| "ok".into()),
        credited.as_ref().map_or_else(refused, |_| "ok".into()),
    );
    if let (Ok(settled), Ok(credited)) = (&settled, &credited) {
        let _ = reconcile(settled, credited);
    }
    label
}

fn seeds() -> Vec<Vec<u8>> {
    vec![
        b"MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,ThoiGianThanhToan\r\nTT-1,GD1,000.00.01.H22-251122-00001,150000,VCB,20251122100405\r\n".to_vec(),
        "SoChungTu,MaThamChieu,MaGiaoDich,MaHoSo,SoTien,TaiKhoanThuNSNN,MaKhoBac,ThoiGianThanhToan,NgayGhiCo\nCT-1,TT-1,GD1,000.00.01.H22-251122-00001,150000,7111,0011,20251122100405,20251123\nCT-2,TT-2,GD2,000.00.01.H22-251122-00002,20000,7111,0011,20251122100405,20251123\n".as_bytes().to_vec(),
        "\u{feff}MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,SoChungTu\nTT-3,GD3,000.00.01.H22-251122-00003,5000,\"Ngân hàng, chi nhánh \"\"Hà Nội\"\"\",CT-3\n".as_bytes().to_vec(),
    ]
}
