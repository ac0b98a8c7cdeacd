//! Where a dossier stands against its appointment date, for the queues'
//! flags and the statistics: on time, near due, overdue.
//!
//! The rule, on the working-time code of `domain::working_time`:
//! - only a dossier whose clock runs has a standing: received (2) or in
//!   processing (4). Before reception there is no date; once finished (9)
//!   the result is ready; refused, withdrawn and returned are closed;
//! - a paused dossier (5 supplement, 6 fee, 8 stopped) has its clock
//!   stopped, so it is neither near due nor overdue — unless its date had
//!   already passed when the pause began, and then it stays overdue;
//! - overdue once now is past the due instant (at the instant itself it is
//!   still on time, as `domain::working_time::deadline_status` says);
//! - near due when at most the configured number of working days
//!   (`[calendar] near_due_working_days`) of working time is left.

use super::row::is_pause;
use crate::domain::working_time::{working_time_between, HolidayCalendar, TimeLimit, WorkingRules};
use crate::domain::workspace::DossierRow;
use crate::domain::{Status, UnixMillis};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// No running clock (not received yet, paused, finished or closed).
    None,
    OnTime,
    NearDue,
    Overdue,
}

impl Deadline {
    /// The flag a queue row shows, if any.
    pub fn flag(self) -> Option<&'static str> {
        match self {
            Deadline::NearDue => Some("Sắp đến hạn"),
            Deadline::Overdue => Some("Quá hạn"),
            Deadline::None | Deadline::OnTime => None,
        }
    }
}

pub fn instant(at: UnixMillis) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The dossier's standing at `now` (see the module documentation).
pub fn deadline(
    row: &DossierRow,
    now: UnixMillis,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Deadline {
    let Some(due) = row.due_at else {
        return Deadline::None;
    };
    if is_pause(row.status) {
        return if row.overdue_when_paused {
            Deadline::Overdue
        } else {
            Deadline::None
        };
    }
    if !matches!(row.status, Status::Received | Status::Processing) {
        return Deadline::None;
    }
    if now > due {
        return Deadline::Overdue;
    }
    let window = TimeLimit::WorkingDays(rules.near_due_working_days()).duration(rules);
    match working_time_between(instant(now), instant(due), calendar, rules) {
        Ok(left) if left <= window => Deadline::NearDue,
        Ok(_) => Deadline::OnTime,
        Err(e) => {
            // A date past the holiday table cannot be counted; it is far
            // enough away not to be near due.
            tracing::warn!(dossier = %row.ma_ho_so, error = %e, "cannot count working time to the due date");
            Deadline::OnTime
        }
    }
}
