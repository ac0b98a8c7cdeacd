//! What other sites send this hub: transfers (a dossier handed over, a
//! change of a dossier another site decides about) and acknowledgements.
//!
//! One consumer on `<prefix>.site.in`, one message at a time (so a
//! dossier's changes are taken in the order their site sent them). A
//! transfer goes to the writer through `Hub::receive_from_site`; once it is
//! durable (or found a duplicate), a `SiteAck` goes back to the sender's out
//! queue on this broker, confirmed, and only then is the delivery
//! acknowledged — a crash in between means the transfer comes again, is
//! found a duplicate, and is acknowledged again. A transfer this hub refuses
//! (not a peer, not meant for this site, …) is parked in
//! `<prefix>.site.parked` with its reason and answered as refused, not
//! acknowledged: its sender's console keeps showing it pending, and its
//! relay does not send it again (it would only be parked again). A change that comes after
//! one that never arrived (the peer's broker dropped it, say, before this
//! hub had bound its queue) is dropped unacknowledged: the sender sends
//! again from the lost one (`relay.rs`). A failure worth retrying
//! (storage, stopping) ends the session: the broker delivers it again.

use super::relay::publish;
use super::SiteLinks;
use crate::amqp::connect::Backoff;
use crate::amqp::{topology, AmqpError, REASON_HEADER};
use crate::domain::site::{SiteAck, SiteMessage};
use crate::hub::{Hub, SiteOutcome};
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, ExchangeKind};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio_stream::StreamExt;

/// Messages handed to this consumer at once.
const PREFETCH: u16 = 32;

pub struct Inbound {
    pub hub: Hub,
    pub links: Arc<SiteLinks>,
    /// Each peer relay's acknowledgements.
    pub acks: HashMap<String, mpsc::Sender<SiteAck>>,
    /// Set once the site queues are declared (the shovels may go then).
    pub declared: watch::Sender<bool>,
    pub stopping: watch::Receiver<bool>,
}

impl Inbound {
    pub async fn run(mut self) {
        let amqp = &self.links.amqp;
        let mut backoff = Backoff::new(amqp.reconnect_initial_backoff, amqp.reconnect_max_backoff);
        loop {
            if *self.stopping.borrow() {
                return;
            }
            match self.session(&mut backoff).await {
                Ok(()) => return,
                Err(e) => {
                    let lost =
                        "the site consumer lost its session; peers' transfers wait in the broker";
                    if !backoff.wait_after(lost, &e, &mut self.stopping).await {
                        return;
                    }
                }
            }
        }
    }

    async fn session(&mut self, backoff: &mut Backoff) -> Result<(), AmqpError> {
        let name = format!("lienthong-site-inbound {}", self.links.amqp.names.prefix);
        let connection = self.links.amqp.connect(&name).await?;
        let result = self.consume_on(&connection, backoff).await;
        let _ = connection.close(200, "lienthong site consumer ends").await;
        result
    }

