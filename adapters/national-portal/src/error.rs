//! What can go wrong talking to the portal, and how each case is judged.
//!
//! The judgement that matters to the hub is [`PortalError::delivery`]: retry
//! (the portal is away, slow or broken) or reject (the portal refused this
//! dossier for good). [`PortalError::outcome_unknown`] says whether the
//! portal may have applied a write although we got no answer, in which case
//! the next attempt asks the portal what it has before writing again.

use lienthong_adapter::http::SendError;
use lienthong_adapter::{DeliveryError, HubCallError};

/// How the portal is named in every message of a failed call.
pub const PARTNER: &str = "the national portal";

#[derive(Debug, Clone, thiserror::Error)]
pub enum PortalError {
    /// Unreachable, no answer, or an HTTP error status.
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("the national portal refused {op}: error_code {code}: {message}")]
    Refused {
        op: String,
        code: String,
        message: String,
    },
    #[error("the national portal refused the login (dstcode, username, password): error_code {code}: {message}")]
    Login { code: String, message: String },
    #[error("unreadable answer from the national portal to {op}: {reason}")]
    Malformed { op: String, reason: String },
    /// The answer's records lack fields the profile requires (or hold bad
    /// values), named as the wire names them.
    #[error("the national portal's answer to {op} does not fit profile {profile}: {problems}")]
    Fields {
        op: String,
        profile: String,
        problems: String,
    },
    #[error("operation {op} is not offered by profile {profile} (its `service` is empty)")]
    NotOffered { op: String, profile: String },
    #[error("the hub refused: {0}")]
    Hub(#[from] HubCallError),
    /// The sync record could not be kept in the hub's store (nothing was
    /// sent to the portal after it): tried again.
    #[error("sync record not stored: {0}")]
    State(#[from] lienthong_adapter::StateError),
}

impl PortalError {
    /// The portal's error code, for a business refusal.
    pub fn refusal(&self) -> Option<(&str, &str)> {
        match self {
            PortalError::Refused { code, message, .. } => Some((code, message)),
            _ => None,
        }
    }

    pub fn is_already_exists(&self) -> bool {
        self.refusal()
            .is_some_and(|(c, m)| crate::protocol::is_already_exists(c, m))
    }

    pub fn is_not_found(&self) -> bool {
        self.refusal()
            .is_some_and(|(c, m)| crate::protocol::is_not_found(c, m))
    }

    /// The request may have been applied although no success came back.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            PortalError::Send(e) => e.outcome_unknown(),
            PortalError::Malformed { .. } | PortalError::Fields { .. } => true,
            _ => false,
        }
    }

    /// How the hub should treat an event that failed with this error.
    pub fn delivery(&self) -> DeliveryError {
        let reason = self.to_string();
        match self {
            PortalError::Send(e) => e.delivery(),
            PortalError::Refused { .. } | PortalError::NotOffered { .. } => {
                DeliveryError::reject(reason)
            }
            PortalError::Hub(e) if !e.is_retryable() => DeliveryError::reject(reason),
            // Unreadable answers, login refusals (a
            // configuration or portal problem, not this event's) and a busy
            // hub: worth trying again.
            _ => DeliveryError::retry(reason),
        }
    }
}
