//! Every way a request to the hub can fail, whatever transport carried it.
//!
//! `HubError::code` is the one mapping from a failure to its transport-neutral
//! [`ErrorCode`]; transports turn that code into their own form in one place
//! each (`grpc::status` for gRPC, the code's name for AMQP replies and
//! in-process adapters), and `disposition` derives from it too, so a failure
//! answers the same everywhere.

use crate::domain::working_time::WorkingTimeError;
use crate::domain::DomainError;
use crate::engine::EngineError;
use crate::limits::LimitError;
use crate::partners::AccessError;
use crate::store::StoreError;
use lienthong_proto::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// What only the engine decides (state, versions, idempotency, commits).
    /// Never holds a domain, access or storage error: `From<EngineError>`
    /// lifts those to the variants below, so each failure has one route.
    #[error(transparent)]
    Engine(EngineError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// The partner is over its rate or concurrency limit (`[limits]`).
    #[error(transparent)]
    Limited(#[from] LimitError),
    #[error("{what} not found")]
    NotFound { what: String },
    /// A subscriber asked to replay events that retention already removed.
    #[error("events after seq {after_seq} are no longer retained (oldest kept: {oldest})")]
    NoLongerRetained { after_seq: u64, oldest: u64 },
    /// A service the request needs (the broker) cannot be reached now.
    #[error("{what} is unavailable: {reason}")]
    Unavailable { what: String, reason: String },
    /// A request holding more records than the hub takes in one call.
    #[error("invalid fields {fields}: at most {limit} records in all")]
    TooLarge { fields: String, limit: usize },
    /// A date could not be counted (a year the holiday calendar lacks).
    #[error(transparent)]
    WorkingTime(#[from] WorkingTimeError),
    /// The procedures catalogue gives no time limit for this channel.
    #[error("procedure `{procedure}` has no time limit for the {channel} channel in the procedures catalogue: set `time_limit` or `time_limit.{channel}`")]
    NoTimeLimit {
        procedure: String,
        channel: &'static str,
    },
    /// A checkpoint or receipt was asked of a hub that has no signing key.
    #[error("the hub signs no audit checkpoints: no signing key is configured ([audit] signing_key_file)")]
    NotSigning,
    /// Work the hub ran for a request ended without an answer (it panicked).
    #[error("{what} failed: {reason}")]
    TaskFailed { what: String, reason: String },
}

impl From<EngineError> for HubError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::Domain(e) => HubError::Domain(e),
            EngineError::Access(e) => HubError::Access(e),
            EngineError::Storage(e) => HubError::Storage(e),
            // One answer for a dossier not found (or not the partner's),
            // whether a read or a command asked.
            EngineError::DossierNotFound { reference } => HubError::NotFound {
                what: format!("dossier {reference}"),
            },
            other => HubError::Engine(other),
        }
    }
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
    /// The transport-neutral code of this failure (table in `ErrorCode`).
    pub fn code(&self) -> ErrorCode {
        match self {
            HubError::Engine(e) => engine_code(e),
            HubError::Access(e) => access_code(e),
            HubError::Domain(e) => domain_code(e),
            HubError::Storage(e) if e.is_unavailable() => ErrorCode::Unavailable,
            HubError::Storage(_) | HubError::TaskFailed { .. } => ErrorCode::Internal,
            HubError::NotFound { .. } => ErrorCode::NotFound,
            HubError::Limited(_) => ErrorCode::ResourceExhausted,
            HubError::NoLongerRetained { .. } => ErrorCode::OutOfRange,
            HubError::Unavailable { .. } => ErrorCode::Unavailable,
            HubError::TooLarge { .. } => ErrorCode::InvalidArgument,
            HubError::WorkingTime(_) | HubError::NoTimeLimit { .. } | HubError::NotSigning => {
                ErrorCode::FailedPrecondition
            }
        }
    }

    /// Follows from the code: a wrong or unauthorised request is parked, one
    /// worth retrying (`ErrorCode::is_retryable`) is delivered again, any
    /// other is answered and dropped.
    /// A partner over its limit is the exception: its command is answered
    /// and parked with the reason (an operator may re-drive it), never
    /// requeued — that would only feed the flood back in.
    pub fn disposition(&self) -> Disposition {
        if let HubError::Limited(_) = self {
            return Disposition::Park;
        }
        match self.code() {
            ErrorCode::InvalidArgument
            | ErrorCode::Unauthenticated
            | ErrorCode::PermissionDenied => Disposition::Park,
            code if code.is_retryable() => Disposition::Retry,
            _ => Disposition::Refuse,
        }
    }
}

/// The code of a decision of the writer, as the audit log records it
/// (the writer cannot name `HubError`; the hub hands it this).
pub(crate) fn engine_outcome(error: &EngineError) -> &'static str {
    engine_code(error).name()
}

