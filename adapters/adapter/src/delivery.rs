//! Outbound: the [`Sink`] an adapter gives the hub, and how a delivery ends
//! (accepted by the partner, or why not).

use crate::pb;

/// Why a delivery did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again later: the partner is down, slow, answered 5xx,
    /// or the network failed. The hub retries with backoff.
    #[error("partner unavailable: {reason}")]
    Retry { reason: String },
    /// The partner refused this event for good (a 4xx, a business error).
    /// The hub parks it, visible with the reason, until an operator
    /// re-drives it; later events of the same dossier wait behind it.
    #[error("partner rejected the event: {reason}")]
    Reject { reason: String },
}

impl DeliveryError {
    pub fn retry(reason: impl Into<String>) -> Self {
        DeliveryError::Retry {
            reason: reason.into(),
        }
    }

    pub fn reject(reason: impl Into<String>) -> Self {
        DeliveryError::Reject {
            reason: reason.into(),
        }
    }

    /// `Retry` when trying again later can help, else `Reject`: how an
    /// adapter's own error, which knows which it is, reaches the hub.
    pub fn retry_if(retryable: bool, reason: impl Into<String>) -> Self {
        if retryable {
            Self::retry(reason)
        } else {
            Self::reject(reason)
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, DeliveryError::Retry { .. })
    }

    /// Why, without the "retry or reject" wording around it.
    pub fn reason(&self) -> &str {
        match self {
            DeliveryError::Retry { reason } | DeliveryError::Reject { reason } => reason,
        }
    }
}

/// Logs that the partner `partner` did not take `event` (`what` did not
/// happen, and why), and answers the hub's [`DeliveryError`] for it: how a
/// sink ends a failed delivery.
pub fn not_delivered<E>(partner: &str, event: &pb::Event, what: &str, error: E) -> DeliveryError
where
    E: std::fmt::Display + Into<DeliveryError>,
{
    tracing::warn!(
        partner,
        event = %event.event_id,
        ma_ho_so = %event.ma_ho_so,
        error = %error,
        "{what}"
    );
    error.into()
}

/// How an HTTP answer of a partner classifies: 2xx accepted; 408, 429 and
/// 5xx worth retrying; any other status a refusal.
pub fn classify_http_status(status: u16, body: &str) -> Result<(), DeliveryError> {
    let detail = || {
        format!(
            "HTTP {status}: {}",
            body.chars().take(300).collect::<String>()
        )
    };
    match status {
        200..=299 => Ok(()),
        408 | 429 | 500..=599 => Err(DeliveryError::retry(detail())),
        _ => Err(DeliveryError::reject(detail())),
    }
}

/// The partner's acceptance of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    /// The partner's own reference, when it gives one (an order number, a
    /// payment URL, a sync id); empty when the event needed no action.
    pub partner_reference: String,
}

/// Outbound: events to the partner.
#[async_trait::async_trait]
pub trait Sink: Send + Sync + 'static {
    /// Delivers one event. Returns only when the partner has accepted or
    /// refused it; a socket write is not an acceptance.
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError>;
}
