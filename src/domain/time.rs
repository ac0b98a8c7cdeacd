//! Time as the hub stores it (Unix milliseconds) and the one Vietnam calendar
//! of lienthong: every date the hub or an adapter writes or reads in
//! Vietnamese form goes through here.
//!
//! Vietnamese systems write local time in Asia/Ho_Chi_Minh, which is UTC+7
//! all year (no daylight saving), so a fixed offset is exact and no
//! time-zone database is needed. The calendar itself (leap years, days in a
//! month, Unix conversion) is the `time` crate's; this module only names the
//! formats the partners use: `yyyyMMddHHmmss` (the national portal's, and
//! most partners'), `yyyyMMdd` (settlement days), `yyMMdd` (inside a MaHoSo)
//! and RFC 3339 (legacy systems that speak ISO dates). Every function is
//! total: malformed text gives `None`, an instant outside years 0000–9999
//! formats as an empty text, nothing panics.

use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};
use time::format_description::well_known::Rfc3339;
use time::format_description::BorrowedFormatItem;
use time::macros::{format_description, offset};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Asia/Ho_Chi_Minh: UTC+7 all year round.
pub const VIETNAM: UtcOffset = offset!(+7);

/// The same offset in seconds, for schedules computed in Unix seconds.
pub const VIETNAM_OFFSET_SECONDS: i64 = 7 * 3600;

const COMPACT: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day][hour][minute][second]");
const DATE: &[BorrowedFormatItem<'static>] = format_description!("[year][month][day]");
const YYMMDD: &[BorrowedFormatItem<'static>] =
    format_description!("[year repr:last_two][month][day]");

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    pub fn now() -> Self {
        UnixMillis(now_millis())
    }

    /// `yyMMdd` in Vietnam, as used inside a MaHoSo.
    pub fn yymmdd(self) -> String {
        format_with(self.0.div_euclid(1000), YYMMDD)
    }

    /// `yyyyMMddHHmmss` in Vietnam, the national portal's date-time format.
    pub fn portal_format(self) -> String {
        format_compact(self.0.div_euclid(1000))
    }
}

/// Now, in Unix seconds.
pub fn now_unix() -> i64 {
    now_millis().div_euclid(1000)
}

/// Now, in Unix milliseconds.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Unix seconds as `yyyyMMddHHmmss`, Vietnam time.
pub fn format_compact(unix_seconds: i64) -> String {
    format_with(unix_seconds, COMPACT)
}

/// Unix seconds as `yyyyMMdd`, the Vietnam date.
pub fn format_date(unix_seconds: i64) -> String {
    format_with(unix_seconds, DATE)
}

/// Unix seconds as RFC 3339 at +07:00 (`2025-11-22T14:30:00+07:00`).
pub fn format_rfc3339(unix_seconds: i64) -> String {
    in_vietnam(unix_seconds)
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// `yyyyMMddHHmmss` (Vietnam time) as Unix seconds; `None` unless the text is
/// exactly fourteen digits naming a real date and time.
pub fn parse_compact(text: &str) -> Option<i64> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let local = PrimitiveDateTime::parse(text, COMPACT).ok()?;
    Some(local.assume_offset(VIETNAM).unix_timestamp())
}

/// `yyyyMMdd` (a Vietnam date) as the Unix seconds of its midnight; `None`
/// unless the text is exactly eight digits naming a real day.
pub fn parse_date(text: &str) -> Option<i64> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day = Date::parse(text, DATE).ok()?;
    Some(day.midnight().assume_offset(VIETNAM).unix_timestamp())
}

/// RFC 3339 (`T`, `t` or a space between date and time, optional fraction,
/// `Z` or a `±HH:MM` offset) as Unix seconds, the fraction dropped; `None`
/// when it is not a real date-time of that form.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    // The `time` crate takes any separator; partners are held to the three
    // the RFC names.
    if !matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    // A leap second (`:60`) is not a time any partner system records.
    if text.get(17..19) == Some("60") {
        return None;
    }
    Some(at.unix_timestamp())
}

/// The `yyyyMMdd` that is `days` after (or before, when negative) `date`;
/// `None` when `date` is not a date.
pub fn shift_date(date: &str, days: i64) -> Option<String> {
    let midnight = parse_date(date)?;
    Some(format_date(
        midnight.checked_add(days.checked_mul(86_400)?)?,
    ))
}

