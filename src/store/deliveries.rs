//! What the delivery relay remembers per partner with an adapter: events it
//! parked (with a copy of the event, so a re-drive works after retention),
//! the last accepted delivery per dossier (sync state and lag), every
//! accepted delivery per dossier (the ledger operators read: what each
//! partner took, when, and its answer), and counters.
//!
//! | prefix | key                         | value            |
//! |--------|-----------------------------|------------------|
//! | `p`    | partner 0 seq               | ParkedDelivery   |
//! | `q`    | partner 0 dossier id        | DeliveryState    |
//! | `s`    | partner                     | DeliveryStats    |
//! | `g`    | dossier id, seq, partner    | DeliveredEvent   |

use super::{decode, encode, keys, AuditItem, Store, StoreError};
use crate::audit::Record;
use crate::domain::{Event, EventType, UnixMillis};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedDelivery {
    pub event: Event,
    pub reason: String,
    pub attempts: u32,
    pub parked_at: UnixMillis,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryState {
    pub dossier_id: u64,
    pub ma_ho_so: String,
    pub last_seq: u64,
    pub last_version: u64,
    pub occurred_at: UnixMillis,
    pub accepted_at: UnixMillis,
    pub partner_reference: String,
    pub attempts: u32,
}

impl DeliveryState {
    /// How long after the change the partner accepted it.
    pub fn lag_millis(&self) -> i64 {
        self.accepted_at.0 - self.occurred_at.0
    }
}

/// One event a partner accepted, as the dossier's delivery ledger keeps
/// it: written with the sync state, in the same batch, and never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredEvent {
    /// The partner (or notification channel) that accepted it.
    pub destination: String,
    pub event_type: EventType,
    pub delivery: DeliveryState,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStats {
    /// Events the partner accepted.
    pub accepted: u64,
    /// Events parked (rejected, given up, or waiting behind a parked one).
    pub parked: u64,
    /// Failed attempts that were retried.
    pub retried: u64,
    /// Parked events sent again by an operator.
    pub redriven: u64,
}

const PARKED: u8 = b'p';
const STATE: u8 = b'q';
const STATS: u8 = b's';
const LEDGER: u8 = b'g';

fn partner_key(prefix: u8, partner: &str) -> Vec<u8> {
    let mut key = vec![prefix];
    key.extend_from_slice(partner.as_bytes());
    key.push(0);
    key
}

/// The ledger's key: by dossier first, so one prefix scan reads a
/// dossier's deliveries to every partner, in event order.
fn ledger_key(dossier_id: u64, seq: u64, partner: &str) -> Vec<u8> {
    let mut key = vec![LEDGER];
    key.extend_from_slice(&dossier_id.to_be_bytes());
    key.extend_from_slice(&seq.to_be_bytes());
    key.extend_from_slice(partner.as_bytes());
    key
}

fn numbered(prefix: u8, partner: &str, n: u64) -> Vec<u8> {
    let mut key = partner_key(prefix, partner);
    key.extend_from_slice(&n.to_be_bytes());
    key
}

impl Store {
    pub fn put_parked(&self, partner: &str, parked: &ParkedDelivery) -> Result<(), StoreError> {
        self.write_db()?
            .insert(numbered(PARKED, partner, parked.event.seq), encode(parked))
            .map_err(|e| self.failed("parking a delivery", e))?;
        self.bump_stats(partner, |s| s.parked += 1)
    }

    /// Parked deliveries of a partner, oldest first.
    pub fn parked(&self, partner: &str, limit: usize) -> Result<Vec<ParkedDelivery>, StoreError> {
        self.db()?
            .scan_prefix(partner_key(PARKED, partner))
            .take(limit)
            .map(|item| {
                let (key, value) = item.map_err(|e| self.failed("reading parked deliveries", e))?;
                decode(&key, &value)
            })
            .collect()
    }

    /// Removes and returns the parked deliveries with these seqs (all when
    /// `seqs` is None), oldest first, counted as re-driven; `record` (the
    /// operator's re-drive, its count filled in) goes in the same batch.
    pub fn take_parked(
        &self,
        partner: &str,
        seqs: Option<&[u64]>,
        mut record: Record,
    ) -> Result<Vec<ParkedDelivery>, StoreError> {
        let mut taken = Vec::new();
        let stats_key = partner_key(STATS, partner);
        let chosen: Vec<ParkedDelivery> = self
            .parked(partner, usize::MAX)?
            .into_iter()
            .filter(|p| seqs.is_none_or(|s| s.contains(&p.event.seq)))
            .collect();
        record.count = chosen.len() as u64;
        record.detail = seqs_text(chosen.iter().map(|p| p.event.seq));
        self.apply_audited(
            "re-driving deliveries",
            None,
            vec![AuditItem::plain(record)],
            |db, batch| {
                let mut stats = self.stats_in(db, &stats_key)?;
                let redriven = chosen.len() as u64;
                stats.redriven += redriven;
                stats.parked = stats.parked.saturating_sub(redriven);
                batch.insert(stats_key.clone(), encode(&stats));
                for parked in &chosen {
                    batch.remove(numbered(PARKED, partner, parked.event.seq));
                }
                Ok((redriven + 1, 0))
            },
        )?;
        taken.extend(chosen);
        self.flush()?;
        Ok(taken)
    }

    /// Dossiers with a parked delivery: their later events wait behind it.
    pub fn parked_dossiers(&self, partner: &str) -> Result<HashSet<u64>, StoreError> {
        Ok(self
            .parked(partner, usize::MAX)?
            .into_iter()
            .map(|p| p.event.dossier_id)
            .collect())
    }

    /// Counts the delivery and records the dossier's sync state, its line
    /// in the dossier's ledger and the audit entry of the partner's
    /// acceptance, in one batch: whoever sees the new state also sees it
    /// counted, in the ledger and logged.
    pub fn record_delivery(
        &self,
        partner: &str,
        state: &DeliveryState,
        event_type: EventType,
        record: Record,
    ) -> Result<(), StoreError> {
        let stats_key = partner_key(STATS, partner);
        let line = DeliveredEvent {
            destination: partner.to_string(),
            event_type,
            delivery: state.clone(),
        };
        self.apply_audited(
            "recording a delivery",
            None,
            vec![AuditItem::plain(record)],
            |db, batch| {
                let mut stats = self.stats_in(db, &stats_key)?;
                stats.accepted += 1;
                batch.insert(stats_key.clone(), encode(&stats));
                batch.insert(numbered(STATE, partner, state.dossier_id), encode(state));
                batch.insert(
                    ledger_key(state.dossier_id, state.last_seq, partner),
                    encode(&line),
                );
                Ok((3, 0))
            },
        )?;
        Ok(())
    }

    /// The counters as stored (read under the chain's lock).
    fn stats_in(&self, db: &sled::Db, key: &[u8]) -> Result<DeliveryStats, StoreError> {
        match db
            .get(key)
            .map_err(|e| self.failed("counting deliveries", e))?
        {
            Some(bytes) => decode(key, &bytes),
            None => Ok(DeliveryStats::default()),
        }
    }

    /// Every delivery of one dossier's events that a partner accepted, in
    /// event order (partners in name order within one event).
    pub fn delivered_events(&self, dossier_id: u64) -> Result<Vec<DeliveredEvent>, StoreError> {
        let mut prefix = vec![LEDGER];
        prefix.extend_from_slice(&dossier_id.to_be_bytes());
        self.db()?
            .scan_prefix(prefix)
            .map(|item| {
                let (key, value) =
                    item.map_err(|e| self.failed("reading the delivery ledger", e))?;
                decode(&key, &value)
            })
            .collect()
    }

    pub fn delivery_state(
        &self,
        partner: &str,
        dossier_id: u64,
    ) -> Result<Option<DeliveryState>, StoreError> {
        self.get_json(&numbered(STATE, partner, dossier_id))
    }

    pub fn delivery_stats(&self, partner: &str) -> Result<DeliveryStats, StoreError> {
        Ok(self
            .get_json(&partner_key(STATS, partner))?
            .unwrap_or_default())
    }

    pub fn bump_stats(
        &self,
        partner: &str,
        change: impl Fn(&mut DeliveryStats),
    ) -> Result<(), StoreError> {
        let key = partner_key(STATS, partner);
        // Under the chain's lock: audited batches change the same counters.
        self.with_chain_lock(|| {
            self.write_db()?
                .update_and_fetch(&key, |old| {
                    let mut stats: DeliveryStats = old
                        .and_then(|b| serde_json::from_slice(b).ok())
                        .unwrap_or_default();
                    change(&mut stats);
                    Some(encode(&stats))
                })
                .map_err(|e| self.failed("counting deliveries", e))?;
            Ok(())
        })
    }
}

/// Seqs as the audit entry names them (`1,4,9`), cut by the log's field
/// limit when long.
fn seqs_text(seqs: impl Iterator<Item = u64>) -> String {
    seqs.map(|s| s.to_string()).collect::<Vec<_>>().join(",")
}

// Keep the key layout in one place: these prefixes are listed in keys.rs too.
const _: () = assert!(
    PARKED != keys::EVENT
        && STATE != keys::EVENT
        && STATS != keys::EVENT
        && LEDGER != keys::EVENT
        && LEDGER != keys::DOSSIER
        && LEDGER != keys::ANSWER
);