    async fn consume_on(
        &mut self,
        connection: &lapin::Connection,
        backoff: &mut Backoff,
    ) -> Result<(), AmqpError> {
        let names = &self.links.names;
        let channel = connection
            .create_channel()
            .await
            .map_err(AmqpError::broker("opening a channel"))?;
        channel
            .exchange_declare(
                &names.exchange,
                ExchangeKind::Direct,
                ExchangeDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(AmqpError::broker("declaring the site exchange"))?;
        for queue in [&names.inbound, &names.parked] {
            topology::replicated(connection, &channel, queue)
                .await
                .map_err(AmqpError::broker("declaring a site queue"))?;
        }
        for peer in &self.links.section.peers {
            topology::bind(&channel, &names.inbound, &names.exchange, &peer.code).await?;
            // Acknowledgements to a peer wait there until its relay runs.
            topology::replicated(connection, &channel, &names.outbound(&peer.code))
                .await
                .map_err(AmqpError::broker("declaring a site's out queue"))?;
        }
        self.declared.send_replace(true);
        let answers = connection
            .create_channel()
            .await
            .map_err(AmqpError::broker("opening a channel"))?;
        answers
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(AmqpError::broker("enabling publisher confirms"))?;
        channel
            .basic_qos(PREFETCH, BasicQosOptions::default())
            .await
            .map_err(AmqpError::broker("setting the prefetch"))?;
        let mut consumer = channel
            .basic_consume(
                &names.inbound,
                "lienthong-sites",
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(AmqpError::broker("consuming the site queue"))?;
        backoff.reset();
        tracing::info!(site = %self.links.section.code, "site consumer connected");
        loop {
            let delivery = tokio::select! {
                next = consumer.next() => match next {
                    Some(delivery) => delivery.map_err(AmqpError::broker("receiving from the site queue"))?,
                    None => return Err(AmqpError::Broker {
                        action: "consuming the site queue",
                        source: lapin::Error::InvalidChannelState(lapin::ChannelState::Closed),
                    }),
                },
                _ = self.stopping.changed() => return Ok(()),
            };
            self.handle(&answers, &delivery.data, &delivery.properties)
                .await?;
            delivery
                .ack(BasicAckOptions::default())
                .await
                .map_err(AmqpError::broker("acknowledging a site message"))?;
        }
    }

    /// Takes one message; Ok once it may be acknowledged to the broker.
    async fn handle(
        &self,
        answers: &lapin::Channel,
        body: &[u8],
        properties: &BasicProperties,
    ) -> Result<(), AmqpError> {
        let message = match SiteMessage::decode(body) {
            Ok(message) => message,
            Err(reason) => return self.park(answers, body, properties, &reason).await,
        };
        let (handover, transfer) = match message {
            SiteMessage::Ack(ack) => {
                if let Some(relay) = self.acks.get(&ack.from_site) {
                    // The relay may be gone (stopping): the ack is then moot.
                    let _ = relay.send(ack).await;
                }
                return Ok(());
            }
            SiteMessage::Handover(t) => (true, t),
            SiteMessage::Change(t) => (false, t),
        };
        let (from, seq, event_id) = (
            transfer.from_site.clone(),
            transfer.seq,
            transfer.event_id.clone(),
        );
        match self.hub.receive_from_site(handover, transfer).await {
            Ok(SiteOutcome::Gap { held, first }) => {
                // Not acknowledged to the sender: its relay sends again from
                // its oldest unacknowledged transfer, with whole histories.
                tracing::info!(
                    from_site = %from,
                    seq,
                    held,
                    first,
                    "a change from a peer site comes after one that never arrived; dropped until the peer sends again"
                );
                Ok(())
            }
            Ok(SiteOutcome::Taken { .. } | SiteOutcome::Duplicate) => {
                self.answer(answers, &from, seq, &event_id, None).await
            }
            Err(e) if e.code().is_retryable() => Err(AmqpError::Hub(e)),
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!(from_site = %from, seq, error = %reason, "a transfer from a peer site was refused; parked");
                self.park(answers, body, properties, &reason).await?;
                // Told, the sender keeps it pending without sending it again.
                self.answer(answers, &from, seq, &event_id, Some(reason))
                    .await
            }
        }
    }

    /// Acknowledges the transfer `seq` to site `to` (or says it was refused).
    async fn answer(
        &self,
        answers: &lapin::Channel,
        to: &str,
        seq: u64,
        event_id: &str,
        refused: Option<String>,
    ) -> Result<(), AmqpError> {
        if !self.links.section.peers.iter().any(|p| p.code == to) {
            // No link leads back to a site that is not a peer.
            return Ok(());
        }
        let ack = SiteMessage::Ack(SiteAck {
            from_site: self.links.section.code.clone(),
            seq,
            event_id: event_id.to_string(),
            refused,
        });
        let queue = self.links.names.outbound(to);
        publish(answers, &queue, &ack, &format!("ack-{event_id}"), seq).await
    }

    async fn park(
        &self,
        answers: &lapin::Channel,
        body: &[u8],
        properties: &BasicProperties,
        reason: &str,
    ) -> Result<(), AmqpError> {
        let mut headers = properties.headers().clone().unwrap_or_default();
        headers.insert(REASON_HEADER.into(), AMQPValue::LongString(reason.into()));
        let copy = properties
            .clone()
            .with_headers(headers)
            .with_delivery_mode(2);
        let confirm = answers
            .basic_publish(
                "",
                &self.links.names.parked,
                BasicPublishOptions::default(),
                body,
                copy,
            )
            .await
            .map_err(AmqpError::broker("parking a site message"))?;
        confirm
            .await
            .map_err(AmqpError::broker("waiting for a publisher confirm"))?;
        Ok(())
    }
}
