//! How the pages write things: dates `dd/mm/yyyy` in Vietnam time, channels
//! and roles in Vietnamese, and personal data masked to initials wherever
//! the page is not the person's own (Decree 13/2023/NĐ-CP).

use crate::domain::time::{format_compact, format_date};
use crate::domain::{Channel, UnixMillis};

/// `dd/mm/yyyy` in Asia/Ho_Chi_Minh (from the one Vietnam calendar's
/// `yyyyMMdd`).
pub fn date(at: UnixMillis) -> String {
    let day = format_date(at.0.div_euclid(1000));
    match (day.get(0..4), day.get(4..6), day.get(6..8)) {
        (Some(year), Some(month), Some(day)) => format!("{day}/{month}/{year}"),
        _ => "—".into(),
    }
}

/// `HH:MM dd/mm/yyyy`, Vietnam time.
pub fn date_time(at: UnixMillis) -> String {
    let text = format_compact(at.0.div_euclid(1000));
    match (
        text.get(0..4),
        text.get(4..6),
        text.get(6..8),
        text.get(8..10),
        text.get(10..12),
    ) {
        (Some(y), Some(m), Some(d), Some(h), Some(min)) => format!("{h}:{min} {d}/{m}/{y}"),
        _ => "—".into(),
    }
}

/// A count with dots between thousands, as Vietnamese writes it: `12.345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A duration in whole units, largest two: `45 giây`, `3 phút 20 giây`,
/// `2 giờ 5 phút`, `1 ngày 4 giờ`; `0 giây` for none.
pub fn duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let parts = [
        (total / 86_400, "ngày"),
        (total % 86_400 / 3600, "giờ"),
        (total % 3600 / 60, "phút"),
        (total % 60, "giây"),
    ];
    let said: Vec<String> = parts
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if said.is_empty() {
        "0 giây".into()
    } else {
        said.join(" ")
    }
}

/// KenhThucHien as the one-stop unit says it.
pub fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => "Trực tiếp",
        Channel::Online => "Trực tuyến",
        Channel::Postal => "Bưu chính công ích",
    }
}

/// A name reduced to its initials: "Trần Thị Bình" → "T. T. B.". Works on
/// whole characters, so Vietnamese initials keep their diacritics ("Đ.").
pub fn mask_name(name: &str) -> String {
    let initials: Vec<String> = name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect();
    if initials.is_empty() {
        "—".into()
    } else {
        initials.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_dots_between_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1.000");
        assert_eq!(count(1_234_567), "1.234.567");
    }

    #[test]
    fn durations_say_the_two_largest_units() {
        assert_eq!(duration(0.0), "0 giây");
        assert_eq!(duration(45.2), "45 giây");
        assert_eq!(duration(200.0), "3 phút 20 giây");
        assert_eq!(duration(7500.0), "2 giờ 5 phút");
        assert_eq!(duration(3600.0), "1 giờ");
        assert_eq!(duration(100_000.0), "1 ngày 3 giờ");
    }

    #[test]
    fn names_are_masked_to_initials_with_their_diacritics() {
        assert_eq!(mask_name("Trần Thị Bình"), "T. T. B.");
        assert_eq!(mask_name("  đỗ   Ánh "), "Đ. Á.");
        assert_eq!(mask_name(""), "—");
    }

    #[test]
    fn dates_are_written_in_vietnam_time() {
        // 2026-03-01T17:30:00Z is already 2 March in Hanoi.
        assert_eq!(date(UnixMillis(1_772_386_200_000)), "02/03/2026");
    }

    #[test]
    fn times_are_written_in_vietnam() {
        // 2026-03-01T17:30:00Z is 00:30 on 2 March in Hanoi.
        assert_eq!(date_time(UnixMillis(1_772_386_200_000)), "00:30 02/03/2026");
    }

    #[test]
    fn every_channel_has_a_vietnamese_name() {
        for c in [Channel::Counter, Channel::Online, Channel::Postal] {
            assert!(!channel(c).is_empty());
        }
    }
}
