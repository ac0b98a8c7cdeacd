//! What can go wrong talking to RabbitMQ. The transport's loops answer every
//! variant alike, by reconnecting with backoff; a failed outbox read too (the
//! events wait in the outbox meanwhile).

use crate::hub::HubError;

#[derive(Debug, thiserror::Error)]
pub enum AmqpError {
    #[error("cannot connect to the broker at {endpoint}: {source}")]
    Connect {
        endpoint: String,
        #[source]
        source: lapin::Error,
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
}

impl AmqpError {
    pub(super) fn broker(action: &'static str) -> impl FnOnce(lapin::Error) -> AmqpError {
        move |source| AmqpError::Broker { action, source }
    }
}
