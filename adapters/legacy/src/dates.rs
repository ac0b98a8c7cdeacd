//! Dates as the legacy system writes them, in Asia/Ho_Chi_Minh time.
//!
//! `yyyyMMddHHmmss` is what systems exchange with the national portal
//! (DOMAIN.md §3) and the default; `rfc3339` (`2025-11-22T14:30:00+07:00`)
//! is offered for systems that speak ISO dates. Which of the two a legacy
//! system speaks is configuration (`date_format`); the calendar is the one
//! every part of lienthong uses (`lienthong_adapter::domain::time`).

use lienthong_adapter::domain::time;

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
        match self {
            DateFormat::Compact => time::format_compact(unix),
            DateFormat::Rfc3339 => time::format_rfc3339(unix),
        }
    }

    /// Text (blanks around it ignored) → unix seconds; `None` when it is not
    /// a real date-time in this format. RFC 3339 accepts `Z` and any `±HH:MM`
    /// offset.
    pub fn parse(self, text: &str) -> Option<i64> {
        match self {
            DateFormat::Compact => time::parse_compact(text.trim()),
            DateFormat::Rfc3339 => time::parse_rfc3339(text.trim()),
        }
    }
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
