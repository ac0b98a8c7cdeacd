//! The crate's one error enum, for the inbound side (webhooks and polling).
//!
//! Outbound failures are `DeliveryError`s of the shared interface; these are
//! the reasons a tracking event could not be taken in, each with the HTTP
//! status a webhook answers and whether trying again can help.

use crate::vocabulary::{ServiceType, TrackingState};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalError {
    /// The provider sent a code the settings do not map: refused, never guessed.
    #[error("field `Code`: provider event code {code:?} (service {service}) is not in the adapter's `event_map`; add it there")]
    Unmapped { code: String, service: ServiceType },
    /// The code maps to a state of the other flow.
    #[error("field `Code`: provider event code {code:?} maps to {state}, a {} state, but the event is for a {service} order; qualify it in `event_map` as \"{service}:{code}\"", state.flow())]
    WrongFlow {
        code: String,
        state: TrackingState,
        service: ServiceType,
    },
    #[error("field `{field}`: {problem}")]
    BadEvent {
        field: &'static str,
        problem: String,
    },
    /// The hub could not take the command now; the event must come again.
    #[error("the hub is unavailable: {0}")]
    HubUnavailable(String),
    /// Polling the provider failed.
    #[error("polling the provider failed: {0}")]
    Poll(String),
    /// The adapter's tracking could not be kept in the hub's store; nothing
    /// was answered as taken, so the event must come again.
    #[error("tracking not stored: {0}")]
    State(#[from] lienthong_adapter::StateError),
}

impl PostalError {
    /// Whether the same event may succeed later without a change of settings.
    pub fn is_retryable(&self) -> bool {
        match self {
            PostalError::HubUnavailable(_) | PostalError::Poll(_) => true,
            PostalError::State(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The status a webhook answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            PostalError::Unmapped { .. }
            | PostalError::WrongFlow { .. }
            | PostalError::BadEvent { .. } => 400,
            PostalError::HubUnavailable(_) | PostalError::Poll(_) => 503,
            PostalError::State(e) if e.is_retryable() => 503,
            PostalError::State(_) => 500,
        }
    }
}
