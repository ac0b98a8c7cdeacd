//! The holiday calendar read from TOML, strictly: unknown keys are refused,
//! every date is a real TOML date inside its year, nothing is listed twice, a
//! swap comes with the weekend day that pays it back, and every error names
//! the key path (`years[2026].days_off[3].date`, entries counted from 0).
//!
//! It walks a `toml::Table` by hand rather than deriving `Deserialize`, so
//! that an error can name the exact entry and rule, not just a line.

use super::calendar::{
    is_weekend, DayOff, DayOffKind, HolidayCalendar, WorkingWeekendDay, YearTable,
};
use super::WorkingTimeError;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use time::{Date, Month};
use toml::{Table, Value};

/// The Vietnamese calendar compiled into the binary: the file
/// `config/holidays/vn.toml`, so what is documented is what counts.
pub const EMBEDDED_VN_CALENDAR: &str = include_str!("../../../config/holidays/vn.toml");

const YEAR_KEYS: &[&str] = &["revision", "days_off", "working_days"];
const DAY_OFF_KEYS: &[&str] = &[
    "date",
    "through",
    "name",
    "kind",
    "compensates",
    "reference",
    "provisional",
    "note",
];
const WORKING_DAY_KEYS: &[&str] = &[
    "date",
    "pays_back",
    "name",
    "reference",
    "provisional",
    "note",
];

impl HolidayCalendar {
    /// The compiled-in Vietnamese calendar.
    pub fn embedded_vn() -> HolidayCalendar {
        HolidayCalendar::parse("config/holidays/vn.toml (embedded)", EMBEDDED_VN_CALENDAR)
            .expect("the embedded holiday calendar is valid (checked by a test)")
    }

    /// Reads and validates a calendar file.
    pub fn load(path: &Path) -> Result<HolidayCalendar, WorkingTimeError> {
        let source_name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| WorkingTimeError::Read {
            source_name: source_name.clone(),
            reason: e.to_string(),
        })?;
        HolidayCalendar::parse(&source_name, &text)
    }

    /// Parses and validates calendar text; `source_name` is used in errors.
    pub fn parse(source_name: &str, text: &str) -> Result<HolidayCalendar, WorkingTimeError> {
        // A year listed twice (`[years.2026]` twice) is a duplicate key, which
        // the TOML parser itself refuses.
        let root: Table = text
            .parse()
            .map_err(|e: toml::de::Error| WorkingTimeError::Syntax {
                source_name: source_name.to_string(),
                reason: e.to_string(),
            })?;
        let reader = Reader { source_name };
        reader.only_keys(&root, "", &["years"])?;
        let years = match root.get("years") {
            Some(Value::Table(years)) => years,
            Some(_) => return Err(reader.error("years", "must be a table of years")),
            None => return Err(reader.error("years", "is required")),
        };
        let mut tables = BTreeMap::new();
        for (key, value) in years {
            let path = format!("years[{key}]");
            let year = key
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2999).contains(y))
                .ok_or_else(|| reader.error(&path, "a year is four digits, e.g. `[years.2026]`"))?;
            let Value::Table(table) = value else {
                return Err(reader.error(&path, "must be a table"));
            };
            tables.insert(year, reader.year(year, &path, table)?);
        }
        if tables.is_empty() {
            return Err(reader.error("years", "lists no year"));
        }
        Ok(HolidayCalendar::from_years(tables))
    }
}

struct Reader<'a> {
    source_name: &'a str,
}

