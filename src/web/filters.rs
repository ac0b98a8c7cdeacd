//! The filter fields the queues and the statistics share (procedure,
//! channel, from–to dates): how the officer writes them, how they are read
//! back, and the error named next to a field that does not parse. One place,
//! so that both pages accept the same dates and say the same thing.

use super::format;
use crate::domain::time::parse_date;
use crate::domain::{Channel, UnixMillis};
use std::collections::BTreeMap;

pub const DAY_MILLIS: i64 = 86_400_000;

/// The channels as the filters name them in the query string.
const CHANNELS: [(&str, Channel); 3] = [
    ("truc-tiep", Channel::Counter),
    ("truc-tuyen", Channel::Online),
    ("buu-chinh", Channel::Postal),
];

/// One option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A filter field the officer filled wrongly, and why: the forms' own.
pub use super::forms::{error_for, FieldError};

/// A procedure as the pages name it: its name, or its code when the
/// catalogue gave none.
pub fn procedure_name(code: &str, name: &str) -> String {
    if name.is_empty() {
        code.to_string()
    } else {
        name.to_string()
    }
}

/// The procedures (code → name) as options, `selected` the one asked for.
pub fn procedure_choices(procedures: BTreeMap<String, String>, selected: &str) -> Vec<Choice> {
    procedures
        .into_iter()
        .map(|(code, name)| Choice {
            selected: code == selected,
            value: code,
            label: name,
        })
        .collect()
}

/// Options that are their own label (the departments), `selected` the one
/// asked for.
pub fn named_choices(names: impl IntoIterator<Item = String>, selected: &str) -> Vec<Choice> {
    names
        .into_iter()
        .map(|name| Choice {
            selected: name == selected,
            value: name.clone(),
            label: name,
        })
        .collect()
}

/// The channels as options, `selected` the one asked for.
pub fn channel_choices(selected: &str) -> Vec<Choice> {
    CHANNELS
        .iter()
        .map(|(name, channel)| Choice {
            value: name.to_string(),
            label: format::channel(*channel).to_string(),
            selected: *name == selected,
        })
        .collect()
}

/// The channel `kenh` names; `None` when empty (any channel) or, with the
/// error noted, when it names none.
pub fn read_channel(kenh: &str, errors: &mut Vec<FieldError>) -> Option<Channel> {
    if kenh.is_empty() {
        return None;
    }
    let found = CHANNELS.iter().find(|(name, _)| *name == kenh);
    if found.is_none() {
        errors.push(FieldError::new(
            "kenh",
            "Kênh nộp không có trong danh sách.",
        ));
    }
    found.map(|(_, channel)| *channel)
}

/// `dd/mm/yyyy` (as the pages write dates; `yyyy-mm-dd` too, what a date
/// picker sends) as the midnight starting that day in Vietnam.
pub fn parse_day(text: &str) -> Option<UnixMillis> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['/', '-']).collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let yyyymmdd = match parts.as_slice() {
        [d, m, y] if text.contains('/') && digits(d, 2) && digits(m, 2) && digits(y, 4) => {
            format!("{y}{m}{d}")
        }
        [y, m, d] if text.contains('-') && digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            format!("{y}{m}{d}")
        }
        _ => return None,
    };
    parse_date(&yyyymmdd).map(|seconds| UnixMillis(seconds * 1000))
}

/// The date fields: `tu-ngay` (from) and `den-ngay` (to, inclusive).
#[derive(Clone, Copy)]
pub enum DayField {
    From,
    To,
}

impl DayField {
    pub fn name(self) -> &'static str {
        match self {
            DayField::From => "tu-ngay",
            DayField::To => "den-ngay",
        }
    }

    fn label(self) -> &'static str {
        match self {
            DayField::From => "Từ ngày",
            DayField::To => "Đến ngày",
        }
    }
}

/// The day written in `field`; `None`, with the error noted, when it is
/// not a real day.
pub fn read_day(field: DayField, text: &str, errors: &mut Vec<FieldError>) -> Option<UnixMillis> {
    let day = parse_day(text);
    if day.is_none() {
        errors.push(FieldError::new(
            field.name(),
            format!(
                "{} phải là một ngày có thật, dạng ngày/tháng/năm.",
                field.label()
            ),
        ));
    }
    day
}

/// Notes the error when the to-day is before the from-day; whether it was.
pub fn to_before_from(from: UnixMillis, to: UnixMillis, errors: &mut Vec<FieldError>) -> bool {
    let before = to < from;
    if before {
        errors.push(FieldError::new(
            DayField::To.name(),
            "Đến ngày phải cùng ngày hoặc sau Từ ngày.",
        ));
    }
    before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_the_pages_and_a_date_picker_write_them() {
        let slashes = parse_day("01/03/2026").expect("dd/mm/yyyy");
        assert_eq!(parse_day(" 2026-03-01 "), Some(slashes));
        assert_eq!(format::date(slashes), "01/03/2026");
        for wrong in ["31/02/2026", "1/3/2026", "2026/03/01", "01-03-2026", ""] {
            assert_eq!(parse_day(wrong), None, "{wrong:?}");
        }
    }

    #[test]
    fn a_wrong_field_is_named_with_its_rule() {
        let mut errors = Vec::new();
        assert_eq!(read_channel("fax", &mut errors), None);
        assert_eq!(read_day(DayField::To, "32/01/2026", &mut errors), None);
        assert_eq!(
            error_for(&errors, "kenh"),
            Some("Kênh nộp không có trong danh sách.")
        );
        assert_eq!(
            error_for(&errors, "den-ngay"),
            Some("Đến ngày phải là một ngày có thật, dạng ngày/tháng/năm.")
        );
        assert_eq!(read_channel("", &mut errors), None);
        assert_eq!(errors.len(), 2);
    }
}
