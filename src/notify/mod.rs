//! Notifications to applicants: e-mail and SMS at the moments a dossier
//! tells its applicant something (received with the appointment date,
//! supplement requested, fee requested, apology with a new date, result
//! ready, refused).
//!
//! Each channel is a durable destination like a partner's adapter: a relay
//! of the adapter edge follows the outbox from the channel's own cursor
//! (`adapter:notify.email`, `adapter:notify.sms`), keeping the trigger
//! events, and hands them to the channel's [`outlet`]; so retries with
//! backoff, parking with the reason, re-drive by the operator (with the
//! channel's delivery name) and delivery status are the relay's, not a
//! second copy. The outlet records each settled notification per event and
//! channel, so an event never produces the same notification twice, and
//! the dossier page reads them back through `Hub::notifications`.
//!
//! The texts are configuration (`template`, `trigger`, `format`), checked
//! at load. Addresses, names and message texts are personal data: nothing
//! here logs them at info level or above.

mod email;
mod error;
mod format;
mod outlet;
mod settings;
mod sms;
mod template;
mod trigger;

pub use error::NotifyError;
pub use settings::{EmailSettings, NotificationSettings, RetrySettings, TlsMode};
pub use template::Templates;
pub use trigger::Trigger;

use crate::adapters::{Relay, RelayHandle, RelaySettings};
use crate::hub::{CursorId, Destination, Hub, NotifyChannel};
use crate::partners::SubscriptionFilter;
use lienthong_adapter::DeliveryError;
use outlet::{ChannelOutlet, Sender};
use std::collections::HashMap;
use std::sync::Arc;

/// Why a notification was not sent.
pub(crate) enum Failure {
    /// Nothing can be sent for this dossier on this channel (no or a bad
    /// address): settled as "not sent", never retried.
    Unusable(String),
    /// Sending failed: the relay retries or parks it.
    Delivery(DeliveryError),
}

/// The trigger events, the only ones the channels' relays read.
fn filter() -> SubscriptionFilter {
    SubscriptionFilter {
        event_types: Trigger::ALL.map(Trigger::event_type).to_vec(),
        agencies: Vec::new(),
        procedures: Vec::new(),
        citizen_feedback: false,
    }
}

fn channels(settings: &NotificationSettings) -> Vec<NotifyChannel> {
    let mut channels = Vec::new();
    if settings.email.is_some() {
        channels.push(NotifyChannel::Email);
    }
    if settings.sms.is_some() {
        channels.push(NotifyChannel::Sms);
    }
    channels
}

/// The configured channels' cursors hold retention back like a partner's.
pub fn destinations(settings: &NotificationSettings) -> Vec<Destination> {
    channels(settings)
        .into_iter()
        .map(|channel| Destination {
            cursor: CursorId::Adapter(channel.delivery_name().to_string()),
            filter: filter(),
        })
        .collect()
}

/// The running channels: their relays by delivery name, and their tasks.
pub struct NotificationsRuntime {
    pub relays: HashMap<String, RelayHandle>,
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Starts a relay per configured channel.
pub fn start(
    hub: &Hub,
    settings: &NotificationSettings,
) -> Result<NotificationsRuntime, NotifyError> {
    let templates = Arc::new(settings.templates.clone());
    let relay_settings = RelaySettings {
        max_attempts: settings.retry.max_attempts,
        initial_backoff: settings.retry.initial_backoff,
        max_backoff: settings.retry.max_backoff,
        concurrency: settings.retry.concurrency,
    };
    let mut senders = Vec::new();
    if let Some(email) = &settings.email {
        senders.push(Sender::Email(email::EmailSender::new(email)?));
    }
    if let Some(sms) = &settings.sms {
        senders.push(Sender::Sms(sms::SmsSender::new(sms)?));
    }
    let mut runtime = NotificationsRuntime {
        relays: HashMap::new(),
        tasks: Vec::new(),
    };
    for sender in senders {
        let name = sender.channel().delivery_name().to_string();
        let relay = Relay {
            partner: name.clone(),
            filter: filter(),
            outlet: Arc::new(ChannelOutlet {
                sender,
                templates: templates.clone(),
                records: hub.notification_records(),
            }),
            hub: hub.clone(),
            settings: relay_settings,
        };
        let (handle, task) = relay.start();
        tracing::info!(channel = %name, "notification channel started");
        runtime.relays.insert(name, handle);
        runtime.tasks.push(task);
    }
    Ok(runtime)
}
