//! The crate's one error enum: why a legacy system's update was not applied,
//! with the HTTP status the legacy system is answered with.

use lienthong_adapter::{ErrorCode, HubCallError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegacyError {
    #[error("header `{0}` is missing: the legacy system must present its shared secret")]
    NoSecret(String),
    #[error("header `{0}` does not hold the shared secret")]
    WrongSecret(String),
    #[error("body is not a JSON object: {0}")]
    BadBody(String),
    #[error("field `{field}` (mapped by `commands.{role}`) is required")]
    Missing { field: String, role: &'static str },
    #[error("field `{field}`: legacy status {value:?} is not in the adapter's `status_map`")]
    Unmapped { field: String, value: String },
    #[error("field `{field}`: {problem}")]
    BadValue { field: String, problem: String },
    #[error("{0}")]
    NotMapped(String),
    #[error("dossier {ma_ho_so}: {problem}")]
    Unsupported { ma_ho_so: String, problem: String },
    #[error("the hub refused: {0}")]
    Hub(HubCallError),
}

impl LegacyError {
    pub fn http_status(&self) -> u16 {
        match self {
            LegacyError::NoSecret(_) => 401,
            LegacyError::WrongSecret(_) => 403,
            LegacyError::BadBody(_)
            | LegacyError::Missing { .. }
            | LegacyError::Unmapped { .. }
            | LegacyError::BadValue { .. }
            | LegacyError::NotMapped(_) => 400,
            LegacyError::Unsupported { .. } => 409,
            LegacyError::Hub(e) => match e.code {
                ErrorCode::InvalidArgument | ErrorCode::OutOfRange => 400,
                ErrorCode::Unauthenticated => 401,
                ErrorCode::PermissionDenied => 403,
                ErrorCode::NotFound => 404,
                ErrorCode::FailedPrecondition | ErrorCode::Aborted | ErrorCode::AlreadyExists => {
                    409
                }
                ErrorCode::ResourceExhausted => 429,
                code if code.is_retryable() => 503,
                _ => 502,
            },
        }
    }
}
