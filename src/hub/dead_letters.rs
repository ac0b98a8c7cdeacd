//! Parked (dead-lettered) messages, as operators see them, whatever holds
//! them. The AMQP transport implements this over RabbitMQ; the gRPC admin
//! service and the CLI only see this trait.

use super::HubError;
use crate::domain::UnixMillis;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedMessage {
    pub message_id: String,
    /// Why it was parked: the hub's own reason, or the broker's (`rejected`,
    /// `delivery_limit`, `expired`).
    pub reason: String,
    /// The queue a re-drive sends it back to.
    pub source_queue: String,
    pub message_type: String,
    /// How many times it was re-driven before.
    pub redriven: u32,
    pub bytes: u64,
    pub parked_at: Option<UnixMillis>,
}

#[async_trait::async_trait]
pub trait DeadLetters: Send + Sync {
    /// Up to `limit` parked messages, oldest first, without consuming them.
    async fn list(&self, limit: usize) -> Result<Vec<ParkedMessage>, HubError>;
    /// Sends the parked messages with these ids (or all, when `all`) back to
    /// their source queue, approved by `operator` (named on re-driven
    /// commands); returns how many were re-driven.
    async fn redrive(
        &self,
        operator: &str,
        message_ids: &[String],
        all: bool,
    ) -> Result<usize, HubError>;
}
