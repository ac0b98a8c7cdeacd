//! Why the engine refused or failed a command.

use crate::domain::{quoted, DomainError};
use crate::partners::AccessError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("dossier {reference} not found")]
    DossierNotFound { reference: String },
    #[error("{what} already exists")]
    AlreadyExists { what: String },
    #[error("expected version {expected} but {what} is at version {actual}")]
    VersionConflict {
        what: String,
        expected: u64,
        actual: u64,
    },
    #[error("idempotency_key {} was already used for a different request", quoted(.key))]
    IdempotencyKeyReused { key: String },
    #[error("dossier {ma_ho_so} is in status {} ({}); only a dossier whose result was returned is rated", .status.code(), .status.vietnamese())]
    NotRatable {
        ma_ho_so: String,
        status: crate::domain::Status,
    },
    /// A command on a dossier another site's hub decides about now (it was
    /// handed over there): only that site may change it.
    #[error("dossier {ma_ho_so} is decided by site {site} now (it was handed over there); send commands to that site's hub")]
    NotAuthoritative { ma_ho_so: String, site: String },
    /// A transfer from another site that this hub does not take.
    #[error(transparent)]
    SiteRefused(#[from] crate::domain::site::SiteRefusal),
    #[error("{what} is exhausted: {detail}")]
    Exhausted { what: String, detail: String },
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// The group this command belonged to could not be written or made
    /// durable. Whether it was stored is unknown: send the same request again
    /// with the same idempotency key, which is always safe.
    #[error(
        "the change could not be made durable ({reason}); retry with the same idempotency_key"
    )]
    CommitFailed { reason: String },
    #[error("the hub is shutting down")]
    ShuttingDown,
}
