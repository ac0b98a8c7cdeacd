//! The holiday calendar: for each year, the days off and the weekend days
//! worked instead, each with its legal reference, and the one question the
//! counting asks of it — is this date a working day?
//!
//! A working day is Monday to Friday unless it is a day off, plus the weekend
//! days the year's announcement turns into working days. The table is read
//! from TOML by `calendar_toml`; the Vietnamese table is compiled in.

use super::WorkingTimeError;
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, Weekday};

/// Why a day is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayOffKind {
    /// A public holiday of the Labour Code (Art. 112(1)).
    Holiday,
    /// Nghỉ bù: a holiday fell on a weekly rest day (Art. 111(3)).
    Compensatory,
    /// A working day turned into a day off by the year's announcement, paid
    /// back by a working weekend day.
    Swapped,
}

impl DayOffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayOffKind::Holiday => "holiday",
            DayOffKind::Compensatory => "compensatory",
            DayOffKind::Swapped => "swapped",
        }
    }
}

/// One entry of `days_off`: a day, or a run of days (`through`), off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayOff {
    pub date: Date,
    /// Last day of a run, inclusive; `None` for a single day.
    pub through: Option<Date>,
    pub name: String,
    pub kind: DayOffKind,
    /// For a compensatory day: the weekend holiday it makes up for.
    pub compensates: Option<Date>,
    pub reference: String,
    pub provisional: bool,
    /// What to confirm, for a provisional entry.
    pub note: Option<String>,
}

impl DayOff {
    /// Every date this entry covers.
    pub fn dates(&self) -> impl Iterator<Item = Date> {
        let last = self.through.unwrap_or(self.date);
        std::iter::successors(Some(self.date), move |d| {
            d.next_day().filter(|next| *next <= last)
        })
    }
}

/// One entry of `working_days`: a weekend day worked to pay back a swap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingWeekendDay {
    pub date: Date,
    pub name: String,
    /// The swapped day off this working day pays back.
    pub pays_back: Date,
    pub reference: String,
    pub provisional: bool,
    pub note: Option<String>,
}

/// One year of the calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearTable {
    pub year: i32,
    /// Raised at every change to this year's entries.
    pub revision: u32,
    pub days_off: Vec<DayOff>,
    pub working_days: Vec<WorkingWeekendDay>,
    off: BTreeSet<Date>,
    worked_weekend: BTreeSet<Date>,
}

impl YearTable {
    /// Builds the lookups; the entries were validated by the parser.
    pub(super) fn new(
        year: i32,
        revision: u32,
        days_off: Vec<DayOff>,
        working_days: Vec<WorkingWeekendDay>,
    ) -> YearTable {
        let off = days_off.iter().flat_map(DayOff::dates).collect();
        let worked_weekend = working_days.iter().map(|w| w.date).collect();
        YearTable {
            year,
            revision,
            days_off,
            working_days,
            off,
            worked_weekend,
        }
    }

    /// Whether any entry of this year still waits for confirmation.
    pub fn has_provisional(&self) -> bool {
        self.days_off.iter().any(|d| d.provisional)
            || self.working_days.iter().any(|w| w.provisional)
    }

    /// The day-off entry covering `date`, if any (to show its name and
    /// reference beside a due date).
    pub fn day_off(&self, date: Date) -> Option<&DayOff> {
        self.days_off.iter().find(|d| d.dates().any(|x| x == date))
    }
}

/// The holiday calendar: one table per covered year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolidayCalendar {
    years: BTreeMap<i32, YearTable>,
}

pub(super) fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

impl HolidayCalendar {
    pub(super) fn from_years(years: BTreeMap<i32, YearTable>) -> HolidayCalendar {
        HolidayCalendar { years }
    }

    /// The years this calendar covers, in order.
    pub fn years(&self) -> impl Iterator<Item = &YearTable> {
        self.years.values()
    }

    pub fn year(&self, year: i32) -> Option<&YearTable> {
        self.years.get(&year)
    }

    /// Whether `date` is a working day: Monday–Friday and not a day off, or
    /// an announced working weekend day. A year the table does not cover is
    /// an error, never a guess.
    pub fn is_working_day(&self, date: Date) -> Result<bool, WorkingTimeError> {
        let table = self
            .years
            .get(&date.year())
            .ok_or(WorkingTimeError::YearNotCovered {
                year: date.year(),
                date,
            })?;
        if table.worked_weekend.contains(&date) {
            return Ok(true);
        }
        Ok(!is_weekend(date) && !table.off.contains(&date))
    }
}
