//! Shared catalogues (danh mục dùng chung): versioned sets of coded records.
//!
//! A publisher sends the whole new content of a catalogue; the hub computes
//! what was added, changed and removed, stores those changes under the new
//! version, and so can answer "what changed since version N" for any N.

use super::codes::check_code;
use super::procedure::ProcedureTerms;
use super::validate::{self, text, MAX_NAME_LEN, MAX_TEXT_LEN};
use super::{quoted, DomainError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The catalogues of Decision 31/2021/QĐ-TTg that the hub keeps.
pub const KINDS: &[&str] = &[
    "procedures",
    "services",
    "agencies",
    "admin_units",
    "sectors",
    "result_types",
    "treasury_accounts",
    "revenue_items",
    "banks",
    // Fees and charges (phí, lệ phí), as the national portal's
    // LayDanhMucLePhi publishes them.
    "fees",
];

pub const MAX_ENTRIES: usize = 100_000;
const MAX_ATTRIBUTES: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub parent_code: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogChange {
    pub version: u64,
    pub kind: ChangeKind,
    pub entry: CatalogEntry,
}

/// A request to publish the whole new content of one catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub idempotency_key: String,
    pub kind: String,
    pub entries: Vec<CatalogEntry>,
    pub expected_version: Option<u64>,
}

impl Publication {
    pub fn validate(&self) -> Result<(), DomainError> {
        // The same field rules as commands (`validate`), on this entry point too.
        validate::idempotency_key(&self.idempotency_key)?;
        check_kind(&self.kind)?;
        if self.entries.len() > MAX_ENTRIES {
            return Err(DomainError::invalid(
                "entries",
                format!(
                    "must hold at most {MAX_ENTRIES} entries (has {})",
                    self.entries.len()
                ),
            ));
        }
        let mut seen = HashSet::with_capacity(self.entries.len());
        for (i, entry) in self.entries.iter().enumerate() {
            check_code(&format!("entries[{i}].code"), &entry.code)?;
            if !seen.insert(entry.code.as_str()) {
                return Err(DomainError::invalid(
                    format!("entries[{i}].code"),
                    format!("{} appears more than once", quoted(&entry.code)),
                ));
            }
            text(&format!("entries[{i}].name"), &entry.name, MAX_NAME_LEN)?;
            if !entry.parent_code.is_empty() {
                check_code(&format!("entries[{i}].parent_code"), &entry.parent_code)?;
            }
            if entry.attributes.len() > MAX_ATTRIBUTES {
                return Err(DomainError::invalid(
                    format!("entries[{i}].attributes"),
                    format!("must hold at most {MAX_ATTRIBUTES} attributes"),
                ));
            }
            for (key, value) in &entry.attributes {
                if key.trim().is_empty() {
                    return Err(DomainError::invalid(
                        format!("entries[{i}].attributes"),
                        "an attribute name is empty",
                    ));
                }
                // The name first: it becomes part of the value's field path.
                validate::key(&format!("entries[{i}].attributes"), key)?;
                text(
                    &format!("entries[{i}].attributes.{key}"),
                    value,
                    MAX_TEXT_LEN,
                )?;
            }
            if self.kind == "procedures" {
                // The attributes the hub counts with (time limits, the
                // inter-agency sequence) must be readable before they are
                // stored: a bad one would only show up on a receipt.
                ProcedureTerms::from_entry(&format!("entries[{i}]"), entry)?;
            }
        }
        Ok(())
    }

    /// SHA-256 over the canonical form of the publication
    /// (`canonical.rs`), as it has always been hashed.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(super::canonical::publication(self)))
    }
}

pub fn check_kind(kind: &str) -> Result<(), DomainError> {
    if KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "kind",
            format!(
                "unknown catalogue {}; known: {}",
                quoted(kind),
                KINDS.join(", ")
            ),
        ))
    }
}

/// The changes that turn `current` into `next`, all stamped `version`.
pub fn diff(
    current: &BTreeMap<String, CatalogEntry>,
    next: &[CatalogEntry],
    version: u64,
) -> Vec<CatalogChange> {
    let mut changes = Vec::new();
    let mut next_codes = HashSet::with_capacity(next.len());
    for entry in next {
        next_codes.insert(entry.code.as_str());
        let kind = match current.get(&entry.code) {
            None => ChangeKind::Added,
            Some(old) if old != entry => ChangeKind::Changed,
            Some(_) => continue,
        };
        changes.push(CatalogChange {
            version,
            kind,
            entry: entry.clone(),
        });
    }
    for (code, old) in current {
        if !next_codes.contains(code.as_str()) {
            changes.push(CatalogChange {
                version,
                kind: ChangeKind::Removed,
                entry: old.clone(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, name: &str) -> CatalogEntry {
        CatalogEntry {
            code: code.into(),
            name: name.into(),
            parent_code: String::new(),
            attributes: BTreeMap::new(),
        }
    }

    #[test]
    fn diff_finds_added_changed_and_removed() {
        let current: BTreeMap<_, _> = [entry("1", "a"), entry("2", "b")]
            .into_iter()
            .map(|e| (e.code.clone(), e))
            .collect();
        let changes = diff(&current, &[entry("2", "B"), entry("3", "c")], 7);
        let kinds: Vec<_> = changes
            .iter()
            .map(|c| (c.entry.code.as_str(), c.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("2", ChangeKind::Changed),
                ("3", ChangeKind::Added),
                ("1", ChangeKind::Removed)
            ]
        );
        assert!(changes.iter().all(|c| c.version == 7));
    }

    #[test]
    fn duplicate_codes_are_refused_by_index() {
        let p = Publication {
            idempotency_key: "k".into(),
            kind: "agencies".into(),
            entries: vec![entry("1", "a"), entry("1", "b")],
            expected_version: None,
        };
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("entries[1].code"));
    }
}
