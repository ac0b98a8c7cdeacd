//! The one error enum of the treasury adapter, and how each error becomes a
//! delivery outcome for the hub (retry later, or park the event).

use lienthong_adapter::http::CallError;
use lienthong_adapter::DeliveryError;
use lienthong_reconcile::files::FileError;

#[derive(Debug, thiserror::Error)]
pub enum TreasuryError {
    /// A call to the treasury or the gateway gave no usable answer.
    #[error(transparent)]
    Call(#[from] CallError),
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
    #[error(transparent)]
    Csv(#[from] FileError),
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
            TreasuryError::Call(e) => e.is_retryable(),
            TreasuryError::Refused { code, .. } => code == crate::protocol::CODE_SYSTEM,
            TreasuryError::Report { .. } => true,
            TreasuryError::Event(_)
            | TreasuryError::Csv(_)
            | TreasuryError::Date(_)
            | TreasuryError::Simulator(_) => false,
        }
    }
}

impl From<TreasuryError> for DeliveryError {
    fn from(error: TreasuryError) -> Self {
        DeliveryError::retry_if(error.is_retryable(), error.to_string())
    }
}
