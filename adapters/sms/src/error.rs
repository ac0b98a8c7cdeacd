//! What can go wrong sending an SMS, and whether trying again can help:
//! no answer, HTTP 5xx and the gateway's "busy" are retried; a wrong
//! account, an unregistered brand name, a bad number or text are not.
//! Messages never carry the phone number or the text (personal data).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    #[error("cannot reach the SMS gateway: {reason}")]
    Unreachable { reason: String },
    #[error("the SMS gateway answered HTTP {status}")]
    Http { status: u16 },
    #[error("the SMS gateway refused the message: code {code} ({description})")]
    Refused { code: String, description: String },
    #[error("the SMS gateway's answer is not understood: {reason}")]
    BadAnswer { reason: String },
    #[error("the phone number is not usable: {problem}")]
    InvalidPhone { problem: String },
}

impl SmsError {
    pub fn is_retryable(&self) -> bool {
        match self {
            SmsError::Unreachable { .. } | SmsError::BadAnswer { .. } => true,
            SmsError::Http { status } => *status >= 500 || *status == 408 || *status == 429,
            SmsError::Refused { code, .. } => crate::protocol::codes::retryable(code),
            SmsError::InvalidPhone { .. } => false,
        }
    }
}
