//! The `[partners.adapter]` table of a `national_portal_dvcqg` partner.
//!
//! Read strictly (unknown keys are errors) and checked key by key, so a
//! misconfigured partner is refused at start with the key named. The
//! optional `[profile]` table is laid over the built-in protocol profile
//! (`crate::profile`; its keys are documented in
//! `profiles/dvcqg-public.toml` and `config/national-portal-profile.example.toml`).

use crate::profile::{Profile, ProfileTable};
use lienthong_adapter::settings::{check_http_url, check_range, check_required};
use lienthong_adapter::{AdapterConfigError, AdapterSettings};
use serde::Deserialize;
use std::sync::Arc;

/// The table as read, before the profile is assembled and checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    endpoint: String,
    username: String,
    password: String,
    dstcode: String,
    madonvi: String,
    #[serde(default = "default_timeout")]
    timeout_seconds: u64,
    #[serde(default = "default_batch")]
    progress_batch_size: usize,
    #[serde(default = "default_catalog_interval")]
    catalog_poll_interval_seconds: u64,
    #[serde(default)]
    catalog_procedure_details: bool,
    #[serde(default = "default_pushdown_interval")]
    pushdown_poll_interval_seconds: u64,
    #[serde(default = "default_lookback")]
    pushdown_lookback_hours: u64,
    #[serde(default = "default_actor")]
    actor: String,
    #[serde(default)]
    sync_status_token: Option<String>,
    #[serde(default)]
    profile: Option<ProfileTable>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL of the portal's integration service, e.g. `https://…/api`.
    pub endpoint: String,
    pub username: String,
    pub password: String,
    /// The `dstcode` header of the login call (the connecting system's code).
    pub dstcode: String,
    /// The agency code (`madonvi`) every call carries.
    pub madonvi: String,
    pub timeout_seconds: u64,
    /// At most this many progress entries per `CapNhatTienDoHoSoMC` call.
    pub progress_batch_size: usize,
    /// Catalogue pull period; 0 turns the pull off.
    pub catalog_poll_interval_seconds: u64,
    /// Also read each procedure in full (`LayThuTuc`): channels, time
    /// limits, fees, components, results, legal basis.
    pub catalog_procedure_details: bool,
    /// Period of the poll for dossiers filed on the portal; 0 turns it off.
    pub pushdown_poll_interval_seconds: u64,
    /// At start, ask for dossiers filed this far back.
    pub pushdown_lookback_hours: u64,
    /// The history's "who" for dossiers submitted from the portal.
    pub actor: String,
    /// When set, `GET sync…` requires `Authorization: Bearer <token>`.
    pub sync_status_token: Option<String>,
    /// The protocol profile: the built-in one, or it with `[profile]` laid
    /// over it.
    pub profile: Arc<Profile>,
}

impl AdapterSettings for Settings {
    type Raw = RawSettings;

    fn from_raw(raw: RawSettings) -> Result<Settings, AdapterConfigError> {
        let profile = Profile::from_table(raw.profile.as_ref())?;
        let settings = Settings {
            endpoint: raw.endpoint,
            username: raw.username,
            password: raw.password,
            dstcode: raw.dstcode,
            madonvi: raw.madonvi,
            timeout_seconds: raw.timeout_seconds,
            progress_batch_size: raw.progress_batch_size,
            catalog_poll_interval_seconds: raw.catalog_poll_interval_seconds,
            catalog_procedure_details: raw.catalog_procedure_details,
            pushdown_poll_interval_seconds: raw.pushdown_poll_interval_seconds,
            pushdown_lookback_hours: raw.pushdown_lookback_hours,
            actor: raw.actor,
            sync_status_token: raw.sync_status_token,
            profile: Arc::new(profile),
        };
        settings.check()?;
        Ok(settings)
    }
}
fn default_timeout() -> u64 {
    10
}
fn default_batch() -> usize {
    10
}
fn default_catalog_interval() -> u64 {
    3600
}
fn default_pushdown_interval() -> u64 {
    60
}
fn default_lookback() -> u64 {
    24
}
fn default_actor() -> String {
    "Cổng Dịch vụ công quốc gia".into()
}

impl Settings {
    fn check(&self) -> Result<(), AdapterConfigError> {
        let bad = AdapterConfigError::new;
        check_http_url("endpoint", &self.endpoint)?;
        for (key, value) in [
            ("username", &self.username),
            ("password", &self.password),
            ("dstcode", &self.dstcode),
            ("madonvi", &self.madonvi),
            ("actor", &self.actor),
        ] {
            check_required(key, value)?;
        }
        if !is_code(&self.madonvi) {
            return Err(bad(
                "madonvi",
                "must be an agency code: letters and digits separated by single dots",
            ));
        }
        check_range("timeout_seconds", self.timeout_seconds, 1..=300)?;
        check_range("progress_batch_size", self.progress_batch_size, 1..=100)?;
        if self.catalog_poll_interval_seconds > 0 && self.catalog_poll_interval_seconds < 10 {
            return Err(bad(
                "catalog_poll_interval_seconds",
                "must be 0 (off) or at least 10",
            ));
        }
        if self.pushdown_lookback_hours > 24 * 31 {
            return Err(bad(
                "pushdown_lookback_hours",
                "must be at most 744 (31 days)",
            ));
        }
        if let Some(token) = &self.sync_status_token {
            if token.len() < 16 {
                return Err(bad(
                    "sync_status_token",
                    "must be at least 16 characters when set",
                ));
            }
        }
        Ok(())
    }
}

/// An administrative code: letters and digits separated by single dots.
pub fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::AdapterSettings;

    fn table(extra: &str) -> toml::Table {
        let text = format!(
            "endpoint = \"http://127.0.0.1:1\"\nusername = \"u\"\npassword = \"p\"\n\
             dstcode = \"H22\"\nmadonvi = \"000.00.00.H22\"\n{extra}"
        );
        text.parse().unwrap()
    }

    #[test]
    fn defaults_apply() {
        let s = Settings::from_table(&table("")).unwrap();
        assert_eq!(s.timeout_seconds, 10);
        assert_eq!(s.profile.name, "dvcqg-public");
        assert_eq!(s.profile.login_path, "login");
    }

    #[test]
    fn errors_name_the_key() {
        for (extra, key) in [
            ("timeout_seconds = 0", "timeout_seconds"),
            ("progress_batch_size = 0", "progress_batch_size"),
            (
                "catalog_poll_interval_seconds = 3",
                "catalog_poll_interval_seconds",
            ),
            ("sync_status_token = \"short\"", "sync_status_token"),
        ] {
            let err = Settings::from_table(&table(extra)).unwrap_err();
            assert_eq!(err.key, key, "{extra}");
        }
        let err = Settings::from_table(&table("surprise = 1")).unwrap_err();
        assert!(err.to_string().contains("surprise"), "{err}");
        let mut t = table("");
        t.insert("madonvi".into(), "bad code".into());
        assert_eq!(Settings::from_table(&t).unwrap_err().key, "madonvi");
    }
}
