//! Reading an adapter's `[partners.adapter]` table: strictly (unknown keys
//! are errors), then checked key by key, every problem naming its key. The
//! checks every adapter needs alike live here, so their wording is the same
//! whichever partner an operator configures.

use std::ops::RangeInclusive;

/// A configuration problem inside a partner's `[partners.adapter]` table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", key_label(.key))]
pub struct AdapterConfigError {
    /// Relative to the partner's `adapter` table, in TOML's dotted form
    /// (`endpoint`, `status_map.X`, `event_map."PICKUP:X"`); empty when the
    /// problem is the table as a whole. The hub puts the table's own path in
    /// front (`partners[3].adapter.endpoint`).
    pub key: String,
    pub problem: String,
}

fn key_label(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("key `{key}`: ")
    }
}

impl AdapterConfigError {
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        AdapterConfigError {
            key: key.into(),
            problem: problem.into(),
        }
    }

    /// Reads a settings table strictly (unknown keys are errors). A wrong
    /// key or value is named by its path in the table, however deep.
    pub fn parse<T: serde::de::DeserializeOwned>(
        settings: &toml::Table,
    ) -> Result<T, AdapterConfigError> {
        serde_path_to_error::deserialize(toml::Value::Table(settings.clone())).map_err(|e| {
            let key = dotted(e.path());
            // toml ends some messages with "in `<path>`": the key says it.
            let message = e.into_inner().to_string();
            let problem = message.lines().next().unwrap_or_default().trim();
            AdapterConfigError::new(key, problem)
        })
    }
}

/// A path in TOML's dotted form: bare keys as they are, other keys quoted,
/// array items by index.
fn dotted(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut key = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => key.push_str(&format!("[{index}]")),
            Segment::Map { key: name } | Segment::Enum { variant: name } => {
                if !key.is_empty() {
                    key.push('.');
                }
                let bare = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if bare {
                    key.push_str(name);
                } else {
                    key.push_str(&format!("{name:?}"));
                }
            }
            Segment::Unknown => {}
        }
    }
    key
}

/// An adapter's checked settings (`settings.rs` of every adapter crate).
pub trait AdapterSettings: Sized {
    /// What the table is read into before it is checked (often `Self`).
    type Raw: serde::de::DeserializeOwned;

    /// Checks what was read and makes the crate's settings; every error
    /// names its key.
    fn from_raw(raw: Self::Raw) -> Result<Self, AdapterConfigError>;

    /// Reads and checks the settings table (the `kind` key already removed):
    /// the one place every adapter's settings are parsed, so each crate
    /// writes only its checks.
    fn from_table(table: &toml::Table) -> Result<Self, AdapterConfigError> {
        Self::from_raw(AdapterConfigError::parse(table)?)
    }
}

/// Settings read as they are and then checked, without a separate raw
/// form: writing `check` makes them [`AdapterSettings`] (`Raw` is `Self`).
pub trait CheckSettings: serde::de::DeserializeOwned {
    /// Checks what was read; every error names its key.
    fn check(&self) -> Result<(), AdapterConfigError>;
}

impl<T: CheckSettings> AdapterSettings for T {
    type Raw = T;

    fn from_raw(raw: T) -> Result<T, AdapterConfigError> {
        raw.check()?;
        Ok(raw)
    }
}

/// Checks that a setting is an `http://` or `https://` URL with a host.
pub fn check_http_url(key: &str, value: &str) -> Result<(), AdapterConfigError> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !value.contains(char::is_whitespace) => Ok(()),
        _ => Err(AdapterConfigError::new(
            key,
            format!("`{value}` is not an http:// or https:// URL"),
        )),
    }
}

/// Checks that a text setting is given (blanks do not count).
pub fn check_required(key: &str, value: &str) -> Result<(), AdapterConfigError> {
    if value.trim().is_empty() {
        return Err(AdapterConfigError::new(key, "must not be empty"));
    }
    Ok(())
}

