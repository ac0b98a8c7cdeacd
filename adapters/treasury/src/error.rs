//! The one error enum of the treasury adapter, and how each error becomes a
//! delivery outcome for the hub (retry later, or park the event).

use lienthong_adapter::{classify_http_status, DeliveryError};

#[derive(Debug, thiserror::Error)]
pub enum TreasuryError {
    /// A partner could not be reached or did not answer in time.
    #[error("{operation}: unreachable: {reason}")]
    Transport {
        operation: &'static str,
        reason: String,
    },
    /// A partner answered with an HTTP error status.
    #[error("{operation}: HTTP {status}: {body}")]
    Http {
        operation: &'static str,
        status: u16,
        body: String,
    },
    /// A partner's answer is not what the protocol describes.
    #[error("{operation}: unreadable answer: {problem}")]
    BadReply {
        operation: &'static str,
        problem: String,
    },
    /// The treasury's answer carries a `MaXacThuc` that does not verify.
    #[error("{operation}: the answer's MaXacThuc does not verify (check `secret`)")]
    BadSignature { operation: &'static str },
    /// The treasury answered with a `MaLoi` it does not retry.
    #[error("{operation}: treasury refused: MaLoi {code}: {message}")]
    Refused {
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The event cannot become a credit notice.
    #[error("{0}")]
    Event(String),
    /// A reconciliation file is malformed.
    #[error("{file}, line {line}: {problem}")]
    Csv {
        file: &'static str,
        line: u64,
        problem: String,
    },
    /// The reconciliation report could not be written.
    #[error("report {path}: {problem}")]
    Report { path: String, problem: String },
    /// A reconciliation was asked for a day that is not `yyyyMMdd`.
    #[error("date `{0}` is not yyyyMMdd")]
    Date(String),
    /// A simulator operation that cannot be done.
    #[error("simulator: {0}")]
    Simulator(String),
}

impl TreasuryError {
    /// Whether trying again later can help.
    pub fn is_retryable(&self) -> bool {
        match self {
            TreasuryError::Transport { .. } | TreasuryError::BadReply { .. } => true,
            TreasuryError::Http { status, body, .. } => classify_http_status(*status, body)
                .err()
                .is_some_and(|e| e.is_retryable()),
            TreasuryError::Refused { code, .. } => code == crate::protocol::CODE_SYSTEM,
            TreasuryError::Report { .. } => true,
            TreasuryError::BadSignature { .. }
            | TreasuryError::Event(_)
            | TreasuryError::Csv { .. }
            | TreasuryError::Date(_)
            | TreasuryError::Simulator(_) => false,
        }
    }
}

impl From<TreasuryError> for DeliveryError {
    fn from(error: TreasuryError) -> Self {
        if error.is_retryable() {
            DeliveryError::retry(error.to_string())
        } else {
            DeliveryError::reject(error.to_string())
        }
    }
}
