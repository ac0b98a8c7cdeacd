//! The settings of one treasury partner, read strictly from its
//! `[partners.adapter]` table (the `kind` key already removed).
//!
//! ```toml
//! [partners.adapter]
//! kind = "treasury_kbnn"
//! endpoint = "https://kbnn.example.vn"     # the treasury's base URL
//! partner_code = "LIENTHONG"               # MaDoiTac at the treasury
//! secret = "shared-secret-for-MaXacThuc"
//! timeout_seconds = 10
//! treasury_code = "0011"                   # MaKhoBac credited
//! revenue_account = "7111"                 # TaiKhoanThuNSNN
//! # Reconciliation (đối soát): the gateway's settlement file…
//! settlement_url = "https://paygov.example.vn/api/v1/settlements.csv"
//! settlement_partner_code = "LIENTHONG"    # MaDoiTac at the gateway
//! settlement_secret = "gateway-shared-secret"
//! reconcile_at = "01:30"                   # daily, Asia/Ho_Chi_Minh: the previous day
//! report_dir = "/var/lib/lienthong/doisoat"
//! trigger_token = "…"                      # optional: enables POST reconcile
//! ```

use crate::schedule::parse_hh_mm;
use lienthong_adapter::ma_xac_thuc::check_signed_setting;
use lienthong_adapter::settings::{check_http_url, check_range, check_secret_len};
use lienthong_adapter::{AdapterConfigError, CheckSettings};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub endpoint: String,
    pub partner_code: String,
    pub secret: String,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    pub treasury_code: String,
    pub revenue_account: String,
    pub settlement_url: String,
    pub settlement_partner_code: String,
    pub settlement_secret: String,
    #[serde(default = "default_reconcile_at")]
    pub reconcile_at: String,
    pub report_dir: PathBuf,
    #[serde(default)]
    pub trigger_token: Option<String>,
}

fn default_timeout() -> u64 {
    10
}

fn default_reconcile_at() -> String {
    "01:30".into()
}

impl CheckSettings for Settings {
    fn check(&self) -> Result<(), AdapterConfigError> {
        check_http_url("endpoint", &self.endpoint)?;
        check_http_url("settlement_url", &self.settlement_url)?;
        for (key, value) in [
            ("partner_code", &self.partner_code),
            ("treasury_code", &self.treasury_code),
            ("revenue_account", &self.revenue_account),
            ("settlement_partner_code", &self.settlement_partner_code),
        ] {
            check_signed_setting(key, value)?;
        }
        check_secret_len("secret", &self.secret, 8)?;
        check_secret_len("settlement_secret", &self.settlement_secret, 8)?;
        check_range("timeout_seconds", self.timeout_seconds, 1..=300)?;
        if parse_hh_mm(&self.reconcile_at).is_none() {
            return Err(AdapterConfigError::new(
                "reconcile_at",
                format!(
                    "`{}` is not HH:MM (24-hour, Asia/Ho_Chi_Minh), e.g. \"01:30\"",
                    self.reconcile_at
                ),
            ));
        }
        if self.report_dir.as_os_str().is_empty() {
            return Err(AdapterConfigError::new("report_dir", "is required"));
        }
        if let Some(token) = &self.trigger_token {
            if token.len() < 16 {
                return Err(AdapterConfigError::new(
                    "trigger_token",
                    "must be at least 16 characters (or leave the key out)",
                ));
            }
        }
        Ok(())
    }
}

impl Settings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds)
    }

    /// Minutes after midnight (Vietnam) of the daily run.
    pub fn reconcile_minute(&self) -> u32 {
        parse_hh_mm(&self.reconcile_at).unwrap_or(90)
    }

    /// The treasury URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::AdapterSettings;

    fn table() -> toml::Table {
        r#"
        endpoint = "http://127.0.0.1:9"
        partner_code = "LT"
        secret = "0123456789"
        treasury_code = "0011"
        revenue_account = "7111"
        settlement_url = "http://127.0.0.1:8/api/v1/settlements.csv"
        settlement_partner_code = "LT"
        settlement_secret = "abcdefghij"
        report_dir = "/tmp/doisoat"
        "#
        .parse()
        .expect("toml")
    }

    #[test]
    fn defaults_apply() {
        let s = Settings::from_table(&table()).expect("valid");
        assert_eq!(s.timeout_seconds, 10);
        assert_eq!(s.reconcile_at, "01:30");
        assert_eq!(s.reconcile_minute(), 90);
        assert!(s.trigger_token.is_none());
    }

    #[test]
    fn errors_name_the_key() {
        let cases: [(&str, toml::Value); 8] = [
            ("endpoint", "kbnn".into()),
            ("settlement_url", "".into()),
            ("secret", "short".into()),
            ("settlement_secret", "short".into()),
            ("reconcile_at", "1:30".into()),
            ("timeout_seconds", 0.into()),
            ("trigger_token", "short".into()),
            ("treasury_code", "00|11".into()),
        ];
        for (key, value) in cases {
            let mut t = table();
            t.insert(key.into(), value);
            assert_eq!(Settings::from_table(&t).expect_err(key).key, key);
        }
        let mut t = table();
        t.remove("report_dir");
        let err = Settings::from_table(&t).expect_err("missing");
        assert!(err.problem.contains("report_dir"), "{err}");
        let mut t = table();
        t.insert("reconcile_time".into(), "01:00".into());
        assert!(Settings::from_table(&t).is_err());
    }
}
