//! Configuration errors, each naming the file and the key.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {reason}")]
    Read { file: String, reason: String },
    /// TOML syntax, a wrong type, or an unknown key (toml names the key and line).
    #[error("{file}: {reason}")]
    Syntax { file: String, reason: String },
    #[error("{file}: key `{key}`: {problem}")]
    Invalid {
        file: String,
        key: String,
        problem: String,
    },
}

impl ConfigError {
    pub(super) fn invalid(file: &str, key: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError::Invalid {
            file: file.to_string(),
            key: key.into(),
            problem: problem.into(),
        }
    }
}
