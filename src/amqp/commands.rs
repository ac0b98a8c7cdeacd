//! Commands over AMQP: the same protobuf requests as the gRPC API, answered
//! on `reply_to` with the same result or error — but only to a queue the
//! authenticated sender may own (`Names::may_reply_to`): an unauthenticated
//! message is never answered, and one naming another's queue is not executed.
//! A body over `hub.max_message_bytes` is refused before it is decoded.
//!
//! A message is acknowledged only after its command was decided and its
//! answer published, so a crash in between redelivers it — and the
//! idempotency key turns the redelivery into a replay of the first answer.
//! What the hub refuses is handled by `HubError::disposition`: a malformed,
//! invalid or unauthorised message is answered and parked with its reason
//! (never requeued in a loop); a refusal of a valid request (illegal
//! transition, version conflict) is answered and dropped; a request the hub
//! could not decide now (stopping, storage) is requeued — at most
//! `MAX_COMMAND_REQUEUES` times, then parked by the hub itself (without the
//! token) rather than dead-lettered whole by the broker's delivery limit.

use super::connect::Backoff;
use super::sender::{self, Identity, NotIdentified, PARTNER_HEADER};
use super::{topology, AmqpError, AmqpSettings};
use crate::domain::quote::quoted;
use crate::domain::UnixMillis;
use crate::hub::{Disposition, Hub, HubError};
use crate::wire::{from_proto, pb, to_proto};
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel};
use lienthong_proto::ErrorCode;
use prost::Message;
use std::sync::Arc;
use tokio_stream::StreamExt;

pub const COMMAND_TYPE: &str = "lienthong.v1.CommandRequest";
pub const CATALOG_TYPE: &str = "lienthong.v1.PublishCatalogRequest";
pub const REPLY_TYPE: &str = "lienthong.v1.AmqpReply";
/// Header carrying why the hub parked a message.
pub const REASON_HEADER: &str = "x-lienthong-reason";
pub const SOURCE_HEADER: &str = "x-lienthong-source-queue";
pub const PARKED_AT_HEADER: &str = "x-lienthong-parked-at";

pub struct CommandConsumer {
    pub hub: Hub,
    pub settings: AmqpSettings,
    pub amqp_partners: Vec<(String, crate::partners::SubscriptionFilter)>,
}

/// What to do with a message once its command is decided.
struct Outcome {
    reply: pb::amqp_reply::Result,
    park_reason: Option<String>,
    requeue: bool,
    keep_body: bool,
    /// Why the hub could not decide now (with `requeue`): the code and the
    /// reason, should the hub park the message itself.
    undecided: Option<(ErrorCode, String)>,
}

/// Requeues the hub allows a command it cannot decide now (stopping,
/// storage trouble) before it parks the command itself. It must stay below
/// the commands queue's `delivery-limit` (5 in `deploy/rabbitmq`): past that
/// limit the broker dead-letters the message whole — with the sender's
/// `authorization` header in clear — while a copy the hub parks keeps no
/// token (issue 10 defect 3).
pub const MAX_COMMAND_REQUEUES: u64 = 4;

/// How many times the broker has already delivered this message before
/// (quorum queues count it in `x-delivery-count`; absent: none).
pub(crate) fn earlier_deliveries(properties: &BasicProperties) -> u64 {
    let value = properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get("x-delivery-count"));
    match value {
        Some(AMQPValue::LongLongInt(n)) => u64::try_from(*n).unwrap_or(0),
        Some(AMQPValue::LongInt(n)) => u64::try_from(*n).unwrap_or(0),
        Some(AMQPValue::LongUInt(n)) => u64::from(*n),
        Some(AMQPValue::ShortInt(n)) => u64::try_from(*n).unwrap_or(0),
        Some(AMQPValue::ShortUInt(n)) => u64::from(*n),
        Some(AMQPValue::ShortShortInt(n)) => u64::try_from(*n).unwrap_or(0),
        Some(AMQPValue::ShortShortUInt(n)) => u64::from(*n),
        _ => 0,
    }
}

