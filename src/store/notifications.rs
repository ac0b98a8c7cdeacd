//! What the notification channels remember: one record per event and
//! channel that was settled without parking — sent (with the gateway's or
//! the mail server's reference) or not sent for a reason of the dossier's
//! own (no address). A record is the proof that the event's notification on
//! that channel is done, so that no redelivery of the event sends it twice.
//!
//! | prefix | key                              | value              |
//! |--------|----------------------------------|--------------------|
//! | `n`    | dossier id, seq, channel name    | NotificationRecord |
//!
//! An event's seq names it as uniquely as its id and never changes either;
//! keying by dossier first lets the dossier page read its records in one scan.

use super::{decode, encode, keys, Store, StoreError};
use crate::domain::{EventType, UnixMillis};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub dossier_id: u64,
    pub ma_ho_so: String,
    pub event_id: String,
    pub seq: u64,
    pub event_type: EventType,
    /// `email` or `sms`.
    pub channel: String,
    pub outcome: NotificationOutcome,
    pub at: UnixMillis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum NotificationOutcome {
    /// Accepted by the mail server or the SMS gateway.
    Sent { reference: String },
    /// Nothing was sent, for a reason that a retry cannot change.
    NotSent { reason: String },
}

const NOTIFICATION: u8 = b'n';

fn dossier_prefix(dossier_id: u64) -> Vec<u8> {
    let mut key = vec![NOTIFICATION];
    key.extend_from_slice(&dossier_id.to_be_bytes());
    key
}

fn record_key(dossier_id: u64, seq: u64, channel: &str) -> Vec<u8> {
    let mut key = dossier_prefix(dossier_id);
    key.extend_from_slice(&seq.to_be_bytes());
    key.extend_from_slice(channel.as_bytes());
    key
}

impl Store {
    pub fn notification(
        &self,
        dossier_id: u64,
        seq: u64,
        channel: &str,
    ) -> Result<Option<NotificationRecord>, StoreError> {
        self.get_json(&record_key(dossier_id, seq, channel))
    }

    /// Writes a record and makes it durable before returning: once a
    /// notification is recorded as done, no crash can make it be sent again.
    pub fn put_notification(&self, record: &NotificationRecord) -> Result<(), StoreError> {
        self.write_db()?
            .insert(
                record_key(record.dossier_id, record.seq, &record.channel),
                encode(record),
            )
            .map_err(|e| self.failed("recording a notification", e))?;
        self.flush()
    }

    /// A dossier's records, oldest event first.
    pub fn notifications(&self, dossier_id: u64) -> Result<Vec<NotificationRecord>, StoreError> {
        self.db()?
            .scan_prefix(dossier_prefix(dossier_id))
            .map(|item| {
                let (key, value) = item.map_err(|e| self.failed("reading notifications", e))?;
                decode(&key, &value)
            })
            .collect()
    }
}

// Keep the key layout in one place: this prefix is listed in keys.rs too.
const _: () = assert!(NOTIFICATION != keys::EVENT && NOTIFICATION != keys::DOSSIER);
