//! The one place where a hub error becomes a gRPC status.
//!
//! | error                                   | code                |
//! |-----------------------------------------|---------------------|
//! | invalid field, reused idempotency key   | INVALID_ARGUMENT    |
//! | illegal transition                      | FAILED_PRECONDITION |
//! | expected version differs                | ABORTED             |
//! | missing or unknown token                | UNAUTHENTICATED     |
//! | command/agency/subscription not allowed | PERMISSION_DENIED   |
//! | dossier or record not found             | NOT_FOUND           |
//! | MaHoSo already exists                   | ALREADY_EXISTS      |
//! | daily numbering exhausted               | RESOURCE_EXHAUSTED  |
//! | replay beyond retention                 | OUT_OF_RANGE        |
//! | shutting down, commit failed, no broker | UNAVAILABLE         |
//! | storage failure                         | INTERNAL            |

use crate::domain::DomainError;
use crate::engine::EngineError;
use crate::hub::HubError;
use crate::partners::AccessError;
use tonic::{Code, Status};

pub fn to_status(error: &HubError) -> Status {
    let code = match error {
        HubError::Engine(e) => engine_code(e),
        HubError::Access(e) => access_code(e),
        HubError::Domain(e) => domain_code(e),
        HubError::Storage(_) => Code::Internal,
        HubError::NotFound { .. } => Code::NotFound,
        HubError::NoLongerRetained { .. } => Code::OutOfRange,
        HubError::Unavailable { .. } => Code::Unavailable,
    };
    if code == Code::Internal {
        tracing::error!(error = %error, "internal error answered to a partner");
    }
    Status::new(code, error.to_string())
}

fn engine_code(error: &EngineError) -> Code {
    match error {
        EngineError::Domain(e) => domain_code(e),
        EngineError::Access(e) => access_code(e),
        EngineError::DossierNotFound { .. } => Code::NotFound,
        EngineError::AlreadyExists { .. } => Code::AlreadyExists,
        EngineError::VersionConflict { .. } => Code::Aborted,
        EngineError::IdempotencyKeyReused { .. } => Code::InvalidArgument,
        EngineError::Exhausted { .. } => Code::ResourceExhausted,
        EngineError::Storage(_) => Code::Internal,
        EngineError::CommitFailed { .. } | EngineError::ShuttingDown => Code::Unavailable,
    }
}

fn domain_code(error: &DomainError) -> Code {
    match error {
        DomainError::InvalidField { .. } => Code::InvalidArgument,
        DomainError::IllegalTransition { .. } => Code::FailedPrecondition,
    }
}

fn access_code(error: &AccessError) -> Code {
    match error {
        AccessError::MissingCredential | AccessError::UnknownCredential => Code::Unauthenticated,
        _ => Code::PermissionDenied,
    }
}

/// The gRPC code name of an error (`FAILED_PRECONDITION`), for transports
/// that carry it as text (AMQP replies, adapters).
pub fn code_name(error: &HubError) -> String {
    let camel = format!("{:?}", to_status(error).code());
    let mut name = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}
