//! The outbox relay to RabbitMQ: every committed event, in seq order, to the
//! events exchange, with publisher confirms.
//!
//! Confirmed or kept: the relay's cursor (`CursorId::AmqpEvents`) moves
//! past an event only once RabbitMQ acknowledged it (and every event before
//! it). A nack, an unexpectedly unroutable event, a confirm that does not
//! come, or a dropped connection ends the session: the relay reconnects with
//! backoff, re-declares the topology (and removes the bindings no filter asks
//! for any more: `bindings`) and publishes again from the cursor. A
//! partner may so see an event twice, always with the same `message_id`.
//!
//! Publishing is pipelined: up to `publish_window_messages` events are in
//! flight, and their confirms are awaited in seq order. One channel keeps
//! per-dossier order in every queue. The outbox is read through the hub's
//! `Follower` (off the async runtime, never past the committed seq), and the
//! cursor is made durable by a `CursorSaver`, so the pipeline never stops
//! for an fsync.

use super::connect::Backoff;
use super::names::{cc_routing_keys, routing_key};
use super::{bindings, topology, AmqpError, AmqpSettings};
use crate::domain::Event;
use crate::hub::{CursorId, CursorSaver, Hub};
use crate::partners::SubscriptionFilter;
use crate::wire::to_proto;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::{Confirmation, PublisherConfirm};
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use prost::Message;
use std::collections::VecDeque;
use tokio::sync::watch;

pub struct Relay {
    pub hub: Hub,
    pub settings: AmqpSettings,
    /// Filters of the partners with a queue: an event one of them wants must
    /// route, so it is published as mandatory.
    pub amqp_partners: Vec<(String, SubscriptionFilter)>,
    pub stopping: watch::Receiver<bool>,
}

impl Relay {
    pub async fn run(mut self) {
        let mut backoff = Backoff::new(
            self.settings.reconnect_initial_backoff,
            self.settings.reconnect_max_backoff,
        );
        // The latest confirmed seq, made durable by a saver of its own.
        let start = self.hub.cursor(&CursorId::AmqpEvents).unwrap_or(0);
        let cursor = self.hub.cursor_saver(CursorId::AmqpEvents, start);
        self.sessions(&mut backoff, &cursor).await;
        cursor.finish().await; // the saver stores the last value, then ends
    }

    async fn sessions(&mut self, backoff: &mut Backoff, cursor: &CursorSaver) {
        loop {
            if *self.stopping.borrow() {
                return;
            }
            match self.session(backoff, cursor).await {
                Ok(()) => return,
                Err(e) => {
                    let lost = "AMQP publisher lost its session; events keep waiting in the outbox";
                    // What was in flight is published again from the cursor.
                    self.counted().retried();
                    if !backoff.wait_after(lost, &e, &mut self.stopping).await {
                        return;
                    }
                    self.hub.metrics().amqp_reconnect("events");
                }
            }
        }
    }

    fn counted(&self) -> crate::metrics::DestinationMetrics {
        let amqp = crate::metrics::DestinationKind::Amqp;
        self.hub.metrics().destination(amqp, "events")
    }

    /// One connection's life. Returns Ok only when the hub stops.
    async fn session(
        &mut self,
        backoff: &mut Backoff,
        cursor: &CursorSaver,
    ) -> Result<(), AmqpError> {
        // Named with the prefix, so that the broker's connection list tells
        // the hubs sharing a broker apart.
        let name = format!("lienthong-publisher {}", self.settings.names.prefix);
        let connection = self.settings.connect(&name).await?;
        let result = self.publish_on(&connection, backoff, cursor).await;
        // Close what this session opened, whatever happened; nothing leaks.
        let _ = connection
            .close(200, "lienthong publisher session ends")
            .await;
        result
    }

    async fn publish_on(
        &mut self,
        connection: &lapin::Connection,
        backoff: &mut Backoff,
        cursor: &CursorSaver,
    ) -> Result<(), AmqpError> {
        let channel = connection
            .create_channel()
            .await
            .map_err(AmqpError::broker("opening a channel"))?;
        topology::declare(
            connection,
            &channel,
            &self.settings.names,
            &self.amqp_partners,
        )
        .await?;
        // Before any event: no queue gets what its filter stopped asking for.
        bindings::reconcile(connection, &self.settings.names, &self.amqp_partners).await?;
        let result = self.pump(&channel, backoff, cursor).await;
        // Closing the channel before its connection keeps lapin from
        // reporting a normal stop as a connection error.
        let _ = channel.close(200, "lienthong publisher stops").await;
        result
    }

