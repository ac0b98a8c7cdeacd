//! The relay to one peer site: an outbox destination whose cursor moves
//! only when the peer's hub acknowledged what it was sent.
//!
//! It follows the outbox from its durable cursor (`CursorId::Site`), keeps
//! the events that hand a dossier over to the peer or change one the peer
//! keeps a copy of (`domain::site::outgoing`), and publishes each, in seq
//! order, to the peer's out queue on this hub's broker with a publisher
//! confirm (the shovel takes it from there). What was published waits in a
//! window for the peer's `SiteAck`; the cursor is the seq before the oldest
//! one not acknowledged (or the last event read, when none waits), so the
//! console's lag of this destination is the transfers still pending, with
//! the age of the oldest. A lost session or a restart publishes again from
//! the cursor: the peer drops what it holds (same event id, same version)
//! and acknowledges again.
//!
//! Nothing is lost on the way either: a peer's broker drops a message its
//! hub has not bound a queue for yet (a shovel's `on-confirm` is the
//! broker's word, not the hub's), and a peer drops a change that comes after
//! one it never got (`site::judge`). So when the oldest transfer has waited
//! `site.transfer_resend_seconds` for its acknowledgement, the relay sends
//! again from it — everything after it too, each with the dossier's whole
//! history, so a gap is filled whatever was lost — and waits twice as long
//! before the next resend while the peer answers nothing. What the peer
//! refused (and parked, answering so) stays pending and is not sent again
//! while this hub runs: it would only be parked again.
//!
//! Ordering across sites: a dossier's changes come from its authoritative
//! site only, in order on one link. When the authority moves (B hands the
//! dossier on to C), C's first change may reach a copy A before B's last
//! ones; it carries the whole history, so A is complete at once and B's
//! late changes are duplicates there.

use super::SiteLinks;
use crate::amqp::connect::Backoff;
use crate::amqp::{topology, AmqpError};
use crate::domain::site::{outgoing, Outgoing, SiteAck, SiteMessage, Transfer};
use crate::domain::{Event, EventPayload};
use crate::hub::{CursorId, CursorSaver, Hub, HubError};
use crate::metrics::{DestinationKind, DestinationMetrics};
use crate::partners::SubscriptionFilter;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::BasicProperties;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

pub struct PeerRelay {
    pub hub: Hub,
    pub links: Arc<SiteLinks>,
    pub peer: String,
    /// The peer's acknowledgements, from the inbound consumer.
    pub acks: mpsc::Receiver<SiteAck>,
    pub stopping: watch::Receiver<bool>,
    /// How long the oldest transfer waits for its acknowledgement before the
    /// window is sent again (`transfer_resend_seconds`, doubled while the
    /// peer answers nothing).
    pub resend_after: Duration,
    /// Events up to this seq were sent once already: sent again, they carry
    /// the dossier's whole history.
    pub whole_through: u64,
    /// Transfers the peer refused (and parked), with its reason: pending
    /// still, never sent again by this run of the hub. A restart sends them
    /// once more (the peer's configuration may have been put right), and a
    /// refused transfer an operator moves back into the peer's
    /// `<prefix>.site.in` is acknowledged like any other.
    pub refused: BTreeMap<u64, String>,
}

/// What was sent and not yet acknowledged (with when), and how far the
/// outbox was read.
struct Window {
    pending: BTreeMap<u64, Instant>,
    read_through: u64,
}

impl Window {
    fn starting_at(from: u64) -> Window {
        Window {
            pending: BTreeMap::new(),
            read_through: from,
        }
    }

    /// Every event up to this seq is done with.
    fn settled(&self) -> u64 {
        match self.pending.first_key_value() {
            Some((first, _)) => first - 1,
            None => self.read_through,
        }
    }

    /// When the oldest unacknowledged transfer is to be sent again (one the
    /// peer refused is not).
    fn resend_due(&self, after: Duration, refused: &BTreeMap<u64, String>) -> Option<Instant> {
        self.pending
            .iter()
            .find(|(seq, _)| !refused.contains_key(seq))
            .map(|(_, sent)| *sent + after)
    }
}

/// Why one pass over the outbox from the cursor ended.
enum Pass {
    Stopped,
    /// The oldest transfer waited too long for its acknowledgement.
    Resend,
}

/// A peer that acknowledges nothing (its hub or its link down for hours) is
/// not sent the window again every `transfer_resend_seconds`: the wait
/// doubles after each resend that brought no acknowledgement, up to this
/// many times the setting.
const RESEND_BACKOFF_LIMIT: u32 = 32;

