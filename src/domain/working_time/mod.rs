//! Working time: the holiday calendar and the counting of a procedure's time
//! limit in working days or hours, so that the appointment date (ngày hẹn
//! trả) on a receipt is computed, never typed.
//!
//! Why computed: the time limit of a procedure is published in working days
//! (or hours) per channel, and it runs from reception at the one-stop unit
//! (Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP; the one-stop
//! system of Circular 22/2019/TT-BTTTT shows the due date and flags the late
//! ones). A date typed by an officer, or counted in calendar days, is wrong as
//! soon as a weekend, Tết or an announced swap lies in between, and the
//! on-time ratio the province publishes is then wrong too. So the rules live
//! here once: which days are worked (`calendar`, a yearly table in
//! configuration with the legal reference of every entry), which hours of a
//! working day count and when a late reception moves to the next day
//! (`rules`), how working time is added and measured (`clock`), and how a
//! supplement request stops the clock and the resubmission restarts it with
//! the time that was left (`history`).
//!
//! Everything is plain data and pure functions over instants; local time is
//! Asia/Ho_Chi_Minh (UTC+7, no daylight saving). A date in a year the table
//! does not cover is an error, not a guess: the calendar must be extended.

mod calendar;
mod calendar_toml;
mod clock;
mod error;
mod history;
mod rules;
mod section;
mod unit;

#[cfg(test)]
mod tests_calendar;
#[cfg(test)]
mod tests_clock;
#[cfg(test)]
mod tests_unit;

pub use calendar::{DayOff, DayOffKind, HolidayCalendar, WorkingWeekendDay, YearTable};
pub use calendar_toml::EMBEDDED_VN_CALENDAR;
pub use clock::{
    add_working_time, counting_starts_at, due_date, working_time_between, TimeLimit,
    WorkingDuration,
};
pub use error::WorkingTimeError;
pub use history::{deadline_status, read_clock, ClockEvent, ClockReading, DeadlineStatus};
pub use rules::{Session, WorkingRules, VIETNAM_OFFSET};
pub use section::CalendarSection;
pub use unit::{instant, millis, WorkingTime};
