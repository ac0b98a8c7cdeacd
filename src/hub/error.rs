//! Every way a request to the hub can fail, whatever transport carried it.
//! Transports convert this enum to their own error form in one place each
//! (`grpc::status`).

use crate::domain::DomainError;
use crate::engine::EngineError;
use crate::partners::AccessError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Storage(#[from] StoreError),
    #[error("{what} not found")]
    NotFound { what: String },
    /// A subscriber asked to replay events that retention already removed.
    #[error("events after seq {after_seq} are no longer retained (oldest kept: {oldest})")]
    NoLongerRetained { after_seq: u64, oldest: u64 },
    /// A service the request needs (the broker) cannot be reached now.
    #[error("{what} is unavailable: {reason}")]
    Unavailable { what: String, reason: String },
}

/// What a transport that can hold a message (AMQP) does with a request the
/// hub did not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// The hub could not decide now (stopping, storage); deliver it again.
    Retry,
    /// A valid request the current state refuses (illegal transition,
    /// version conflict, not found): answer and drop.
    Refuse,
    /// The request itself is wrong (malformed, invalid, unauthorised): answer
    /// and park it, visible to operators, until its cause is fixed.
    Park,
}

impl HubError {
    pub fn disposition(&self) -> Disposition {
        use crate::engine::EngineError as E;
        match self {
            HubError::Domain(DomainError::InvalidField { .. })
            | HubError::Engine(E::Domain(DomainError::InvalidField { .. }))
            | HubError::Access(_)
            | HubError::Engine(E::Access(_))
            | HubError::Engine(E::IdempotencyKeyReused { .. }) => Disposition::Park,
            HubError::Engine(E::VersionConflict { .. }) => Disposition::Refuse,
            e if e.is_retryable() => Disposition::Retry,
            _ => Disposition::Refuse,
        }
    }

    pub fn is_retryable(&self) -> bool {
        match self {
            HubError::Engine(e) => e.is_retryable(),
            HubError::Storage(e) => e.is_retryable(),
            HubError::Unavailable { .. } => true,
            _ => false,
        }
    }
}
