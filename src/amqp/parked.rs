//! Parked messages in RabbitMQ, for operators: list them without consuming
//! them, and re-drive them to the queue they came from.
//!
//! Two kinds arrive in the parking queue: commands the hub parked itself
//! (header `x-lienthong-reason`, `x-lienthong-source-queue`), and messages
//! RabbitMQ dead-lettered from a partner queue by policy (header `x-death`,
//! whose first entry names the queue and the reason).
//!
//! A command the hub parked holds no token, only the partner the hub had
//! authenticated (`sender`); its re-driven copy keeps that partner, names the
//! operator who approved it, and is written as the hub's own so that the
//! consumer trusts both. A command parked before its sender was known can
//! not be re-driven: it stays parked, and the partner must send it again.

use super::commands::{PARKED_AT_HEADER, REASON_HEADER, SOURCE_HEADER};
use super::sender::{self, AUTHORIZATION_HEADER, PARTNER_HEADER, REDRIVEN_BY_HEADER};
use super::{topology, AmqpSettings};
use crate::domain::UnixMillis;
use crate::hub::{DeadLetters, HubError, ParkedMessage};
use lapin::message::BasicGetMessage;
use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicNackOptions, BasicPublishOptions, ConfirmSelectOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel};

const REDRIVEN_HEADER: &str = "x-lienthong-redriven";

pub struct RabbitDeadLetters {
    pub settings: AmqpSettings,
    pub amqp_partners: Vec<(String, crate::partners::SubscriptionFilter)>,
}

fn unavailable(reason: impl std::fmt::Display) -> HubError {
    HubError::Unavailable {
        what: "the RabbitMQ parking queue".into(),
        reason: reason.to_string(),
    }
}

impl RabbitDeadLetters {
    async fn open(&self) -> Result<(lapin::Connection, Channel), HubError> {
        let connection = self
            .settings
            .connect("lienthong-admin")
            .await
            .map_err(unavailable)?;
        let channel = connection.create_channel().await.map_err(unavailable)?;
        topology::declare_queues(
            &connection,
            &channel,
            &self.settings.names,
            &self.amqp_partners,
        )
        .await
        .map_err(unavailable)?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(unavailable)?;
        Ok((connection, channel))
    }

    /// Takes up to `limit` messages off the parking queue, unacknowledged.
    async fn take(
        &self,
        channel: &Channel,
        limit: usize,
    ) -> Result<Vec<BasicGetMessage>, HubError> {
        let mut taken = Vec::new();
        while taken.len() < limit {
            match channel
                .basic_get(
                    &self.settings.names.parked,
                    BasicGetOptions { no_ack: false },
                )
                .await
                .map_err(unavailable)?
            {
                Some(message) => taken.push(message),
                None => break,
            }
        }
        Ok(taken)
    }
}

#[async_trait::async_trait]
impl DeadLetters for RabbitDeadLetters {
    async fn list(&self, limit: usize) -> Result<Vec<ParkedMessage>, HubError> {
        let (connection, channel) = self.open().await?;
        let taken = self.take(&channel, limit).await?;
        let listed = taken.iter().map(describe).collect();
        // Put every one back where it was.
        if let Some(last) = taken.last() {
            put_back(&channel, last.delivery.delivery_tag, true).await?;
        }
        let _ = connection.close(200, "listing done").await;
        Ok(listed)
    }

    async fn redrive(
        &self,
        operator: &str,
        message_ids: &[String],
        all: bool,
    ) -> Result<usize, HubError> {
        let (connection, channel) = self.open().await?;
        let taken = self.take(&channel, usize::MAX).await?;
        let mut redriven = 0;
        for message in &taken {
            let described = describe(message);
            let chosen = all || message_ids.contains(&described.message_id);
            let tag = message.delivery.delivery_tag;
            if !chosen || described.source_queue.is_empty() {
                put_back(&channel, tag, false).await?;
                continue;
            }
            let Some(properties) = self.redriven_copy(message, &described, operator) else {
                tracing::warn!(message_id = %described.message_id, "a parked command whose sender was never authenticated cannot be re-driven (its token is not kept): it stays parked; the partner must send it again");
                put_back(&channel, tag, false).await?;
                continue;
            };
            // The default exchange routes straight to the queue of that name.
            let confirm = channel
                .basic_publish(
                    "",
                    &described.source_queue,
                    BasicPublishOptions::default(),
                    &message.delivery.data,
                    properties,
                )
                .await
                .map_err(unavailable)?
                .await
                .map_err(unavailable)?;
            if matches!(confirm, lapin::publisher_confirm::Confirmation::Nack(_)) {
                put_back(&channel, tag, false).await?;
                continue;
            }
            channel
                .basic_ack(tag, BasicAckOptions::default())
                .await
                .map_err(unavailable)?;
            redriven += 1;
        }
        let _ = connection.close(200, "re-drive done").await;
        tracing::info!(redriven, operator, "parked messages re-driven");
        Ok(redriven)
    }
}

