//! The settings of one payment-platform partner, read strictly from its
//! `[partners.adapter]` table (the `kind` key already removed).
//!
//! ```toml
//! [partners.adapter]
//! kind = "payment_paygov"
//! endpoint = "https://paygov.example.vn"        # the gateway's base URL
//! partner_code = "LIENTHONG"                    # MaDoiTac
//! secret = "shared-secret-for-MaXacThuc"
//! callback_url = "https://hub.example.vn/partners/payment/callback"
//! timeout_seconds = 10
//! query_interval_seconds = 30                   # re-QUERY of pending payments
//! give_up_after_hours = 24                      # then the payment is "expired"
//! # state_file = "/var/lib/lienthong/payment.json"
//!   # former releases only: the ledger now lives in the hub's store (the
//!   # adapter state); a file given here is read once, at the first start,
//!   # its payments imported into the store, and never written again
//! beneficiary_account = "3511.0.1059325"        # TaiKhoanThuHuong
//! beneficiary_bank = "VCB"                      # NganHangThuHuong
//! treasury_code = "0011"                        # MaKhoBac
//! treasury_name = "KBNN Hà Nội"                 # TenKhoBac (optional)
//! revenue_account = "7111"                      # TaiKhoanThuNSNN
//! read_token = "…"                              # required: bearer for GET payments/{reference}
//! return_url = "https://dichvucong.example.vn/tai-khoan/ho-so/{MaHoSo}/thanh-toan/ket-qua"
//!                                               # optional: the payer's browser comes back here
//! ```

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
    pub callback_url: String,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    #[serde(default = "default_query_interval")]
    pub query_interval_seconds: u64,
    #[serde(default = "default_give_up")]
    pub give_up_after_hours: u64,
    /// A former release's ledger file, imported into the hub's store once
    /// (`ledger`), never written.
    #[serde(default)]
    pub state_file: Option<PathBuf>,
    pub beneficiary_account: String,
    pub beneficiary_bank: String,
    pub treasury_code: String,
    #[serde(default)]
    pub treasury_name: String,
    pub revenue_account: String,
    /// The bearer token `GET payments/{reference}` requires (it shows
    /// amounts, banks and transaction ids). Required: without it the adapter
    /// does not start.
    #[serde(default)]
    pub read_token: String,
    /// Where the gateway sends the payer's browser after the payment page
    /// (`UrlTraVe`), `{MaHoSo}` replaced by the dossier's code: the
    /// portal's return page. Empty: the gateway keeps the payer.
    #[serde(default)]
    pub return_url: String,
}

/// The placeholder of `return_url`.
pub const MA_HO_SO: &str = "{MaHoSo}";

impl Settings {
    /// `return_url` for one dossier (empty when none is configured).
    pub fn return_url_of(&self, ma_ho_so: &str) -> String {
        self.return_url.replace(MA_HO_SO, ma_ho_so)
    }
}

fn default_timeout() -> u64 {
    10
}

fn default_query_interval() -> u64 {
    30
}

fn default_give_up() -> u64 {
    24
}

impl CheckSettings for Settings {
    fn check(&self) -> Result<(), AdapterConfigError> {
        check_http_url("endpoint", &self.endpoint)?;
        check_http_url("callback_url", &self.callback_url)?;
        for (key, value) in [
            ("partner_code", &self.partner_code),
            ("beneficiary_account", &self.beneficiary_account),
            ("beneficiary_bank", &self.beneficiary_bank),
            ("treasury_code", &self.treasury_code),
            ("revenue_account", &self.revenue_account),
        ] {
            check_signed_setting(key, value)?;
        }
        check_secret_len("secret", &self.secret, 8)?;
        check_read_token(&self.read_token)?;
        if !self.return_url.is_empty() {
            check_http_url("return_url", &self.return_url.replace(MA_HO_SO, "X"))?;
        }
        check_range("timeout_seconds", self.timeout_seconds, 1..=300)?;
        check_range(
            "query_interval_seconds",
            self.query_interval_seconds,
            1..=86_400,
        )?;
        if !(1..=24 * 90).contains(&self.give_up_after_hours) {
            return Err(AdapterConfigError::new(
                "give_up_after_hours",
                "must be between 1 and 2160 (90 days)",
            ));
        }
        if let Some(path) = &self.state_file {
            if path.as_os_str().is_empty() {
                return Err(AdapterConfigError::new(
                    "state_file",
                    "must be a file path (or leave the key out)",
                ));
            }
        }
        Ok(())
    }
}

/// The read-out is never open: a missing or short `read_token` stops the
/// adapter at start.
fn check_read_token(token: &str) -> Result<(), AdapterConfigError> {
    if token.trim().len() < 16 {
        return Err(AdapterConfigError::new(
            "read_token",
            "is required (at least 16 characters): it is the bearer token GET payments/{reference} asks for",
        ));
    }
    Ok(())
}

impl Settings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds)
    }

    pub fn query_interval(&self) -> Duration {
        Duration::from_secs(self.query_interval_seconds)
    }

    /// The gateway URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::AdapterSettings;

    fn table(extra: &str) -> toml::Table {
        let text = format!(
            r#"
            endpoint = "http://127.0.0.1:9"
            partner_code = "LT"
            secret = "0123456789"
            callback_url = "http://127.0.0.1:8080/partners/payment/callback"
            beneficiary_account = "3511.0.1059325"
            beneficiary_bank = "VCB"
            treasury_code = "0011"
            revenue_account = "7111"
            read_token = "read-token-0123456789"
            {extra}
            "#
        );
        text.parse().expect("toml")
    }

    // issue 10 defect 9
    #[test]
    fn an_adapter_without_a_read_token_refuses_to_start_naming_the_key() {
        let mut without = table("");
        without.remove("read_token");
        let e = Settings::from_table(&without).expect_err("no read_token");
        assert_eq!(e.key, "read_token", "{e}");
        let mut short = table("");
        short.insert("read_token".into(), "short".into());
        let e = Settings::from_table(&short).expect_err("short read_token");
        assert_eq!(e.key, "read_token", "{e}");
    }

    #[test]
    fn defaults_apply() {
        let s = Settings::from_table(&table("")).expect("valid");
        assert_eq!(s.timeout_seconds, 10);
        assert_eq!(s.query_interval_seconds, 30);
        assert_eq!(s.give_up_after_hours, 24);
        assert!(s.state_file.is_none());
        assert_eq!(s.url("/api/v1/init"), "http://127.0.0.1:9/api/v1/init");
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            ("timeout_seconds = 0", "timeout_seconds"),
            ("query_interval_seconds = 0", "query_interval_seconds"),
            ("give_up_after_hours = 0", "give_up_after_hours"),
            ("state_file = \"\"", "state_file"),
        ];
        for (extra, key) in cases {
            let err = Settings::from_table(&table(extra)).expect_err(extra);
            assert_eq!(err.key, key, "{extra}");
        }
        let mut t = table("");
        t.insert("endpoint".into(), "ftp://x".into());
        assert_eq!(Settings::from_table(&t).expect_err("url").key, "endpoint");
        t = table("");
        t.insert("secret".into(), "short".into());
        assert_eq!(Settings::from_table(&t).expect_err("secret").key, "secret");
        t = table("");
        t.insert("partner_code".into(), "A|B".into());
        assert_eq!(
            Settings::from_table(&t).expect_err("pipe").key,
            "partner_code"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Settings::from_table(&table("timeout = 3")).expect_err("unknown");
        assert!(err.problem.contains("timeout"), "{err}");
    }
}
