//! What can go wrong calling the one-stop system, and how the hub should
//! treat it: 5xx, timeouts and lost connections are retried, any other
//! refusal parks the event with the system's own words.

use lienthong_adapter::DeliveryError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum OneStopError {
    #[error("cannot reach the one-stop system for {op}: {reason}")]
    Unreachable { op: String, reason: String },
    #[error("no answer from the one-stop system to {op}: {reason}")]
    NoAnswer { op: String, reason: String },
    #[error("the one-stop system answered {op} with HTTP {status}: {body}")]
    Http {
        op: String,
        status: u16,
        body: String,
    },
}

impl OneStopError {
    pub fn status(&self) -> Option<u16> {
        match self {
            OneStopError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn delivery(&self) -> DeliveryError {
        let reason = self.to_string();
        match self {
            OneStopError::Http { status, .. } => {
                match lienthong_adapter::classify_http_status(*status, "") {
                    Err(e) if !e.is_retryable() => DeliveryError::reject(reason),
                    _ => DeliveryError::retry(reason),
                }
            }
            _ => DeliveryError::retry(reason),
        }
    }
}
