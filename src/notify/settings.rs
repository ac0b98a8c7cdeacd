//! The `[notifications]` section, read strictly: unknown keys are refused,
//! every error names its full key path, and the secrets (SMTP credentials,
//! SMS gateway secret) are read from files of their own.
//!
//! ```toml
//! [notifications]
//! max_attempts = 10                    # then the notification is parked
//! initial_backoff_milliseconds = 1000  # doubled after each failure...
//! max_backoff_seconds = 600            # ...up to this
//! concurrency = 4                      # messages in flight per channel
//!
//! [notifications.email]                # leave out: no e-mail is sent
//! smtp_host = "smtp.example.gov.vn"
//! smtp_port = 587                      # default: 25, 587 or 465 by `tls`
//! tls = "starttls"                     # "starttls", "tls" (implicit) or "none"
//! credentials_file = "/etc/lienthong/smtp.credentials"  # user, then password, one a line
//! from = "Bộ phận một cửa <motcua@example.gov.vn>"
//! timeout_seconds = 30
//!
//! [notifications.sms]                  # leave out: no SMS is sent
//! endpoint = "https://sms-gateway.example.vn/api"
//! account = "ubnd-tinh"
//! secret_file = "/etc/lienthong/sms.secret"
//! brand_name = "UBND TINH"
//!
//! [notifications.templates.received]  # any text of config/notification-templates.vi.toml
//! sms = "Hồ sơ {ma_ho_so} đã được tiếp nhận, hẹn trả {ngay_hen_tra}."
//! ```

use super::template::Templates;
use super::NotifyError;
use crate::adapters::sms_gateway;
use lettre::message::Mailbox;
use lienthong_adapter::AdapterSettings;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default = "default_attempts")]
    max_attempts: u32,
    #[serde(default = "default_backoff_ms")]
    initial_backoff_milliseconds: u64,
    #[serde(default = "default_max_backoff")]
    max_backoff_seconds: u64,
    #[serde(default = "default_concurrency")]
    concurrency: usize,
    #[serde(default)]
    email: Option<RawEmail>,
    #[serde(default)]
    sms: Option<toml::Table>,
    #[serde(default)]
    templates: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmail {
    smtp_host: String,
    #[serde(default)]
    smtp_port: Option<u16>,
    tls: TlsMode,
    #[serde(default)]
    credentials_file: Option<PathBuf>,
    from: String,
    #[serde(default = "default_smtp_timeout")]
    timeout_seconds: u64,
}

fn default_attempts() -> u32 {
    10
}
fn default_backoff_ms() -> u64 {
    1000
}
fn default_max_backoff() -> u64 {
    600
}
fn default_concurrency() -> usize {
    4
}
fn default_smtp_timeout() -> u64 {
    30
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text: only for a relay on the same host or a test sink.
    None,
    /// Plain connection upgraded with STARTTLS, which is required.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

/// How notifications are retried, per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySettings {
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub concurrency: usize,
}

#[derive(Clone)]
pub struct EmailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub tls: TlsMode,
    /// User name and password, read from `credentials_file`.
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
    pub timeout: Duration,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("tls", &self.tls)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "(hidden)"),
            )
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The checked `[notifications]` section.
#[derive(Clone, Debug)]
pub struct NotificationSettings {
    pub retry: RetrySettings,
    pub email: Option<EmailSettings>,
    pub sms: Option<sms_gateway::Settings>,
    pub templates: Templates,
}

const KEY: &str = "notifications";

impl NotificationSettings {
    /// Reads and checks the `[notifications]` table.
    pub fn from_table(table: &toml::Table) -> Result<NotificationSettings, NotifyError> {
        let raw = Raw::deserialize(toml::Value::Table(table.clone()))
            .map_err(|e| NotifyError::config(KEY, e.message().to_string()))?;
        if raw.max_attempts == 0 {
            return Err(NotifyError::config(
                "notifications.max_attempts",
                "must be at least 1",
            ));
        }
        if raw.concurrency == 0 {
            return Err(NotifyError::config(
                "notifications.concurrency",
                "must be at least 1",
            ));
        }
        let initial_backoff = Duration::from_millis(raw.initial_backoff_milliseconds);
        let max_backoff = Duration::from_secs(raw.max_backoff_seconds);
        if max_backoff < initial_backoff {
            return Err(NotifyError::config(
                "notifications.max_backoff_seconds",
                "must not be shorter than initial_backoff_milliseconds",
            ));
        }
        let email = raw.email.map(email).transpose()?;
        let sms = raw
            .sms
            .map(|table| {
                <sms_gateway::Settings as AdapterSettings>::from_table(&table).map_err(|e| {
                    let key = if e.key == "adapter" {
                        "notifications.sms".to_string()
                    } else {
                        format!("notifications.sms.{}", e.key)
                    };
                    NotifyError::config(key, e.problem)
                })
            })
            .transpose()?;
        Ok(NotificationSettings {
            retry: RetrySettings {
                max_attempts: raw.max_attempts,
                initial_backoff,
                max_backoff,
                concurrency: raw.concurrency,
            },
            email,
            sms,
            templates: Templates::load(&raw.templates)?,
        })
    }
}

fn email(raw: RawEmail) -> Result<EmailSettings, NotifyError> {
    let key = |k: &str| format!("notifications.email.{k}");
    if raw.smtp_host.trim().is_empty() || raw.smtp_host.contains(['/', ' ']) {
        return Err(NotifyError::config(
            key("smtp_host"),
            "a host name or address, without scheme or port",
        ));
    }
    let from: Mailbox = raw.from.parse().map_err(|e| {
        NotifyError::config(
            key("from"),
            format!("not a mailbox such as `Name <user@example.gov.vn>`: {e}"),
        )
    })?;
    if raw.timeout_seconds == 0 {
        return Err(NotifyError::config(
            key("timeout_seconds"),
            "must be at least 1",
        ));
    }
    let credentials = raw
        .credentials_file
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                NotifyError::config(
                    key("credentials_file"),
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let mut lines = text.lines();
            match (lines.next(), lines.next()) {
                (Some(user), Some(password)) if !user.trim().is_empty() && !password.is_empty() => {
                    Ok((user.trim().to_string(), password.to_string()))
                }
                _ => Err(NotifyError::config(
                    key("credentials_file"),
                    format!(
                        "{} must hold the user name, then the password, one a line",
                        path.display()
                    ),
                )),
            }
        })
        .transpose()?;
    let smtp_port = raw.smtp_port.unwrap_or(match raw.tls {
        TlsMode::None => 25,
        TlsMode::Starttls => 587,
        TlsMode::Tls => 465,
    });
    if smtp_port == 0 {
        return Err(NotifyError::config(key("smtp_port"), "must not be 0"));
    }
    Ok(EmailSettings {
        smtp_host: raw.smtp_host,
        smtp_port,
        tls: raw.tls,
        credentials,
        from,
        timeout: Duration::from_secs(raw.timeout_seconds),
    })
}
