//! How values read in a message: dates as `dd/mm/yyyy` in Vietnam time,
//! amounts as `1.500.000 đ` (dots between thousands, the đồng sign after).

use crate::domain::time::format_date;
use crate::domain::UnixMillis;

/// `dd/mm/yyyy`, the date in Asia/Ho_Chi_Minh.
pub fn date(at: UnixMillis) -> String {
    let ymd = format_date(at.0.div_euclid(1000));
    match (ymd.get(0..4), ymd.get(4..6), ymd.get(6..8)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => String::new(),
    }
}

/// `1.500.000 đ`.
pub fn money(amount_vnd: i64) -> String {
    let digits = amount_vnd.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if amount_vnd < 0 { "-" } else { "" };
    format!("{sign}{grouped} đ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_group_thousands_with_dots() {
        assert_eq!(money(1_500_000), "1.500.000 đ");
        assert_eq!(money(0), "0 đ");
        assert_eq!(money(999), "999 đ");
        assert_eq!(money(1000), "1.000 đ");
        assert_eq!(money(-25_000), "-25.000 đ");
    }

    #[test]
    fn dates_are_vietnam_days() {
        // 2025-03-04T17:30:00Z is already 5 March in Vietnam (UTC+7).
        assert_eq!(date(UnixMillis(1_741_109_400_000)), "05/03/2025");
        assert_eq!(date(UnixMillis(1_741_100_000_000)), "04/03/2025");
    }
}
