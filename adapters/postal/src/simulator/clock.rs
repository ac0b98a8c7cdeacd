//! Wall-clock time as the provider writes it: `yyyyMMddHHmmss` in
//! Asia/Ho_Chi_Minh (UTC+7, no daylight saving), DOMAIN.md §3.

use std::time::{SystemTime, UNIX_EPOCH};

const VIETNAM_OFFSET_SECONDS: i64 = 7 * 3600;

pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `unix` seconds as `yyyyMMddHHmmss` in Vietnam time.
pub fn vietnam_compact(unix: i64) -> String {
    let local = unix + VIETNAM_OFFSET_SECONDS;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_in_vietnam_time() {
        // 2025-11-22T07:30:00Z is 14:30 in Hanoi.
        assert_eq!(super::vietnam_compact(1_763_796_600), "20251122143000");
        // 17:00Z on 31 Dec is already the new year in Hanoi.
        assert_eq!(super::vietnam_compact(1_767_200_400), "20260101000000");
    }
}
