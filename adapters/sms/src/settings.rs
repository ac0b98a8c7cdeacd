//! The settings of the SMS gateway, read strictly from a TOML table (the
//! hub's `[notifications.sms]`); the secret is read from its own file so
//! that the configuration can be shared without it.
//!
//! ```toml
//! endpoint = "https://sms-gateway.example.vn/api"
//! account = "ubnd-tinh"
//! secret_file = "/etc/lienthong/sms.secret"
//! brand_name = "UBND TINH"
//! timeout_seconds = 10
//! ```

use lienthong_adapter::settings::{check_http_url, check_range, check_required};
use lienthong_adapter::{AdapterConfigError, AdapterSettings};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// The settings table as read, before it is checked (its fields stay private).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    endpoint: String,
    account: String,
    secret_file: PathBuf,
    brand_name: String,
    #[serde(default = "default_timeout")]
    timeout_seconds: u64,
}

fn default_timeout() -> u64 {
    10
}

/// Checked settings, with the secret read.
#[derive(Clone)]
pub struct Settings {
    pub endpoint: String,
    pub account: String,
    pub secret: String,
    pub brand_name: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("endpoint", &self.endpoint)
            .field("account", &self.account)
            .field("secret", &"(hidden)")
            .field("brand_name", &self.brand_name)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl AdapterSettings for Settings {
    type Raw = Raw;

    fn from_raw(raw: Raw) -> Result<Settings, AdapterConfigError> {
        check_http_url("endpoint", &raw.endpoint)?;
        check_required("account", &raw.account)?;
        check_required("brand_name", &raw.brand_name)?;
        // Brand names are registered with the carriers: ASCII, at most 11 characters.
        if raw.brand_name.len() > 11 || !raw.brand_name.is_ascii() {
            return Err(AdapterConfigError::new(
                "brand_name",
                "a registered brand name has at most 11 ASCII characters",
            ));
        }
        check_range("timeout_seconds", raw.timeout_seconds, 1..=300)?;
        let secret = std::fs::read_to_string(&raw.secret_file)
            .map_err(|e| {
                AdapterConfigError::new(
                    "secret_file",
                    format!("cannot read {}: {e}", raw.secret_file.display()),
                )
            })?
            .trim()
            .to_string();
        if secret.is_empty() {
            return Err(AdapterConfigError::new(
                "secret_file",
                format!("{} is empty", raw.secret_file.display()),
            ));
        }
        Ok(Settings {
            endpoint: raw.endpoint.trim_end_matches('/').to_string(),
            account: raw.account,
            secret,
            brand_name: raw.brand_name,
            timeout: Duration::from_secs(raw.timeout_seconds),
        })
    }
}
