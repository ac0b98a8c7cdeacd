//! The one place where a hub error becomes a gRPC status.
//!
//! `HubError::code` decides the code (its table is on `ErrorCode`); this
//! file only names each code's `tonic::Code`, which has the same canonical
//! name, and keeps the error's message.

use crate::hub::HubError;
use lienthong_proto::ErrorCode;
use tonic::{Code, Status};

pub fn to_status(error: &HubError) -> Status {
    let code = error.code();
    if code == ErrorCode::Internal {
        tracing::error!(error = %error, "internal error answered to a partner");
    }
    Status::new(tonic_code(code), error.to_string())
}

/// A refused command of a command stream, as the status the unary call
/// would have failed with: same code, same message.
pub fn command_error(error: &HubError) -> super::pb::CommandError {
    let status = to_status(error);
    super::pb::CommandError {
        code: status.code() as i32,
        message: status.message().to_string(),
    }
}

fn tonic_code(code: ErrorCode) -> Code {
    match code {
        ErrorCode::InvalidArgument => Code::InvalidArgument,
        ErrorCode::FailedPrecondition => Code::FailedPrecondition,
        ErrorCode::Aborted => Code::Aborted,
        ErrorCode::Unauthenticated => Code::Unauthenticated,
        ErrorCode::PermissionDenied => Code::PermissionDenied,
        ErrorCode::NotFound => Code::NotFound,
        ErrorCode::AlreadyExists => Code::AlreadyExists,
        ErrorCode::ResourceExhausted => Code::ResourceExhausted,
        ErrorCode::OutOfRange => Code::OutOfRange,
        ErrorCode::Unavailable => Code::Unavailable,
        ErrorCode::Internal => Code::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tonic's own spelling of a code (`AlreadyExists`) in canonical form.
    fn canonical(code: Code) -> String {
        let mut name = String::new();
        for (i, c) in format!("{code:?}").chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        name
    }

    #[test]
    fn each_code_becomes_the_tonic_code_of_the_same_name() {
        for code in ErrorCode::ALL {
            assert_eq!(canonical(tonic_code(code)), code.name());
        }
    }

    #[test]
    fn a_streamed_refusal_is_the_unary_status() {
        let error = HubError::NotFound {
            what: "dossier id 7".into(),
        };
        let streamed = command_error(&error);
        assert_eq!(streamed.code, Code::NotFound as i32);
        assert_eq!(streamed.message, to_status(&error).message());
    }

    #[test]
    fn a_status_keeps_the_message() {
        let error = HubError::NotFound {
            what: "dossier id 7".into(),
        };
        let status = to_status(&error);
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "dossier id 7 not found");
    }
}
