//! Why a calendar, a set of working-time rules or a clock history was
//! refused, or why a date could not be counted. Each variant names the key or
//! position to fix.

use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkingTimeError {
    /// The calendar file could not be read.
    #[error("{source_name}: cannot read the holiday calendar: {reason}")]
    Read { source_name: String, reason: String },

    /// The calendar is not valid TOML (this includes a year listed twice).
    #[error("{source_name}: not valid TOML: {reason}")]
    Syntax { source_name: String, reason: String },

    /// A key of the calendar is missing, unknown or breaks a rule.
    #[error("{source_name}: `{key}`: {rule}")]
    Calendar {
        source_name: String,
        key: String,
        rule: String,
    },

    /// A working-time rule (sessions, cut-off, near-due) is invalid.
    #[error("working-time rule `{key}`: {rule}")]
    Rules { key: String, rule: String },

    /// Counting reached a year the calendar has no table for.
    #[error(
        "the holiday calendar has no table for {year} (needed for {date}); add `years.{year}`"
    )]
    YearNotCovered { year: i32, date: Date },

    /// An instant outside the years the `time` crate can count in.
    #[error("the instant {millis} (Unix milliseconds) is outside the calendar's range")]
    OutOfRange { millis: i64 },

    /// A clock history is out of order or inconsistent.
    #[error("clock history `{key}`: {rule}")]
    History { key: String, rule: String },
}
