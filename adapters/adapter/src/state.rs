//! Durable adapter state, kept by the hub's store: the one place an
//! adapter keeps what must survive a restart (postal tracking, the
//! portal's sync records, pending payments, a poller's cursor).
//!
//! An adapter never opens a file of its own for this: a file per adapter
//! is one more thing to back up, to keep private, to lose on a full disk
//! with no recovery, and one more format. Instead [`HubApi`] has four calls
//! — `state_get`, `state_put`, `state_delete`, `state_scan` — over a small
//! key-value space that the hub keeps per partner (an adapter reaches only
//! its own partner's keys; there is no way to name another's). A put or a
//! delete is durable when the call returns. The rules of keys and values
//! are here ([`check_key`], [`check_value`]) so that the hub and the test
//! stand-in apply the same ones; [`Durable`] is the typed (JSON) view an
//! adapter normally uses.
//!
//! The state is the adapter's memory of the PARTNER's side (what it was
//! sent, what it answered), never a copy of the hub's dossiers: those are
//! read through `get_dossier`.

use crate::HubApi;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

/// The longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// The largest value, in bytes: a record, not a file. An adapter keeps one
/// record per dossier or payment, never one that grows with all of them.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// The most entries one `state_scan` answers; [`Durable::scan`] pages.
pub const MAX_SCAN_ENTRIES: usize = 500;

/// Why a state call did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// A key (or scan prefix) the rules refuse; nothing was read or written.
    #[error("adapter state key {key:?}: {problem}")]
    BadKey { key: String, problem: String },
    /// A value over [`MAX_VALUE_BYTES`]; nothing was written.
    #[error("adapter state value at {key:?} is {bytes} bytes; at most {max} are kept")]
    TooLarge {
        key: String,
        bytes: usize,
        max: usize,
    },
    /// The hub's store cannot answer now (writes refused while it recovers
    /// from a full disk, a failed read): try again later. Nothing half-done
    /// stays behind.
    #[error("adapter state unavailable: {0}")]
    Unavailable(String),
    /// A stored value the adapter cannot read back as the record it
    /// expects (an older or damaged layout).
    #[error("adapter state at {key:?} is unreadable: {problem}")]
    Corrupt { key: String, problem: String },
}

impl StateError {
    /// Whether trying again later may succeed (the store was unavailable).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StateError::Unavailable(_))
    }
}

fn bad(key: &str, problem: impl Into<String>) -> StateError {
    let shown: String = key.chars().take(64).collect();
    StateError::BadKey {
        key: shown,
        problem: problem.into(),
    }
}

/// A scan prefix: empty (everything of the adapter), or what a key may be.
pub fn check_prefix(prefix: &str) -> Result<(), StateError> {
    if prefix.len() > MAX_KEY_BYTES {
        return Err(bad(
            prefix,
            format!("is {} bytes; at most {MAX_KEY_BYTES}", prefix.len()),
        ));
    }
    if let Some(c) = prefix.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(bad(
            prefix,
            format!("has {c:?}: only visible ASCII characters (no spaces) are allowed"),
        ));
    }
    Ok(())
}

/// A key: 1 to [`MAX_KEY_BYTES`] visible ASCII characters (a MaHoSo, a
/// payment reference, `tracking/<MaHoSo>`), so it reads the same in a log,
/// an error and the store.
pub fn check_key(key: &str) -> Result<(), StateError> {
    if key.is_empty() {
        return Err(bad(key, "is empty"));
    }
    check_prefix(key)
}

/// A value for `key`: at most [`MAX_VALUE_BYTES`].
pub fn check_value(key: &str, value: &[u8]) -> Result<(), StateError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(StateError::TooLarge {
            key: key.chars().take(64).collect(),
            bytes: value.len(),
            max: MAX_VALUE_BYTES,
        });
    }
    Ok(())
}

/// An adapter's state as JSON records: what the adapter crates use.
#[derive(Clone)]
pub struct Durable {
    hub: Arc<dyn HubApi>,
}

impl Durable {
    pub fn new(hub: Arc<dyn HubApi>) -> Durable {
        Durable { hub }
    }

    /// The record at `key`, if one was put.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StateError> {
        match self.hub.state_get(key).await? {
            None => Ok(None),
            Some(bytes) => decode(key, &bytes).map(Some),
        }
    }

    /// Puts `value` at `key`; durable when this returns.
    pub async fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StateError> {
        let bytes = serde_json::to_vec(value).map_err(|e| StateError::Corrupt {
            key: key.to_string(),
            problem: format!("cannot be written as JSON: {e}"),
        })?;
        self.hub.state_put(key, bytes).await
    }

    pub async fn delete(&self, key: &str) -> Result<(), StateError> {
        self.hub.state_delete(key).await
    }

    /// Every record under `prefix`, in key order, read page by page.
    pub async fn scan<T: DeserializeOwned>(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, T)>, StateError> {
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            let page = self
                .hub
                .state_scan(prefix, &after, MAX_SCAN_ENTRIES)
                .await?;
            let full = page.len() >= MAX_SCAN_ENTRIES;
            for (key, bytes) in page {
                let value = decode(&key, &bytes)?;
                after.clone_from(&key);
                out.push((key, value));
            }
            if !full {
                return Ok(out);
            }
        }
    }
}

fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, StateError> {
    serde_json::from_slice(bytes).map_err(|e| StateError::Corrupt {
        key: key.to_string(),
        problem: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_and_bounded() {
        assert!(check_key("tracking/000.00.01.H22-251122-00017").is_ok());
        for (key, words) in [
            ("", "is empty"),
            ("a b", "no spaces"),
            ("mã", "visible ASCII"),
            ("a\0b", "visible ASCII"),
        ] {
            match check_key(key) {
                Err(StateError::BadKey { problem, .. }) => {
                    assert!(problem.contains(words), "{key:?}: {problem}")
                }
                other => panic!("{key:?}: {other:?}"),
            }
        }
        let long = "k".repeat(MAX_KEY_BYTES + 1);
        assert!(
            matches!(check_key(&long), Err(StateError::BadKey { problem, .. }) if problem.contains("257 bytes"))
        );
        assert!(check_prefix("").is_ok());
    }

    #[test]
    fn values_are_bounded() {
        assert!(check_value("k", &vec![0; MAX_VALUE_BYTES]).is_ok());
        let e = check_value("k", &vec![0; MAX_VALUE_BYTES + 1]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "adapter state value at \"k\" is {} bytes; at most {MAX_VALUE_BYTES} are kept",
                MAX_VALUE_BYTES + 1
            )
        );
        assert!(!e.is_retryable());
    }
}
