//! The `[partners.adapter]` table of a `one_stop_rest` partner.
//!
//! Read strictly (unknown keys are errors) and checked key by key. The
//! `status_map` is the heart of it: each of the one-stop system's own status
//! codes mapped to one of the ten canonical codes (DOMAIN.md §1); a code
//! that is not in the map is refused when it arrives, never guessed.
//!
//! ```toml
//! [partners.adapter]
//! kind = "one_stop_rest"
//! endpoint = "https://motcua.quangninh.gov.vn/api"
//! api_token = "…"                      # we call them: Authorization: Bearer
//! inbound_secret = "…"                 # they call us: X-OneStop-Secret
//! [partners.adapter.status_map]
//! DA_TIEP_NHAN = 2
//! DANG_XU_LY = 4
//! ```

use lienthong_adapter::settings::{check_http_url, check_range, check_required, check_secret_len};
use lienthong_adapter::{AdapterConfigError, AdapterSettings};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Base URL of the one-stop system's API.
    pub endpoint: String,
    /// Where dossiers are posted, under `endpoint`; a dossier's changes go
    /// to `<dossiers_path>/<ma_ho_so>/events`.
    #[serde(default = "default_dossiers_path")]
    pub dossiers_path: String,
    /// Sent as `Authorization: Bearer <api_token>` on every outbound call.
    pub api_token: String,
    /// What the one-stop system sends in `inbound_secret_header`.
    pub inbound_secret: String,
    #[serde(default = "default_secret_header")]
    pub inbound_secret_header: String,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// Its own status code → canonical code 1–10.
    pub status_map: BTreeMap<String, u8>,
}

fn default_dossiers_path() -> String {
    "api/dossiers".into()
}
fn default_secret_header() -> String {
    "x-onestop-secret".into()
}
fn default_timeout() -> u64 {
    10
}

impl AdapterSettings for Settings {
    type Raw = Settings;

    fn from_raw(mut settings: Settings) -> Result<Settings, AdapterConfigError> {
        settings.inbound_secret_header = settings.inbound_secret_header.to_ascii_lowercase();
        settings.check()?;
        Ok(settings)
    }
}

impl Settings {
    fn check(&self) -> Result<(), AdapterConfigError> {
        let bad = AdapterConfigError::new;
        check_http_url("endpoint", &self.endpoint)?;
        check_required("api_token", &self.api_token)?;
        check_secret_len("inbound_secret", &self.inbound_secret, 16)?;
        if axum::http::HeaderName::from_bytes(self.inbound_secret_header.as_bytes()).is_err() {
            return Err(bad(
                "inbound_secret_header",
                "is not a valid HTTP header name",
            ));
        }
        check_range("timeout_seconds", self.timeout_seconds, 1..=300)?;
        if self.status_map.is_empty() {
            return Err(bad(
                "status_map",
                "must map at least one of the system's status codes to a canonical code 1–10",
            ));
        }
        for (code, canonical) in &self.status_map {
            if code.trim().is_empty() {
                return Err(bad("status_map", "has an empty status code"));
            }
            if !(1..=10).contains(canonical) {
                return Err(AdapterConfigError::new(
                    format!("status_map.{code}"),
                    format!("`{canonical}` is not a canonical status code (1–10)"),
                ));
            }
        }
        Ok(())
    }

    /// `endpoint` joined with a path.
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.endpoint.trim_end_matches('/'),
            path.trim_matches('/')
        )
    }

    /// The system's own code for a canonical status, when exactly one of its
    /// codes maps there (outbound courtesy; the canonical code is always sent).
    pub fn own_code(&self, canonical: u8) -> Option<&str> {
        let mut codes = self
            .status_map
            .iter()
            .filter(|(_, c)| **c == canonical)
            .map(|(code, _)| code.as_str());
        match (codes.next(), codes.next()) {
            (Some(code), None) => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(extra: &str) -> toml::Table {
        format!(
            "endpoint = \"http://127.0.0.1:1/\"\napi_token = \"t\"\n\
             inbound_secret = \"0123456789abcdef\"\n{extra}\n\
             [status_map]\nDA_TIEP_NHAN = 2\nDANG_XU_LY = 4\nDANG_XU_LY_LIEN_THONG = 4\n"
        )
        .parse()
        .unwrap()
    }

    #[test]
    fn reads_and_reverses_the_map() {
        let s = Settings::from_table(&table("inbound_secret_header = \"X-Secret\"")).unwrap();
        assert_eq!(s.inbound_secret_header, "x-secret");
        assert_eq!(s.url(&s.dossiers_path), "http://127.0.0.1:1/api/dossiers");
        assert_eq!(s.own_code(2), Some("DA_TIEP_NHAN"));
        assert_eq!(s.own_code(4), None, "two codes map to 4");
        assert_eq!(s.own_code(9), None);
    }

    #[test]
    fn errors_name_the_key() {
        let mut t = table("");
        t["status_map"]
            .as_table_mut()
            .unwrap()
            .insert("LA".into(), 11.into());
        assert_eq!(Settings::from_table(&t).unwrap_err().key, "status_map.LA");
        let mut t = table("");
        t.insert("inbound_secret".into(), "short".into());
        assert_eq!(Settings::from_table(&t).unwrap_err().key, "inbound_secret");
        let err = Settings::from_table(&table("status_mapping = 1")).unwrap_err();
        assert!(err.to_string().contains("status_mapping"));
        let err = Settings::from_table(&table("timeout_seconds = 0")).unwrap_err();
        assert_eq!(err.key, "timeout_seconds");
    }
}
