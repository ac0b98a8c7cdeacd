//! The tracking state of each postal order, kept by the adapter.
//!
//! Every event also becomes a history line of the dossier in the hub
//! (`record_partner_event`); this store keeps, per dossier, the pickup and
//! the delivery order with every event received, what the hub did with its
//! line, and the current state, served by `GET orders/{ma_ho_so}`. Events arrive duplicated and out of order, so an
//! event is recorded once (by the provider's event id) and the state only
//! moves forward (a strictly higher rank in its flow): a late `in_transit`
//! after `delivered` is recorded but changes nothing.
//!
//! The records are durable: one per dossier, `tracking/<MaHoSo>` in the
//! adapter's state in the hub's store (`lienthong_adapter::state`), read and
//! written whole on every change, under one lock so that the sink (orders
//! created) and the intake (events) never write over each other. A change
//! is in the store before the call that made it returns, so an order picked
//! up before a restart is still known, with every event, after it. Nothing
//! is cached: the store is the one copy.
use crate::protocol::TrackingEvent;
use crate::vocabulary::{ServiceType, TrackingState};
use lienthong_adapter::{Durable, StateError};
use serde::{Deserialize, Serialize};

/// What the hub did with an event that led to a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubOutcome {
    pub ok: bool,
    pub detail: String,
}

/// One event as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderTracking {
    pub order_id: String,
    pub state: Option<TrackingState>,
    /// The provider's time of the event that set `state`.
    pub state_time: String,
    pub events: Vec<RecordedEvent>,
}

/// Everything known about the postal orders of one dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// At most this many events are kept per order (the oldest go first), so
/// that a dossier's record (two orders) stays under the state's value limit
/// (`state::MAX_VALUE_BYTES`, 64 KiB: each event's fields are at most 200
/// bytes, the hub's answers at most [`MAX_DETAIL_CHARS`]). A real order
/// has about eight.
/// An event that went out of the record is still once on the dossier's
/// history: its line carries the event id as its idempotency key.
pub const MAX_EVENTS_PER_ORDER: usize = 16;
/// The hub's answer kept with an event is cut to this many characters.
pub const MAX_DETAIL_CHARS: usize = 300;

fn bounded(mut outcome: HubOutcome) -> HubOutcome {
    if outcome.detail.chars().count() > MAX_DETAIL_CHARS {
        outcome.detail = outcome
            .detail
            .chars()
            .take(MAX_DETAIL_CHARS)
            .collect::<String>()
            + "…";
    }
    outcome
}

/// The key of a dossier's record in the adapter's state: its number, or
/// (a number the provider sent that is no key: spaces, control or
/// non-ASCII characters, a hostile value) `tracking/~` and the number's
/// SHA-256, so every event is still recorded under its own order.
fn key(ma_ho_so: &str) -> String {
    let plain = format!("tracking/{ma_ho_so}");
    if lienthong_adapter::state::check_key(&plain).is_ok() && !ma_ho_so.starts_with('~') {
        return plain;
    }
    use sha2::Digest;
    format!(
        "tracking/~{}",
        hex::encode(sha2::Sha256::digest(ma_ho_so.as_bytes()))
    )
}

pub struct Tracking {
    state: Durable,
    /// One change at a time: read, change, write back.
    writing: tokio::sync::Mutex<()>,
}

impl Tracking {
    pub fn new(state: Durable) -> Tracking {
        Tracking {
            state,
            writing: tokio::sync::Mutex::new(()),
        }
    }

    /// Changes the dossier's record with `f` and stores it (when `f` changed
    /// it) before answering.
    async fn with<R>(
        &self,
        ma_ho_so: &str,
        f: impl FnOnce(&mut DossierTracking) -> R,
    ) -> Result<R, StateError> {
        let _one = self.writing.lock().await;
        let key = key(ma_ho_so);
        let stored = self.state.get::<DossierTracking>(&key).await?;
        let mut record = stored.clone().unwrap_or_else(|| DossierTracking {
            ma_ho_so: ma_ho_so.to_string(),
            ..DossierTracking::default()
        });
        let result = f(&mut record);
        if stored.as_ref() != Some(&record) {
            self.state.put(&key, &record).await?;
        }
        Ok(result)
    }

    /// Notes an order the adapter just created (its state comes from events).
    pub async fn order_created(
        &self,
        ma_ho_so: &str,
        service: ServiceType,
        order_id: &str,
    ) -> Result<(), StateError> {
        self.with(ma_ho_so, |d| {
            let order = d.order_mut(service);
            if order.order_id.is_empty() {
                order.order_id = order_id.to_string();
            }
        })
        .await
    }

