//! Which hours of a working day count, and when a reception is too late to
//! count from the same day.
//!
//! These are a province's or agency's settings, not national law, so they
//! come from configuration (`section::CalendarSection`); the defaults below
//! say where each comes from.

use super::{WorkingDuration, WorkingTimeError};
use time::macros::{offset, time};
use time::{Time, UtcOffset};

/// Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving, so a fixed offset
/// is exact.
pub const VIETNAM_OFFSET: UtcOffset = offset!(+7);

/// Default morning session. State agencies work 8 hours a day, 40 a week,
/// Monday to Friday (Decision 188/1999/QĐ-TTg); each province's People's
/// Committee sets the clock hours. 07:30–11:30 and 13:00–17:00 is a common
/// pattern that makes the 8 hours; set the unit's real hours in config.
pub const DEFAULT_MORNING: Session = Session {
    start: time!(07:30),
    end: time!(11:30),
};

/// Default afternoon session (see `DEFAULT_MORNING`).
pub const DEFAULT_AFTERNOON: Session = Session {
    start: time!(13:00),
    end: time!(17:00),
};

/// Default afternoon cut-off: a dossier received after 15:00 counts from the
/// next working day. *Provisional*: this is the practice of provincial
/// one-stop regulations, not a national text; confirm the unit's rule.
pub const DEFAULT_AFTERNOON_CUTOFF: Time = time!(15:00);

/// Default warning window: a dossier is "near due" in its last 2 working
/// days, which leaves the officer time to finish or to send the apology
/// letter with a new date (Mẫu 04) before the date passes. A practice
/// choice, configurable per unit.
pub const DEFAULT_NEAR_DUE_WORKING_DAYS: u32 = 2;

/// One working session of a day, `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    pub start: Time,
    pub end: Time,
}

/// Working hours, the afternoon cut-off and the near-due window, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingRules {
    sessions: Vec<Session>,
    afternoon_cutoff: Time,
    near_due_working_days: u32,
}

impl Default for WorkingRules {
    fn default() -> Self {
        WorkingRules {
            sessions: vec![DEFAULT_MORNING, DEFAULT_AFTERNOON],
            afternoon_cutoff: DEFAULT_AFTERNOON_CUTOFF,
            near_due_working_days: DEFAULT_NEAR_DUE_WORKING_DAYS,
        }
    }
}

impl WorkingRules {
    /// Sessions in order of the day, not overlapping; the cut-off inside the
    /// working day (between the first start and the last end).
    pub fn new(
        sessions: Vec<Session>,
        afternoon_cutoff: Time,
        near_due_working_days: u32,
    ) -> Result<WorkingRules, WorkingTimeError> {
        let invalid = |key: &str, rule: String| WorkingTimeError::Rules {
            key: key.to_string(),
            rule,
        };
        let (Some(first), Some(last)) = (sessions.first(), sessions.last()) else {
            return Err(invalid(
                "sessions",
                "a working day has at least one session".into(),
            ));
        };
        for (i, s) in sessions.iter().enumerate() {
            if s.start >= s.end {
                return Err(invalid(
                    &format!("sessions[{i}]"),
                    format!("starts at {} but ends at {}", s.start, s.end),
                ));
            }
            if let Some(before) = i.checked_sub(1).map(|j| sessions[j]) {
                if s.start < before.end {
                    return Err(invalid(
                        &format!("sessions[{i}]"),
                        format!(
                            "starts at {} before the previous session ends ({})",
                            s.start, before.end
                        ),
                    ));
                }
            }
        }
        if afternoon_cutoff < first.start || afternoon_cutoff > last.end {
            return Err(invalid(
                "afternoon_cutoff",
                format!(
                    "{afternoon_cutoff} is outside the working day ({}–{})",
                    first.start, last.end
                ),
            ));
        }
        Ok(WorkingRules {
            sessions,
            afternoon_cutoff,
            near_due_working_days,
        })
    }

    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    pub fn afternoon_cutoff(&self) -> Time {
        self.afternoon_cutoff
    }

    pub fn near_due_working_days(&self) -> u32 {
        self.near_due_working_days
    }

    /// The working time of one full working day.
    pub fn day_length(&self) -> WorkingDuration {
        WorkingDuration::from_seconds(
            self.sessions
                .iter()
                .map(|s| (s.end - s.start).whole_seconds())
                .sum(),
        )
    }
}
