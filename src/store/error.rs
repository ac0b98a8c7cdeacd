//! Storage failures. They are never the partner's fault: `HubError::code`
//! answers them as INTERNAL, which a caller may retry (nothing half-written
//! stays behind).

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the data directory {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sled::Error,
    },
    #[error("storage failed while {action}: {source}")]
    Io {
        action: &'static str,
        #[source]
        source: sled::Error,
    },
    #[error("stored record {key} is unreadable: {reason}")]
    Corrupt { key: String, reason: String },
}

impl StoreError {
    pub(super) fn io(action: &'static str, source: sled::Error) -> Self {
        StoreError::Io { action, source }
    }
}
