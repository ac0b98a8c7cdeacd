//! Storage failures. They are never the partner's fault: `HubError::code`
//! answers them as INTERNAL, which a caller may retry (nothing half-written
//! stays behind), and `Unavailable` (an I/O failure of the disk — a full
//! disk — and writes refused while the store recovers from it) as
//! UNAVAILABLE.

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
    #[error("data directory {path}: {problem}")]
    DataDir { path: String, problem: String },
    /// The store cannot serve this call for now: writes are refused until
    /// it has recovered from a failed write (a full disk; reads go on), and
    /// every call is refused once it waited its bound for a planned reopen
    /// of the data directory. Retrying later is right.
    #[error("storage is unavailable for now ({reason}); retry later")]
    Unavailable { reason: String },
    /// An online compaction gave up; the live store is as it was.
    #[error("online compaction gave up: {reason}")]
    CompactionAbandoned { reason: String },
}

impl StoreError {
    /// True when the failure is temporary and says so (see `Unavailable`).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }

    pub(super) fn io(action: &'static str, source: sled::Error) -> Self {
        StoreError::Io { action, source }
    }
}