impl RabbitDeadLetters {
    /// The properties of the copy sent back, without the parking headers;
    /// `None` for a command that names no sender the hub can trust.
    fn redriven_copy(
        &self,
        message: &BasicGetMessage,
        described: &ParkedMessage,
        operator: &str,
    ) -> Option<BasicProperties> {
        let parked = &message.delivery.properties;
        let mut headers = FieldTable::default();
        if let Some(old) = parked.headers() {
            for (key, value) in old.inner() {
                if !matches!(
                    key.as_str(),
                    "x-death"
                        | REASON_HEADER
                        | SOURCE_HEADER
                        | PARKED_AT_HEADER
                        | REDRIVEN_HEADER
                        | PARTNER_HEADER
                        | REDRIVEN_BY_HEADER
                ) && !key.as_str().starts_with("x-first-death")
                    && !key.as_str().starts_with("x-last-death")
                {
                    headers.insert(key.clone(), value.clone());
                }
            }
        }
        headers.insert(
            REDRIVEN_HEADER.into(),
            AMQPValue::LongUInt(described.redriven + 1),
        );
        let user = &self.settings.broker_user;
        if described.source_queue == self.settings.names.commands_queue {
            // The partner header counts only on a copy the hub parked itself.
            let hub_parked = message.delivery.exchange.as_str() == self.settings.names.dead_letters
                && sender::published_by(parked, user);
            let partner = hub_parked
                .then(|| sender::text(parked, PARTNER_HEADER))
                .flatten();
            match partner {
                Some(partner) => {
                    headers.insert(PARTNER_HEADER.into(), AMQPValue::LongString(partner.into()));
                }
                // RabbitMQ dead-lettered it (delivery limit) with its token.
                None if sender::text(parked, AUTHORIZATION_HEADER).is_some() => {}
                None => return None,
            }
            headers.insert(
                REDRIVEN_BY_HEADER.into(),
                AMQPValue::LongString(operator.into()),
            );
        }
        Some(sender::hub_copy(parked, headers, user))
    }
}

/// Returns the message `tag` (with `multiple`, every one taken up to it) to
/// the parking queue, where it was.
async fn put_back(channel: &Channel, tag: u64, multiple: bool) -> Result<(), HubError> {
    channel
        .basic_nack(
            tag,
            BasicNackOptions {
                multiple,
                requeue: true,
            },
        )
        .await
        .map_err(unavailable)
}

fn describe(message: &BasicGetMessage) -> ParkedMessage {
    describe_parts(&message.delivery.properties, message.delivery.data.len())
}

/// What an operator is shown of a parked message with these properties and
/// a body of `bytes` (apart from `describe` so the fuzz crate reaches it).
pub(crate) fn describe_parts(properties: &BasicProperties, bytes: usize) -> ParkedMessage {
    let headers = properties.headers().clone().unwrap_or_default();
    let text = |name: &str| match headers.inner().get(name) {
        Some(AMQPValue::LongString(s)) => Some(s.to_string()),
        Some(AMQPValue::ShortString(s)) => Some(s.to_string()),
        _ => None,
    };
    let first_death = match headers.inner().get("x-death") {
        Some(AMQPValue::FieldArray(deaths)) => deaths.as_slice().first().and_then(|d| match d {
            AMQPValue::FieldTable(t) => Some(t.clone()),
            _ => None,
        }),
        _ => None,
    };
    let death_text = |name: &str| match first_death
        .as_ref()
        .and_then(|t| t.inner().get(name).cloned())
    {
        Some(AMQPValue::LongString(s)) => Some(s.to_string()),
        Some(AMQPValue::ShortString(s)) => Some(s.to_string()),
        _ => None,
    };
    let redriven = match headers.inner().get(REDRIVEN_HEADER) {
        Some(AMQPValue::LongUInt(n)) => *n,
        Some(AMQPValue::LongLongInt(n)) => *n as u32,
        Some(AMQPValue::LongInt(n)) => *n as u32,
        _ => 0,
    };
    let parked_at = match headers.inner().get(PARKED_AT_HEADER) {
        Some(AMQPValue::LongLongInt(ms)) => Some(UnixMillis(*ms)),
        _ => match first_death
            .as_ref()
            .and_then(|t| t.inner().get("time").cloned())
        {
            // The broker's seconds, but any sender can forge `x-death`: a
            // time beyond the millisecond range is no time, not a panic.
            Some(AMQPValue::Timestamp(seconds)) => i64::try_from(seconds)
                .ok()
                .and_then(|s| s.checked_mul(1000))
                .map(UnixMillis),
            _ => None,
        },
    };
    ParkedMessage {
        message_id: properties
            .message_id()
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        reason: text(REASON_HEADER)
            .or_else(|| death_text("reason"))
            .unwrap_or_default(),
        source_queue: text(SOURCE_HEADER)
            .or_else(|| death_text("queue"))
            .unwrap_or_default(),
        message_type: properties
            .kind()
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        redriven,
        bytes: bytes as u64,
        parked_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lapin::types::{FieldArray, ShortString};

    fn dead_lettered_at(seconds: u64) -> BasicProperties {
        let mut death = FieldTable::default();
        death.insert(ShortString::from("time"), AMQPValue::Timestamp(seconds));
        let mut headers = FieldTable::default();
        headers.insert(
            ShortString::from("x-death"),
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::FieldTable(death)])),
        );
        BasicProperties::default().with_headers(headers)
    }

    // issue 10, Build "Fuzzing": found by the fuzz target `amqp_message`
    // (a forged `x-death` time overflowed the milliseconds: a panic).
    #[test]
    fn a_parked_message_dead_lettered_beyond_the_millisecond_range_has_no_time() {
        for seconds in [u64::MAX, i64::MAX as u64, i64::MAX as u64 / 1000 + 1] {
            assert_eq!(
                describe_parts(&dead_lettered_at(seconds), 3).parked_at,
                None
            );
        }
        let parked = describe_parts(&dead_lettered_at(1_763_780_645), 3);
        assert_eq!(parked.parked_at, Some(UnixMillis(1_763_780_645_000)));
        assert_eq!(parked.bytes, 3);
    }
}