/// Requeued again while under the limit; past it, the outcome becomes a
/// parking by the hub (answered, without the token), naming how often the
/// command came back undecided.
fn after_requeues(outcome: Outcome, earlier: u64) -> Outcome {
    match &outcome.undecided {
        Some((code, reason)) if outcome.requeue && earlier >= MAX_COMMAND_REQUEUES => {
            let reason = format!(
                "not decided in {} deliveries (the hub kept answering: {reason}); parked by the hub before the broker's delivery limit",
                earlier + 1
            );
            Outcome {
                reply: error_reply(*code, reason.clone(), true),
                park_reason: Some(reason),
                requeue: false,
                keep_body: true,
                undecided: None,
            }
        }
        _ => outcome,
    }
}

impl CommandConsumer {
    pub async fn run(self) {
        let this = Arc::new(self);
        let mut stopping = this.hub.stopping();
        let mut backoff = Backoff::new(
            this.settings.reconnect_initial_backoff,
            this.settings.reconnect_max_backoff,
        );
        loop {
            if *stopping.borrow() {
                return;
            }
            match this.clone().session(&mut backoff).await {
                Ok(()) => return,
                Err(e) => {
                    let lost = "AMQP command consumer lost its session";
                    if !backoff.wait_after(lost, &e, &mut stopping).await {
                        return;
                    }
                    this.hub.metrics().amqp_reconnect("commands");
                }
            }
        }
    }

    async fn session(self: Arc<Self>, backoff: &mut Backoff) -> Result<(), AmqpError> {
        let name = format!("lienthong-commands {}", self.settings.names.prefix);
        let connection = self.settings.connect(&name).await?;
        let result = self.clone().consume_on(&connection, backoff).await;
        let _ = connection
            .close(200, "lienthong command consumer session ends")
            .await;
        result
    }

