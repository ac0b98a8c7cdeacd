//! What the hub keeps about deliveries through adapters, per partner: the
//! events parked (with a copy of each, so a re-drive works after retention),
//! the last accepted delivery of each dossier (sync state and lag), and the
//! counters. The adapter edge's relay writes them only through
//! [`DeliveryRecords`]; storage stays in `store/deliveries.rs`.

use super::{CursorId, DeliveryStatus, DossierSync, HubError};
use crate::audit::{Kind, Record, OK};
use crate::domain::{Dossier, DossierRef, EventType, UnixMillis};
use crate::store::{DeliveryState, ParkedDelivery, Store};
use std::collections::HashSet;

/// One partner's delivery bookkeeping; `Hub::delivery_records`.
#[derive(Clone)]
pub struct DeliveryRecords {
    pub(super) store: Store,
    pub(super) partner: String,
}

impl DeliveryRecords {
    pub fn partner(&self) -> &str {
        &self.partner
    }

    /// Parks a copy of an event with its reason; counted as parked.
    pub fn park(&self, parked: &ParkedDelivery) -> Result<(), HubError> {
        Ok(self.store.put_parked(&self.partner, parked)?)
    }

    /// Parked deliveries, oldest first.
    pub fn parked(&self, limit: usize) -> Result<Vec<ParkedDelivery>, HubError> {
        Ok(self.store.parked(&self.partner, limit)?)
    }

    /// Removes and returns the parked deliveries with these seqs (all when
    /// `seqs` is None), oldest first, counted as re-driven, with the
    /// operator's audit entry in the same batch.
    pub fn take_parked(
        &self,
        operator: &str,
        seqs: Option<&[u64]>,
    ) -> Result<Vec<ParkedDelivery>, HubError> {
        let mut record = Record::new(
            UnixMillis::now().0,
            Kind::Operator,
            operator,
            "redrive_parked_deliveries",
            OK,
        );
        record.subject = self.partner.clone();
        Ok(self.store.take_parked(&self.partner, seqs, record)?)
    }

    /// Dossiers with a parked delivery: their later events wait behind it.
    pub fn parked_dossiers(&self) -> Result<HashSet<u64>, HubError> {
        Ok(self.store.parked_dossiers(&self.partner)?)
    }

    /// The partner accepted an event (of `event_type`): counted, then the
    /// dossier's sync state and its ledger line are recorded, so whoever
    /// sees the state also sees it counted. The partner's acceptance is
    /// recorded in the audit log in the same batch.
    pub fn accepted(&self, state: &DeliveryState, event_type: EventType) -> Result<(), HubError> {
        let mut record = Record::new(
            state.accepted_at.0,
            Kind::Delivery,
            &self.partner,
            "delivery",
            OK,
        );
        record.subject = state.ma_ho_so.clone();
        record.seq = state.last_seq;
        record.detail = format!("version {}", state.last_version);
        Ok(self
            .store
            .record_delivery(&self.partner, state, event_type, record)?)
    }

    /// A failed attempt that will be retried.
    pub fn retried(&self) -> Result<(), HubError> {
        Ok(self.store.bump_stats(&self.partner, |s| s.retried += 1)?)
    }

    /// Committed, then cursor, then counters: every event up to the cursor
    /// was counted before the cursor moved, so counters read afterwards
    /// include all of them.
    pub fn status(&self) -> Result<DeliveryStatus, HubError> {
        let committed = self.store.last_seq()?;
        let cursor = self
            .store
            .cursor(&CursorId::Adapter(self.partner.clone()))?;
        let stats = self.store.delivery_stats(&self.partner)?;
        Ok(DeliveryStatus {
            partner_id: self.partner.clone(),
            committed,
            cursor,
            stats,
        })
    }

    /// A dossier as it is now, and what the partner last accepted of it
    /// (`None`: nothing yet).
    pub fn dossier_sync(
        &self,
        reference: &DossierRef,
    ) -> Result<(Dossier, Option<DeliveryState>), HubError> {
        let dossier = super::stored_dossier(&self.store, reference)?;
        let state = self.store.delivery_state(&self.partner, dossier.id)?;
        Ok((dossier, state))
    }

    /// Whether the partner has the dossier's current version: what the
    /// admin gRPC service and the operator console both show.
    pub fn sync(&self, reference: &DossierRef) -> Result<DossierSync, HubError> {
        let (current, synced) = self.dossier_sync(reference)?;
        let synced = synced.unwrap_or_default();
        let accepted_any = synced.last_seq > 0;
        Ok(DossierSync {
            dossier_id: current.id,
            ma_ho_so: current.ma_ho_so,
            dossier_version: current.version,
            synced_version: synced.last_version,
            synced_seq: synced.last_seq,
            up_to_date: synced.last_version == current.version,
            changed_at: accepted_any.then_some(synced.occurred_at),
            accepted_at: accepted_any.then_some(synced.accepted_at),
            lag_millis: synced.lag_millis(),
            partner_reference: synced.partner_reference,
        })
    }
}
