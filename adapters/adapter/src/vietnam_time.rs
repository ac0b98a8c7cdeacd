//! Date-times as Vietnamese systems write them, for adapters: the one
//! calendar of lienthong (`lienthong_domain::time`, UTC+7 on the `time`
//! crate) under the names adapters use, plus the contract's `Timestamp` in
//! and out of partner text.
//!
//! Everything is total: a malformed text gives `None`, never a panic.

pub use lienthong_domain::time::{
    format_compact as format, format_date, now_millis, now_unix, parse_compact as parse,
    parse_date, shift_date, VIETNAM_OFFSET_SECONDS as OFFSET_SECONDS,
};

/// Whether `text` is a real `yyyyMMdd` date.
pub fn is_date(text: &str) -> bool {
    parse_date(text).is_some()
}

/// A contract timestamp as partner text (`yyyyMMddHHmmss`); empty when absent.
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

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::Timestamp;

    #[test]
    fn timestamps_go_out_and_come_back_in_vietnam_time() {
        // 2025-11-22T03:04:05Z is 10:04:05 in Hà Nội.
        let ts = Timestamp {
            seconds: 1_763_780_645,
            nanos: 0,
        };
        assert_eq!(format_ts(Some(&ts)), "20251122100405");
        assert_eq!(parse_ts(" 20251122100405 "), Some(ts));
        assert_eq!(format_ts(None), "");
    }

    #[test]
    fn unreadable_text_is_no_timestamp() {
        for bad in ["", "2025112210040", "20250230100405", "mai"] {
            assert_eq!(parse_ts(bad), None, "{bad}");
        }
    }

    #[test]
    fn milliseconds_keep_the_fraction() {
        let ts = Timestamp {
            seconds: 2,
            nanos: 345_000_000,
        };
        assert_eq!(ts_millis(Some(&ts)), 2_345);
        assert_eq!(ts_millis(None), 0);
    }
}
