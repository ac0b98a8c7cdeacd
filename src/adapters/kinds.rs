//! The partner adapters this hub is built with, looked up by `kind`.
//!
//! Each adapter is its own crate under `adapters/`, implementing
//! `lienthong_adapter::AdapterKind`; this list is the only place the hub
//! names them. Add a kind here when its crate joins the workspace.

use lienthong_adapter::AdapterKind;

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

pub fn find(kind: &str) -> Option<Box<dyn AdapterKind>> {
    kinds().into_iter().find(|k| k.kind() == kind)
}

/// Splits a `[partners.adapter]` table into its kind and its settings.
pub fn split(table: &toml::Table) -> Result<(String, toml::Table), (String, String)> {
    let mut settings = table.clone();
    let kind = match settings.remove("kind") {
        Some(toml::Value::String(kind)) => kind,
        Some(_) => return Err(("kind".into(), "must be a string".into())),
        None => return Err(("kind".into(), format!("is required; known: {}", known()))),
    };
    Ok((kind, settings))
}

/// Checks an adapter table: a known kind, and settings that kind accepts.
/// Errors are (key inside the table, problem).
pub fn validate(table: &toml::Table) -> Result<(), (String, String)> {
    let (kind, settings) = split(table)?;
    let adapter = find(&kind).ok_or_else(|| {
        (
            "kind".to_string(),
            format!("unknown adapter `{kind}`; known: {}", known()),
        )
    })?;
    adapter.validate(&settings).map_err(|e| (e.key, e.problem))
}

fn known() -> String {
    let names: Vec<&str> = kinds().iter().map(|k| k.kind()).collect();
    if names.is_empty() {
        "none in this build".into()
    } else {
        names.join(", ")
    }
}
