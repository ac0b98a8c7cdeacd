//! The postal provider's REST/JSON protocol: its messages and field names.
//!
//! Public postal integrations exchange an order whose number is the dossier
//! number (MaHoSo) with sender and receiver (name, address, province,
//! district, phone), the agency code and a cash-on-delivery amount, then
//! report tracking events (DOMAIN.md §5). The provider names its fields in
//! PascalCase; both the adapter and the simulator speak these types.
//!
//! Endpoints (relative to the provider's base URL, `Authorization: Bearer
//! <api key>` on each):
//! - `POST /v1/orders` — create an order → 201 [`OrderReply`]; an order with
//!   the same number and service already exists → 409 [`ErrorReply`] with
//!   code [`ORDER_EXISTS`] and the existing `OrderId`.
//! - `POST /v1/orders/{OrderNumber}/cancel` with [`CancelRequest`] → 200;
//!   404 [`ORDER_NOT_FOUND`]; 409 [`NOT_CANCELLABLE`] once collection began.
//! - `GET /v1/events?after=<cursor>&limit=<n>` → [`EventsPage`], for
//!   providers' clients that poll.
//!
//! Webhooks: the provider POSTs one [`TrackingEvent`] per call, signed as
//! described in `signature.rs`.

use crate::vocabulary::ServiceType;
use serde::{Deserialize, Serialize};

/// Error codes in [`ErrorReply::code`].
pub const ORDER_EXISTS: &str = "ORDER_EXISTS";
pub const ORDER_NOT_FOUND: &str = "ORDER_NOT_FOUND";
pub const NOT_CANCELLABLE: &str = "NOT_CANCELLABLE";

/// One side of an order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Party {
    pub fullname: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub district: String,
    /// The commune or ward (two-level local government since 1 July 2025);
    /// not written while empty, so orders without one are as before.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commune: String,
    #[serde(default)]
    pub tel: String,
}

/// `POST /v1/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderRequest {
    /// The dossier number (MaHoSo).
    pub order_number: String,
    pub service_type: ServiceType,
    pub sender: Party,
    pub receiver: Party,
    pub agency_code: String,
    /// Cash to collect from the applicant, in VND.
    #[serde(default)]
    pub cod_amount: i64,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderReply {
    pub order_id: String,
    pub order_number: String,
    pub service_type: ServiceType,
    pub status: String,
}

/// `POST /v1/orders/{OrderNumber}/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelRequest {
    pub service_type: ServiceType,
    #[serde(default)]
    pub reason: String,
}

/// Any refusal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorReply {
    pub code: String,
    #[serde(default)]
    pub message: String,
    /// For [`ORDER_EXISTS`]: the order that already exists.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub order_id: String,
}

/// One tracking event, pushed by webhook or listed for polling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrackingEvent {
    /// The provider's unique id of this event; repeated on redelivery.
    pub event_id: String,
    /// The position of this event in the provider's feed (the polling
    /// cursor); a duplicate in the feed has a new position, the same id.
    #[serde(default)]
    pub seq: u64,
    pub order_id: String,
    /// The dossier number (MaHoSo).
    pub order_number: String,
    pub service_type: ServiceType,
    /// The provider's own code, mapped by the adapter settings.
    pub code: String,
    /// When it happened, `yyyyMMddHHmmss` Asia/Ho_Chi_Minh.
    pub time: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub note: String,
}

/// `GET /v1/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventsPage {
    pub events: Vec<TrackingEvent>,
    /// Pass as `after` next time; equal to the request's when nothing new.
    pub next_cursor: u64,
}