    async fn consume_on(
        self: Arc<Self>,
        connection: &lapin::Connection,
        backoff: &mut Backoff,
    ) -> Result<(), AmqpError> {
        let consume = connection
            .create_channel()
            .await
            .map_err(AmqpError::broker("opening a channel"))?;
        topology::declare(
            connection,
            &consume,
            &self.settings.names,
            &self.amqp_partners,
        )
        .await?;
        consume
            .basic_qos(self.settings.command_prefetch, BasicQosOptions::default())
            .await
            .map_err(AmqpError::broker("setting the prefetch"))?;
        let answer = connection
            .create_channel()
            .await
            .map_err(AmqpError::broker("opening a channel"))?;
        answer
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(AmqpError::broker("enabling publisher confirms"))?;
        let mut consumer = consume
            .basic_consume(
                &self.settings.names.commands_queue,
                "lienthong-hub",
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(AmqpError::broker("starting to consume commands"))?;
        backoff.reset();
        tracing::info!(queue = %self.settings.names.commands_queue, "AMQP command consumer connected");
        let answer = Arc::new(answer);
        let mut stopping = self.hub.stopping();
        let mut handling = tokio::task::JoinSet::new();
        let result = loop {
            let delivery = tokio::select! {
                next = consumer.next() => next,
                _ = stopping.changed() => break Ok(()),
            };
            match delivery {
                None => {
                    break Err(AmqpError::Broker {
                        action: "consuming commands",
                        source: lapin::Error::InvalidChannelState(lapin::ChannelState::Closed),
                    })
                }
                Some(Err(source)) => {
                    break Err(AmqpError::Broker {
                        action: "consuming commands",
                        source,
                    })
                }
                Some(Ok(delivery)) => {
                    let this = self.clone();
                    let answer = answer.clone();
                    // Prefetch bounds how many run at once.
                    handling.spawn(async move {
                        if let Err(e) = this.handle(&answer, delivery).await {
                            tracing::warn!(error = %e, "a command message could not be settled; the broker will redeliver it");
                        }
                    });
                    while handling.try_join_next().is_some() {}
                }
            }
        };
        while handling.join_next().await.is_some() {}
        // Stop consuming and close the channels before the connection, so
        // that a normal stop is not reported as a connection error.
        let _ = consume
            .basic_cancel(
                "lienthong-hub",
                lapin::options::BasicCancelOptions::default(),
            )
            .await;
        let _ = consume.close(200, "lienthong command consumer stops").await;
        let _ = answer.close(200, "lienthong command consumer stops").await;
        result
    }

    async fn handle(&self, answer: &Channel, delivery: Delivery) -> Result<(), AmqpError> {
        let (sender, outcome) = self.decide(&delivery).await;
        let outcome = after_requeues(outcome, earlier_deliveries(&delivery.properties));
        if outcome.requeue {
            delivery
                .acker
                .nack(BasicNackOptions {
                    requeue: true,
                    ..Default::default()
                })
                .await
                .map_err(AmqpError::broker("requeueing a command"))?;
            return Ok(());
        }
        // Answers go only to a queue the authenticated sender may own.
        let reply_to = delivery.properties.reply_to().as_ref().map(|r| r.as_str());
        let answer_to = match (&sender, reply_to) {
            (Some(partner), Some(queue)) if self.settings.names.may_reply_to(partner, queue) => {
                Some(queue)
            }
            _ => None,
        };
        if let Some(reason) = &outcome.park_reason {
            let reason = match (answer_to, reply_to) {
                (None, Some(_)) => format!("{reason} (not answered: the sender is not authenticated or may not use that reply_to)"),
                _ => reason.clone(),
            };
            let park = Parking {
                reason: &reason,
                partner: sender.as_deref(),
                keep_body: outcome.keep_body,
            };
            self.park(answer, &delivery, park).await?;
        }
        if let Some(queue) = answer_to {
            self.reply(answer, &delivery, queue, outcome.reply).await?;
        }
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .map_err(AmqpError::broker("acknowledging a command"))
    }

    /// The authenticated sender (if any) and what to do with the message.
    async fn decide(&self, delivery: &Delivery) -> (Option<String>, Outcome) {
        let Identity {
            partner,
            redriven_by,
        } = match sender::identify(&self.hub, &self.settings, delivery) {
            Ok(identity) => identity,
            Err(NotIdentified::Hub(e)) => return (None, refused(e)),
            Err(NotIdentified::Amqp(e, partner)) => {
                return (partner.map(|p| p.id.clone()), refused_here(e))
            }
        };
        let sender = Some(partner.id.clone());
        if let Some(reply_to) = delivery.properties.reply_to() {
            if !self
                .settings
                .names
                .may_reply_to(&partner.id, reply_to.as_str())
            {
                let e = AmqpError::ReplyToNotAllowed {
                    reply_to: reply_to.to_string(),
                    partner: partner.id.clone(),
                    own: self.settings.names.reply_queue(&partner.id),
                };
                return (sender, refused_here(e));
            }
        }
        // Refused before decoding: the limit gRPC applies to every request.
        let limit = self.settings.max_message_bytes;
        if delivery.data.len() > limit {
            let e = AmqpError::TooLarge {
                bytes: delivery.data.len(),
                limit,
            };
            return (sender, refused_here(e));
        }
        // Over its limits, the partner's command is answered and parked
        // with the reason (`HubError::disposition`), not decoded or run.
        let _admission = match self.hub.admit(&partner) {
            Ok(admission) => admission,
            Err(e) => return (sender, refused(e)),
        };
        let kind = delivery
            .properties
            .kind()
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| COMMAND_TYPE.to_string());
        let span = tracing::info_span!("amqp_command", partner = %partner.id, message_type = %quoted(&kind));
        let _enter = span.enter();
        if let Some(operator) = &redriven_by {
            tracing::info!(operator = %operator, "executing a parked command an operator re-drove");
            // The re-drive itself happened at the broker (`lienthong parked
            // redrive` or the admin call); the hub records, before it runs
            // the copy, that it took a command on that operator's word, so
            // every re-drive is in the audit log whichever way it was made.
            let message_id = delivery
                .properties
                .message_id()
                .as_ref()
                .map(|id| id.to_string())
                .unwrap_or_default();
            let detail = format!(
                "message {} of partner {}, re-driven from the parking queue",
                quoted(&message_id),
                partner.id
            );
            if let Err(e) =
                self.hub
                    .record_operator_action(operator, "take_redriven_command", Ok(1), detail)
            {
                return (sender, refused(e));
            }
        }
        let outcome = match kind.as_str() {
            COMMAND_TYPE => {
                let request = match pb::CommandRequest::decode(delivery.data.as_slice()) {
                    Ok(r) => r,
                    Err(e) => return (sender, undecodable(COMMAND_TYPE, e)),
                };
                let envelope = match from_proto::command_request(request) {
                    Ok(env) => env,
                    Err(e) => {
                        let e = e.into();
                        self.hub.record_refusal(&partner, "command", &e);
                        return (sender, refused(e));
                    }
                };
                match self.hub.execute(&partner, envelope).await {
                    Ok(outcome) => accepted(pb::amqp_reply::Result::Command(
                        to_proto::command_reply(outcome),
                    )),
                    Err(e) => refused(e),
                }
            }
            CATALOG_TYPE => {
                let request = match pb::PublishCatalogRequest::decode(delivery.data.as_slice()) {
                    Ok(r) => r,
                    Err(e) => return (sender, undecodable(CATALOG_TYPE, e)),
                };
                match self
                    .hub
                    .publish_catalog(&partner, from_proto::publication(request))
                    .await
                {
                    Ok(outcome) => accepted(pb::amqp_reply::Result::Catalog(
                        to_proto::publication_reply(&outcome),
                    )),
                    Err(e) => refused(e),
                }
            }
            other => Outcome {
                reply: error_reply(
                    ErrorCode::InvalidArgument,
                    format!(
                        "invalid property `type`: {} is not {COMMAND_TYPE} or {CATALOG_TYPE}",
                        quoted(other)
                    ),
                    true,
                ),
                park_reason: Some(format!("unknown message type {}", quoted(other))),
                requeue: false,
                keep_body: true,
                undecided: None,
            },
        };
        (sender, outcome)
    }

