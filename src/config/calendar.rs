//! `[calendar]`: the holiday table and the unit's working hours, checked and
//! loaded once when the configuration is checked, so a bad holiday file or
//! a session typed wrong stops the hub at start, naming the key, instead of
//! failing at the first receipt.

use super::ConfigError;
use crate::domain::working_time::{CalendarSection, WorkingTime, WorkingTimeError};

pub(super) fn check(file: &str, section: &CalendarSection) -> Result<WorkingTime, ConfigError> {
    section.working_time().map_err(|e| match e {
        // Already named `calendar.<key>` by the section.
        WorkingTimeError::Rules { key, rule } => ConfigError::invalid(file, key, rule),
        // The holiday file's own errors name the file and its key.
        other => ConfigError::invalid(file, "calendar.holidays_file", other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::HubConfig;

    /// The gRPC listener explicitly in plaintext (`[tls]` is required).
    const PLAIN: &str = "[tls]\nplaintext_listeners = [\"grpc\"]\n";

    fn check(text: &str) -> Result<(), String> {
        HubConfig::parse("test.toml", text, &[])
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn without_a_calendar_section_the_embedded_vietnamese_table_is_used() {
        let loaded = HubConfig::parse("test.toml", PLAIN, &[]).unwrap();
        assert!(loaded.working_time.calendar().year(2026).is_some());
    }

    #[test]
    fn an_unknown_calendar_key_is_refused_naming_it() {
        // As for every section, toml names the key and its line.
        let err = check("[calendar]\nafternoon_cut_off = \"15:00\"\n").unwrap_err();
        assert!(err.contains("unknown field `afternoon_cut_off`"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn a_bad_session_or_cutoff_is_refused_naming_the_key() {
        let err = check("[calendar]\nmorning = \"7h30-11h30\"\n").unwrap_err();
        assert!(err.contains("`calendar.morning`"), "{err}");
        let err = check("[calendar]\nafternoon_cutoff = \"18:00\"\n").unwrap_err();
        assert!(err.contains("`calendar.afternoon_cutoff`"), "{err}");
        assert!(err.contains("outside the working day"), "{err}");
        let err = check("[calendar]\nafternoon = \"11:00-17:00\"\n").unwrap_err();
        assert!(err.contains("`calendar.afternoon`"), "{err}");
    }

    #[test]
    fn a_missing_or_invalid_holiday_file_is_refused_naming_the_key() {
        let err = check("[calendar]\nholidays_file = \"/nonexistent/vn.toml\"\n").unwrap_err();
        assert!(err.contains("`calendar.holidays_file`"), "{err}");
        assert!(err.contains("/nonexistent/vn.toml"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[years.2026]\nrevision = \"one\"\n").unwrap();
        let err = check(&format!(
            "[calendar]\nholidays_file = {:?}\n",
            path.display().to_string()
        ))
        .unwrap_err();
        assert!(err.contains("`calendar.holidays_file`"), "{err}");
    }

    #[test]
    fn the_unit_s_own_hours_are_used() {
        let loaded = HubConfig::parse(
            "test.toml",
            "[tls]\nplaintext_listeners = [\"grpc\"]\n[calendar]\nmorning = \"08:00-12:00\"\nafternoon = \"13:30-17:30\"\nafternoon_cutoff = \"16:00\"\nnear_due_working_days = 3\n",
            &[],
        )
        .unwrap();
        let rules = loaded.working_time.rules();
        assert_eq!(rules.near_due_working_days(), 3);
        assert_eq!(
            (
                rules.afternoon_cutoff().hour(),
                rules.afternoon_cutoff().minute()
            ),
            (16, 0)
        );
    }
}
