//! The tracking state of each postal order, kept by the adapter.
//!
//! Every event also becomes a history line of the dossier in the hub
//! (`record_partner_event`); this store keeps, per dossier, the pickup and
//! the delivery order with every event received, what the hub did with its
//! line, and the current state, served by `GET orders/{ma_ho_so}`. Events arrive duplicated and out of order, so an
//! event is recorded once (by the provider's event id) and the state only
//! moves forward (a strictly higher rank in its flow): a late `in_transit`
//! after `delivered` is recorded but changes nothing. The store lives in
//! memory; after a restart it is rebuilt from what the provider sends again.

use crate::protocol::TrackingEvent;
use crate::vocabulary::{ServiceType, TrackingState};
use lienthong_adapter::sync::lock;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// What the hub did with an event that led to a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubOutcome {
    pub ok: bool,
    pub detail: String,
}

/// One event as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedEvent {
    pub event_id: String,
    pub code: String,
    pub state: TrackingState,
    pub time: String,
    pub location: String,
    pub note: String,
    /// Whether this event moved the order's state.
    pub advanced: bool,
    /// The hub's answer to the event's history line (`record_partner_event`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<HubOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub: Option<HubOutcome>,
}

/// One order (pickup or delivery) of a dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrderTracking {
    pub order_id: String,
    pub state: Option<TrackingState>,
    /// The provider's time of the event that set `state`.
    pub state_time: String,
    pub events: Vec<RecordedEvent>,
}

/// Everything known about the postal orders of one dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DossierTracking {
    pub ma_ho_so: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup: Option<OrderTracking>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<OrderTracking>,
}

impl DossierTracking {
    fn order_mut(&mut self, service: ServiceType) -> &mut OrderTracking {
        let slot = match service {
            ServiceType::Pickup => &mut self.pickup,
            ServiceType::Delivery => &mut self.delivery,
        };
        slot.get_or_insert_with(OrderTracking::default)
    }
}

/// The result of recording one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The same event id was recorded before.
    pub duplicate: bool,
    /// The order's state moved to this event's state.
    pub advanced: bool,
    /// The order's state after recording.
    pub state: TrackingState,
}

#[derive(Debug, Default)]
pub struct Tracking {
    dossiers: Mutex<HashMap<String, DossierTracking>>,
}

impl Tracking {
    pub fn new() -> Tracking {
        Tracking::default()
    }

    fn with<R>(&self, ma_ho_so: &str, f: impl FnOnce(&mut DossierTracking) -> R) -> R {
        let mut dossiers = lock(&self.dossiers);
        let entry = dossiers
            .entry(ma_ho_so.to_string())
            .or_insert_with(|| DossierTracking {
                ma_ho_so: ma_ho_so.to_string(),
                ..DossierTracking::default()
            });
        f(entry)
    }

    /// Notes an order the adapter just created (its state comes from events).
    pub fn order_created(&self, ma_ho_so: &str, service: ServiceType, order_id: &str) {
        self.with(ma_ho_so, |d| {
            let order = d.order_mut(service);
            if order.order_id.is_empty() {
                order.order_id = order_id.to_string();
            }
        });
    }

    /// Records one mapped event.
    pub fn record(&self, event: &TrackingEvent, state: TrackingState) -> Recorded {
        self.with(&event.order_number, |d| {
            let order = d.order_mut(event.service_type);
            if order.order_id.is_empty() {
                order.order_id = event.order_id.clone();
            }
            if order.events.iter().any(|e| e.event_id == event.event_id) {
                return Recorded {
                    duplicate: true,
                    advanced: false,
                    state: order.state.unwrap_or(state),
                };
            }
            let advanced = order
                .state
                .is_none_or(|current| state.rank() > current.rank());
            if advanced {
                order.state = Some(state);
                order.state_time = event.time.clone();
            }
            order.events.push(RecordedEvent {
                event_id: event.event_id.clone(),
                code: event.code.clone(),
                state,
                time: event.time.clone(),
                location: event.location.clone(),
                note: event.note.clone(),
                advanced,
                line: None,
                hub: None,
            });
            Recorded {
                duplicate: false,
                advanced,
                state: order.state.unwrap_or(state),
            }
        })
    }

    /// Attaches the hub's answer to a recorded event.
    pub fn hub_outcome(&self, event: &TrackingEvent, outcome: HubOutcome) {
        self.with(&event.order_number, |d| {
            let order = d.order_mut(event.service_type);
            if let Some(recorded) = order
                .events
                .iter_mut()
                .find(|e| e.event_id == event.event_id)
            {
                recorded.hub = Some(outcome);
            }
        });
    }

    /// Attaches the hub's answer to the event's history line.
    pub fn line(&self, event: &TrackingEvent, outcome: HubOutcome) {
        self.with(&event.order_number, |d| {
            let order = d.order_mut(event.service_type);
            if let Some(recorded) = order
                .events
                .iter_mut()
                .find(|e| e.event_id == event.event_id)
            {
                recorded.line = Some(outcome);
            }
        });
    }

    /// The hub's answer to the event's line, once it has one.
    pub fn line_outcome(&self, event: &TrackingEvent) -> Option<HubOutcome> {
        self.with(&event.order_number, |d| {
            d.order_mut(event.service_type)
                .events
                .iter()
                .find(|e| e.event_id == event.event_id)
                .and_then(|e| e.line.clone())
        })
    }

    pub fn get(&self, ma_ho_so: &str) -> Option<DossierTracking> {
        let dossiers = lock(&self.dossiers);
        dossiers.get(ma_ho_so).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, code: &str, time: &str) -> TrackingEvent {
        TrackingEvent {
            event_id: id.to_string(),
            seq: 0,
            order_id: "DL1".to_string(),
            order_number: "000.00.01.H22-251122-00017".to_string(),
            service_type: ServiceType::Delivery,
            code: code.to_string(),
            time: time.to_string(),
            location: String::new(),
            note: String::new(),
        }
    }

    #[test]
    fn state_never_moves_backwards_and_duplicates_are_recorded_once() {
        let t = Tracking::new();
        let r = t.record(
            &event("e1", "CREATED", "20251122080000"),
            TrackingState::DeliveryRequested,
        );
        assert!(r.advanced);
        let r = t.record(
            &event("e3", "DELIVERED", "20251122100000"),
            TrackingState::Delivered,
        );
        assert!(r.advanced);
        // Late in-transit after delivered: recorded, state unchanged.
        let r = t.record(
            &event("e2", "IN_TRANSIT", "20251122090000"),
            TrackingState::InTransit,
        );
        assert!(!r.advanced);
        assert_eq!(r.state, TrackingState::Delivered);
        let r = t.record(
            &event("e3", "DELIVERED", "20251122100000"),
            TrackingState::Delivered,
        );
        assert!(r.duplicate);
        let d = t.get("000.00.01.H22-251122-00017").expect("tracked");
        let delivery = d.delivery.expect("delivery order");
        assert_eq!(delivery.state, Some(TrackingState::Delivered));
        assert_eq!(delivery.state_time, "20251122100000");
        assert_eq!(delivery.events.len(), 3);
        assert!(d.pickup.is_none());
    }
}
