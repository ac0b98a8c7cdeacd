//! The `[notifications]` section: kept as its table in the file's shape and
//! read by `notify::NotificationSettings` (which knows the channels and the
//! templates), its errors becoming configuration errors naming the key.

use super::ConfigError;
use crate::notify::{NotificationSettings, NotifyError};

/// The checked notification settings; `None` when the section is absent
/// (nothing is sent to applicants). `file` names the file in errors.
pub(super) fn check(
    file: &str,
    table: Option<&toml::Table>,
) -> Result<Option<NotificationSettings>, ConfigError> {
    let Some(table) = table else {
        return Ok(None);
    };
    NotificationSettings::from_table(table)
        .map(Some)
        .map_err(|e| match e {
            NotifyError::Config { key, problem } => ConfigError::invalid(file, key, problem),
            other => ConfigError::invalid(file, "notifications", other.to_string()),
        })
}