    async fn pump(
        &mut self,
        channel: &lapin::Channel,
        backoff: &mut Backoff,
        cursor: &CursorSaver,
    ) -> Result<(), AmqpError> {
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(AmqpError::broker("enabling publisher confirms"))?;
        backoff.reset();
        // Every session starts again from what the broker confirmed; the
        // exchange gets every event, so the filter matches all.
        let confirmed = cursor.latest();
        let mut outbox = self.hub.follow(confirmed, SubscriptionFilter::default());
        tracing::info!(from_seq = confirmed + 1, "AMQP publisher connected");
        // Every publish gets a confirm; they are awaited in seq order.
        let mut in_flight: VecDeque<(u64, String, bool, PublisherConfirm)> = VecDeque::new();
        let counted = self.counted();
        loop {
            let window = self.settings.publish_window;
            // Refill in chunks (at half the window), not one event at a time.
            let room = if in_flight.len() <= window / 2 {
                window - in_flight.len()
            } else {
                0
            };
            // Read when there is room and something to read, or when nothing
            // is in flight (then the follower waits for the next commit).
            if room > 0 && (in_flight.is_empty() || outbox.behind()) {
                let Some(batch) = outbox.next(room).await? else {
                    return Ok(()); // the hub is stopping
                };
                for event in batch.events {
                    let mandatory = self.amqp_partners.iter().any(|(_, f)| f.matches(&event));
                    let key = routing_key(&event);
                    let (seq, properties) = (event.seq, properties(&event));
                    // The event is encoded by value: its dossier's strings
                    // move into the message instead of being copied.
                    let body = to_proto::event(event).encode_to_vec();
                    let confirm = channel
                        .basic_publish(
                            &self.settings.names.events,
                            &key,
                            BasicPublishOptions {
                                mandatory,
                                ..Default::default()
                            },
                            &body,
                            properties,
                        )
                        .await
                        .map_err(AmqpError::broker("publishing an event"))?;
                    in_flight.push_back((seq, key, mandatory, confirm));
                }
                continue;
            }
            if let Some((seq, key, mandatory, confirm)) = in_flight.pop_front() {
                self.await_confirm(seq, key, mandatory, confirm).await?;
                counted.delivered(1);
                // The saver makes it durable in the background; the pipeline
                // never waits for an fsync.
                cursor.advance(seq);
            }
        }
    }

    async fn await_confirm(
        &self,
        seq: u64,
        routing_key: String,
        mandatory: bool,
        confirm: PublisherConfirm,
    ) -> Result<(), AmqpError> {
        let seconds = self.settings.confirm_timeout.as_secs();
        let confirmation = tokio::time::timeout(self.settings.confirm_timeout, confirm)
            .await
            .map_err(|_| AmqpError::ConfirmTimeout { seq, seconds })?
            .map_err(AmqpError::broker("waiting for a publisher confirm"))?;
        let metrics = self.hub.metrics();
        metrics.amqp_confirm(matches!(confirmation, Confirmation::Ack(_)));
        if matches!(confirmation, Confirmation::Ack(Some(_))) {
            metrics.amqp_return();
        }
        match confirmation {
            Confirmation::Ack(None) | Confirmation::NotRequested => Ok(()),
            Confirmation::Ack(Some(returned)) if mandatory => Err(AmqpError::Unroutable {
                seq,
                routing_key,
                reply: returned.reply_text.to_string(),
            }),
            Confirmation::Ack(Some(_)) => Ok(()),
            Confirmation::Nack(_) => Err(AmqpError::Nacked { seq }),
        }
    }
}

/// Persistent, identified by the event id, with the routing facts as headers.
fn properties(event: &Event) -> BasicProperties {
    let mut headers = FieldTable::default();
    let text = |s: &str| AMQPValue::LongString(s.into());
    headers.insert("event_type".into(), text(event.event_type.as_str()));
    headers.insert("seq".into(), AMQPValue::LongLongInt(event.seq as i64));
    headers.insert(
        "dossier_id".into(),
        AMQPValue::LongLongInt(event.dossier_id as i64),
    );
    headers.insert(
        "dossier_version".into(),
        AMQPValue::LongLongInt(event.dossier_version as i64),
    );
    headers.insert("ma_ho_so".into(), text(&event.ma_ho_so));
    headers.insert("agency_code".into(), text(&event.agency_code));
    headers.insert("procedure_code".into(), text(&event.procedure_code));
    let cc = cc_routing_keys(event);
    if !cc.is_empty() {
        headers.insert("from_agency_code".into(), text(&event.from_agency_code));
        // Read by the broker as further routing keys (sender-selected
        // distribution); it keeps the header on the delivered message.
        headers.insert(
            "CC".into(),
            AMQPValue::FieldArray(cc.iter().map(|k| text(k)).collect::<Vec<_>>().into()),
        );
    }
    // Only on a change of status (deploy/rabbitmq/README.md): a consumer
    // that binds or filters on `status` = N hears each arrival at N once,
    // not every later event that leaves the dossier in N (a reschedule, a
    // forward, an apology's new date).
    if let Some(status) = event.to_status.filter(|to| Some(*to) != event.from_status) {
        headers.insert("status".into(), AMQPValue::ShortShortUInt(status.code()));
    }
    BasicProperties::default()
        .with_message_id(event.event_id.as_str().into())
        .with_content_type("application/x-protobuf".into())
        .with_type("lienthong.v1.Event".into())
        .with_app_id("lienthong".into())
        .with_delivery_mode(2)
        .with_timestamp((event.occurred_at.0 / 1000).max(0) as u64)
        .with_headers(headers)
}
