//! What operators see of the hub's destinations and do about them, written
//! once for every tool they use: the metrics (`metrics.rs`), the admin gRPC
//! service and the web console (`/quan-tri/`).
//!
//! A destination is anything that follows the outbox with a durable cursor:
//! each partner's gRPC subscription, and the hub's own consumers (the AMQP
//! publisher, each adapter relay, each notification channel, the hosted
//! workspace). `Hub::destinations` is the one enumeration; the lag of each
//! is read off its cursor and the committed seq. A dossier's ledger puts
//! together, per destination, what it accepted (the relays' ledger lines,
//! with the partner's answer), what is parked, and what is still on its
//! way (the dossier's committed events after the cursor).

use super::{CursorId, DeadLetters, DeliveredEvent, DossierSync, Hub, HubError, ParkedDelivery};
use crate::domain::{DomainError, Dossier, DossierRef, Event, UnixMillis};
use crate::metrics::DestinationKind;
use crate::partners::{Delivery, PartnerKind, SubscriptionFilter};
use std::collections::HashSet;

/// How many committed events after the lowest cursor a dossier's ledger
/// looks through for the dossier's events still on their way: enough for
/// any destination that keeps up, bounded for one that fell far behind.
pub const PENDING_SCAN_EVENTS: usize = 10_000;

/// One destination, as the metrics label it and the console names it.
#[derive(Clone, Debug)]
pub struct DestinationInfo {
    pub kind: DestinationKind,
    /// The partner id, the channel's delivery name (`notify.sms`), or
    /// `events` for the AMQP publisher.
    pub name: String,
    pub cursor: CursorId,
    pub filter: SubscriptionFilter,
}

impl DestinationInfo {
    /// Only relays (adapters and notification channels) park deliveries
    /// and keep a ledger of what their partner accepted.
    pub fn is_relay(&self) -> bool {
        matches!(self.cursor, CursorId::Adapter(_))
    }
}

/// How far behind the committed seq one destination is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DestinationLag {
    /// Every event up to here is done with (acknowledged, accepted or
    /// parked, confirmed by the broker, applied).
    pub cursor: u64,
    pub events: u64,
    /// Age of the oldest committed event after the cursor (0 when caught up).
    pub seconds: f64,
}

/// One destination on the console's overview.
#[derive(Clone, Debug)]
pub struct DestinationState {
    pub destination: DestinationInfo,
    pub lag: DestinationLag,
    /// Deliveries and retries since the process started (the metrics'
    /// counters).
    pub delivered: u64,
    pub retries: u64,
    /// Deliveries parked now, waiting for an operator (relays only).
    pub parked: Option<u64>,
}

/// One destination's part of a dossier's ledger.
#[derive(Clone, Debug)]
pub struct LedgerDestination {
    pub destination: DestinationInfo,
    pub cursor: u64,
    /// What the partner accepted, in event order, with its answer.
    pub delivered: Vec<DeliveredEvent>,
    pub parked: Vec<ParkedDelivery>,
    /// The dossier's committed events after the cursor that the
    /// destination takes, not parked: still on their way.
    pub pending: Vec<Event>,
    /// The national portal's sync state of the dossier (national-portal
    /// adapters only).
    pub sync: Option<DossierSync>,
}

/// Every destination's deliveries of one dossier.
#[derive(Clone, Debug)]
pub struct DossierLedger {
    pub dossier: Dossier,
    pub committed: u64,
    pub destinations: Vec<LedgerDestination>,
    /// False when some destination is further behind than
    /// `PENDING_SCAN_EVENTS`: its pending list may then be short.
    pub pending_complete: bool,
}

impl Hub {
    /// Every destination: the partners' gRPC subscriptions, then the hub's
    /// own consumers in the order they were configured.
    pub fn destinations(&self) -> Vec<DestinationInfo> {
        let mut all: Vec<DestinationInfo> = self
            .partners
            .subscribers(Delivery::Grpc)
            .map(|(id, filter)| DestinationInfo {
                kind: DestinationKind::Partner,
                name: id.to_string(),
                cursor: CursorId::Partner(id.to_string()),
                filter: filter.clone(),
            })
            .collect();
        for destination in self.destinations.iter() {
            let (kind, name) = match &destination.cursor {
                CursorId::Partner(id) => (DestinationKind::Partner, id.clone()),
                CursorId::Adapter(id) if id.starts_with("notify.") => {
                    (DestinationKind::Notification, id.clone())
                }
                CursorId::Adapter(id) => (DestinationKind::Adapter, id.clone()),
                CursorId::AmqpEvents => (DestinationKind::Amqp, "events".to_string()),
                CursorId::Workspace(id) => (DestinationKind::Workspace, id.clone()),
                CursorId::Site(code) => (DestinationKind::Site, code.clone()),
            };
            all.push(DestinationInfo {
                kind,
                name,
                cursor: destination.cursor.clone(),
                filter: destination.filter.clone(),
            });
        }
        all
    }

    /// The destination of this kind and name, if there is one.
    pub fn destination(&self, kind: DestinationKind, name: &str) -> Option<DestinationInfo> {
        self.destinations()
            .into_iter()
            .find(|d| d.kind == kind && d.name == name)
    }

