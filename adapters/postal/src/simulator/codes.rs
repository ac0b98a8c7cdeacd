//! The simulated provider's own event codes and the adapter settings that
//! map them, ready for tests and the demo.
//!
//! `CREATED` means "pickup requested" on a pickup order and "delivery
//! requested" on a delivery order, which is why the map qualifies it.

use crate::vocabulary::TrackingState;

pub const CREATED: &str = "CREATED";
pub const CANCELLED: &str = "CANCELLED";
pub const PICKED: &str = "PICKED";
pub const HANDED_OVER: &str = "HANDED_OVER";
pub const IN_TRANSIT: &str = "IN_TRANSIT";
pub const DELIVERED: &str = "DELIVERED";
pub const FAILED: &str = "FAILED";
pub const RETURNED: &str = "RETURNED";

/// `event_map` for this provider: (key, canonical state).
pub const EVENT_MAP: [(&str, TrackingState); 9] = [
    ("PICKUP:CREATED", TrackingState::PickupRequested),
    ("DELIVERY:CREATED", TrackingState::DeliveryRequested),
    (CANCELLED, TrackingState::PickupCancelled),
    (PICKED, TrackingState::PickedUp),
    (HANDED_OVER, TrackingState::HandedOverToAgency),
    (IN_TRANSIT, TrackingState::InTransit),
    (DELIVERED, TrackingState::Delivered),
    (FAILED, TrackingState::DeliveryFailed),
    (RETURNED, TrackingState::ReturnedToSender),
];

/// The `event_map` table.
pub fn event_map_table() -> toml::Table {
    EVENT_MAP
        .iter()
        .map(|(k, v)| (k.to_string(), toml::Value::String(v.as_str().to_string())))
        .collect()
}

/// The adapter's `read_token` in `adapter_settings`: the bearer token its
/// read-outs (`GET orders/{ma_ho_so}`, `GET status`) ask for.
pub const READ_TOKEN: &str = "postal-sim-read-token-0001";

/// A complete `[partners.adapter]` table (without `kind`) for this simulator:
/// webhook mode when `webhook` is true, polling every second otherwise. One
/// agency is configured: `agency_code`.
pub(crate) fn adapter_settings(
    endpoint: &str,
    api_key: &str,
    webhook_secret: &str,
    webhook: bool,
    agency_code: &str,
) -> toml::Table {
    let mut agency = toml::Table::new();
    agency.insert("name".into(), "Bộ phận Một cửa UBND tỉnh Quảng Ninh".into());
    agency.insert("address".into(), "Số 1 đường 25/4, phường Hồng Gai".into());
    agency.insert("province".into(), "Quảng Ninh".into());
    agency.insert("district".into(), "TP Hạ Long".into());
    agency.insert("phone".into(), "02033835555".into());
    let mut agencies = toml::Table::new();
    agencies.insert(agency_code.to_string(), toml::Value::Table(agency));

    let mut t = toml::Table::new();
    t.insert("endpoint".into(), endpoint.into());
    t.insert("api_key".into(), api_key.into());
    t.insert("timeout_seconds".into(), toml::Value::Integer(2));
    if webhook {
        t.insert("mode".into(), "webhook".into());
        t.insert("webhook_secret".into(), webhook_secret.into());
    } else {
        t.insert("mode".into(), "poll".into());
        t.insert("poll_interval_seconds".into(), toml::Value::Integer(1));
    }
    t.insert("delivery_cod".into(), "unpaid_fees".into());
    t.insert("read_token".into(), READ_TOKEN.into());
    t.insert("event_map".into(), toml::Value::Table(event_map_table()));
    t.insert("agencies".into(), toml::Value::Table(agencies));
    t
}
