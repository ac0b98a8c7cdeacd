//! A dossier's clock over its history: received, paused for a supplement,
//! resumed on resubmission, and what that means at a given instant (on
//! time, near due, overdue, or stopped).
//!
//! A supplement request stops the clock: the working time used so far is
//! kept, and the resubmission restarts the clock with the time that was
//! left, counted from the resubmission under the same start rule as a
//! reception (after the cut-off it counts from the next working day). A
//! dossier whose time had already run out before the pause stays overdue
//! from its original due date.

use super::clock::{add_working_time, counting_starts_at, working_time_between};
use super::{HolidayCalendar, TimeLimit, WorkingDuration, WorkingRules, WorkingTimeError};
use time::OffsetDateTime;

/// A change of a dossier's clock after reception, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockEvent {
    /// A supplement was requested (status 5): the clock stops.
    Paused(OffsetDateTime),
    /// The supplement was received: the clock restarts.
    Resumed(OffsetDateTime),
}

/// Where a dossier's clock stands at the end of its history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockReading {
    /// The clock runs; the time limit runs out at `due`.
    Running { due: OffsetDateTime },
    /// Stopped since `since` with `remaining` working time for when it
    /// restarts; `overdue_since` is the due date that had already passed
    /// before the pause, if any.
    Paused {
        since: OffsetDateTime,
        remaining: WorkingDuration,
        overdue_since: Option<OffsetDateTime>,
    },
}

/// Where a dossier stands against its time limit at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineStatus {
    /// Due at `due`, with more than the near-due window of working time left.
    OnTime {
        due: OffsetDateTime,
        remaining: WorkingDuration,
    },
    /// Due at `due`, within the last `near_due_working_days` working days.
    NearDue {
        due: OffsetDateTime,
        remaining: WorkingDuration,
    },
    /// `due` has passed.
    Overdue { due: OffsetDateTime },
    /// The clock is stopped for a supplement, with `remaining` left.
    Paused { remaining: WorkingDuration },
}

/// Replays a dossier's clock: received at `received_at` with `limit`, then
/// `events`. Events must alternate (pause, resume, pause…) and never go back
/// in time; an error names the offending `events[i]`.
pub fn read_clock(
    received_at: OffsetDateTime,
    events: &[ClockEvent],
    limit: TimeLimit,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Result<ClockReading, WorkingTimeError> {
    let mut left = limit.duration(rules);
    let mut run_started = counting_starts_at(received_at, calendar, rules)?;
    let mut paused_since: Option<OffsetDateTime> = None;
    let mut overdue_since: Option<OffsetDateTime> = None;
    let mut previous = received_at;
    for (i, event) in events.iter().enumerate() {
        let key = format!("events[{i}]");
        let at = match *event {
            ClockEvent::Paused(at) | ClockEvent::Resumed(at) => at,
        };
        if at < previous {
            return Err(WorkingTimeError::History {
                key,
                rule: format!("{at} is before the event before it ({previous})"),
            });
        }
        match (*event, paused_since) {
            (ClockEvent::Paused(_), Some(_)) => {
                return Err(WorkingTimeError::History {
                    key,
                    rule: "paused while the clock is already paused".into(),
                })
            }
            (ClockEvent::Resumed(_), None) => {
                return Err(WorkingTimeError::History {
                    key,
                    rule: "resumed while the clock is running".into(),
                })
            }
            (ClockEvent::Paused(_), None) => {
                if overdue_since.is_none() {
                    let due = add_working_time(run_started, left, calendar, rules)?;
                    if due < at {
                        overdue_since = Some(due);
                        left = WorkingDuration::ZERO;
                    } else {
                        left = left - working_time_between(run_started, at, calendar, rules)?;
                    }
                }
                paused_since = Some(at);
            }
            (ClockEvent::Resumed(_), Some(_)) => {
                run_started = counting_starts_at(at, calendar, rules)?;
                paused_since = None;
            }
        }
        previous = at;
    }
    match (paused_since, overdue_since) {
        (Some(since), _) => Ok(ClockReading::Paused {
            since,
            remaining: left,
            overdue_since,
        }),
        (None, Some(due)) => Ok(ClockReading::Running { due }),
        (None, None) => Ok(ClockReading::Running {
            due: add_working_time(run_started, left, calendar, rules)?,
        }),
    }
}

/// The dossier's standing at `now`: overdue once `now` is past the due date
/// (at the due instant itself it is still on time), near due when at most
/// the rules' near-due window of working time is left.
pub fn deadline_status(
    reading: &ClockReading,
    now: OffsetDateTime,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Result<DeadlineStatus, WorkingTimeError> {
    match *reading {
        ClockReading::Paused {
            overdue_since: Some(due),
            ..
        } => Ok(DeadlineStatus::Overdue { due }),
        ClockReading::Paused { remaining, .. } => Ok(DeadlineStatus::Paused { remaining }),
        ClockReading::Running { due } if now > due => Ok(DeadlineStatus::Overdue { due }),
        ClockReading::Running { due } => {
            let remaining = working_time_between(now, due, calendar, rules)?;
            let window = TimeLimit::WorkingDays(rules.near_due_working_days()).duration(rules);
            if remaining <= window {
                Ok(DeadlineStatus::NearDue { due, remaining })
            } else {
                Ok(DeadlineStatus::OnTime { due, remaining })
            }
        }
    }
}