    /// How far behind `committed` the consumer at `cursor` is: one cursor
    /// read and at most one outbox read, never a scan. Blocking.
    pub fn lag(
        &self,
        committed: u64,
        cursor: &CursorId,
        now: UnixMillis,
    ) -> Result<DestinationLag, HubError> {
        let at = self.store.cursor(cursor)?;
        let events = committed.saturating_sub(at);
        let seconds = if events == 0 {
            0.0
        } else {
            self.store
                .first_event_time_after(at)?
                .map(|first| (now.0 - first.0).max(0) as f64 / 1000.0)
                .unwrap_or(0.0)
        };
        Ok(DestinationLag {
            cursor: at,
            events,
            seconds,
        })
    }

    /// Every destination with its lag, counters and parked deliveries now.
    /// Blocking (store reads).
    pub fn destination_states(&self) -> Result<Vec<DestinationState>, HubError> {
        let committed = *self.engine.committed().borrow();
        let now = UnixMillis::now();
        self.destinations()
            .into_iter()
            .map(|destination| {
                let lag = self.lag(committed, &destination.cursor, now)?;
                let counts = self
                    .metrics
                    .destination_counts(destination.kind, &destination.name);
                let parked = match destination.is_relay() {
                    true => Some(self.store.delivery_stats(&destination.name)?.parked),
                    false => None,
                };
                Ok(DestinationState {
                    lag,
                    delivered: counts.delivered,
                    retries: counts.retries,
                    parked,
                    destination,
                })
            })
            .collect()
    }

    /// What every destination did with the dossier `reference` names: see
    /// `DossierLedger`. Blocking (store reads).
    pub fn delivery_ledger(&self, reference: &DossierRef) -> Result<DossierLedger, HubError> {
        let dossier = super::stored_dossier(&self.store, reference)?;
        let committed = *self.engine.committed().borrow();
        let destinations = self.destinations();
        let mut cursors = Vec::with_capacity(destinations.len());
        for destination in &destinations {
            cursors.push(self.store.cursor(&destination.cursor)?);
        }
        // One bounded read of the outbox from the lowest cursor serves every
        // destination's pending list.
        let lowest = cursors.iter().copied().min().unwrap_or(committed);
        let window =
            super::follower::committed_window(&self.store, lowest, committed, PENDING_SCAN_EVENTS)?;
        let pending_complete = committed.saturating_sub(lowest) as usize <= PENDING_SCAN_EVENTS;
        let mine: Vec<&Event> = window
            .iter()
            .filter(|e| e.dossier_id == dossier.id)
            .collect();
        let delivered_all = self.store.delivered_events(dossier.id)?;
        let mut ledger = Vec::with_capacity(destinations.len());
        for (destination, cursor) in destinations.into_iter().zip(cursors) {
            let delivered: Vec<DeliveredEvent> = delivered_all
                .iter()
                .filter(|d| destination.is_relay() && d.destination == destination.name)
                .cloned()
                .collect();
            let parked: Vec<ParkedDelivery> = if destination.is_relay() {
                self.store
                    .parked(&destination.name, usize::MAX)?
                    .into_iter()
                    .filter(|p| p.event.dossier_id == dossier.id)
                    .collect()
            } else {
                Vec::new()
            };
            let settled: HashSet<u64> = delivered
                .iter()
                .map(|d| d.delivery.last_seq)
                .chain(parked.iter().map(|p| p.event.seq))
                .collect();
            let pending = mine
                .iter()
                .filter(|e| {
                    e.seq > cursor && !settled.contains(&e.seq) && destination.filter.matches(e)
                })
                .map(|e| (*e).clone())
                .collect();
            let sync = match self.national_portal_relay(&destination) {
                true => Some(self.delivery_records(&destination.name).sync(reference)?),
                false => None,
            };
            ledger.push(LedgerDestination {
                destination,
                cursor,
                delivered,
                parked,
                pending,
                sync,
            });
        }
        Ok(DossierLedger {
            dossier,
            committed,
            destinations: ledger,
            pending_complete,
        })
    }

    /// The relay of a national-portal (DVCQG) partner's adapter.
    fn national_portal_relay(&self, destination: &DestinationInfo) -> bool {
        destination.kind == DestinationKind::Adapter
            && self
                .partners
                .get(&destination.name)
                .is_some_and(|p| p.kind == PartnerKind::NationalPortal)
    }

    /// Sends parked broker messages back to their queues (the ones named,
    /// or all) on `operator`'s approval, and records the re-drive in the
    /// audit log — whatever it did, failed or not — before answering: the
    /// one way both the admin gRPC service and the console re-drive them.
    pub async fn redrive_parked_messages(
        &self,
        dead_letters: &dyn DeadLetters,
        operator: &str,
        message_ids: &[String],
        all: bool,
    ) -> Result<usize, HubError> {
        if message_ids.is_empty() && !all {
            return Err(DomainError::invalid(
                "message_ids",
                "name at least one message, or set `all`",
            )
            .into());
        }
        let redriven = dead_letters.redrive(operator, message_ids, all).await;
        let detail = if all {
            "all".to_string()
        } else {
            message_ids.join(",")
        };
        self.record_operator_action(
            operator,
            "redrive_parked",
            redriven.as_ref().map(|n| *n as u64),
            detail,
        )?;
        redriven
    }
}
