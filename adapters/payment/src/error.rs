//! The one error enum of the payment adapter, and how each error becomes a
//! delivery outcome for the hub (retry later, or park the event).

use lienthong_adapter::http::CallError;
use lienthong_adapter::DeliveryError;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// A call to the gateway gave no usable answer.
    #[error("gateway: {0}")]
    Call(#[from] CallError),
    /// The gateway answered with a `MaLoi` other than `00`.
    #[error("{operation}: gateway refused: MaLoi {code}: {message}")]
    Gateway {
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The event cannot become a payment (no dossier, nothing to collect).
    #[error("{0}")]
    Event(String),
    /// A simulator operation was asked of a payment that cannot do it.
    #[error("simulator: {0}")]
    Simulator(String),
    /// The former state file (`state_file`) could not be read for import.
    #[error("state file {path}: {problem}")]
    State { path: String, problem: String },
    /// The ledger could not be kept in the hub's store.
    #[error("payment ledger not stored: {0}")]
    Store(#[from] lienthong_adapter::StateError),
}

impl PaymentError {
    /// Whether trying again later can help.
    pub fn is_retryable(&self) -> bool {
        match self {
            PaymentError::Call(e) => e.is_retryable(),
            PaymentError::State { .. } => true,
            PaymentError::Store(e) => e.is_retryable(),
            PaymentError::Gateway { code, .. } => code == crate::protocol::CODE_SYSTEM,
            PaymentError::Event(_) | PaymentError::Simulator(_) => false,
        }
    }
}

impl From<PaymentError> for DeliveryError {
    fn from(error: PaymentError) -> Self {
        DeliveryError::retry_if(error.is_retryable(), error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let gw = |code: &str| PaymentError::Gateway {
            operation: "INIT",
            code: code.into(),
            message: String::new(),
        };
        assert!(gw("99").is_retryable());
        assert!(!gw("03").is_retryable());
        let call = |status| {
            PaymentError::from(CallError::Http {
                operation: "INIT",
                status,
                body: String::new(),
            })
        };
        assert!(call(503).is_retryable());
        let d: DeliveryError = call(400).into();
        assert!(!d.is_retryable());
        assert!(d.reason().starts_with("gateway: INIT: HTTP 400"), "{d}");
    }
}
