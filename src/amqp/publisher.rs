//! The outbox relay to RabbitMQ: every committed event, in seq order, to the
//! events exchange, with publisher confirms.
//!
//! Confirmed or kept: the relay's cursor (`amqp:events` in the store) moves
//! past an event only once RabbitMQ acknowledged it (and every event before
//! it). A nack, an unexpectedly unroutable event, a confirm that does not
//! come, or a dropped connection ends the session: the relay reconnects with
//! backoff, re-declares the topology and publishes again from the cursor. A
//! partner may so see an event twice, always with the same `message_id`.
//!
//! Publishing is pipelined: up to `publish_window_messages` events are in
//! flight, and their confirms are awaited in seq order. One channel keeps
//! per-dossier order in every queue. Outbox reads run off the async runtime,
//! and the cursor is made durable by a saver task of its own, so the
//! pipeline never stops for an fsync.

use super::connect::{connect, Backoff};
use super::names::routing_key;
use super::{topology, AmqpError, AmqpSettings};
use crate::domain::Event;
use crate::partners::SubscriptionFilter;
use crate::store::Store;
use crate::wire::to_proto;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::{Confirmation, PublisherConfirm};
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use prost::Message;
use std::collections::VecDeque;
use tokio::sync::watch;

/// The store cursor of the relay. Partner ids cannot contain `:`.
pub const CURSOR: &str = "amqp:events";

pub struct Relay {
    pub store: Store,
    pub settings: AmqpSettings,
    /// Filters of the partners with a queue: an event one of them wants must
    /// route, so it is published as mandatory.
    pub amqp_partners: Vec<(String, SubscriptionFilter)>,
    pub committed: watch::Receiver<u64>,
    pub stopping: watch::Receiver<bool>,
}

impl Relay {
    pub async fn run(mut self) {
        let mut backoff = Backoff::new(
            self.settings.reconnect_initial_backoff,
            self.settings.reconnect_max_backoff,
        );
        // The latest confirmed seq, made durable by a saver of its own.
        let start = self.store.cursor(CURSOR).unwrap_or(0);
        let (cursor, latest) = watch::channel(start);
        let saver = tokio::spawn(save_loop(self.store.clone(), latest, start));
        self.sessions(&mut backoff, &cursor).await;
        drop(cursor); // the saver stores the last value, then ends
        let _ = saver.await;
    }

    async fn sessions(&mut self, backoff: &mut Backoff, cursor: &watch::Sender<u64>) {
        loop {
            if *self.stopping.borrow() {
                return;
            }
            match self.session(backoff, cursor).await {
                Ok(()) => return,
                Err(e) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "AMQP publisher lost its session; events keep waiting in the outbox");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.stopping.changed() => return,
                    }
                }
            }
        }
    }

    /// One connection's life. Returns Ok only when the hub stops.
    async fn session(
        &mut self,
        backoff: &mut Backoff,
        cursor: &watch::Sender<u64>,
    ) -> Result<(), AmqpError> {
        let connection = connect(&self.settings.url, "lienthong-publisher").await?;
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
        cursor: &watch::Sender<u64>,
    ) -> Result<(), AmqpError> {
        let channel = connection
            .create_channel()
            .await
            .map_err(AmqpError::broker("opening a channel"))?;
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
        cursor: &watch::Sender<u64>,
    ) -> Result<(), AmqpError> {
        topology::declare(channel, &self.settings.names, &self.amqp_partners).await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(AmqpError::broker("enabling publisher confirms"))?;
        backoff.reset();
        // Confirmed in this process (maybe not yet durable) or on disk.
        let confirmed = (*cursor.borrow()).max(self.store.cursor(CURSOR)?);
        let mut published = confirmed;
        tracing::info!(from_seq = confirmed + 1, "AMQP publisher connected");
        // Every publish gets a confirm; they are awaited in seq order.
        let mut in_flight: VecDeque<(u64, String, bool, PublisherConfirm)> = VecDeque::new();
        loop {
            let durable = *self.committed.borrow_and_update();
            let window = self.settings.publish_window;
            // Refill in chunks (at half the window), not one event at a time.
            let room = if in_flight.len() <= window / 2 {
                window - in_flight.len()
            } else {
                0
            };
            let mut progressed = false;
            if room > 0 && published < durable {
                // Reading and decoding the outbox blocks: keep it off the runtime.
                let store = self.store.clone();
                let events =
                    tokio::task::spawn_blocking(move || store.events_after(published, room))
                        .await
                        .map_err(|e| {
                            AmqpError::Store(crate::store::StoreError::Corrupt {
                                key: "e".into(),
                                reason: e.to_string(),
                            })
                        })??;
                for event in events {
                    if event.seq > durable {
                        break;
                    }
                    let mandatory = self.amqp_partners.iter().any(|(_, f)| f.matches(&event));
                    let key = routing_key(&event);
                    let confirm = channel
                        .basic_publish(
                            &self.settings.names.events,
                            &key,
                            BasicPublishOptions {
                                mandatory,
                                ..Default::default()
                            },
                            &to_proto::event(&event).encode_to_vec(),
                            properties(&event),
                        )
                        .await
                        .map_err(AmqpError::broker("publishing an event"))?;
                    published = event.seq;
                    progressed = true;
                    in_flight.push_back((event.seq, key, mandatory, confirm));
                }
            }
            if progressed {
                continue;
            }
            if let Some((seq, key, mandatory, confirm)) = in_flight.pop_front() {
                self.await_confirm(seq, key, mandatory, confirm).await?;
                // The saver makes it durable in the background; the pipeline
                // never waits for an fsync.
                cursor.send_replace(seq);
                continue;
            }
            // Everything committed is confirmed: wait for more, or the stop.
            tokio::select! {
                changed = self.committed.changed() => if changed.is_err() { return Ok(()) },
                _ = self.stopping.changed() => return Ok(()),
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

/// Stores the latest confirmed seq whenever it moves, one fsync at a time,
/// and once more when the publisher ends. A cursor that lags only means some
/// events are published again, with the same `message_id`.
async fn save_loop(store: Store, mut latest: watch::Receiver<u64>, mut saved: u64) {
    loop {
        let closed = latest.changed().await.is_err();
        let seq = *latest.borrow_and_update();
        if seq > saved {
            let store = store.clone();
            match tokio::task::spawn_blocking(move || store.advance_cursor(CURSOR, seq)).await {
                Ok(Ok(_)) => saved = seq,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, seq, "could not store the AMQP publisher cursor; later events may be published again")
                }
                Err(e) => tracing::warn!(error = %e, "the cursor saver failed"),
            }
        }
        if closed {
            return;
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
    if let Some(status) = event.to_status {
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
