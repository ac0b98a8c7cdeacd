//! The partner adapters this hub is built with, looked up by `kind`.
//!
//! Each adapter is its own crate under `adapters/`, implementing
//! `lienthong_adapter::AdapterKind`; this list is the only place the hub
//! names them. Add a kind here when its crate joins the workspace.
//! Configuration is given this list to check `[partners.adapter]` tables
//! (`HubConfig::check`), so it never calls into the adapter edge.

use lienthong_adapter::AdapterKind;

/// The SMS-gateway adapter. It is no partner kind (it follows no events of
/// its own): the notification channel (`notify/sms.rs`) sends through it.
pub use lienthong_adapter_sms as sms_gateway;

/// Every adapter kind, by its configuration name.
pub fn kinds() -> Vec<Box<dyn AdapterKind>> {
    vec![
        // Registered by each adapter crate: one line each.
        Box::new(lienthong_adapter_postal::PostalKind),
        Box::new(lienthong_adapter_legacy::LegacyKind),
        Box::new(lienthong_adapter_payment::PaymentKind),
        Box::new(lienthong_adapter_treasury::TreasuryKind),
        Box::new(lienthong_adapter_national_portal::NationalPortalKind),
        Box::new(lienthong_adapter_one_stop::OneStopKind),
    ]
}

/// The kind of this configuration name, if the hub is built with it.
pub fn find(kind: &str) -> Option<Box<dyn AdapterKind>> {
    kinds().into_iter().find(|k| k.kind() == kind)
}
