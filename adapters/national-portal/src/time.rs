//! Date-times as the portal writes them: `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh.
//!
//! Vietnam keeps UTC+7 all year (no daylight saving), so the conversion is a
//! fixed offset and a civil-calendar calculation; no time-zone database is
//! needed. Everything here is total: a malformed text gives `None`, never a
//! panic.

pub use lienthong_adapter::vietnam_time::{format, format_ts, now_millis, parse_ts, ts_millis};

/// Parses `yyyyMMddHHmmss` (Vietnam time, surrounding blanks ignored) into
/// Unix seconds.
pub fn parse(text: &str) -> Option<i64> {
    lienthong_adapter::vietnam_time::parse(text.trim())
}
