//! Notifications to applicants as the hub keeps them: which channels exist,
//! the records the channels write once an event's notification is done
//! ([`NotificationRecords`]), and what a dossier page shows of them
//! ([`Hub::notifications`]): sent, not sent and why, or parked and why.
//!
//! The channels themselves (templates, SMTP, the SMS gateway) live in
//! `notify/`; they are delivered to by the adapter edge's relay, so what
//! they park is kept with the other parked deliveries, under the channel's
//! delivery name.

use super::{Hub, HubError};
use crate::domain::{DossierRef, EventType, UnixMillis};
use crate::partners::Partner;
use crate::store::{NotificationOutcome, NotificationRecord, Store};

/// A way of reaching the applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotifyChannel {
    Email,
    Sms,
}

impl NotifyChannel {
    pub const ALL: [NotifyChannel; 2] = [NotifyChannel::Email, NotifyChannel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            NotifyChannel::Email => "email",
            NotifyChannel::Sms => "sms",
        }
    }

    pub fn parse(text: &str) -> Option<NotifyChannel> {
        NotifyChannel::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The name its relay's cursor, parked deliveries and counters are kept
    /// under, and that operators re-drive with. Partner ids cannot contain a
    /// dot, so it never collides with a partner's.
    pub fn delivery_name(self) -> &'static str {
        match self {
            NotifyChannel::Email => "notify.email",
            NotifyChannel::Sms => "notify.sms",
        }
    }
}

/// Where the channels record what they settled; `Hub::notification_records`.
#[derive(Clone)]
pub struct NotificationRecords {
    pub(super) store: Store,
}

impl NotificationRecords {
    /// The record of this event on this channel, if it was settled already.
    pub fn done(
        &self,
        dossier_id: u64,
        seq: u64,
        channel: NotifyChannel,
    ) -> Result<Option<NotificationRecord>, HubError> {
        Ok(self.store.notification(dossier_id, seq, channel.as_str())?)
    }

    /// Records a settled notification durably (on the blocking pool: it
    /// waits for the disk).
    pub async fn record(&self, record: NotificationRecord) -> Result<(), HubError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.put_notification(&record))
            .await
            .map_err(|e| HubError::Unavailable {
                what: "the notification records".into(),
                reason: e.to_string(),
            })??;
        Ok(())
    }
}

/// One notification of a dossier, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierNotification {
    pub seq: u64,
    pub event_id: String,
    pub event_type: EventType,
    pub channel: NotifyChannel,
    pub state: NotificationState,
    /// When it was sent, found unsendable, or parked.
    pub at: UnixMillis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotificationState {
    /// Accepted by the mail server or the SMS gateway, with its reference.
    Sent { reference: String },
    /// Not sent, for a reason of the dossier's own (no address on it).
    NotSent { reason: String },
    /// Given up on for now; an operator can re-drive it.
    Parked { reason: String, attempts: u32 },
}

impl Hub {
    /// Where the notification channels record what they settled.
    pub fn notification_records(&self) -> NotificationRecords {
        NotificationRecords {
            store: self.store.clone(),
        }
    }

    /// Every notification the dossier's events produced so far, on every
    /// channel, in event order: sent (when, the reference), not sent (why)
    /// or parked (why). One still being tried is not listed yet.
    pub fn notifications(
        &self,
        partner: &Partner,
        reference: &DossierRef,
    ) -> Result<Vec<DossierNotification>, HubError> {
        let dossier = super::visible_dossier(&self.store, partner, reference)?;
        let mut shown: Vec<DossierNotification> = Vec::new();
        for record in self.store.notifications(dossier.id)? {
            let Some(channel) = NotifyChannel::parse(&record.channel) else {
                continue;
            };
            let state = match record.outcome {
                NotificationOutcome::Sent { reference } => NotificationState::Sent { reference },
                NotificationOutcome::NotSent { reason } => NotificationState::NotSent { reason },
            };
            shown.push(DossierNotification {
                seq: record.seq,
                event_id: record.event_id,
                event_type: record.event_type,
                channel,
                state,
                at: record.at,
            });
        }
        for channel in NotifyChannel::ALL {
            let parked = self
                .delivery_records(channel.delivery_name())
                .parked(usize::MAX)?;
            shown.extend(
                parked
                    .into_iter()
                    .filter(|p| p.event.dossier_id == dossier.id)
                    .map(|p| DossierNotification {
                        seq: p.event.seq,
                        event_id: p.event.event_id,
                        event_type: p.event.event_type,
                        channel,
                        state: NotificationState::Parked {
                            reason: p.reason,
                            attempts: p.attempts,
                        },
                        at: p.parked_at,
                    }),
            );
        }
        shown.sort_by_key(|n| (n.seq, n.channel.as_str()));
        Ok(shown)
    }
}
