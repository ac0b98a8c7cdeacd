//! What can go wrong talking to RabbitMQ. The transport's loops answer every
//! variant alike, by reconnecting with backoff; a failed outbox read too (the
//! events wait in the outbox meanwhile). The last variants are refusals of a
//! command message before it reaches the hub: it is parked with that reason.

use crate::hub::HubError;
use lienthong_proto::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum AmqpError {
    #[error("cannot connect to the broker at {endpoint}: {source}")]
    Connect {
        endpoint: String,
        #[source]
        source: lapin::Error,
    },
    #[error("cannot connect to the broker at {endpoint}: TLS key `{key}`: {source}", key = .source.key())]
    Tls {
        endpoint: String,
        #[source]
        source: crate::tls::TlsError,
    },
    #[error("broker call failed while {action}: {source}")]
    Broker {
        action: &'static str,
        #[source]
        source: lapin::Error,
    },
    #[error("the broker refused (nack) event seq {seq}")]
    Nacked { seq: u64 },
    #[error("event seq {seq} with routing key {routing_key} reached no queue although a partner queue should be bound to it ({reply})")]
    Unroutable {
        seq: u64,
        routing_key: String,
        reply: String,
    },
    #[error("no publisher confirm for event seq {seq} within {seconds} s")]
    ConfirmTimeout { seq: u64, seconds: u64 },
    /// Reading the outbox failed.
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("invalid body: {bytes} bytes, more than hub.max_message_bytes ({limit}); not decoded, and not kept in the parked copy")]
    TooLarge { bytes: usize, limit: usize },
    #[error("invalid header `{header}`: only the hub writes it, on a command an operator re-drove; a message sent from outside may not carry it")]
    HubOnlyHeader { header: &'static str },
    #[error("invalid re-driven command: header `{header}` is missing")]
    RedriveIncomplete { header: &'static str },
    #[error("re-driven command of partner `{partner}`, which the configuration no longer has")]
    RedrivenPartnerUnknown { partner: String },
    #[error("invalid property `reply_to`: `{reply_to}` is not a queue of partner `{partner}` (answers go only to `{own}`, `{own}.<word>` or `amq.rabbitmq.reply-to`); the command was not executed")]
    ReplyToNotAllowed {
        reply_to: String,
        partner: String,
        own: String,
    },
}

impl AmqpError {
    /// The code a refused command message is answered with.
    pub(super) fn refusal_code(&self) -> ErrorCode {
        match self {
            AmqpError::TooLarge { .. } => ErrorCode::OutOfRange,
            AmqpError::RedrivenPartnerUnknown { .. } => ErrorCode::Unauthenticated,
            AmqpError::HubOnlyHeader { .. } | AmqpError::ReplyToNotAllowed { .. } => {
                ErrorCode::PermissionDenied
            }
            _ => ErrorCode::InvalidArgument,
        }
    }

    pub(super) fn broker(action: &'static str) -> impl FnOnce(lapin::Error) -> AmqpError {
        move |source| AmqpError::Broker { action, source }
    }
}
