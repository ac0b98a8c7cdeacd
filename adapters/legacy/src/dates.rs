//! Dates as the legacy system writes them, in Asia/Ho_Chi_Minh time.
//!
//! `yyyyMMddHHmmss` is what systems exchange with the national portal
//! (DOMAIN.md §3) and the default; `rfc3339` (`2025-11-22T14:30:00+07:00`)
//! is offered for systems that speak ISO dates. Vietnam keeps UTC+7 all
//! year, so no time-zone database is needed.

use lienthong_adapter::vietnam_time::{civil_from_days, days_from_civil, days_in_month};

const VIETNAM_OFFSET_SECONDS: i64 = 7 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFormat {
    Compact,
    Rfc3339,
}

impl DateFormat {
    pub fn parse_name(name: &str) -> Option<DateFormat> {
        match name {
            "yyyyMMddHHmmss" => Some(DateFormat::Compact),
            "rfc3339" => Some(DateFormat::Rfc3339),
            _ => None,
        }
    }

    /// Unix seconds → text in Vietnam time.
    pub fn format(self, unix: i64) -> String {
        let local = unix + VIETNAM_OFFSET_SECONDS;
        let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (y, mo, d) = civil_from_days(days);
        let (h, mi, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
        match self {
            DateFormat::Compact => format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}"),
            DateFormat::Rfc3339 => {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+07:00")
            }
        }
    }

    /// Text → unix seconds; `None` when it is not a real date-time in this
    /// format. RFC 3339 accepts `Z` and any `±HH:MM` offset.
    pub fn parse(self, text: &str) -> Option<i64> {
        let text = text.trim();
        let (digits, offset) = match self {
            DateFormat::Compact => {
                if text.len() != 14 {
                    return None;
                }
                (text.to_string(), VIETNAM_OFFSET_SECONDS)
            }
            DateFormat::Rfc3339 => rfc3339_parts(text)?,
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let num = |a: usize, b: usize| digits.get(a..b)?.parse::<i64>().ok();
        let (y, mo, d) = (num(0, 4)?, num(4, 6)?, num(6, 8)?);
        let (h, mi, s) = (num(8, 10)?, num(10, 12)?, num(12, 14)?);
        if !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 59
        {
            return None;
        }
        Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` → (14 digits, offset seconds).
fn rfc3339_parts(text: &str) -> Option<(String, i64)> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let mut digits = String::with_capacity(14);
    for range in [0..4, 5..7, 8..10, 11..13, 14..16, 17..19] {
        digits.push_str(text.get(range)?);
    }
    let mut rest = text.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let end = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        rest = &frac[end..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = rest.get(1..)?.split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    Some((digits, offset))
}

#[cfg(test)]
mod tests {
    use super::DateFormat::*;

    #[test]
    fn round_trips_in_vietnam_time() {
        // 2025-11-22T07:30:00Z = 14:30 in Hanoi.
        let t = 1_763_796_600;
        assert_eq!(Compact.format(t), "20251122143000");
        assert_eq!(Rfc3339.format(t), "2025-11-22T14:30:00+07:00");
        assert_eq!(Compact.parse("20251122143000"), Some(t));
        assert_eq!(Rfc3339.parse("2025-11-22T14:30:00+07:00"), Some(t));
        assert_eq!(Rfc3339.parse("2025-11-22T07:30:00Z"), Some(t));
        assert_eq!(Rfc3339.parse("2025-11-22T07:30:00.250Z"), Some(t));
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "2025112214300",
            "20251322143000",
            "20250230120000",
            "2025112214300x",
            "20251122246000",
        ] {
            assert_eq!(Compact.parse(bad), None, "{bad}");
        }
        for bad in ["2025-11-22", "2025-11-22T14:30:00", "2025-11-22T14:30:00+7"] {
            assert_eq!(Rfc3339.parse(bad), None, "{bad}");
        }
        assert_eq!(Compact.parse("20240229000000").map(|_| ()), Some(()));
    }
}
