//! Why the hub refused a request, as one transport-neutral code.
//!
//! The hub answers over gRPC, over AMQP (`ErrorReply.code`, as text) and to
//! in-process adapters (`HubCallError`); all three carry the same canonical
//! gRPC code names (`ALREADY_EXISTS`), so a partner can switch transport and
//! keep its error handling. This enum is those names, in the contract crate
//! so that the hub and the adapter interface share it without either
//! depending on the other, and it holds the one rule for what is worth
//! retrying.

use std::fmt;

/// A canonical gRPC status code, limited to the ones the hub answers with.
///
/// | code                  | the hub answers it when                             |
/// |-----------------------|-----------------------------------------------------|
/// | `INVALID_ARGUMENT`    | a field is invalid, an idempotency key was reused   |
/// | `FAILED_PRECONDITION` | the transition table has no such move               |
/// | `ABORTED`             | the expected version differs                        |
/// | `UNAUTHENTICATED`     | the token is missing or unknown                     |
/// | `PERMISSION_DENIED`   | the command, agency or subscription is not allowed  |
/// | `NOT_FOUND`           | the dossier or record does not exist                |
/// | `ALREADY_EXISTS`      | the MaHoSo is taken                                 |
/// | `RESOURCE_EXHAUSTED`  | the day's MaHoSo numbering is spent                 |
/// | `OUT_OF_RANGE`        | a replay starts before what retention kept          |
/// | `UNAVAILABLE`         | stopping, commit not durable, broker unreachable    |
/// | `INTERNAL`            | storage failed                                      |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidArgument,
    FailedPrecondition,
    Aborted,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    AlreadyExists,
    ResourceExhausted,
    OutOfRange,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// Every code, for tables and tests.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::InvalidArgument,
        ErrorCode::FailedPrecondition,
        ErrorCode::Aborted,
        ErrorCode::Unauthenticated,
        ErrorCode::PermissionDenied,
        ErrorCode::NotFound,
        ErrorCode::AlreadyExists,
        ErrorCode::ResourceExhausted,
        ErrorCode::OutOfRange,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The canonical name, exactly as it travels on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::FailedPrecondition => "FAILED_PRECONDITION",
            ErrorCode::Aborted => "ABORTED",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::AlreadyExists => "ALREADY_EXISTS",
            ErrorCode::ResourceExhausted => "RESOURCE_EXHAUSTED",
            ErrorCode::OutOfRange => "OUT_OF_RANGE",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// The code of a canonical name; `None` for a name the hub never sends.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether sending the same request again later, unchanged, may succeed.
    ///
    /// Only `UNAVAILABLE` and `INTERNAL`: the hub could not decide now (it was
    /// stopping, could not make the change durable, could not reach the
    /// broker, or its storage failed). A failed command leaves nothing
    /// behind and every command carries an idempotency key, so sending it
    /// again is safe and succeeds once the cause has passed. Every other
    /// code is a decision about the request itself — its fields, its
    /// rights, the dossier's status or version, a MaHoSo already taken, the
    /// day's numbering spent — which the same request meets again: it needs
    /// a changed request (or, for `RESOURCE_EXHAUSTED`, another day), not a
    /// retry with backoff.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorCode::Unavailable | ErrorCode::Internal)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_name_round_trips() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.name()), Some(code), "{code:?}");
            assert_eq!(code.to_string(), code.name());
        }
    }

    #[test]
    fn names_are_distinct_canonical_and_upper_case() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_uppercase() || c == '_')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn unknown_or_differently_spelled_names_are_none() {
        for name in [
            "",
            "OK",
            "already_exists",
            "AlreadyExists",
            "UNKNOWN",
            " INTERNAL",
        ] {
            assert_eq!(ErrorCode::from_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn only_unavailable_and_internal_are_retryable() {
        let retryable: Vec<ErrorCode> = ErrorCode::ALL
            .into_iter()
            .filter(|c| c.is_retryable())
            .collect();
        assert_eq!(retryable, [ErrorCode::Unavailable, ErrorCode::Internal]);
    }
}