impl Reader<'_> {
    fn error(&self, key: &str, rule: impl Into<String>) -> WorkingTimeError {
        WorkingTimeError::Calendar {
            source_name: self.source_name.to_string(),
            key: key.to_string(),
            rule: rule.into(),
        }
    }

    fn only_keys(
        &self,
        table: &Table,
        path: &str,
        allowed: &[&str],
    ) -> Result<(), WorkingTimeError> {
        match table.keys().find(|k| !allowed.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => Err(self.error(
                &join(path, unknown),
                format!("unknown key (expected one of: {})", allowed.join(", ")),
            )),
        }
    }

    fn year(&self, year: i32, path: &str, table: &Table) -> Result<YearTable, WorkingTimeError> {
        self.only_keys(table, path, YEAR_KEYS)?;
        let revision_key = join(path, "revision");
        let revision = match table.get("revision") {
            Some(Value::Integer(n)) if (1..=i64::from(u32::MAX)).contains(n) => *n as u32,
            Some(_) => return Err(self.error(&revision_key, "must be a whole number from 1")),
            None => return Err(self.error(&revision_key, "is required (raise it at every change)")),
        };
        let days_off_path = join(path, "days_off");
        let days_off_tables = self.array_of_tables(table, path, "days_off", true)?;
        if days_off_tables.is_empty() {
            return Err(self.error(&days_off_path, "lists no day off"));
        }
        let mut days_off = Vec::with_capacity(days_off_tables.len());
        // Each listed date and the entry that listed it, to refuse repeats.
        let mut seen: BTreeMap<Date, String> = BTreeMap::new();
        for (i, entry) in days_off_tables.iter().enumerate() {
            let entry_path = format!("{days_off_path}[{i}]");
            let day_off = self.day_off(year, &entry_path, entry)?;
            for date in day_off.dates() {
                if let Some(first) = seen.insert(date, entry_path.clone()) {
                    return Err(self.error(
                        &join(&entry_path, "date"),
                        format!("{date} is already listed by `{first}`"),
                    ));
                }
            }
            days_off.push(day_off);
        }
        self.compensations(&days_off_path, &days_off)?;

        let working_path = join(path, "working_days");
        let mut working_days = Vec::new();
        let mut paid_back = BTreeSet::new();
        for (i, entry) in self
            .array_of_tables(table, path, "working_days", false)?
            .iter()
            .enumerate()
        {
            let entry_path = format!("{working_path}[{i}]");
            let day = self.working_day(year, &entry_path, entry)?;
            if let Some(first) = seen.insert(day.date, entry_path.clone()) {
                return Err(self.error(
                    &join(&entry_path, "date"),
                    format!("{} is already listed by `{first}`", day.date),
                ));
            }
            let swapped = days_off
                .iter()
                .any(|d| d.kind == DayOffKind::Swapped && d.dates().any(|x| x == day.pays_back));
            if !swapped {
                return Err(self.error(
                    &join(&entry_path, "pays_back"),
                    format!("{} is not a swapped day off of {year}", day.pays_back),
                ));
            }
            if !paid_back.insert(day.pays_back) {
                return Err(self.error(
                    &join(&entry_path, "pays_back"),
                    format!(
                        "{} is already paid back by another working day",
                        day.pays_back
                    ),
                ));
            }
            working_days.push(day);
        }
        for (i, day_off) in days_off.iter().enumerate() {
            if day_off.kind != DayOffKind::Swapped {
                continue;
            }
            if let Some(unpaid) = day_off.dates().find(|d| !paid_back.contains(d)) {
                return Err(self.error(
                    &format!("{days_off_path}[{i}].date"),
                    format!("swapped day {unpaid} has no `working_days` entry paying it back"),
                ));
            }
        }
        Ok(YearTable::new(year, revision, days_off, working_days))
    }

    /// Every compensatory day names a holiday of the same table that fell on
    /// a weekend.
    fn compensations(
        &self,
        days_off_path: &str,
        days_off: &[DayOff],
    ) -> Result<(), WorkingTimeError> {
        for (i, day_off) in days_off.iter().enumerate() {
            let Some(compensated) = day_off.compensates else {
                continue;
            };
            let key = format!("{days_off_path}[{i}].compensates");
            let is_holiday = days_off
                .iter()
                .any(|d| d.kind == DayOffKind::Holiday && d.dates().any(|x| x == compensated));
            if !is_holiday {
                return Err(
                    self.error(&key, format!("{compensated} is not a holiday of this year"))
                );
            }
            if !is_weekend(compensated) {
                return Err(self.error(
                    &key,
                    format!(
                        "{compensated} is a {}: only a holiday on a weekend is compensated",
                        compensated.weekday()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn day_off(&self, year: i32, path: &str, entry: &Table) -> Result<DayOff, WorkingTimeError> {
        self.only_keys(entry, path, DAY_OFF_KEYS)?;
        let date = self
            .date_in_year(entry, path, "date", year)?
            .ok_or_else(|| self.required(path, "date"))?;
        let through = self.date_in_year(entry, path, "through", year)?;
        if through.is_some_and(|t| t <= date) {
            return Err(self.error(
                &join(path, "through"),
                format!("must be after `date` ({date})"),
            ));
        }
        let kind_key = join(path, "kind");
        let kind = match self.text(entry, path, "kind")?.as_deref() {
            Some("holiday") => DayOffKind::Holiday,
            Some("compensatory") => DayOffKind::Compensatory,
            Some("swapped") => DayOffKind::Swapped,
            Some(other) => {
                return Err(self.error(
                    &kind_key,
                    format!("`{other}` is not a kind (holiday, compensatory, swapped)"),
                ))
            }
            None => return Err(self.required(path, "kind")),
        };
        let compensates = self.date_in_year(entry, path, "compensates", year)?;
        match (kind, compensates) {
            (DayOffKind::Compensatory, None) => {
                return Err(self.error(
                    &join(path, "compensates"),
                    "is required for a compensatory day: the weekend holiday it makes up for",
                ))
            }
            (DayOffKind::Holiday | DayOffKind::Swapped, Some(_)) => {
                return Err(self.error(&join(path, "compensates"), "only a compensatory day has it"))
            }
            _ => {}
        }
        if kind != DayOffKind::Holiday {
            let last = through.unwrap_or(date);
            let on_weekend =
                std::iter::successors(Some(date), |d| d.next_day().filter(|n| *n <= last))
                    .find(|d| is_weekend(*d));
            if let Some(weekend) = on_weekend {
                return Err(self.error(
                    &join(path, "date"),
                    format!(
                        "a {} day off replaces a working day, but {weekend} is a {}",
                        kind.as_str(),
                        weekend.weekday()
                    ),
                ));
            }
        }
        let (provisional, note) = self.provenance(entry, path)?;
        Ok(DayOff {
            date,
            through,
            name: self
                .text(entry, path, "name")?
                .ok_or_else(|| self.required(path, "name"))?,
            kind,
            compensates,
            reference: self
                .text(entry, path, "reference")?
                .ok_or_else(|| self.required(path, "reference"))?,
            provisional,
            note,
        })
    }

    fn working_day(
        &self,
        year: i32,
        path: &str,
        entry: &Table,
    ) -> Result<WorkingWeekendDay, WorkingTimeError> {
        self.only_keys(entry, path, WORKING_DAY_KEYS)?;
        let date = self
            .date_in_year(entry, path, "date", year)?
            .ok_or_else(|| self.required(path, "date"))?;
        if !is_weekend(date) {
            return Err(self.error(
                &join(path, "date"),
                format!("{date} is a {}, already a working day", date.weekday()),
            ));
        }
        let pays_back = self
            .date_in_year(entry, path, "pays_back", year)?
            .ok_or_else(|| self.required(path, "pays_back"))?;
        let (provisional, note) = self.provenance(entry, path)?;
        Ok(WorkingWeekendDay {
            date,
            name: self
                .text(entry, path, "name")?
                .ok_or_else(|| self.required(path, "name"))?,
            pays_back,
            reference: self
                .text(entry, path, "reference")?
                .ok_or_else(|| self.required(path, "reference"))?,
            provisional,
            note,
        })
    }

    /// `provisional` (default false) and `note`, which a provisional entry
    /// must have: it says what to confirm.
    fn provenance(
        &self,
        entry: &Table,
        path: &str,
    ) -> Result<(bool, Option<String>), WorkingTimeError> {
        let provisional = match entry.get("provisional") {
            None => false,
            Some(Value::Boolean(b)) => *b,
            Some(_) => return Err(self.error(&join(path, "provisional"), "must be true or false")),
        };
        let note = self.text(entry, path, "note")?;
        if provisional && note.is_none() {
            return Err(self.error(
                &join(path, "note"),
                "is required when `provisional = true`: say what to confirm",
            ));
        }
        Ok((provisional, note))
    }

    fn required(&self, path: &str, key: &str) -> WorkingTimeError {
        self.error(&join(path, key), "is required")
    }

    fn array_of_tables<'t>(
        &self,
        table: &'t Table,
        parent: &str,
        key: &str,
        required: bool,
    ) -> Result<Vec<&'t Table>, WorkingTimeError> {
        let path = &join(parent, key);
        match table.get(key) {
            None if required => Err(self.error(path, "is required")),
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::Table(t) => Ok(t),
                    _ => Err(self.error(&format!("{path}[{i}]"), "must be a table")),
                })
                .collect(),
            Some(_) => Err(self.error(path, "must be an array of tables (`[[...]]`)")),
        }
    }

    /// A non-empty string, or `None` when the key is absent.
    fn text(
        &self,
        entry: &Table,
        path: &str,
        key: &str,
    ) -> Result<Option<String>, WorkingTimeError> {
        match entry.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(Value::String(_)) => Err(self.error(&join(path, key), "must not be empty")),
            Some(_) => Err(self.error(&join(path, key), "must be a string")),
        }
    }

    /// A TOML local date (`2026-04-30`, unquoted) that exists and lies in
    /// `year`, or `None` when the key is absent.
    fn date_in_year(
        &self,
        entry: &Table,
        path: &str,
        key: &str,
        year: i32,
    ) -> Result<Option<Date>, WorkingTimeError> {
        let full_key = join(path, key);
        let Some(value) = entry.get(key) else {
            return Ok(None);
        };
        let local_date = match value {
            Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.date,
            _ => None,
        };
        let Some(d) = local_date else {
            return Err(self.error(
                &full_key,
                "must be a TOML date like 2026-04-30 (no quotes, no time)",
            ));
        };
        let date = Month::try_from(d.month)
            .ok()
            .and_then(|m| Date::from_calendar_date(i32::from(d.year), m, d.day).ok())
            .ok_or_else(|| {
                self.error(
                    &full_key,
                    format!(
                        "{:04}-{:02}-{:02} is not a real date",
                        d.year, d.month, d.day
                    ),
                )
            })?;
        if date.year() != year {
            return Err(self.error(&full_key, format!("{date} is not in {year}")));
        }
        Ok(Some(date))
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
