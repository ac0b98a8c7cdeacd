//! The one error enum of the payment adapter, and how each error becomes a
//! delivery outcome for the hub (retry later, or park the event).

use lienthong_adapter::{classify_http_status, DeliveryError};

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The gateway could not be reached or did not answer in time.
    #[error("{operation}: gateway unreachable: {reason}")]
    Transport {
        operation: &'static str,
        reason: String,
    },
    /// The gateway answered with an HTTP error status.
    #[error("{operation}: HTTP {status}: {body}")]
    Http {
        operation: &'static str,
        status: u16,
        body: String,
    },
    /// The gateway's answer is not the JSON the protocol describes.
    #[error("{operation}: unreadable answer: {problem}")]
    BadReply {
        operation: &'static str,
        problem: String,
    },
    /// The gateway's answer carries a `MaXacThuc` that does not verify.
    #[error("{operation}: the answer's MaXacThuc does not verify (check `secret`)")]
    BadSignature { operation: &'static str },
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
    /// The adapter's state file could not be written.
    #[error("state file {path}: {problem}")]
    State { path: String, problem: String },
}

impl PaymentError {
    /// Whether trying again later can help.
    pub fn is_retryable(&self) -> bool {
        match self {
            PaymentError::Transport { .. }
            | PaymentError::BadReply { .. }
            | PaymentError::State { .. } => true,
            PaymentError::Http { status, body, .. } => classify_http_status(*status, body)
                .err()
                .is_some_and(|e| e.is_retryable()),
            PaymentError::Gateway { code, .. } => code == crate::protocol::CODE_SYSTEM,
            PaymentError::BadSignature { .. }
            | PaymentError::Event(_)
            | PaymentError::Simulator(_) => false,
        }
    }
}

impl From<PaymentError> for DeliveryError {
    fn from(error: PaymentError) -> Self {
        if error.is_retryable() {
            DeliveryError::retry(error.to_string())
        } else {
            DeliveryError::reject(error.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let http = |status| PaymentError::Http {
            operation: "INIT",
            status,
            body: String::new(),
        };
        assert!(http(500).is_retryable());
        assert!(http(429).is_retryable());
        assert!(!http(400).is_retryable());
        let gw = |code: &str| PaymentError::Gateway {
            operation: "INIT",
            code: code.into(),
            message: String::new(),
        };
        assert!(gw("99").is_retryable());
        assert!(!gw("03").is_retryable());
        assert!(!PaymentError::BadSignature { operation: "INIT" }.is_retryable());
        let d: DeliveryError = PaymentError::Transport {
            operation: "INIT",
            reason: "timeout".into(),
        }
        .into();
        assert!(d.is_retryable());
    }
}