fn engine_code(error: &EngineError) -> ErrorCode {
    match error {
        // Lifted out by `From<EngineError>`; mapped alike should one be
        // built by hand.
        EngineError::Domain(e) => domain_code(e),
        EngineError::Access(e) => access_code(e),
        EngineError::Storage(e) if e.is_unavailable() => ErrorCode::Unavailable,
        EngineError::Storage(_) => ErrorCode::Internal,
        EngineError::DossierNotFound { .. } => ErrorCode::NotFound,
        EngineError::AlreadyExists { .. } => ErrorCode::AlreadyExists,
        EngineError::VersionConflict { .. } => ErrorCode::Aborted,
        EngineError::NotRatable { .. } => ErrorCode::FailedPrecondition,
        EngineError::NotAuthoritative { .. } => ErrorCode::FailedPrecondition,
        EngineError::SiteRefused(_) => ErrorCode::FailedPrecondition,
        EngineError::IdempotencyKeyReused { .. } => ErrorCode::InvalidArgument,
        EngineError::Exhausted { .. } => ErrorCode::ResourceExhausted,
        EngineError::CommitFailed { .. } | EngineError::ShuttingDown => ErrorCode::Unavailable,
    }
}

fn domain_code(error: &DomainError) -> ErrorCode {
    match error {
        DomainError::InvalidField { .. } => ErrorCode::InvalidArgument,
        DomainError::IllegalTransition { .. } => ErrorCode::FailedPrecondition,
    }
}

fn access_code(error: &AccessError) -> ErrorCode {
    match error {
        AccessError::MissingCredential
        | AccessError::UnknownCredential
        | AccessError::CredentialsDisagree
        | AccessError::CertificateRequired
        | AccessError::TokenRequired => ErrorCode::Unauthenticated,
        AccessError::CommandNotAllowed { .. }
        | AccessError::AgencyNotAllowed { .. }
        | AccessError::NoSubscription { .. } => ErrorCode::PermissionDenied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CommandName, Status};

    fn invalid() -> DomainError {
        DomainError::invalid("refuse.reason", "is required")
    }

    #[test]
    fn engine_errors_of_other_modules_take_their_own_route() {
        assert!(matches!(
            HubError::from(EngineError::Domain(invalid())),
            HubError::Domain(_)
        ));
        assert!(matches!(
            HubError::from(EngineError::Access(AccessError::UnknownCredential)),
            HubError::Access(_)
        ));
        assert!(matches!(
            HubError::from(EngineError::ShuttingDown),
            HubError::Engine(EngineError::ShuttingDown)
        ));
    }

    #[test]
    fn codes_and_dispositions() {
        let cases: Vec<(HubError, ErrorCode, Disposition)> = vec![
            (
                invalid().into(),
                ErrorCode::InvalidArgument,
                Disposition::Park,
            ),
            (
                EngineError::IdempotencyKeyReused { key: "k".into() }.into(),
                ErrorCode::InvalidArgument,
                Disposition::Park,
            ),
            (
                DomainError::IllegalTransition {
                    command: CommandName::Finish,
                    status: Status::Received,
                }
                .into(),
                ErrorCode::FailedPrecondition,
                Disposition::Refuse,
            ),
            (
                EngineError::VersionConflict {
                    what: "dossier X".into(),
                    expected: 1,
                    actual: 2,
                }
                .into(),
                ErrorCode::Aborted,
                Disposition::Refuse,
            ),
            (
                AccessError::MissingCredential.into(),
                ErrorCode::Unauthenticated,
                Disposition::Park,
            ),
            (
                AccessError::NoSubscription {
                    partner: "p".into(),
                }
                .into(),
                ErrorCode::PermissionDenied,
                Disposition::Park,
            ),
            (
                EngineError::AlreadyExists {
                    what: "dossier X".into(),
                }
                .into(),
                ErrorCode::AlreadyExists,
                Disposition::Refuse,
            ),
            (
                EngineError::Exhausted {
                    what: "numbering".into(),
                    detail: "99999 used".into(),
                }
                .into(),
                ErrorCode::ResourceExhausted,
                Disposition::Refuse,
            ),
            // issue 10 (per-partner limits): over its limit, a partner's
            // AMQP command is parked with the reason, not dropped or requeued.
            (
                LimitError::Rate {
                    partner: "p".into(),
                    requests_per_second: 1.0,
                    burst_requests: 2,
                }
                .into(),
                ErrorCode::ResourceExhausted,
                Disposition::Park,
            ),
            (
                HubError::NoLongerRetained {
                    after_seq: 1,
                    oldest: 5,
                },
                ErrorCode::OutOfRange,
                Disposition::Refuse,
            ),
            (
                EngineError::ShuttingDown.into(),
                ErrorCode::Unavailable,
                Disposition::Retry,
            ),
            // issue 10 defect 5: a store refusing writes after a full disk
            // asks for a retry, it is not an internal error.
            (
                StoreError::Unavailable {
                    reason: "flushing failed: No space left on device".into(),
                }
                .into(),
                ErrorCode::Unavailable,
                Disposition::Retry,
            ),
            (
                StoreError::Corrupt {
                    key: "d/1".into(),
                    reason: "bad json".into(),
                }
                .into(),
                ErrorCode::Internal,
                Disposition::Retry,
            ),
        ];
        for (error, code, disposition) in cases {
            assert_eq!(error.code(), code, "{error}");
            assert_eq!(error.disposition(), disposition, "{error}");
        }
    }
}
