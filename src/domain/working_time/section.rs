//! The `[calendar]` section of the hub's configuration, ready to embed: the
//! holiday table to use and the unit's working-time rules, strict like the
//! rest of the configuration (unknown keys refused, errors name the key).
//! `config` embeds it as `[calendar]` and loads it once into a `WorkingTime`.

use super::rules::{
    Session, DEFAULT_AFTERNOON, DEFAULT_AFTERNOON_CUTOFF, DEFAULT_MORNING,
    DEFAULT_NEAR_DUE_WORKING_DAYS,
};
use super::{HolidayCalendar, WorkingRules, WorkingTime, WorkingTimeError};
use serde::Deserialize;
use std::path::PathBuf;
use time::Time;

/// `[calendar]`: every key optional; the defaults are those of `rules`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarSection {
    /// A holiday table file; absent means the compiled-in
    /// `config/holidays/vn.toml`.
    pub holidays_file: Option<PathBuf>,
    /// `"HH:MM-HH:MM"`.
    pub morning: String,
    /// `"HH:MM-HH:MM"`.
    pub afternoon: String,
    /// `"HH:MM"`: received after this, a dossier counts from the next
    /// working day.
    pub afternoon_cutoff: String,
    pub near_due_working_days: u32,
}

impl Default for CalendarSection {
    fn default() -> Self {
        CalendarSection {
            holidays_file: None,
            morning: session_text(DEFAULT_MORNING),
            afternoon: session_text(DEFAULT_AFTERNOON),
            afternoon_cutoff: clock_text(DEFAULT_AFTERNOON_CUTOFF),
            near_due_working_days: DEFAULT_NEAR_DUE_WORKING_DAYS,
        }
    }
}

impl CalendarSection {
    /// The working-time rules; errors name `calendar.<key>`.
    pub fn rules(&self) -> Result<WorkingRules, WorkingTimeError> {
        let morning = parse_session("calendar.morning", &self.morning)?;
        let afternoon = parse_session("calendar.afternoon", &self.afternoon)?;
        let cutoff = parse_clock("calendar.afternoon_cutoff", &self.afternoon_cutoff)?;
        WorkingRules::new(vec![morning, afternoon], cutoff, self.near_due_working_days).map_err(
            |e| match e {
                WorkingTimeError::Rules { key, rule } => WorkingTimeError::Rules {
                    key: format!("calendar.{}", section_key(&key)),
                    rule,
                },
                other => other,
            },
        )
    }

    /// The calendar and the rules together, each checked; errors name
    /// `calendar.<key>` (the holiday file's own errors name the file).
    pub fn working_time(&self) -> Result<WorkingTime, WorkingTimeError> {
        let rules = self.rules()?;
        Ok(WorkingTime::new(self.calendar()?, rules))
    }

    /// The holiday calendar: the file if one is named, else the embedded one.
    pub fn calendar(&self) -> Result<HolidayCalendar, WorkingTimeError> {
        match &self.holidays_file {
            Some(path) => HolidayCalendar::load(path),
            None => Ok(HolidayCalendar::embedded_vn()),
        }
    }
}

/// The section's name for a key of `WorkingRules::new`.
fn section_key(rules_key: &str) -> &str {
    match rules_key {
        "sessions[0]" => "morning",
        "sessions[1]" => "afternoon",
        other => other,
    }
}

fn parse_session(key: &str, text: &str) -> Result<Session, WorkingTimeError> {
    let bad = || WorkingTimeError::Rules {
        key: key.to_string(),
        rule: format!("`{text}` is not a session like \"07:30-11:30\""),
    };
    let (start, end) = text.split_once('-').ok_or_else(bad)?;
    let start = parse_clock(key, start.trim()).map_err(|_| bad())?;
    let end = parse_clock(key, end.trim()).map_err(|_| bad())?;
    Ok(Session { start, end })
}

fn parse_clock(key: &str, text: &str) -> Result<Time, WorkingTimeError> {
    let bad = || WorkingTimeError::Rules {
        key: key.to_string(),
        rule: format!("`{text}` is not a time of day like \"15:00\""),
    };
    let (hours, minutes) = text.split_once(':').ok_or_else(bad)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return Err(bad());
    }
    let hours: u8 = hours.parse().map_err(|_| bad())?;
    let minutes: u8 = minutes.parse().map_err(|_| bad())?;
    Time::from_hms(hours, minutes, 0).map_err(|_| bad())
}

fn clock_text(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn session_text(s: Session) -> String {
    format!("{}-{}", clock_text(s.start), clock_text(s.end))
}
