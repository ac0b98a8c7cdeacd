//! Date-times as the portal writes them: `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh.
//!
//! Vietnam keeps UTC+7 all year (no daylight saving), so the conversion is a
//! fixed offset and a civil-calendar calculation; no time-zone database is
//! needed. Everything here is total: a malformed text gives `None`, never a
//! panic.

use lienthong_adapter::prost_types::Timestamp;
use lienthong_adapter::vietnam_time;

pub use lienthong_adapter::vietnam_time::{format, now_millis};

/// Parses `yyyyMMddHHmmss` (Vietnam time, surrounding blanks ignored) into
/// Unix seconds.
pub fn parse(text: &str) -> Option<i64> {
    vietnam_time::parse(text.trim())
}

/// A contract timestamp as partner text; empty when absent.
pub fn format_ts(ts: Option<&Timestamp>) -> String {
    ts.map(|t| format(t.seconds)).unwrap_or_default()
}

/// Partner text as a contract timestamp; `None` when empty or malformed.
pub fn parse_ts(text: &str) -> Option<Timestamp> {
    parse(text).map(|seconds| Timestamp { seconds, nanos: 0 })
}

/// A contract timestamp in Unix milliseconds (0 when absent).
pub fn ts_millis(ts: Option<&Timestamp>) -> i64 {
    ts.map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_vietnam_time() {
        // 2025-11-22T03:04:05Z is 10:04:05 in Hanoi.
        assert_eq!(format(1_763_780_645), "20251122100405");
        // Just before midnight UTC is the next morning in Hanoi.
        assert_eq!(format(1_767_225_599), "20260101065959");
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
