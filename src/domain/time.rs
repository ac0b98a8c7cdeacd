//! Time as the hub stores it (Unix milliseconds) and as Vietnamese systems
//! write it: dates in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), `yyMMdd`
//! inside a MaHoSo and `yyyyMMddHHmmss` on the national portal.

use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

/// Asia/Ho_Chi_Minh is UTC+7 all year round.
const VIETNAM_OFFSET_MILLIS: i64 = 7 * 3600 * 1000;

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub i64);

/// A calendar date and time of day in Vietnam.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VietnamDateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl UnixMillis {
    pub fn now() -> Self {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        UnixMillis(since.as_millis() as i64)
    }

    pub fn vietnam(self) -> VietnamDateTime {
        let local = self.0 + VIETNAM_OFFSET_MILLIS;
        let days = local.div_euclid(86_400_000);
        let ms_of_day = local.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let secs = (ms_of_day / 1000) as u32;
        VietnamDateTime {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: (secs / 60) % 60,
            second: secs % 60,
        }
    }

    /// `yyMMdd` in Vietnam, as used inside a MaHoSo.
    pub fn yymmdd(self) -> String {
        let t = self.vietnam();
        format!("{:02}{:02}{:02}", t.year.rem_euclid(100), t.month, t.day)
    }

    /// `yyyyMMddHHmmss` in Vietnam, the national portal's date-time format.
    pub fn portal_format(self) -> String {
        let t = self.vietnam();
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `yymmdd` names a real calendar day (2000–2099).
pub fn is_valid_yymmdd(text: &str) -> bool {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let year = 2000 + text[0..2].parse::<i64>().unwrap_or(0);
    let month: u32 = text[2..4].parse().unwrap_or(0);
    let day: u32 = text[4..6].parse().unwrap_or(0);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
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
    }

    #[test]
    fn yymmdd_validation_knows_the_calendar() {
        assert!(is_valid_yymmdd("240229"));
        assert!(!is_valid_yymmdd("250229"));
        assert!(!is_valid_yymmdd("251301"));
        assert!(!is_valid_yymmdd("25113"));
        assert!(!is_valid_yymmdd("25x122"));
    }
}
