//! Time as the treasury and the gateway write it — `yyyyMMddHHmmss` and
//! dates `yyyyMMdd` in Asia/Ho_Chi_Minh (UTC+7 all year, no daylight
//! saving) — and the daily schedule of reconciliation (`reconcile_at`,
//! `HH:MM` Vietnam time). The calendar itself is shared by every
//! adapter: `lienthong_adapter::vietnam_time`.

pub use lienthong_adapter::domain::time::{parse_date, shift_date};
pub use lienthong_adapter::vietnam_time::{
    format as format_vietnam, format_date as format_vietnam_date, now_unix, parse as parse_vietnam,
};

/// Parses `HH:MM` (24-hour) into minutes after midnight.
pub fn parse_hh_mm(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The first Unix time strictly after `now` that is `minute_of_day` in Vietnam.
pub fn next_daily_run(now: i64, minute_of_day: u32) -> i64 {
    let local = now + lienthong_adapter::vietnam_time::OFFSET_SECONDS;
    let midnight = local - local.rem_euclid(86_400);
    let mut at = midnight + i64::from(minute_of_day) * 60;
    if at <= local {
        at += 86_400;
    }
    at - lienthong_adapter::vietnam_time::OFFSET_SECONDS
}

/// Whether `text` is a real `yyyyMMdd` date.
pub fn is_date(text: &str) -> bool {
    parse_date(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn hh_mm() {
        assert_eq!(parse_hh_mm("00:00"), Some(0));
        assert_eq!(parse_hh_mm("01:30"), Some(90));
        assert_eq!(parse_hh_mm("23:59"), Some(1439));
        for bad in ["24:00", "1:30", "01:60", "0130", "ab:cd", "", "01:30:00"] {
            assert_eq!(parse_hh_mm(bad), None, "{bad}");
        }
    }

    #[test]
    fn next_run_is_the_next_vietnam_hh_mm() {
        // 2025-11-22 09:30 in Hanoi.
        let now = 1_763_778_600;
        // 01:30 has passed today: tomorrow 01:30 Hanoi = 2025-11-22T18:30Z.
        assert_eq!(format_vietnam(next_daily_run(now, 90)), "20251123013000");
        // 10:00 is still to come today.
        assert_eq!(format_vietnam(next_daily_run(now, 600)), "20251122100000");
        // Exactly now: the next day.
        assert_eq!(format_vietnam(next_daily_run(now, 570)), "20251123093000");
    }

    #[test]
    fn dates_shift_across_months_and_years() {
        assert_eq!(shift_date("20251231", 1).as_deref(), Some("20260101"));
        assert_eq!(shift_date("20240301", -1).as_deref(), Some("20240229"));
        assert_eq!(shift_date("2024031", 1), None);
        assert!(is_date("20240229"));
        assert!(!is_date("20250229"));
        assert!(!is_date("2025022"));
    }
}
