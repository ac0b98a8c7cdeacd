//! The holiday table: what the embedded Vietnamese calendar says, and every
//! validation rule of its parser, each error naming its key path.

use super::*;
use time::macros::date;

fn calendar() -> HolidayCalendar {
    HolidayCalendar::embedded_vn()
}

fn refused(text: &str) -> WorkingTimeError {
    HolidayCalendar::parse("test.toml", text).expect_err("the table must be refused")
}

fn calendar_error(key: &str, rule_part: &str, error: WorkingTimeError) {
    match &error {
        WorkingTimeError::Calendar { key: k, rule, .. } => {
            assert_eq!(k, key, "wrong key in {error}");
            assert!(
                rule.contains(rule_part),
                "rule `{rule}` lacks `{rule_part}`"
            );
        }
        other => panic!("expected a calendar error at `{key}`, got {other}"),
    }
}

/// A valid 2026 table with four days off, to break one key at a time.
const BASE: &str = r#"
[years.2026]
revision = 1

[[years.2026.days_off]]
date = 2026-01-01
name = "Tết Dương lịch"
kind = "holiday"
reference = "BLLĐ 2019, Điều 112"

[[years.2026.days_off]]
date = 2026-01-02
name = "Nghỉ hoán đổi"
kind = "swapped"
reference = "thông báo năm"

[[years.2026.days_off]]
date = 2026-04-26
name = "Giỗ Tổ Hùng Vương"
kind = "holiday"
reference = "BLLĐ 2019, Điều 112"

[[years.2026.days_off]]
date = 2026-04-27
name = "Nghỉ bù"
kind = "compensatory"
compensates = 2026-04-26
reference = "BLLĐ 2019, Điều 111"

[[years.2026.working_days]]
date = 2026-01-10
pays_back = 2026-01-02
name = "Làm bù"
reference = "thông báo năm"
"#;

#[test]
fn the_base_table_of_these_tests_is_valid() {
    let parsed = HolidayCalendar::parse("test.toml", BASE).unwrap();
    assert_eq!(parsed.year(2026).unwrap().days_off.len(), 4);
}

#[test]
fn the_embedded_calendar_is_valid_and_covers_2025_to_2027() {
    let years: Vec<i32> = calendar().years().map(|y| y.year).collect();
    assert_eq!(years, vec![2025, 2026, 2027]);
}

#[test]
fn every_embedded_entry_names_its_reference_and_provisional_ones_say_what_to_confirm() {
    for table in calendar().years() {
        for d in &table.days_off {
            assert!(!d.reference.is_empty(), "{} has no reference", d.date);
            if d.kind == DayOffKind::Holiday && !d.provisional {
                assert!(d.reference.contains("45/2019/QH14, Điều 112"), "{}", d.date);
            }
            if d.kind == DayOffKind::Compensatory {
                assert!(d.reference.contains("Điều 111 khoản 3"), "{}", d.date);
            }
            assert_eq!(d.provisional, d.note.is_some(), "{}", d.date);
        }
        for w in &table.working_days {
            assert!(!w.reference.is_empty(), "{} has no reference", w.date);
        }
    }
    // 2027 is largely unannounced: it must say so.
    assert!(calendar().year(2027).unwrap().has_provisional());
}

#[test]
fn a_weekend_is_not_a_working_day() {
    let c = calendar();
    assert!(!c.is_working_day(date!(2026 - 03 - 07)).unwrap()); // Saturday
    assert!(!c.is_working_day(date!(2026 - 03 - 08)).unwrap()); // Sunday
    assert!(c.is_working_day(date!(2026 - 03 - 09)).unwrap()); // Monday
}

#[test]
fn the_fixed_holidays_of_article_112_are_days_off() {
    let c = calendar();
    for d in [
        date!(2026 - 01 - 01),
        date!(2026 - 04 - 30),
        date!(2026 - 05 - 01),
        date!(2026 - 09 - 02),
        date!(2025 - 04 - 07), // Hùng Kings 2025, a Monday
    ] {
        assert!(!c.is_working_day(d).unwrap(), "{d} must be off");
    }
}

