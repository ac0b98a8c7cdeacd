//! The CSV files of reconciliation (provisional formats, DOMAIN.md §6),
//! read and written here once: the gateway's settlement file (the payment
//! simulator writes it, the treasury adapter reads it), the treasury's
//! credit file (the treasury simulator writes it, the adapter reads it) and
//! the report the adapter writes.
//!
//! UTF-8 (a leading byte-order mark is ignored), a header line, comma
//! separated, fields quoted per RFC 4180 when they hold a comma, a quote or
//! a line break — so Vietnamese names with commas travel intact. Columns
//! are found by their header name, in any order; unknown columns are
//! ignored; a missing required column or a malformed value is an error
//! naming the file, the line and the column. Amounts are whole VND written
//! as plain digits (`150000`; `150.000` is refused, never guessed).
//!
//! | file | columns (required in bold) |
//! |---|---|
//! | gateway settlement | **MaThamChieu, MaGiaoDich, MaHoSo, SoTien**, NganHang, ThoiGianThanhToan |
//! | treasury credits | SoChungTu, **MaThamChieu, MaGiaoDich, MaHoSo, SoTien**, TaiKhoanThuNSNN, MaKhoBac, ThoiGianThanhToan, NgayGhiCo |
//! | report (written) | KetQua, MaThamChieu, MaGiaoDich, MaHoSo, SoTienCong, SoTienKhoBac, ChenhLech, SoChungTu, TruongKhacNhau, GhiChu |
//!
//! `KetQua` is one of `matched`, `amount_mismatch`, `field_mismatch`,
//! `missing_in_treasury`, `missing_in_gateway`, `duplicate_in_gateway`,
//! `duplicate_in_treasury`; `ChenhLech` is treasury minus gateway;
//! `TruongKhacNhau` lists the differing fields separated by spaces.

use crate::{Credited, Report, Settled};
use std::collections::HashMap;

/// A malformed reconciliation file: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {problem}")]
pub struct FileError {
    pub file: &'static str,
    pub line: u64,
    pub problem: String,
}

pub const SETTLEMENT_FILE: &str = "gateway settlement file";
pub const CREDIT_FILE: &str = "treasury credit file";

pub const SETTLED_HEADER: [&str; 6] = [
    "MaThamChieu",
    "MaGiaoDich",
    "MaHoSo",
    "SoTien",
    "NganHang",
    "ThoiGianThanhToan",
];

pub const CREDITED_HEADER: [&str; 9] = [
    "SoChungTu",
    "MaThamChieu",
    "MaGiaoDich",
    "MaHoSo",
    "SoTien",
    "TaiKhoanThuNSNN",
    "MaKhoBac",
    "ThoiGianThanhToan",
    "NgayGhiCo",
];

pub const REPORT_HEADER: [&str; 10] = [
    "KetQua",
    "MaThamChieu",
    "MaGiaoDich",
    "MaHoSo",
    "SoTienCong",
    "SoTienKhoBac",
    "ChenhLech",
    "SoChungTu",
    "TruongKhacNhau",
    "GhiChu",
];

const REQUIRED: [&str; 4] = ["MaThamChieu", "MaGiaoDich", "MaHoSo", "SoTien"];

/// One parsed row, read by column name.
struct Row<'a> {
    file: &'static str,
    line: u64,
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn text(&self, column: &str) -> String {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or_default()
            .to_string()
    }

    fn amount(&self, column: &str) -> Result<i64, FileError> {
        let text = self.text(column);
        let digits = text.strip_prefix('-').unwrap_or(&text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(format!(
                "column {column}: `{text}` is not a whole amount of VND in plain digits"
            )));
        }
        text.parse()
            .map_err(|_| self.error(format!("column {column}: `{text}` is out of range")))
    }

    fn error(&self, problem: String) -> FileError {
        FileError {
            file: self.file,
            line: self.line,
            problem,
        }
    }
}

