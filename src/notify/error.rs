//! What can go wrong setting up or running the notification channels.
//! Configuration errors name the full key path; none of them carries an
//! applicant's address or a message text.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    #[error("key `{key}`: {problem}")]
    Config { key: String, problem: String },
    #[error("cannot set up the {channel} channel: {reason}")]
    Setup {
        channel: &'static str,
        reason: String,
    },
}

impl NotifyError {
    pub fn config(key: impl Into<String>, problem: impl Into<String>) -> NotifyError {
        NotifyError::Config {
            key: key.into(),
            problem: problem.into(),
        }
    }
}
