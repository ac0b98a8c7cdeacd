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
}

impl HubError {
    pub fn is_retryable(&self) -> bool {
        match self {
            HubError::Engine(e) => e.is_retryable(),
            HubError::Storage(e) => e.is_retryable(),
            _ => false,
        }
    }
}
