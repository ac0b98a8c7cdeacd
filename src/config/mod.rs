//! Configuration: one TOML file, read strictly and checked once.
//!
//! Reading (`HubConfig::read`) checks syntax, types and unknown keys: a typo
//! must not silently fall back to a default. Checking (`HubConfig::check`)
//! checks every value of every section, builds the partner registry and
//! splits each partner's adapter table, once, into a `LoadedConfig` — what
//! the hub starts from. Every duration and size carries its unit in its
//! name, and every error names the file and the full key path
//! (`partners[3].adapter.secret_file`). `HubConfig::embedded_default` is
//! what `lienthong serve` runs with no file at all.

mod adapters;
mod admin;
mod calendar;
mod error;
mod file;
mod limits;
mod loaded;
mod notifications;
mod partners;
mod sections;
mod site;
mod tls;
mod web;

pub use adapters::AdapterConfig;
pub use admin::AdminSection;
pub use error::ConfigError;
pub use file::{
    AmqpSection, AuditSection, ClientCertificateSection, DeliverySection, HubConfig, HubSection,
    LogFormat, LogSection, PartnerSection, RetentionSection, SubscriptionSection,
};
pub use limits::{LimitOverride, LimitsSection};
pub use loaded::LoadedConfig;
pub use site::{PeerSection, SiteSection};
pub use tls::{TlsSection, TlsSettings};
pub use web::{OfficerSection, OidcSection, WebSection};

use lienthong_adapter::AdapterKind;
use std::path::Path;

impl HubConfig {
    /// Reads a configuration file and checks it whole.
    pub fn load(path: &Path, kinds: &[Box<dyn AdapterKind>]) -> Result<LoadedConfig, ConfigError> {
        HubConfig::read(path)?.check(&path.display().to_string(), kinds)
    }

    /// Parses configuration text and checks it whole; `file` names it in errors.
    pub fn parse(
        file: &str,
        text: &str,
        kinds: &[Box<dyn AdapterKind>],
    ) -> Result<LoadedConfig, ConfigError> {
        HubConfig::from_toml(file, text)?.check(file, kinds)
    }

    /// Reads a configuration file's sections, to change before `check`
    /// (command-line overrides): syntax, types and unknown keys are checked,
    /// values not yet.
    pub fn read(path: &Path) -> Result<HubConfig, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        HubConfig::from_toml(&file, &text)
    }

    /// Configuration text's sections, unchecked values (see `read`).
    pub fn from_toml(file: &str, text: &str) -> Result<HubConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: file.to_string(),
            reason: e.to_string(),
        })
    }
}

/// The development configuration compiled into the binary: what `lienthong
/// serve` runs with when no `--config` is given. It is the file
/// `config/lienthong.dev.toml`, so what is documented is what runs.
pub const EMBEDDED_DEFAULT: &str = include_str!("../../config/lienthong.dev.toml");

/// How errors in the embedded default name it.
pub const EMBEDDED_NAME: &str = "config/lienthong.dev.toml (embedded)";

impl HubConfig {
    /// The embedded development configuration's sections, to change or to
    /// `check` (a test checks that it passes).
    pub fn embedded_default() -> HubConfig {
        HubConfig::from_toml(EMBEDDED_NAME, EMBEDDED_DEFAULT)
            .expect("the embedded development configuration parses (checked by a test)")
    }
}