/// Reads `text` and calls `each` for every row.
fn read<T>(
    file: &'static str,
    text: &str,
    mut each: impl FnMut(&Row<'_>) -> Result<T, FileError>,
) -> Result<Vec<T>, FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // After a `\r\n` the csv crate's record position points at the `\n`
    // and its line count is one short: count the lines up to and including
    // that byte ourselves.
    let line_at = |byte: u64| {
        let end = (byte as usize + 1).min(text.len());
        1 + text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    };
    let csv_error = |e: csv::Error| FileError {
        file,
        line: e.position().map(|p| line_at(p.byte())).unwrap_or(1),
        problem: match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields where the header has {expected_len}"),
            _ => e.to_string(),
        },
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    for required in REQUIRED {
        if !columns.contains_key(required) {
            return Err(FileError {
                file,
                line: 1,
                problem: format!(
                    "the header has no column {required} (found: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let row = Row {
            file,
            line: record
                .position()
                .map(|p| line_at(p.byte()))
                .unwrap_or_default(),
            columns: &columns,
            record: &record,
        };
        out.push(each(&row)?);
    }
    Ok(out)
}

/// The gateway's settlement file.
pub fn parse_settled(text: &str) -> Result<Vec<Settled>, FileError> {
    read(SETTLEMENT_FILE, text, |row| {
        Ok(Settled {
            reference: row.text("MaThamChieu"),
            transaction_id: row.text("MaGiaoDich"),
            ma_ho_so: row.text("MaHoSo"),
            amount_vnd: row.amount("SoTien")?,
            bank: row.text("NganHang"),
            paid_at: row.text("ThoiGianThanhToan"),
        })
    })
}

/// The treasury's credit file.
pub fn parse_credited(text: &str) -> Result<Vec<Credited>, FileError> {
    read(CREDIT_FILE, text, |row| {
        Ok(Credited {
            document_number: row.text("SoChungTu"),
            reference: row.text("MaThamChieu"),
            transaction_id: row.text("MaGiaoDich"),
            ma_ho_so: row.text("MaHoSo"),
            amount_vnd: row.amount("SoTien")?,
            revenue_account: row.text("TaiKhoanThuNSNN"),
            treasury_code: row.text("MaKhoBac"),
            paid_at: row.text("ThoiGianThanhToan"),
            credited_at: row.text("NgayGhiCo"),
        })
    })
}

/// What a daily file lists: the records whose time `at` (`yyyyMMddHHmmss`)
/// falls on `day` (`yyyyMMdd`), or all of them.
pub fn of_day<T: Clone>(records: &[T], day: Option<&str>, at: impl Fn(&T) -> &String) -> Vec<T> {
    records
        .iter()
        .filter(|r| day.is_none_or(|d| at(r).starts_with(d)))
        .cloned()
        .collect()
}

fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing into memory cannot fail; errors are still not unwrapped.
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn write_settled(rows: &[Settled]) -> String {
    write(
        &SETTLED_HEADER,
        rows.iter().map(|s| {
            vec![
                s.reference.clone(),
                s.transaction_id.clone(),
                s.ma_ho_so.clone(),
                s.amount_vnd.to_string(),
                s.bank.clone(),
                s.paid_at.clone(),
            ]
        }),
    )
}

pub fn write_credited(rows: &[Credited]) -> String {
    write(
        &CREDITED_HEADER,
        rows.iter().map(|c| {
            vec![
                c.document_number.clone(),
                c.reference.clone(),
                c.transaction_id.clone(),
                c.ma_ho_so.clone(),
                c.amount_vnd.to_string(),
                c.revenue_account.clone(),
                c.treasury_code.clone(),
                c.paid_at.clone(),
                c.credited_at.clone(),
            ]
        }),
    )
}

pub fn write_report(report: &Report) -> String {
    let amount = |a: Option<i64>| a.map(|v| v.to_string()).unwrap_or_default();
    write(
        &REPORT_HEADER,
        report.lines.iter().map(|line| {
            vec![
                line.outcome.as_str().to_string(),
                line.reference().to_string(),
                line.transaction_id().to_string(),
                line.ma_ho_so().to_string(),
                amount(line.gateway_amount_vnd()),
                amount(line.treasury_amount_vnd()),
                amount(line.difference_vnd()),
                line.treasury
                    .as_ref()
                    .map(|t| t.document_number.clone())
                    .unwrap_or_default(),
                line.differences
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(" "),
                line.note(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{reconcile, Outcome};

    #[test]
    fn settlement_file_with_quotes_commas_and_vietnamese() {
        let text = "\u{feff}MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,ThoiGianThanhToan\r\n\
            000.00.01.H22-251122-00017-5,PG1,000.00.01.H22-251122-00017,150000,\"Ngân hàng Ngoại thương, CN Hà Nội\",20251122093000\r\n\
            \"R,2\",\"PG \"\"2\"\"\",HS2, 75000 ,BIDV,20251122100000\r\n\
            \r\n";
        let rows = parse_settled(text).expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].bank, "Ngân hàng Ngoại thương, CN Hà Nội");
        assert_eq!(rows[0].amount_vnd, 150_000);
        assert_eq!(rows[1].reference, "R,2");
        assert_eq!(rows[1].transaction_id, "PG \"2\"");
        assert_eq!(rows[1].amount_vnd, 75_000);
    }

    #[test]
    fn columns_are_found_by_name_and_extras_ignored() {
        let text = "SoTien,Ghi chú,MaHoSo,MaGiaoDich,MaThamChieu\n100,\"xin, cảm ơn\",HS,T,R\n";
        let rows = parse_credited(text).expect("parses");
        assert_eq!(rows[0].reference, "R");
        assert_eq!(rows[0].transaction_id, "T");
        assert_eq!(rows[0].amount_vnd, 100);
        assert_eq!(rows[0].document_number, "");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let missing =
            parse_settled("MaThamChieu,MaGiaoDich,SoTien\nR,T,1\n").expect_err("no MaHoSo");
        assert!(
            missing.to_string().contains("gateway settlement file"),
            "{missing}"
        );
        assert!(missing.to_string().contains("MaHoSo"), "{missing}");

        let text = "MaThamChieu,MaGiaoDich,MaHoSo,SoTien\nR1,T1,HS,100\nR2,T2,HS,150.000\n";
        let err = parse_credited(text).expect_err("dotted amount");
        let msg = err.to_string();
        assert!(
            msg.contains("treasury credit file") && msg.contains("line 3"),
            "{msg}"
        );
        assert!(msg.contains("SoTien") && msg.contains("150.000"), "{msg}");

        let ragged = "MaThamChieu,MaGiaoDich,MaHoSo,SoTien\r\nR0,T0,HS,1\r\nR1,T1,HS\r\n";
        let err = parse_settled(ragged).expect_err("ragged");
        assert!(
            err.to_string()
                .contains("line 3: 3 fields where the header has 4"),
            "{err}"
        );

        let crlf = "MaThamChieu,MaGiaoDich,MaHoSo,SoTien\r\nR1,T1,HS,1\r\nR2,T2,HS,x\r\n";
        let err = parse_settled(crlf).expect_err("bad amount");
        assert!(err.to_string().contains("line 3"), "{err}");

        let err =
            parse_settled("MaThamChieu,MaGiaoDich,MaHoSo,SoTien\nR,T,HS,99999999999999999999\n")
                .expect_err("overflow");
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn written_files_read_back() {
        let settled = vec![Settled {
            reference: "R,1".into(),
            transaction_id: "T\"1".into(),
            ma_ho_so: "HS".into(),
            amount_vnd: 150_000,
            bank: "Ngân hàng, chi nhánh".into(),
            paid_at: "20251122093000".into(),
        }];
        let text = write_settled(&settled);
        assert_eq!(
            text,
            "MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,ThoiGianThanhToan\r\n\
             \"R,1\",\"T\"\"1\",HS,150000,\"Ngân hàng, chi nhánh\",20251122093000\r\n"
        );
        assert_eq!(parse_settled(&text).expect("reads"), settled);
        let credited = vec![Credited {
            document_number: "BC1".into(),
            reference: "R,1".into(),
            transaction_id: "T\"1".into(),
            ma_ho_so: "HS".into(),
            amount_vnd: 151_000,
            revenue_account: "7111".into(),
            treasury_code: "0011".into(),
            paid_at: "20251122093000".into(),
            credited_at: "20251122093005".into(),
        }];
        assert_eq!(
            parse_credited(&write_credited(&credited)).expect("reads"),
            credited
        );

        let report = reconcile(&settled, &credited);
        assert_eq!(report.lines[0].outcome, Outcome::AmountMismatch);
        let text = write_report(&report);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(headers, REPORT_HEADER.map(String::from).to_vec());
        let row = reader.records().next().expect("one row").expect("row");
        assert_eq!(&row[0], "amount_mismatch");
        assert_eq!(&row[1], "R,1");
        assert_eq!(&row[2], "T\"1");
        assert_eq!((&row[4], &row[5], &row[6]), ("150000", "151000", "1000"));
        assert_eq!(&row[7], "BC1");
        assert_eq!(&row[8], "SoTien");
        assert_eq!(&row[9], "SoTien: cổng 150000, kho bạc 151000");
    }
}