    /// Copies the message, with the reason, to the dead-letter exchange and
    /// waits for the broker's confirm before the original is acknowledged.
    /// The copy never holds the sender's token: it names the partner the hub
    /// authenticated instead, in a header only the hub may write.
    async fn park(
        &self,
        channel: &Channel,
        delivery: &Delivery,
        park: Parking<'_>,
    ) -> Result<(), AmqpError> {
        let mut headers = sender::without_credentials(&delivery.properties);
        headers.insert(
            REASON_HEADER.into(),
            AMQPValue::LongString(park.reason.into()),
        );
        headers.insert(
            SOURCE_HEADER.into(),
            AMQPValue::LongString(self.settings.names.commands_queue.as_str().into()),
        );
        headers.insert(
            PARKED_AT_HEADER.into(),
            AMQPValue::LongLongInt(UnixMillis::now().0),
        );
        if let Some(partner) = park.partner {
            headers.insert(PARTNER_HEADER.into(), AMQPValue::LongString(partner.into()));
        }
        let properties =
            sender::hub_copy(&delivery.properties, headers, &self.settings.broker_user);
        let body: &[u8] = if park.keep_body { &delivery.data } else { &[] };
        let confirm = channel
            .basic_publish(
                &self.settings.names.dead_letters,
                "",
                BasicPublishOptions::default(),
                body,
                properties,
            )
            .await
            .map_err(AmqpError::broker("parking a command"))?;
        match confirm
            .await
            .map_err(AmqpError::broker("parking a command"))?
        {
            lapin::publisher_confirm::Confirmation::Nack(_) => Err(AmqpError::Nacked { seq: 0 }),
            _ => {
                tracing::warn!(reason = park.reason, "command parked");
                Ok(())
            }
        }
    }

    async fn reply(
        &self,
        channel: &Channel,
        delivery: &Delivery,
        reply_to: &str,
        result: pb::amqp_reply::Result,
    ) -> Result<(), AmqpError> {
        let mut properties = BasicProperties::default()
            .with_content_type("application/x-protobuf".into())
            .with_type(REPLY_TYPE.into())
            .with_app_id("lienthong".into());
        if let Some(id) = delivery.properties.correlation_id() {
            properties = properties.with_correlation_id(id.clone());
        }
        let body = pb::AmqpReply {
            result: Some(result),
        }
        .encode_to_vec();
        channel
            .basic_publish(
                "",
                reply_to,
                BasicPublishOptions::default(),
                &body,
                properties,
            )
            .await
            .map_err(AmqpError::broker("answering a command"))?
            .await
            .map_err(AmqpError::broker("answering a command"))?;
        Ok(())
    }
}

