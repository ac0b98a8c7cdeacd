//! `[partners.adapter]` tables: a known `kind`, and settings that kind
//! accepts. The kinds are given by the caller (the adapter edge's registry),
//! so configuration never calls into the adapter edge; it only asks each
//! kind to check its own table, and puts the full key path in front of
//! whatever key the kind names.

use super::{ConfigError, PartnerSection};
use lienthong_adapter::AdapterKind;

/// One partner's adapter table, checked, split into its kind and settings.
#[derive(Clone, Debug)]
pub struct AdapterConfig {
    pub partner_id: String,
    /// The partner's place in `[[partners]]`, for errors found later, while
    /// the adapter is built.
    pub index: usize,
    pub kind: String,
    /// The table without its `kind`.
    pub settings: toml::Table,
}

impl AdapterConfig {
    /// The full path of a key the adapter names
    /// (`partners[3].adapter.secret_file`).
    pub fn key_of(&self, key: &str) -> String {
        key_path(&table_key(self.index), key)
    }
}

fn table_key(index: usize) -> String {
    format!("partners[{index}].adapter")
}

/// `table.key`; an empty key is the table itself.
fn key_path(table: &str, key: &str) -> String {
    if key.is_empty() {
        table.to_string()
    } else {
        format!("{table}.{key}")
    }
}

pub(super) fn check_all(
    file: &str,
    partners: &[PartnerSection],
    kinds: &[Box<dyn AdapterKind>],
) -> Result<Vec<AdapterConfig>, ConfigError> {
    let mut adapters = Vec::new();
    for (i, partner) in partners.iter().enumerate() {
        if let Some(table) = &partner.adapter {
            let (kind, settings) = check(table, kinds).map_err(|(key, problem)| {
                ConfigError::invalid(file, key_path(&table_key(i), &key), problem)
            })?;
            adapters.push(AdapterConfig {
                partner_id: partner.id.clone(),
                index: i,
                kind,
                settings,
            });
        }
    }
    Ok(adapters)
}

/// The table's kind and its other settings; errors are (key inside the
/// table, problem).
fn check(
    table: &toml::Table,
    kinds: &[Box<dyn AdapterKind>],
) -> Result<(String, toml::Table), (String, String)> {
    let mut settings = table.clone();
    let kind = match settings.remove("kind") {
        Some(toml::Value::String(kind)) => kind,
        Some(_) => return Err(("kind".into(), "must be a string".into())),
        None => {
            return Err((
                "kind".into(),
                format!("is required; known: {}", known(kinds)),
            ))
        }
    };
    let adapter = kinds.iter().find(|k| k.kind() == kind).ok_or_else(|| {
        (
            "kind".to_string(),
            format!("unknown adapter `{kind}`; known: {}", known(kinds)),
        )
    })?;
    adapter
        .validate(&settings)
        .map_err(|e| (e.key, e.problem))?;
    Ok((kind, settings))
}

fn known(kinds: &[Box<dyn AdapterKind>]) -> String {
    if kinds.is_empty() {
        return "none in this build".into();
    }
    kinds
        .iter()
        .map(|k| k.kind())
        .collect::<Vec<_>>()
        .join(", ")
}