impl PeerRelay {
    pub async fn run(mut self) {
        let amqp = &self.links.amqp;
        let mut backoff = Backoff::new(amqp.reconnect_initial_backoff, amqp.reconnect_max_backoff);
        let id = CursorId::Site(self.peer.clone());
        let start = self.hub.cursor(&id).unwrap_or(0);
        let cursor = self.hub.cursor_saver(id, start);
        loop {
            if *self.stopping.borrow() {
                break;
            }
            match self.session(&mut backoff, &cursor).await {
                Ok(()) => break,
                Err(e) => {
                    self.counted().retried();
                    let lost =
                        "the relay to a peer site lost its session; transfers wait in the outbox";
                    if !backoff.wait_after(lost, &e, &mut self.stopping).await {
                        break;
                    }
                }
            }
        }
        cursor.finish().await;
    }

    fn counted(&self) -> DestinationMetrics {
        self.hub
            .metrics()
            .destination(DestinationKind::Site, &self.peer)
    }

    async fn session(
        &mut self,
        backoff: &mut Backoff,
        cursor: &CursorSaver,
    ) -> Result<(), AmqpError> {
        let name = format!(
            "lienthong-site-relay {} to {}",
            self.links.amqp.names.prefix, self.peer
        );
        let connection = self.links.amqp.connect(&name).await?;
        let result = self.publish_on(&connection, backoff, cursor).await;
        let _ = connection.close(200, "lienthong site relay ends").await;
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
        let queue = self.links.names.outbound(&self.peer);
        topology::replicated(connection, &channel, &queue)
            .await
            .map_err(AmqpError::broker("declaring a site's out queue"))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(AmqpError::broker("enabling publisher confirms"))?;
        backoff.reset();
        loop {
            let from = cursor.latest();
            tracing::info!(peer = %self.peer, from_seq = from + 1, "site relay sends");
            let mut window = Window::starting_at(from);
            match self.pass(&channel, &queue, cursor, &mut window).await? {
                Pass::Stopped => return Ok(()),
                Pass::Resend => {
                    let (oldest, last) = match (
                        window.pending.first_key_value(),
                        window.pending.last_key_value(),
                    ) {
                        (Some((oldest, _)), Some((last, _))) => (*oldest, *last),
                        _ => continue,
                    };
                    tracing::warn!(
                        peer = %self.peer,
                        oldest_seq = oldest,
                        unacknowledged = window.pending.len(),
                        waited_seconds = self.resend_after.as_secs(),
                        "a peer site has not acknowledged a transfer; sending again from it, with whole histories"
                    );
                    self.counted().retried();
                    self.whole_through = self.whole_through.max(last);
                    self.resend_after = (self.resend_after * 2).min(self.resend_limit());
                }
            }
        }
    }

    fn resend_base(&self) -> Duration {
        Duration::from_secs(self.links.section.transfer_resend_seconds)
    }

    fn resend_limit(&self) -> Duration {
        self.resend_base() * RESEND_BACKOFF_LIMIT
    }