#[test]
fn tet_is_off_and_the_weekdays_around_it_are_worked() {
    let c = calendar();
    assert!(c.is_working_day(date!(2026 - 02 - 13)).unwrap()); // Friday before
    for d in [16, 17, 18, 19, 20] {
        let d = time::Date::from_calendar_date(2026, time::Month::February, d).unwrap();
        assert!(!c.is_working_day(d).unwrap(), "{d} is Tết");
    }
    assert!(c.is_working_day(date!(2026 - 02 - 23)).unwrap()); // Monday after
}

#[test]
fn a_holiday_on_a_sunday_gives_a_compensatory_monday() {
    let c = calendar();
    let monday = date!(2026 - 04 - 27);
    assert!(!c.is_working_day(monday).unwrap());
    let entry = c.year(2026).unwrap().day_off(monday).unwrap();
    assert_eq!(entry.kind, DayOffKind::Compensatory);
    assert_eq!(entry.compensates, Some(date!(2026 - 04 - 26)));
}

#[test]
fn a_swapped_day_is_off_and_its_announced_saturday_is_worked() {
    let c = calendar();
    assert!(!c.is_working_day(date!(2026 - 01 - 02)).unwrap()); // Friday, swapped
    assert!(c.is_working_day(date!(2026 - 01 - 10)).unwrap()); // Saturday, worked
    assert!(c.is_working_day(date!(2025 - 04 - 26)).unwrap()); // Saturday, worked
    assert!(!c.is_working_day(date!(2025 - 05 - 02)).unwrap());
}

#[test]
fn a_year_the_table_does_not_cover_is_an_error_not_a_guess() {
    assert_eq!(
        calendar().is_working_day(date!(2028 - 03 - 01)),
        Err(WorkingTimeError::YearNotCovered {
            year: 2028,
            date: date!(2028 - 03 - 01)
        })
    );
}

#[test]
fn an_unknown_key_is_refused_with_its_path() {
    let text = BASE.replacen(
        "kind = \"holiday\"",
        "kind = \"holiday\"\ncolour = \"red\"",
        1,
    );
    calendar_error(
        "years[2026].days_off[0].colour",
        "unknown key",
        refused(&text),
    );
    let text = format!("version = 3\n{BASE}");
    calendar_error("version", "unknown key", refused(&text));
}

#[test]
fn a_date_outside_its_year_is_refused() {
    let text = BASE.replace("date = 2026-04-26", "date = 2025-04-26");
    calendar_error(
        "years[2026].days_off[2].date",
        "2025-04-26 is not in 2026",
        refused(&text),
    );
}

