//! Date-times as Vietnamese systems write them: `yyyyMMddHHmmss` (and dates
//! `yyyyMMdd`) in Asia/Ho_Chi_Minh.
//!
//! Vietnam keeps UTC+7 all year (no daylight saving), so the conversion is a
//! fixed offset and a civil-calendar calculation (Howard Hinnant's
//! algorithms); no time-zone database is needed. Every adapter speaks this
//! format to its partner, so it lives here once. Everything is total: a
//! malformed text gives `None`, never a panic.

use std::time::{SystemTime, UNIX_EPOCH};

/// Asia/Ho_Chi_Minh is UTC+7.
pub const OFFSET_SECONDS: i64 = 7 * 3600;

/// Now, in Unix seconds.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Now, in Unix milliseconds.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Unix seconds as `yyyyMMddHHmmss`, Vietnam time.
pub fn format(unix_seconds: i64) -> String {
    let local = unix_seconds + OFFSET_SECONDS;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Unix seconds as `yyyyMMdd`, Vietnam date.
pub fn format_date(unix_seconds: i64) -> String {
    format(unix_seconds)[..8].to_string()
}

/// `yyyyMMddHHmmss` (Vietnam time) as Unix seconds; `None` unless the text is
/// exactly that and names a real date and time.
pub fn parse(text: &str) -> Option<i64> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s) = (num(8..10)?, num(10..12)?, num(12..14)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - OFFSET_SECONDS)
}

/// A contract timestamp as partner text; empty when absent.
pub fn format_ts(ts: Option<&prost_types::Timestamp>) -> String {
    ts.map(|t| format(t.seconds)).unwrap_or_default()
}

/// Partner text (blanks around it ignored) as a contract timestamp; `None`
/// when empty or malformed.
pub fn parse_ts(text: &str) -> Option<prost_types::Timestamp> {
    parse(text.trim()).map(|seconds| prost_types::Timestamp { seconds, nanos: 0 })
}

/// A contract timestamp in Unix milliseconds (0 when absent).
pub fn ts_millis(ts: Option<&prost_types::Timestamp>) -> i64 {
    ts.map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
        .unwrap_or(0)
}

pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_vietnam_time() {
        // 2025-11-22T03:04:05Z is 10:04:05 in Hà Nội.
        assert_eq!(format(1_763_780_645), "20251122100405");
        // Just before midnight UTC is the next morning in Hà Nội.
        assert_eq!(format(1_767_225_599), "20260101065959");
        assert_eq!(format_date(1_767_225_599), "20260101");
    }

    #[test]
    fn round_trips() {
        for s in [0, 1_763_780_645, 951_782_400, 4_102_444_799] {
            assert_eq!(parse(&format(s)), Some(s), "{s}");
        }
    }

    #[test]
    fn refuses_malformed_text() {
        for bad in [
            "",
            "2025112210040",
            "2025-11-22 10:04",
            "20251322100405",
            "20250230100405",
            "20251122240000",
            "2025112210040x",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(parse("20240229000000").is_some());
    }
}
