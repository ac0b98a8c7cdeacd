//! What operators ask of the adapter edge — parked deliveries, re-drive and
//! delivery status — as the hub's `AdapterDeliveries`, over the running
//! relays. The gRPC admin service only maps these answers to its messages.

use super::relay::RelayHandle;
use crate::domain::{DomainError, DossierRef};
use crate::hub::{AdapterDeliveries, DeliveryStatus, DossierSync, Hub, HubError, ParkedDelivery};
use std::collections::HashMap;

/// The relays of a running hub, by partner id.
pub struct Relays {
    hub: Hub,
    relays: HashMap<String, RelayHandle>,
}

impl Relays {
    pub(super) fn new(hub: Hub, relays: HashMap<String, RelayHandle>) -> Relays {
        Relays { hub, relays }
    }

    /// Only partners whose adapter receives events have deliveries.
    fn relay(&self, partner: &str) -> Result<&RelayHandle, HubError> {
        self.relays.get(partner).ok_or_else(|| HubError::NotFound {
            what: format!(
                "a partner {} with an adapter that receives events",
                crate::domain::quoted(partner)
            ),
        })
    }
}

#[async_trait::async_trait]
impl AdapterDeliveries for Relays {
    async fn parked(&self, partner: &str, limit: usize) -> Result<Vec<ParkedDelivery>, HubError> {
        self.relay(partner)?;
        self.hub.delivery_records(partner).parked(limit)
    }

    async fn redrive(
        &self,
        operator: &str,
        partner: &str,
        seqs: Vec<u64>,
        all: bool,
    ) -> Result<usize, HubError> {
        let relay = self.relay(partner)?;
        if seqs.is_empty() && !all {
            return Err(
                DomainError::invalid("seqs", "name at least one event, or set `all`").into(),
            );
        }
        relay.redrive(operator, (!all).then_some(seqs)).await
    }

    async fn status(&self, partner: &str) -> Result<DeliveryStatus, HubError> {
        self.relay(partner)?;
        self.hub.delivery_records(partner).status()
    }

    async fn dossier_sync(
        &self,
        partner: &str,
        dossier: &DossierRef,
    ) -> Result<DossierSync, HubError> {
        self.relay(partner)?;
        self.hub.delivery_records(partner).sync(dossier)
    }
}