    /// Sends from the window's start until stopped or until the oldest
    /// transfer waited `resend_after` for its acknowledgement.
    async fn pass(
        &mut self,
        channel: &lapin::Channel,
        queue: &str,
        cursor: &CursorSaver,
        window: &mut Window,
    ) -> Result<Pass, AmqpError> {
        let mut outbox = self
            .hub
            .follow(window.read_through, SubscriptionFilter::default());
        let room = self.links.section.transfer_window_messages;
        loop {
            // Acknowledgements first: they free the window.
            while let Ok(ack) = self.acks.try_recv() {
                self.settle(window, &ack, cursor);
            }
            let due = window.resend_due(self.resend_after, &self.refused);
            let resend = async move {
                match due {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            if window.pending.len() >= room {
                tokio::select! {
                    ack = self.acks.recv() => match ack {
                        Some(ack) => self.settle(window, &ack, cursor),
                        None => return Ok(Pass::Stopped),
                    },
                    _ = resend => return Ok(Pass::Resend),
                    _ = self.stopping.changed() => return Ok(Pass::Stopped),
                }
                continue;
            }
            tokio::select! {
                ack = self.acks.recv() => match ack {
                    Some(ack) => self.settle(window, &ack, cursor),
                    None => return Ok(Pass::Stopped),
                },
                _ = resend => return Ok(Pass::Resend),
                batch = outbox.next(room - window.pending.len()) => {
                    let Some(batch) = batch? else { return Ok(Pass::Stopped) };
                    for event in batch.events {
                        // What the peer refused stays pending, not sent again.
                        let refused = self.refused.contains_key(&event.seq);
                        if refused || self.send(channel, queue, &event).await? {
                            window.pending.insert(event.seq, Instant::now());
                        }
                    }
                    window.read_through = batch.through;
                    cursor.advance(window.settled());
                }
            }
        }
    }

    fn settle(&mut self, window: &mut Window, ack: &SiteAck, cursor: &CursorSaver) {
        if let Some(reason) = &ack.refused {
            if window.pending.contains_key(&ack.seq) && !self.refused.contains_key(&ack.seq) {
                tracing::warn!(
                    peer = %self.peer,
                    seq = ack.seq,
                    event_id = %ack.event_id,
                    reason = %reason,
                    "a peer site refused a transfer and parked it; it stays pending here and is not sent again until this hub restarts"
                );
                self.refused.insert(ack.seq, reason.clone());
            }
            return;
        }
        self.refused.remove(&ack.seq);
        if window.pending.remove(&ack.seq).is_some() {
            self.counted().delivered(1);
            cursor.advance(window.settled());
            // The peer answers again: the next resend waits the setting.
            self.resend_after = self.resend_base();
        }
    }

    /// Publishes what `event` means for the peer, if anything; true when
    /// something was published (and confirmed by this hub's broker).
    async fn send(
        &self,
        channel: &lapin::Channel,
        queue: &str,
        event: &Event,
    ) -> Result<bool, AmqpError> {
        let here = &self.links.section.code;
        let national = self
            .links
            .section
            .peers
            .iter()
            .any(|p| p.code == self.peer && p.national);
        let Some(kind) = outgoing(event, here, &self.peer, national) else {
            return Ok(false);
        };
        let EventPayload::DossierChanged { dossier, entry } = &event.payload else {
            return Ok(false);
        };
        // A handover carries the whole history, and so does the first change
        // a new authority sends (the dossier's arrival here): the copies may
        // not have heard yet of the previous authority's last changes, which
        // travel another way, and a copy takes a version only once. So does
        // whatever is sent again: the peer may have lost an earlier change
        // for good (a national peer added after the outbox was trimmed).
        let whole = kind == Outgoing::Handover
            || event.partner_id.starts_with("site.")
            || event.seq <= self.whole_through;
        let history = match whole {
            false => vec![entry.clone()],
            true => {
                let (hub, id, version) =
                    (self.hub.clone(), event.dossier_id, event.dossier_version);
                tokio::task::spawn_blocking(move || hub.history_up_to(id, version))
                    .await
                    .map_err(|e| {
                        AmqpError::Hub(HubError::TaskFailed {
                            what: "reading a dossier's history".into(),
                            reason: e.to_string(),
                        })
                    })??
            }
        };
        let transfer = Transfer {
            from_site: here.clone(),
            event_id: event.event_id.clone(),
            seq: event.seq,
            event_type: event.event_type,
            from_agency_code: event.from_agency_code.clone(),
            dossier: (**dossier).clone(),
            history,
        };
        let message = match kind {
            Outgoing::Handover => SiteMessage::Handover(transfer),
            Outgoing::Change => SiteMessage::Change(transfer),
        };
        publish(channel, queue, &message, &event.event_id, event.seq).await?;
        Ok(true)
    }
}

/// Publishes one site message to `queue` (default exchange) and waits for
/// the broker's confirm.
pub(super) async fn publish(
    channel: &lapin::Channel,
    queue: &str,
    message: &SiteMessage,
    message_id: &str,
    seq: u64,
) -> Result<(), AmqpError> {
    let properties = BasicProperties::default()
        .with_message_id(message_id.into())
        .with_content_type("application/json".into())
        .with_type("lienthong.site.v1".into())
        .with_app_id("lienthong".into())
        .with_delivery_mode(2);
    let confirm = channel
        .basic_publish(
            "",
            queue,
            BasicPublishOptions {
                mandatory: true,
                ..Default::default()
            },
            &message.encode(),
            properties,
        )
        .await
        .map_err(AmqpError::broker("publishing to a site's queue"))?;
    match confirm
        .await
        .map_err(AmqpError::broker("waiting for a publisher confirm"))?
    {
        Confirmation::Ack(None) | Confirmation::NotRequested => Ok(()),
        Confirmation::Ack(Some(returned)) => Err(AmqpError::Unroutable {
            seq,
            routing_key: queue.to_string(),
            reply: returned.reply_text.to_string(),
        }),
        Confirmation::Nack(_) => Err(AmqpError::Nacked { seq }),
    }
}