/// Whether `yymmdd` names a real calendar day (2000–2099).
pub fn is_valid_yymmdd(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) && {
        let number = |range: std::ops::Range<usize>| text[range].parse::<u8>().unwrap_or(0);
        Month::try_from(number(2..4))
            .and_then(|month| {
                Date::from_calendar_date(2000 + i32::from(number(0..2)), month, number(4..6))
            })
            .is_ok()
    }
}

fn in_vietnam(unix_seconds: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()?
        .checked_to_offset(VIETNAM)
}

fn format_with(unix_seconds: i64, format: &[BorrowedFormatItem<'static>]) -> String {
    in_vietnam(unix_seconds)
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_date_crosses_midnight_seven_hours_before_utc() {
        // 2025-11-21T17:00:00Z is 2025-11-22 00:00 in Hà Nội.
        let t = UnixMillis(1_763_744_400_000);
        assert_eq!(t.yymmdd(), "251122");
        assert_eq!(t.portal_format(), "20251122000000");
        assert_eq!(UnixMillis(1_763_744_399_000).yymmdd(), "251121");
        // Just before midnight UTC is the next morning in Hà Nội.
        assert_eq!(format_compact(1_767_225_599), "20260101065959");
        assert_eq!(format_date(1_767_225_599), "20260101");
    }

    #[test]
    fn yymmdd_validation_knows_the_calendar() {
        assert!(is_valid_yymmdd("240229"));
        assert!(!is_valid_yymmdd("250229"));
        assert!(!is_valid_yymmdd("251301"));
        assert!(!is_valid_yymmdd("251100"));
        assert!(!is_valid_yymmdd("25113"));
        assert!(!is_valid_yymmdd("25x122"));
    }

    #[test]
    fn compact_round_trips() {
        for s in [0, 1_763_780_645, 951_782_400, 4_102_444_799] {
            assert_eq!(parse_compact(&format_compact(s)), Some(s), "{s}");
        }
        // 2025-11-22T03:04:05Z is 10:04:05 in Hà Nội.
        assert_eq!(format_compact(1_763_780_645), "20251122100405");
    }

    #[test]
    fn compact_refuses_what_is_not_a_date_time() {
        for bad in [
            "",
            "2025112210040",
            "2025-11-22 10:04",
            "20251322100405",
            "20250230100405",
            "20251122240000",
            "20251122100460",
            "2025112210040x",
            "+2025112210040",
        ] {
            assert_eq!(parse_compact(bad), None, "{bad}");
        }
        assert!(parse_compact("20240229000000").is_some());
    }

    #[test]
    fn rfc3339_in_vietnam_time() {
        // 2025-11-22T07:30:00Z = 14:30 in Hà Nội.
        let t = 1_763_796_600;
        assert_eq!(format_rfc3339(t), "2025-11-22T14:30:00+07:00");
        assert_eq!(parse_rfc3339("2025-11-22T14:30:00+07:00"), Some(t));
        assert_eq!(parse_rfc3339("2025-11-22 14:30:00+07:00"), Some(t));
        assert_eq!(parse_rfc3339("2025-11-22T07:30:00Z"), Some(t));
        assert_eq!(parse_rfc3339("2025-11-22T07:30:00.250Z"), Some(t));
        for bad in [
            "",
            "2025-11-22",
            "2025-11-22T14:30:00",
            "2025-11-22T14:30:00+7",
            "2025-11-22X14:30:00Z",
            "2025-02-30T14:30:00Z",
            "2016-12-31T23:59:60Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_and_shifts() {
        assert_eq!(parse_date("20251122"), Some(1_763_744_400));
        assert_eq!(shift_date("20251231", 1).as_deref(), Some("20260101"));
        assert_eq!(shift_date("20240301", -1).as_deref(), Some("20240229"));
        assert_eq!(shift_date("2024031", 1), None);
        assert_eq!(parse_date("20250229"), None);
    }

    #[test]
    fn out_of_range_instants_format_as_empty_text() {
        assert_eq!(format_compact(i64::MAX), "");
        assert_eq!(format_rfc3339(i64::MIN), "");
    }
}
