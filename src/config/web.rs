//! `[web]`: the web listener of the hosted modules, and the officers of the
//! one-stop workspace (`[[web.officers]]`), and the applicants' OpenID
//! Connect provider (`[web.oidc]`).

use super::{ConfigError, HubConfig};
use crate::domain::codes::check_code;
use crate::domain::officer::{LockoutPolicy, OfficerRole};
use crate::portal::oidc::{OidcSettings, CALLBACK_PATH};
use crate::web::{check_hash, ConfiguredOfficer, OfficerPassword, WebSettings};
use serde::Deserialize;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSection {
    /// Where the pages are served (portal `/`, one-stop `/mot-cua/`).
    pub listen: SocketAddr,
    /// How long an officer's session lasts after sign-in.
    pub session_ttl_seconds: u64,
    /// Consecutive failed sign-ins that lock an account …
    pub lockout_failures: u32,
    /// … and for how long.
    pub lockout_seconds: u64,
    /// Set when a TLS front (reverse proxy) serves the pages over HTTPS:
    /// cookies get `Secure` and answers carry HSTS.
    pub served_over_https: bool,
    /// The partner (kind `module`) the one-stop workspace acts as.
    pub one_stop_partner: String,
    /// Public dossier lookups (`/tra-cuu`) one client address may make …
    pub lookup_attempts: u32,
    /// … in a window of this many seconds.
    pub lookup_window_seconds: u64,
    /// Behind a reverse proxy: the header it writes the client's address
    /// in (`x-forwarded-for`: its last address is taken, the one the proxy
    /// appended). Empty: the connection's own address.
    pub client_address_header: String,
    /// The largest file an applicant may attach on the portal …
    pub max_attachment_bytes: u64,
    /// … and all the files of one filing (or one supplement) together.
    pub max_dossier_attachments_bytes: u64,
    /// Dossiers one applicant's account may file on the portal in any 24
    /// hours: with the size limits above, it bounds the disk one account
    /// can fill in a day.
    pub max_filings_per_applicant_per_day: u32,
    /// The portal's address as citizens and partners reach it
    /// (`https://dichvucong.example.vn`): attached files are linked under
    /// it in the dossier (`<address>/tep/<sha256>`). Empty: `http://` and
    /// the listener's own address (development).
    pub public_base_url: String,
    /// The partner whose adapter collects fees online (a payment gateway
    /// adapter): the applicant's payment page sends the payer to the
    /// payment page it made. Empty: fees are not paid on the portal.
    pub payment_partner: String,
    pub officers: Vec<OfficerSection>,
    /// Applicants' sign-in through an OpenID Connect provider
    /// (`[web.oidc]`); absent: local accounts only.
    pub oidc: Option<OidcSection>,
}

/// The bounds of the attachment limits: a page must be able to take a
/// scanned A4 page (64 KiB) and at most 1 GiB at once.
const MIN_ATTACHMENT_BYTES: u64 = 64 * 1024;
const MAX_ATTACHMENT_BYTES: u64 = 1 << 30;
/// More than this a day is an office filing for many people, which files at
/// the counter or through its own partner connection.
const MAX_FILINGS_PER_DAY: u32 = 1000;

