//! Configuration: one TOML file, read strictly.
//!
//! Unknown keys are errors (a typo must not silently fall back to a default),
//! every duration and size carries its unit in its name, and every error
//! names the file, the key and what is wrong. `HubConfig::embedded_default`
//! is what `lienthong serve` runs with no file at all.

mod error;
mod file;
mod partners;

pub use error::ConfigError;
pub use file::{
    AmqpSection, DeliverySection, HubConfig, HubSection, LogFormat, LogSection, PartnerSection,
    RetentionSection, SubscriptionSection,
};

use std::path::Path;

impl HubConfig {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<HubConfig, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        HubConfig::parse(&file, &text)
    }

    /// Parses and validates configuration text; `file` is used in errors.
    pub fn parse(file: &str, text: &str) -> Result<HubConfig, ConfigError> {
        let config: HubConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
        config.validate(file)?;
        Ok(config)
    }
}

/// The development configuration compiled into the binary: what `lienthong
/// serve` runs with when no `--config` is given. It is the file
/// `config/lienthong.dev.toml`, so what is documented is what runs.
pub const EMBEDDED_DEFAULT: &str = include_str!("../../config/lienthong.dev.toml");

impl HubConfig {
    pub fn embedded_default() -> HubConfig {
        HubConfig::parse("config/lienthong.dev.toml (embedded)", EMBEDDED_DEFAULT)
            .expect("the embedded development configuration is valid (checked by a test)")
    }
}
