//! Deliveries through partners' adapters, as operators see them, whatever
//! runs them. The adapter edge implements this over its relays; the gRPC
//! admin service only sees this trait (as it sees `DeadLetters` for the
//! broker's parked messages).

use super::HubError;
use crate::domain::{DossierRef, UnixMillis};
use crate::store::{DeliveryStats, ParkedDelivery};

/// How far one partner's relay has got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryStatus {
    pub partner_id: String,
    /// The newest committed event.
    pub committed: u64,
    /// Every event up to here was accepted by the partner or parked.
    pub cursor: u64,
    pub stats: DeliveryStats,
}

/// Whether a partner has the current version of one dossier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierSync {
    pub dossier_id: u64,
    pub ma_ho_so: String,
    pub dossier_version: u64,
    /// The version the partner last accepted (0: none yet).
    pub synced_version: u64,
    /// The seq of the event it last accepted (0: none yet).
    pub synced_seq: u64,
    pub up_to_date: bool,
    /// When the change it accepted last happened, and when it accepted it
    /// (both absent when it accepted nothing of this dossier yet).
    pub changed_at: Option<UnixMillis>,
    pub accepted_at: Option<UnixMillis>,
    /// `accepted_at - changed_at` (0 when nothing was accepted).
    pub lag_millis: i64,
    /// The partner's own reference from that acceptance.
    pub partner_reference: String,
}

#[async_trait::async_trait]
pub trait AdapterDeliveries: Send + Sync {
    /// Up to `limit` parked deliveries of a partner, oldest first.
    async fn parked(&self, partner: &str, limit: usize) -> Result<Vec<ParkedDelivery>, HubError>;
    /// Delivers the parked events with these seqs again (all of them when
    /// `all`); returns how many. `operator` (the caller's partner id) is
    /// named in the audit entry written with the re-drive.
    async fn redrive(
        &self,
        operator: &str,
        partner: &str,
        seqs: Vec<u64>,
        all: bool,
    ) -> Result<usize, HubError>;
    async fn status(&self, partner: &str) -> Result<DeliveryStatus, HubError>;
    async fn dossier_sync(
        &self,
        partner: &str,
        dossier: &DossierRef,
    ) -> Result<DossierSync, HubError>;
}