#[test]
fn a_date_that_does_not_exist_is_refused() {
    // TOML's own date type already knows 2026 has no 29 February: the error
    // points at the line, which shows the key.
    let text = BASE.replace("date = 2026-04-26", "date = 2026-02-29");
    match refused(&text) {
        WorkingTimeError::Syntax { reason, .. } => {
            assert!(reason.contains("line 18"), "{reason}");
            assert!(reason.contains("date = 2026-02-29"), "{reason}");
            assert!(reason.contains("out of range"), "{reason}");
        }
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn a_quoted_date_is_refused() {
    let text = BASE.replace("date = 2026-01-01", "date = \"2026-01-01\"");
    calendar_error("years[2026].days_off[0].date", "TOML date", refused(&text));
}

#[test]
fn a_year_listed_twice_is_refused() {
    let twice = format!("{BASE}\n[years.2026]\nrevision = 2\n");
    match refused(&twice) {
        WorkingTimeError::Syntax { reason, .. } => {
            assert!(reason.contains("duplicate"), "{reason}");
            assert!(reason.contains("2026"), "{reason}");
        }
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn a_date_listed_twice_is_refused() {
    let text = BASE.replace("date = 2026-04-27", "date = 2026-01-01");
    let text = text.replace("compensates = 2026-04-26\n", "");
    let text = text.replace("kind = \"compensatory\"", "kind = \"holiday\"");
    calendar_error(
        "years[2026].days_off[3].date",
        "already listed by `years[2026].days_off[0]`",
        refused(&text),
    );
}

#[test]
fn a_swap_without_its_working_day_is_refused() {
    let text = BASE.split("[[years.2026.working_days]]").next().unwrap();
    calendar_error(
        "years[2026].days_off[1].date",
        "no `working_days` entry paying it back",
        refused(text),
    );
}

#[test]
fn a_working_day_must_be_a_weekend_day() {
    let text = BASE.replace("date = 2026-01-10", "date = 2026-01-07");
    calendar_error(
        "years[2026].working_days[0].date",
        "is a Wednesday, already a working day",
        refused(&text),
    );
}

#[test]
fn a_working_day_must_pay_back_a_swapped_day() {
    let text = BASE.replace("pays_back = 2026-01-02", "pays_back = 2026-01-01");
    calendar_error(
        "years[2026].working_days[0].pays_back",
        "not a swapped day off",
        refused(&text),
    );
}

#[test]
fn only_a_weekend_holiday_is_compensated() {
    let text = BASE.replace("compensates = 2026-04-26", "compensates = 2026-01-01");
    calendar_error(
        "years[2026].days_off[3].compensates",
        "only a holiday on a weekend is compensated",
        refused(&text),
    );
    let text = BASE.replace("compensates = 2026-04-26\n", "");
    calendar_error(
        "years[2026].days_off[3].compensates",
        "is required",
        refused(&text),
    );
}

#[test]
fn a_provisional_entry_must_say_what_to_confirm() {
    let text = BASE.replacen(
        "kind = \"holiday\"",
        "kind = \"holiday\"\nprovisional = true",
        1,
    );
    calendar_error(
        "years[2026].days_off[0].note",
        "say what to confirm",
        refused(&text),
    );
}

#[test]
fn a_missing_reference_revision_or_unknown_kind_is_refused() {
    let text = BASE.replacen("reference = \"BLLĐ 2019, Điều 112\"\n", "", 1);
    calendar_error(
        "years[2026].days_off[0].reference",
        "is required",
        refused(&text),
    );
    let text = BASE.replace("revision = 1\n", "");
    calendar_error("years[2026].revision", "is required", refused(&text));
    let text = BASE.replacen("kind = \"holiday\"", "kind = \"festival\"", 1);
    calendar_error(
        "years[2026].days_off[0].kind",
        "`festival` is not a kind",
        refused(&text),
    );
    let text = BASE
        .replace("[years.2026]", "[years.26]")
        .replace("years.2026.", "years.26.");
    calendar_error("years[26]", "four digits", refused(&text));
}

#[test]
fn a_calendar_loads_from_a_file_and_a_missing_file_is_named() {
    let dir = std::env::temp_dir().join(format!("lienthong-calendar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("holidays.toml");
    std::fs::write(&path, BASE).unwrap();
    let loaded = HolidayCalendar::load(&path).unwrap();
    assert!(!loaded.is_working_day(date!(2026 - 01 - 02)).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();

    match HolidayCalendar::load(&path) {
        Err(WorkingTimeError::Read { source_name, .. }) => {
            assert_eq!(source_name, path.display().to_string())
        }
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn the_calendar_section_defaults_to_the_embedded_table_and_names_bad_keys() {
    let section: CalendarSection = toml::from_str("").unwrap();
    assert_eq!(section.calendar().unwrap(), calendar());
    assert_eq!(section.rules().unwrap(), WorkingRules::default());

    let unknown = toml::from_str::<CalendarSection>("lunch = \"11:30-13:00\"").unwrap_err();
    assert!(unknown.to_string().contains("lunch"), "{unknown}");

    let section: CalendarSection = toml::from_str("morning = \"7h30-11h30\"").unwrap();
    assert!(matches!(
        section.rules(),
        Err(WorkingTimeError::Rules { key, .. }) if key == "calendar.morning"
    ));
    let section: CalendarSection = toml::from_str("afternoon_cutoff = \"18:00\"").unwrap();
    assert!(matches!(
        section.rules(),
        Err(WorkingTimeError::Rules { key, .. }) if key == "calendar.afternoon_cutoff"
    ));
    let section: CalendarSection =
        toml::from_str("morning = \"07:30-12:00\"\nafternoon = \"11:30-17:00\"").unwrap();
    assert!(matches!(
        section.rules(),
        Err(WorkingTimeError::Rules { key, .. }) if key == "calendar.afternoon"
    ));
}
