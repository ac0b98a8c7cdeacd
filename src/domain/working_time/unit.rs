//! `WorkingTime`: one unit's holiday calendar and working-time rules, loaded
//! once from `[calendar]`, with the questions the hub and its hosted module
//! ask in the hub's own time type (`UnixMillis`): the appointment date of a
//! dossier received at an instant, and the new due date of a dossier whose
//! clock restarts after a supplement.
//!
//! Why a bundle: the calendar and the rules always travel together (a date
//! counted with one unit's hours and another's holidays is wrong), and the
//! conversions between stored milliseconds and calendar instants belong in
//! one place rather than in every caller.

use super::clock::{add_working_time, counting_starts_at, due_date, working_time_between};
use super::{HolidayCalendar, TimeLimit, WorkingRules, WorkingTimeError};
use crate::UnixMillis;
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingTime {
    calendar: HolidayCalendar,
    rules: WorkingRules,
}

impl Default for WorkingTime {
    /// The embedded Vietnamese calendar with the default rules: what the
    /// embedded development configuration runs.
    fn default() -> Self {
        WorkingTime::new(HolidayCalendar::embedded_vn(), WorkingRules::default())
    }
}

impl WorkingTime {
    pub fn new(calendar: HolidayCalendar, rules: WorkingRules) -> WorkingTime {
        WorkingTime { calendar, rules }
    }

    pub fn calendar(&self) -> &HolidayCalendar {
        &self.calendar
    }

    pub fn rules(&self) -> &WorkingRules {
        &self.rules
    }

    /// The appointment date (ngày hẹn trả) of a dossier received at
    /// `received_at` with `limit`, the afternoon cut-off applied.
    pub fn appointment(
        &self,
        received_at: UnixMillis,
        limit: TimeLimit,
    ) -> Result<UnixMillis, WorkingTimeError> {
        let due = due_date(instant(received_at)?, limit, &self.calendar, &self.rules)?;
        Ok(millis(due))
    }

    /// When counting starts for something received at `received_at`.
    pub fn counting_starts(&self, received_at: UnixMillis) -> Result<UnixMillis, WorkingTimeError> {
        Ok(millis(counting_starts_at(
            instant(received_at)?,
            &self.calendar,
            &self.rules,
        )?))
    }

    /// The due date when the clock restarts at `resumed_at` after a pause
    /// (supplement requested) that began at `paused_at`, when the due date
    /// was `due_at_pause`: the working time that was left at the pause
    /// (counted from when counting had started for the reception at
    /// `received_at`), counted again from the resumption under the same
    /// start rule as a reception. A dossier already late at the pause keeps
    /// its original due date: it stays overdue from then.
    pub fn due_after_resumption(
        &self,
        received_at: UnixMillis,
        paused_at: UnixMillis,
        due_at_pause: UnixMillis,
        resumed_at: UnixMillis,
    ) -> Result<UnixMillis, WorkingTimeError> {
        let started = counting_starts_at(instant(received_at)?, &self.calendar, &self.rules)?;
        let paused = instant(paused_at)?.max(started);
        let due = instant(due_at_pause)?;
        if due < paused {
            return Ok(due_at_pause);
        }
        let left = working_time_between(paused, due, &self.calendar, &self.rules)?;
        let restart = counting_starts_at(instant(resumed_at)?, &self.calendar, &self.rules)?;
        Ok(millis(add_working_time(
            restart,
            left,
            &self.calendar,
            &self.rules,
        )?))
    }
}

/// A stored instant as a calendar instant.
pub fn instant(at: UnixMillis) -> Result<OffsetDateTime, WorkingTimeError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .map_err(|_| WorkingTimeError::OutOfRange { millis: at.0 })
}

/// A calendar instant as stored (milliseconds, truncated).
pub fn millis(at: OffsetDateTime) -> UnixMillis {
    UnixMillis((at.unix_timestamp_nanos() / 1_000_000) as i64)
}
