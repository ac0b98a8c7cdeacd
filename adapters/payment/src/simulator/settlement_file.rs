//! The gateway's daily settlement file: one CSV line per settled
//! transaction, for reconciliation with the treasury (đối soát).
//!
//! Columns, in this order, with a header line:
//! `MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,ThoiGianThanhToan`
//! (`SoTien` whole VND, `ThoiGianThanhToan` `yyyyMMddHHmmss` Vietnam time).
//! UTF-8, `\r\n` line ends, fields quoted when they hold a comma, a quote
//! or a line break (RFC 4180).

use super::state::Settlement;

pub const HEADER: [&str; 6] = [
    "MaThamChieu",
    "MaGiaoDich",
    "MaHoSo",
    "SoTien",
    "NganHang",
    "ThoiGianThanhToan",
];

/// The file for the settlements of `date` (`yyyyMMdd`), or all of them.
pub fn render(settlements: &[Settlement], date: Option<&str>) -> String {
    let mut out = line(&HEADER.map(String::from));
    for s in settlements {
        if date.is_some_and(|d| !s.paid_at.starts_with(d)) {
            continue;
        }
        out.push_str(&line(&[
            s.reference.clone(),
            s.transaction_id.clone(),
            s.ma_ho_so.clone(),
            s.amount_vnd.to_string(),
            s.bank.clone(),
            s.paid_at.clone(),
        ]));
    }
    out
}

fn line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
    format!("{}\r\n", quoted.join(","))
}

/// A CSV field, quoted only when it needs to be.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_filters_by_date() {
        let s = |r: &str, at: &str| Settlement {
            reference: r.into(),
            transaction_id: format!("T{r}"),
            ma_ho_so: "000.00.01.H22-251122-00017".into(),
            amount_vnd: 150_000,
            bank: "VCB".into(),
            paid_at: at.into(),
        };
        let rows = [s("A,1", "20251122093000"), s("B", "20251123093000")];
        let all = render(&rows, None);
        assert_eq!(all.lines().count(), 3);
        assert!(
            all.contains(
                "\"A,1\",\"TA,1\",000.00.01.H22-251122-00017,150000,VCB,20251122093000\r\n"
            ),
            "{all}"
        );
        let day = render(&rows, Some("20251123"));
        assert_eq!(day.lines().count(), 2);
        assert!(
            day.starts_with("MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,ThoiGianThanhToan\r\n")
        );
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