    /// Records one mapped event.
    pub async fn record(
        &self,
        event: &TrackingEvent,
        state: TrackingState,
    ) -> Result<Recorded, StateError> {
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
            if order.events.len() >= MAX_EVENTS_PER_ORDER {
                order.events.remove(0);
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
        .await
    }

    /// Attaches the hub's answer to a recorded event.
    pub async fn hub_outcome(
        &self,
        event: &TrackingEvent,
        outcome: HubOutcome,
    ) -> Result<(), StateError> {
        self.with(&event.order_number, |d| {
            if let Some(recorded) = recorded_mut(d, event) {
                recorded.hub = Some(bounded(outcome));
            }
        })
        .await
    }

    /// Attaches the hub's answer to the event's history line.
    pub async fn line(&self, event: &TrackingEvent, outcome: HubOutcome) -> Result<(), StateError> {
        self.with(&event.order_number, |d| {
            if let Some(recorded) = recorded_mut(d, event) {
                recorded.line = Some(bounded(outcome));
            }
        })
        .await
    }

    /// The hub's answer to the event's line, once it has one.
    pub async fn line_outcome(
        &self,
        event: &TrackingEvent,
    ) -> Result<Option<HubOutcome>, StateError> {
        Ok(self
            .get(&event.order_number)
            .await?
            .and_then(|mut d| recorded_mut(&mut d, event).and_then(|e| e.line.clone())))
    }

    pub async fn get(&self, ma_ho_so: &str) -> Result<Option<DossierTracking>, StateError> {
        self.state.get(&key(ma_ho_so)).await
    }
}

fn recorded_mut<'a>(
    d: &'a mut DossierTracking,
    event: &TrackingEvent,
) -> Option<&'a mut RecordedEvent> {
    d.order_mut(event.service_type)
        .events
        .iter_mut()
        .find(|e| e.event_id == event.event_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::testing::FakeHub;

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

    fn tracking() -> (std::sync::Arc<FakeHub>, Tracking) {
        let hub = std::sync::Arc::new(FakeHub::default());
        let t = Tracking::new(Durable::new(hub.clone()));
        (hub, t)
    }

    #[tokio::test]
    async fn state_never_moves_backwards_and_duplicates_are_recorded_once() {
        let (hub, t) = tracking();
        let r = t
            .record(
                &event("e1", "CREATED", "20251122080000"),
                TrackingState::DeliveryRequested,
            )
            .await
            .expect("stored");
        assert!(r.advanced);
        let r = t
            .record(
                &event("e3", "DELIVERED", "20251122100000"),
                TrackingState::Delivered,
            )
            .await
            .expect("stored");
        assert!(r.advanced);
        // Late in-transit after delivered: recorded, state unchanged.
        let r = t
            .record(
                &event("e2", "IN_TRANSIT", "20251122090000"),
                TrackingState::InTransit,
            )
            .await
            .expect("stored");
        assert!(!r.advanced);
        assert_eq!(r.state, TrackingState::Delivered);
        let r = t
            .record(
                &event("e3", "DELIVERED", "20251122100000"),
                TrackingState::Delivered,
            )
            .await
            .expect("stored");
        assert!(r.duplicate);
        let d = t
            .get("000.00.01.H22-251122-00017")
            .await
            .expect("read")
            .expect("tracked");
        let delivery = d.delivery.expect("delivery order");
        assert_eq!(delivery.state, Some(TrackingState::Delivered));
        assert_eq!(delivery.state_time, "20251122100000");
        assert_eq!(delivery.events.len(), 3);
        assert!(d.pickup.is_none());
        // Kept in the adapter's state, one record per dossier: a new
        // adapter on the same hub (a restart) reads the same.
        let again = Tracking::new(Durable::new(hub.clone()));
        let kept = again
            .get("000.00.01.H22-251122-00017")
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(kept.delivery.expect("delivery").events.len(), 3);
        let keys: Vec<String> = hub.kept().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["tracking/000.00.01.H22-251122-00017"]);
    }

    #[tokio::test]
    async fn the_largest_record_fits_the_state_value_limit() {
        let (_hub, t) = tracking();
        let long = "x".repeat(200);
        let refused = HubOutcome {
            ok: false,
            detail: "y".repeat(2000),
        };
        for service in [ServiceType::Pickup, ServiceType::Delivery] {
            for i in 0..MAX_EVENTS_PER_ORDER + 1 {
                let e = TrackingEvent {
                    event_id: format!("{i:0>200}"),
                    order_id: long.clone(),
                    order_number: "HS".into(),
                    service_type: service,
                    code: long.clone(),
                    location: long.clone(),
                    note: long.clone(),
                    ..event("", "", "20251122090000")
                };
                t.record(&e, TrackingState::InTransit).await.expect("fits");
                t.line(&e, refused.clone()).await.expect("fits");
                t.hub_outcome(&e, refused.clone()).await.expect("fits");
            }
        }
    }

    #[test]
    fn a_number_that_is_no_key_is_kept_under_its_digest() {
        assert_eq!(key("HS-1"), "tracking/HS-1");
        for odd in ["HS 1", "HS\n1", "mã", "~HS"] {
            let k = key(odd);
            assert!(k.starts_with("tracking/~") && k.len() == 74, "{odd:?}: {k}");
            assert!(lienthong_adapter::state::check_key(&k).is_ok());
        }
        assert_ne!(key("HS 1"), key("HS 2"));
    }

    #[tokio::test]
    async fn an_order_keeps_its_latest_events_within_the_bound() {
        let (_hub, t) = tracking();
        for i in 0..MAX_EVENTS_PER_ORDER + 3 {
            t.record(
                &event(&format!("e{i}"), "IN_TRANSIT", "20251122090000"),
                TrackingState::InTransit,
            )
            .await
            .expect("stored");
        }
        let d = t.get("000.00.01.H22-251122-00017").await.unwrap().unwrap();
        let events = d.delivery.unwrap().events;
        assert_eq!(events.len(), MAX_EVENTS_PER_ORDER);
        assert_eq!(events[0].event_id, "e3");
    }

    #[tokio::test]
    async fn a_store_that_cannot_write_fails_the_change_and_keeps_the_old_record() {
        let (hub, t) = tracking();
        t.order_created("HS", ServiceType::Pickup, "PU1")
            .await
            .unwrap();
        hub.state_unavailable(true);
        let e = t
            .order_created("HS", ServiceType::Delivery, "DL1")
            .await
            .unwrap_err();
        assert!(e.is_retryable(), "{e}");
        hub.state_unavailable(false);
        let d = t.get("HS").await.unwrap().unwrap();
        assert!(d.delivery.is_none() && d.pickup.is_some());
    }
}
