//! One channel as the relay's outlet: an event in, at most one message out.
//!
//! For each event it first looks for the channel's record of that event: if
//! the notification was settled already (a redelivery after a restart, or a
//! re-drive), nothing is sent again. A dossier without an address for the
//! channel, or with one that cannot be used, is settled as "not sent" with
//! the reason — a fact about the dossier, not a failure to retry. Otherwise
//! the message is rendered from the trigger's template and sent; only once
//! the server or gateway accepted it is the record written (durably), and
//! only then does the relay move on. Failures go back to the relay, which
//! retries them with backoff and parks them with their reason.

use super::email::EmailSender;
use super::sms::SmsSender;
use super::template::Templates;
use super::trigger::{self, Trigger};
use super::Failure;
use crate::adapters::Outlet;
use crate::domain::{Event, UnixMillis};
use crate::hub::{NotificationOutcome, NotificationRecord, NotificationRecords, NotifyChannel};
use lienthong_adapter::{Accepted, DeliveryError};
use std::sync::Arc;

pub enum Sender {
    Email(EmailSender),
    Sms(SmsSender),
}

impl Sender {
    pub fn channel(&self) -> NotifyChannel {
        match self {
            Sender::Email(_) => NotifyChannel::Email,
            Sender::Sms(_) => NotifyChannel::Sms,
        }
    }
}

pub struct ChannelOutlet {
    pub sender: Sender,
    pub templates: Arc<Templates>,
    pub records: NotificationRecords,
}

#[async_trait::async_trait]
impl Outlet for ChannelOutlet {
    async fn deliver(&self, event: &Event) -> Result<Accepted, DeliveryError> {
        let channel = self.sender.channel();
        let (Some(trigger), Some((dossier, entry))) =
            (Trigger::of(event.event_type), trigger::dossier_of(event))
        else {
            return Ok(Accepted::default());
        };
        let storage = |e: crate::hub::HubError| {
            DeliveryError::retry(format!("notification records unavailable: {e}"))
        };
        if let Some(done) = self
            .records
            .done(event.dossier_id, event.seq, channel)
            .map_err(storage)?
        {
            tracing::debug!(
                seq = event.seq,
                channel = channel.as_str(),
                "notification settled before; not sent again"
            );
            return Ok(accepted(&done.outcome));
        }
        let address = match channel {
            NotifyChannel::Email => dossier.email.trim(),
            NotifyChannel::Sms => dossier.phone.trim(),
        };
        let values = trigger::values(trigger, event, dossier, entry);
        let templates = self.templates.of(trigger);
        let reference = format!("{}.{}", event.event_id, channel.as_str());
        let sent = if address.is_empty() {
            Err(Failure::Unusable(match channel {
                NotifyChannel::Email => "the dossier has no e-mail address".into(),
                NotifyChannel::Sms => "the dossier has no phone number".into(),
            }))
        } else {
            match &self.sender {
                Sender::Email(email) => {
                    email
                        .send(
                            address,
                            templates.email_subject.render(&values),
                            templates.email_body.render(&values),
                            &reference,
                        )
                        .await
                }
                Sender::Sms(sms) => {
                    sms.send(address, &templates.sms.render(&values), &reference)
                        .await
                }
            }
        };
        let outcome = match sent {
            Ok(reference) => NotificationOutcome::Sent { reference },
            Err(Failure::Unusable(reason)) => NotificationOutcome::NotSent { reason },
            Err(Failure::Delivery(e)) => return Err(e),
        };
        tracing::info!(
            seq = event.seq,
            dossier = %event.ma_ho_so,
            trigger = trigger.key(),
            channel = channel.as_str(),
            sent = matches!(outcome, NotificationOutcome::Sent { .. }),
            "notification settled"
        );
        let record = NotificationRecord {
            dossier_id: event.dossier_id,
            ma_ho_so: event.ma_ho_so.clone(),
            event_id: event.event_id.clone(),
            seq: event.seq,
            event_type: event.event_type,
            channel: channel.as_str().to_string(),
            outcome: outcome.clone(),
            at: UnixMillis::now(),
        };
        self.records.record(record).await.map_err(storage)?;
        Ok(accepted(&outcome))
    }
}

fn accepted(outcome: &NotificationOutcome) -> Accepted {
    Accepted {
        partner_reference: match outcome {
            NotificationOutcome::Sent { reference } => reference.clone(),
            NotificationOutcome::NotSent { .. } => String::new(),
        },
    }
}