/// Checks that a number lies in `range` ("must be between A and B").
pub fn check_range<T>(
    key: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), AdapterConfigError>
where
    T: PartialOrd + std::fmt::Display,
{
    if range.contains(&value) {
        Ok(())
    } else {
        Err(AdapterConfigError::new(
            key,
            format!("must be between {} and {}", range.start(), range.end()),
        ))
    }
}

/// Checks that a number is at least `min` (a count, a period: no upper
/// bound).
pub fn check_at_least<T>(key: &str, value: T, min: T) -> Result<(), AdapterConfigError>
where
    T: PartialOrd + std::fmt::Display,
{
    if value < min {
        return Err(AdapterConfigError::new(
            key,
            format!("must be at least {min}"),
        ));
    }
    Ok(())
}

/// Checks that a secret is long enough to be one.
pub fn check_secret_len(key: &str, value: &str, at_least: usize) -> Result<(), AdapterConfigError> {
    if value.len() < at_least {
        return Err(AdapterConfigError::new(
            key,
            format!("must be at least {at_least} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(check_http_url("endpoint", "https://paygov.example.vn").is_ok());
        assert!(check_http_url("endpoint", "http://127.0.0.1:8080/x").is_ok());
        for bad in ["", "ftp://x", "http://", "https://a b", "paygov.example.vn"] {
            let e = check_http_url("endpoint", bad).unwrap_err();
            assert_eq!(e.key, "endpoint", "{bad}");
        }
    }

    #[test]
    fn ranges_and_secrets_name_their_key_and_rule() {
        assert!(check_range("timeout_seconds", 300, 1..=300).is_ok());
        let e = check_range("timeout_seconds", 0, 1..=300).unwrap_err();
        assert_eq!(
            e.to_string(),
            "key `timeout_seconds`: must be between 1 and 300"
        );
        assert!(check_at_least("poll_interval_seconds", 1, 1).is_ok());
        let e = check_at_least("poll_interval_seconds", 0, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "key `poll_interval_seconds`: must be at least 1"
        );
        assert!(check_required("username", "an").is_ok());
        let e = check_required("username", " ").unwrap_err();
        assert_eq!(e.to_string(), "key `username`: must not be empty");
        assert!(check_secret_len("secret", "12345678", 8).is_ok());
        let e = check_secret_len("secret", "1234567", 8).unwrap_err();
        assert_eq!(e.to_string(), "key `secret`: must be at least 8 characters");
    }

    #[test]
    fn unknown_keys_are_refused() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Only {
            endpoint: String,
        }
        let table: toml::Table = "endpoint = \"x\"\nendpont = \"y\"".parse().unwrap();
        let e = AdapterConfigError::parse::<Only>(&table).unwrap_err();
        assert_eq!(e.key, "endpont");
        assert!(e.problem.starts_with("unknown field `endpont`"), "{e}");
    }

    #[test]
    fn a_wrong_key_or_value_is_named_by_its_path() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Retry {
            attempts: u8,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Nested {
            retry: Retry,
            #[serde(default)]
            codes: std::collections::BTreeMap<String, u8>,
        }
        let key_of = |text: &str| {
            let table: toml::Table = text.parse().unwrap();
            AdapterConfigError::parse::<Nested>(&table).unwrap_err()
        };
        assert_eq!(key_of("[retry]\nattemps = 3").key, "retry.attemps");
        let e = key_of("[retry]\nattempts = 300");
        assert_eq!(e.key, "retry.attempts");
        assert!(!e.problem.contains('\n'), "{e}");
        assert_eq!(
            key_of("[retry]\nattempts = 3\n[codes]\n\"A:B\" = 300").key,
            "codes.\"A:B\""
        );
        // Missing altogether: the table itself, and the message says what.
        let e = key_of("");
        assert_eq!(e.key, "");
        assert_eq!(e.to_string(), "missing field `retry`");
    }
}