impl Default for WebSection {
    fn default() -> Self {
        WebSection {
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            session_ttl_seconds: 8 * 3600,
            lockout_failures: 5,
            lockout_seconds: 15 * 60,
            served_over_https: false,
            one_stop_partner: "mot-cua".into(),
            lookup_attempts: 10,
            lookup_window_seconds: 600,
            client_address_header: String::new(),
            max_attachment_bytes: 10 << 20,
            max_dossier_attachments_bytes: 50 << 20,
            max_filings_per_applicant_per_day: 20,
            public_base_url: String::new(),
            payment_partner: String::new(),
            officers: Vec::new(),
            oidc: None,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficerSection {
    pub login: String,
    /// Full name, as shown on the pages and in history lines.
    pub name: String,
    /// reception, specialist, leader, administrator
    pub role: String,
    /// The agency code the officer works for.
    pub agency: String,
    /// The officer's unit inside the agency.
    pub unit: String,
    /// The password in clear (development only) …
    #[serde(default)]
    pub password: Option<String>,
    /// … or its argon2 hash, a PHC string (`lienthong hash-password`).
    #[serde(default)]
    pub password_argon2: Option<String>,
}

const MIN_PASSWORD_CHARS: usize = 12;

impl WebSection {
    pub(super) fn validate(&self, file: &str, config: &HubConfig) -> Result<(), ConfigError> {
        let bad =
            |key: &str, problem: String| ConfigError::invalid(file, format!("web.{key}"), problem);
        if !(60..=30 * 24 * 3600).contains(&self.session_ttl_seconds) {
            return Err(bad(
                "session_ttl_seconds",
                "must be between 60 and 2592000 (30 days)".into(),
            ));
        }
        if !(1..=100).contains(&self.lockout_failures) {
            return Err(bad("lockout_failures", "must be between 1 and 100".into()));
        }
        if !(1..=7 * 24 * 3600).contains(&self.lockout_seconds) {
            return Err(bad(
                "lockout_seconds",
                "must be between 1 and 604800 (7 days)".into(),
            ));
        }
        if !(1..=10_000).contains(&self.lookup_attempts) {
            return Err(bad("lookup_attempts", "must be between 1 and 10000".into()));
        }
        if !(1..=7 * 24 * 3600).contains(&self.lookup_window_seconds) {
            return Err(bad(
                "lookup_window_seconds",
                "must be between 1 and 604800 (7 days)".into(),
            ));
        }
        if !self.client_address_header.is_empty()
            && axum::http::HeaderName::from_bytes(self.client_address_header.as_bytes()).is_err()
        {
            return Err(bad(
                "client_address_header",
                format!(
                    "`{}` is not an HTTP header name (e.g. x-forwarded-for)",
                    self.client_address_header
                ),
            ));
        }
        if let Some(oidc) = &self.oidc {
            oidc.settings(file)?;
        }
        for (key, value) in [
            ("max_attachment_bytes", self.max_attachment_bytes),
            (
                "max_dossier_attachments_bytes",
                self.max_dossier_attachments_bytes,
            ),
        ] {
            if !(MIN_ATTACHMENT_BYTES..=MAX_ATTACHMENT_BYTES).contains(&value) {
                return Err(bad(
                    key,
                    format!(
                        "must be between {MIN_ATTACHMENT_BYTES} (64 KiB) and {MAX_ATTACHMENT_BYTES} (1 GiB), not {value}"
                    ),
                ));
            }
        }
        if !(1..=MAX_FILINGS_PER_DAY).contains(&self.max_filings_per_applicant_per_day) {
            return Err(bad(
                "max_filings_per_applicant_per_day",
                format!(
                    "must be between 1 and {MAX_FILINGS_PER_DAY}, not {}",
                    self.max_filings_per_applicant_per_day
                ),
            ));
        }
        if self.max_dossier_attachments_bytes < self.max_attachment_bytes {
            return Err(bad(
                "max_dossier_attachments_bytes",
                format!(
                    "must be at least max_attachment_bytes ({}): one file alone would not fit",
                    self.max_attachment_bytes
                ),
            ));
        }
        if !self.public_base_url.is_empty() {
            let url = &self.public_base_url;
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            let ok = host.is_some_and(|h| {
                !h.is_empty()
                    && !h.contains(['/', '?', '#', ' '])
                    && h.is_ascii()
                    && !h.chars().any(|c| c.is_ascii_control())
            });
            if !ok {
                return Err(bad(
                    "public_base_url",
                    format!(
                        "`{url}` must be http(s)://host[:port] with no path and no slash at the end (e.g. https://dichvucong.example.vn)"
                    ),
                ));
            }
        }
        if !self.payment_partner.is_empty() {
            match config
                .partners
                .iter()
                .find(|p| p.id == self.payment_partner)
            {
                None => {
                    return Err(bad(
                        "payment_partner",
                        format!("no partner `{}` is configured", self.payment_partner),
                    ))
                }
                Some(p) if p.adapter.is_none() => {
                    return Err(bad(
                        "payment_partner",
                        format!(
                            "partner `{}` has no [partners.adapter]: only a payment gateway's adapter makes payment pages",
                            p.id
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        let partner = config
            .partners
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == self.one_stop_partner);
        let Some((index, partner)) = partner else {
            return Err(bad(
                "one_stop_partner",
                format!(
                    "no partner `{}` is configured (add one with kind = \"module\")",
                    self.one_stop_partner
                ),
            ));
        };
        if partner.kind != "module" {
            return Err(bad(
                "one_stop_partner",
                format!(
                    "partner `{}` (partners[{index}]) has kind `{}`, not `module`",
                    partner.id, partner.kind
                ),
            ));
        }
        if partner.token.is_some() || partner.token_sha256.is_some() {
            return Err(bad(
                "one_stop_partner",
                format!(
                    "partner `{}` (partners[{index}]) has a token; the one-stop module acts only inside the hub, so its partner must have none",
                    partner.id
                ),
            ));
        }
        let may_act_for = |agency: &str| partner.agencies.iter().any(|a| a == "*" || a == agency);
        let mut logins = HashSet::new();
        for (i, officer) in self.officers.iter().enumerate() {
            let key = |name: &str| format!("officers[{i}].{name}");
            let login_ok = !officer.login.is_empty()
                && officer.login.len() <= 64
                && officer.login.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
                });
            if !login_ok {
                return Err(bad(
                    &key("login"),
                    "must be 1 to 64 lowercase letters, digits, `.`, `-` or `_`".into(),
                ));
            }
            if !logins.insert(officer.login.as_str()) {
                return Err(bad(
                    &key("login"),
                    format!("`{}` is used by an earlier officer", officer.login),
                ));
            }
            for (name, value) in [("name", &officer.name), ("unit", &officer.unit)] {
                if value.trim().is_empty() {
                    return Err(bad(&key(name), "must not be empty".into()));
                }
            }
            if OfficerRole::parse(&officer.role).is_none() {
                return Err(bad(
                    &key("role"),
                    format!(
                        "`{}` is not one of {}",
                        officer.role,
                        OfficerRole::ALL.map(|r| r.name()).join(", ")
                    ),
                ));
            }
            check_code("", &officer.agency).map_err(|_| {
                bad(
                    &key("agency"),
                    format!("`{}` is not an agency code", officer.agency),
                )
            })?;
            if !may_act_for(&officer.agency) {
                return Err(bad(
                    &key("agency"),
                    format!(
                        "`{}` is not among the agencies of partner `{}`",
                        officer.agency, partner.id
                    ),
                ));
            }
            match (&officer.password, &officer.password_argon2) {
                (Some(clear), None) if clear.chars().count() >= MIN_PASSWORD_CHARS => {}
                (Some(_), None) => {
                    return Err(bad(
                        &key("password"),
                        format!("must be at least {MIN_PASSWORD_CHARS} characters"),
                    ))
                }
                (None, Some(phc)) => {
                    check_hash(phc).map_err(|problem| bad(&key("password_argon2"), problem))?
                }
                (None, None) => {
                    return Err(bad(
                        &key("password"),
                        "one of `password` or `password_argon2` is required".into(),
                    ))
                }
                (Some(_), Some(_)) => {
                    return Err(bad(
                        &key("password"),
                        "give `password` or `password_argon2`, not both".into(),
                    ))
                }
            }
        }
        Ok(())
    }

    /// The listener's settings. Checked at load; the OIDC client secret is
    /// read from its file again here.
    pub fn settings(&self, file: &str) -> Result<WebSettings, ConfigError> {
        Ok(WebSettings {
            listen: self.listen,
            session_ttl: Duration::from_secs(self.session_ttl_seconds),
            lockout: LockoutPolicy {
                max_failures: self.lockout_failures,
                lock_millis: (self.lockout_seconds * 1000) as i64,
            },
            served_over_https: self.served_over_https,
            one_stop_partner: self.one_stop_partner.clone(),
            lookup: crate::portal::ThrottleSettings {
                attempts: self.lookup_attempts,
                window_millis: (self.lookup_window_seconds * 1000) as i64,
                max_clients: crate::portal::throttle::MAX_CLIENTS,
            },
            client_address_header: axum::http::HeaderName::from_bytes(
                self.client_address_header.as_bytes(),
            )
            .ok(),
            payment_partner: Some(self.payment_partner.clone()).filter(|p| !p.is_empty()),
            oidc: match &self.oidc {
                Some(oidc) => Some(oidc.settings(file)?),
                None => None,
            },
            attachments: crate::domain::attachment::AttachmentLimits {
                max_file_bytes: self.max_attachment_bytes,
                max_dossier_bytes: self.max_dossier_attachments_bytes,
            },
            public_base_url: self.public_base_url.clone(),
            max_filings_per_day: self.max_filings_per_applicant_per_day,
        })
    }

    /// The configured officers. Valid configuration (checked at load), so
    /// every role parses.
    pub fn officers(&self) -> Vec<ConfiguredOfficer> {
        self.officers
            .iter()
            .filter_map(|o| {
                let role = OfficerRole::parse(&o.role)?;
                let password = match (&o.password, &o.password_argon2) {
                    (Some(clear), _) => OfficerPassword::Clear(clear.clone()),
                    (None, Some(phc)) => OfficerPassword::Hashed(phc.clone()),
                    (None, None) => return None,
                };
                Some(ConfiguredOfficer {
                    login: o.login.clone(),
                    name: o.name.clone(),
                    role,
                    agency_code: o.agency.clone(),
                    unit: o.unit.clone(),
                    password,
                })
            })
            .collect()
    }
}

/// `[web.oidc]`: the OpenID Connect provider applicants may sign in with.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSection {
    /// The provider's issuer identifier, exactly as its discovery document
    /// and ID tokens say it (https; http only on a loopback address).
    pub issuer: String,
    pub client_id: String,
    /// A file holding the client secret (one line; read at load).
    pub client_secret_file: PathBuf,
    /// Where the provider sends the browser back: this portal's
    /// `/tai-khoan/dang-nhap-mot-lan/ve`, as registered with the provider.
    pub redirect_url: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The button reads "Đăng nhập bằng <display_name>".
    #[serde(default = "default_display_name")]
    pub display_name: String,
    /// Each call to the provider (discovery, token, keys) waits this long.
    #[serde(default = "default_oidc_timeout")]
    pub timeout_seconds: u64,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}

fn default_display_name() -> String {
    "tài khoản định danh".into()
}

fn default_oidc_timeout() -> u64 {
    10
}

/// An http(s) URL: https, or http to a loopback host (tests, the demo).
fn check_url(value: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(value).map_err(|e| format!("`{value}` is not a URL: {e}"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(format!(
                "`{value}` must be an https:// URL (http:// only on a loopback address)"
            ))
        }
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!("`{value}` must have no fragment and no user"));
    }
    Ok(url)
}

impl OidcSection {
    /// The checked settings, with the secret read from its file.
    pub fn settings(&self, file: &str) -> Result<OidcSettings, ConfigError> {
        let bad = |key: &str, problem: String| {
            ConfigError::invalid(file, format!("web.oidc.{key}"), problem)
        };
        let issuer = check_url(&self.issuer).map_err(|p| bad("issuer", p))?;
        if issuer.query().is_some() {
            return Err(bad("issuer", "must have no query".into()));
        }
        let id_ok = (1..=255).contains(&self.client_id.len())
            && self.client_id.bytes().all(|b| b.is_ascii_graphic());
        if !id_ok {
            return Err(bad(
                "client_id",
                "must be 1 to 255 visible ASCII characters".into(),
            ));
        }
        let secret = std::fs::read_to_string(&self.client_secret_file).map_err(|e| {
            bad(
                "client_secret_file",
                format!("cannot read {}: {e}", self.client_secret_file.display()),
            )
        })?;
        let secret = secret.trim();
        if secret.is_empty() || secret.len() > 4096 || secret.contains('\n') {
            return Err(bad(
                "client_secret_file",
                format!(
                    "{} must hold the secret on one line (1 to 4096 bytes)",
                    self.client_secret_file.display()
                ),
            ));
        }
        let redirect = check_url(&self.redirect_url).map_err(|p| bad("redirect_url", p))?;
        if redirect.path() != CALLBACK_PATH || redirect.query().is_some() {
            return Err(bad(
                "redirect_url",
                format!(
                    "`{}` must be this portal's address with the path {CALLBACK_PATH} and no query",
                    self.redirect_url
                ),
            ));
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err(bad("scopes", "must include \"openid\"".into()));
        }
        for scope in &self.scopes {
            let ok = !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
            if !ok {
                return Err(bad(
                    "scopes",
                    format!(
                        "`{scope}` is not a scope token (visible ASCII, no quote or backslash)"
                    ),
                ));
            }
        }
        let display_name = self.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 80 {
            return Err(bad("display_name", "must be 1 to 80 characters".into()));
        }
        if !(1..=60).contains(&self.timeout_seconds) {
            return Err(bad("timeout_seconds", "must be between 1 and 60".into()));
        }
        Ok(OidcSettings {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: secret.to_string(),
            redirect_url: self.redirect_url.clone(),
            scopes: self.scopes.clone(),
            display_name: display_name.to_string(),
            timeout: Duration::from_secs(self.timeout_seconds),
        })
    }
}
