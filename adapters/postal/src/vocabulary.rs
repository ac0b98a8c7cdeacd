//! The hub's canonical postal tracking vocabulary (DOMAIN.md §5).
//!
//! Every provider speaks its own event codes; the adapter settings map them
//! onto these nine states. The states belong to one of two flows (collecting
//! the dossier, delivering the result) and are ranked inside their flow, so
//! that a late event can be recorded without moving an order backwards.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which kind of order: collect the dossier from the applicant, or carry
/// the result to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceType {
    Pickup,
    Delivery,
}

impl ServiceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::Pickup => "PICKUP",
            ServiceType::Delivery => "DELIVERY",
        }
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One canonical tracking state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingState {
    PickupRequested,
    PickupCancelled,
    PickedUp,
    HandedOverToAgency,
    DeliveryRequested,
    InTransit,
    Delivered,
    DeliveryFailed,
    ReturnedToSender,
}

impl TrackingState {
    pub const ALL: [TrackingState; 9] = [
        TrackingState::PickupRequested,
        TrackingState::PickupCancelled,
        TrackingState::PickedUp,
        TrackingState::HandedOverToAgency,
        TrackingState::DeliveryRequested,
        TrackingState::InTransit,
        TrackingState::Delivered,
        TrackingState::DeliveryFailed,
        TrackingState::ReturnedToSender,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TrackingState::PickupRequested => "pickup_requested",
            TrackingState::PickupCancelled => "pickup_cancelled",
            TrackingState::PickedUp => "picked_up",
            TrackingState::HandedOverToAgency => "handed_over_to_agency",
            TrackingState::DeliveryRequested => "delivery_requested",
            TrackingState::InTransit => "in_transit",
            TrackingState::Delivered => "delivered",
            TrackingState::DeliveryFailed => "delivery_failed",
            TrackingState::ReturnedToSender => "returned_to_sender",
        }
    }

    pub fn parse(text: &str) -> Option<TrackingState> {
        TrackingState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The flow this state belongs to.
    pub fn flow(self) -> ServiceType {
        match self {
            TrackingState::PickupRequested
            | TrackingState::PickupCancelled
            | TrackingState::PickedUp
            | TrackingState::HandedOverToAgency => ServiceType::Pickup,
            _ => ServiceType::Delivery,
        }
    }

    /// Progress inside the flow: an order's state only ever moves to a
    /// strictly higher rank. The ends of a flow share the highest rank, so
    /// nothing moves an order out of them.
    pub fn rank(self) -> u8 {
        match self {
            TrackingState::PickupRequested | TrackingState::DeliveryRequested => 1,
            TrackingState::PickedUp | TrackingState::InTransit => 2,
            TrackingState::DeliveryFailed => 3,
            TrackingState::PickupCancelled
            | TrackingState::HandedOverToAgency
            | TrackingState::Delivered
            | TrackingState::ReturnedToSender => 4,
        }
    }

    /// The hub's partner-event kind (`record_partner_event.kind`) for this
    /// state: the same word under `postal.`.
    pub fn partner_event_kind(self) -> &'static str {
        match self {
            TrackingState::PickupRequested => "postal.pickup_requested",
            TrackingState::PickupCancelled => "postal.pickup_cancelled",
            TrackingState::PickedUp => "postal.picked_up",
            TrackingState::HandedOverToAgency => "postal.handed_over_to_agency",
            TrackingState::DeliveryRequested => "postal.delivery_requested",
            TrackingState::InTransit => "postal.in_transit",
            TrackingState::Delivered => "postal.delivered",
            TrackingState::DeliveryFailed => "postal.delivery_failed",
            TrackingState::ReturnedToSender => "postal.returned_to_sender",
        }
    }

    /// Whether this state needs a person's attention (logged as a warning).
    pub fn is_trouble(self) -> bool {
        matches!(
            self,
            TrackingState::DeliveryFailed | TrackingState::ReturnedToSender
        )
    }
}

impl fmt::Display for TrackingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in TrackingState::ALL {
            assert_eq!(TrackingState::parse(state.as_str()), Some(state));
        }
        assert_eq!(TrackingState::parse("lost"), None);
    }

    #[test]
    fn every_state_is_a_kind_of_the_hubs_vocabulary() {
        for state in TrackingState::ALL {
            let kind =
                lienthong_adapter::domain::PartnerEventKind::parse(state.partner_event_kind());
            assert!(kind.is_some(), "{state}");
            assert_eq!(state.partner_event_kind(), format!("postal.{state}"));
        }
    }

    #[test]
    fn ends_of_a_flow_outrank_everything_in_it() {
        assert!(TrackingState::Delivered.rank() > TrackingState::InTransit.rank());
        assert!(TrackingState::Delivered.rank() > TrackingState::DeliveryFailed.rank());
        assert!(TrackingState::HandedOverToAgency.rank() > TrackingState::PickedUp.rank());
    }
}