/// How a command is parked.
struct Parking<'a> {
    reason: &'a str,
    /// The partner the hub authenticated, if it did.
    partner: Option<&'a str>,
    /// False for a body too large to keep.
    keep_body: bool,
}

fn accepted(reply: pb::amqp_reply::Result) -> Outcome {
    Outcome {
        reply,
        park_reason: None,
        requeue: false,
        keep_body: true,
        undecided: None,
    }
}

fn refused(error: HubError) -> Outcome {
    let disposition = error.disposition();
    let park = disposition == Disposition::Park;
    let requeue = disposition == Disposition::Retry;
    Outcome {
        reply: error_reply(error.code(), error.to_string(), park),
        park_reason: park.then(|| error.to_string()),
        requeue,
        keep_body: true,
        undecided: requeue.then(|| (error.code(), error.to_string())),
    }
}

/// A message refused by the transport itself, before the hub saw it: parked.
fn refused_here(error: AmqpError) -> Outcome {
    let message = error.to_string();
    Outcome {
        reply: error_reply(error.refusal_code(), message.clone(), true),
        park_reason: Some(message),
        requeue: false,
        keep_body: !matches!(error, AmqpError::TooLarge { .. }),
        undecided: None,
    }
}

fn undecodable(expected: &str, error: prost::DecodeError) -> Outcome {
    let message = format!("invalid body: it does not decode as {expected}: {error}");
    Outcome {
        reply: error_reply(ErrorCode::InvalidArgument, message.clone(), true),
        park_reason: Some(message),
        requeue: false,
        keep_body: true,
        undecided: None,
    }
}

fn error_reply(code: ErrorCode, message: String, parked: bool) -> pb::amqp_reply::Result {
    pb::amqp_reply::Result::Error(pb::ErrorReply {
        code: code.name().to_string(),
        message,
        parked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lapin::types::ShortString;

    fn undecided() -> Outcome {
        let reason = "storage is failing: No space left on device".to_string();
        Outcome {
            reply: error_reply(ErrorCode::Unavailable, reason.clone(), false),
            park_reason: None,
            requeue: true,
            keep_body: true,
            undecided: Some((ErrorCode::Unavailable, reason)),
        }
    }

    fn counted(n: i64) -> BasicProperties {
        let mut headers = FieldTable::default();
        headers.insert(
            ShortString::from("x-delivery-count"),
            AMQPValue::LongLongInt(n),
        );
        BasicProperties::default().with_headers(headers)
    }

    // issue 10 defect 3: past the requeue limit the hub parks the command
    // itself (its copy keeps no token) before the broker's delivery limit
    // would dead-letter the message whole.
    #[test]
    fn an_undecided_command_is_requeued_then_parked_by_the_hub_before_the_delivery_limit() {
        assert_eq!(earlier_deliveries(&BasicProperties::default()), 0);
        assert_eq!(earlier_deliveries(&counted(3)), 3);
        let again = after_requeues(undecided(), earlier_deliveries(&counted(3)));
        assert!(
            again.requeue && again.park_reason.is_none(),
            "under the limit: requeued"
        );
        let parked = after_requeues(undecided(), earlier_deliveries(&counted(4)));
        assert!(!parked.requeue, "at the limit: not requeued");
        let reason = parked.park_reason.expect("parked by the hub");
        assert!(
            reason.contains("5 deliveries") && reason.contains("No space left"),
            "{reason}"
        );
        match parked.reply {
            pb::amqp_reply::Result::Error(e) => {
                assert_eq!(e.code, "UNAVAILABLE");
                assert!(e.parked, "the answer says it was parked");
            }
            other => panic!("an error reply, not {other:?}"),
        }
        let decided = after_requeues(
            accepted(pb::amqp_reply::Result::Error(pb::ErrorReply::default())),
            9,
        );
        assert!(
            !decided.requeue && decided.park_reason.is_none(),
            "a decided command is left alone"
        );
    }
}
