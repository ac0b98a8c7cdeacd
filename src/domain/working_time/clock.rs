//! Counting in working time: when counting starts for a reception (the
//! afternoon rule), adding a working duration to an instant, and measuring
//! the working time between two instants.
//!
//! Working time is the union of the rules' sessions on the calendar's working
//! days, in Vietnam local time. A limit in working days is that many full
//! working days of working time, so a dossier received on Monday at 09:00
//! with one working day is due on Tuesday at 09:00, and one received after
//! the cut-off counts from the next morning and is due at the end of that day.
//! Time runs out *at* the end of a session, never at the start of the next.

use super::{HolidayCalendar, WorkingRules, WorkingTimeError, VIETNAM_OFFSET};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// An amount of working time (not wall-clock time), to the second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkingDuration {
    seconds: i64,
}

impl WorkingDuration {
    pub const ZERO: WorkingDuration = WorkingDuration { seconds: 0 };

    pub fn from_seconds(seconds: i64) -> WorkingDuration {
        WorkingDuration { seconds }
    }

    pub fn from_hours(hours: i64) -> WorkingDuration {
        WorkingDuration::from_seconds(hours * 3600)
    }

    pub fn seconds(self) -> i64 {
        self.seconds
    }

    /// Whole working days and what is left over, for display ("2 ngày 3 giờ").
    pub fn days_and_rest(self, rules: &WorkingRules) -> (i64, WorkingDuration) {
        let day = rules.day_length().seconds.max(1);
        (
            self.seconds.div_euclid(day),
            WorkingDuration::from_seconds(self.seconds.rem_euclid(day)),
        )
    }
}

impl std::ops::Add for WorkingDuration {
    type Output = WorkingDuration;
    fn add(self, other: WorkingDuration) -> WorkingDuration {
        WorkingDuration::from_seconds(self.seconds.saturating_add(other.seconds))
    }
}

impl std::ops::Sub for WorkingDuration {
    type Output = WorkingDuration;
    fn sub(self, other: WorkingDuration) -> WorkingDuration {
        WorkingDuration::from_seconds(self.seconds.saturating_sub(other.seconds))
    }
}

/// A procedure's time limit, as the procedures catalogue gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeLimit {
    WorkingDays(u32),
    WorkingHours(u32),
}

impl TimeLimit {
    pub fn duration(self, rules: &WorkingRules) -> WorkingDuration {
        match self {
            TimeLimit::WorkingDays(days) => {
                WorkingDuration::from_seconds(i64::from(days) * rules.day_length().seconds)
            }
            TimeLimit::WorkingHours(hours) => WorkingDuration::from_hours(i64::from(hours)),
        }
    }
}

/// The appointment date: `limit` counted in working time from when counting
/// starts for a dossier received at `received_at`.
pub fn due_date(
    received_at: OffsetDateTime,
    limit: TimeLimit,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Result<OffsetDateTime, WorkingTimeError> {
    let start = counting_starts_at(received_at, calendar, rules)?;
    add_working_time(start, limit.duration(rules), calendar, rules)
}

/// When the clock starts for a dossier (or a resubmission) received at
/// `received_at`: at once during a session of a working day up to the
/// afternoon cut-off (inclusive); at the next session when received before
/// the day's first session or in a break before the cut-off; otherwise
/// (after the cut-off, after hours, on a day off) at the start of the next
/// working day.
pub fn counting_starts_at(
    received_at: OffsetDateTime,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Result<OffsetDateTime, WorkingTimeError> {
    let (date, time_of_day) = local(received_at);
    if calendar.is_working_day(date)? && time_of_day <= rules.afternoon_cutoff() {
        if let Some(session) = rules.sessions().iter().find(|s| time_of_day < s.end) {
            return Ok(instant(date, time_of_day.max(session.start)));
        }
    }
    let next = next_working_day(date, calendar)?;
    Ok(instant(next, first_session_start(rules)))
}

/// `start` plus `duration` of working time. From a non-working instant,
/// counting begins at the next working moment.
pub fn add_working_time(
    start: OffsetDateTime,
    duration: WorkingDuration,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Result<OffsetDateTime, WorkingTimeError> {
    let (mut date, start_time) = local(start);
    let mut not_before = Some(start_time);
    let mut left = duration.seconds.max(0);
    loop {
        if calendar.is_working_day(date)? {
            for session in rules.sessions() {
                let begin = match not_before {
                    Some(t) if t > session.start => t,
                    _ => session.start,
                };
                if begin >= session.end {
                    continue;
                }
                let available = (session.end - begin).whole_seconds();
                if left <= available {
                    return Ok(instant(date, begin) + Duration::seconds(left));
                }
                left -= available;
            }
        }
        not_before = None;
        date = following(date)?;
    }
}

/// The working time between two instants (zero if `to` is not after `from`).
pub fn working_time_between(
    from: OffsetDateTime,
    to: OffsetDateTime,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Result<WorkingDuration, WorkingTimeError> {
    if to <= from {
        return Ok(WorkingDuration::ZERO);
    }
    let (from_date, _) = local(from);
    let (to_date, _) = local(to);
    let mut total = 0;
    let mut date = from_date;
    loop {
        if calendar.is_working_day(date)? {
            for session in rules.sessions() {
                let begin = instant(date, session.start).max(from);
                let end = instant(date, session.end).min(to);
                if end > begin {
                    total += (end - begin).whole_seconds();
                }
            }
        }
        if date >= to_date {
            return Ok(WorkingDuration::from_seconds(total));
        }
        date = following(date)?;
    }
}

fn first_session_start(rules: &WorkingRules) -> Time {
    // `WorkingRules::new` guarantees at least one session.
    rules.sessions().first().map_or(Time::MIDNIGHT, |s| s.start)
}

fn next_working_day(after: Date, calendar: &HolidayCalendar) -> Result<Date, WorkingTimeError> {
    let mut date = following(after)?;
    while !calendar.is_working_day(date)? {
        date = following(date)?;
    }
    Ok(date)
}

/// The next date; past the last representable date, the year after is
/// simply not covered by the calendar.
fn following(date: Date) -> Result<Date, WorkingTimeError> {
    date.next_day().ok_or(WorkingTimeError::YearNotCovered {
        year: date.year() + 1,
        date,
    })
}

/// Date and time of day in Vietnam.
fn local(t: OffsetDateTime) -> (Date, Time) {
    let local = t.to_offset(VIETNAM_OFFSET);
    (local.date(), local.time())
}

fn instant(date: Date, time_of_day: Time) -> OffsetDateTime {
    PrimitiveDateTime::new(date, time_of_day).assume_offset(VIETNAM_OFFSET)
}
