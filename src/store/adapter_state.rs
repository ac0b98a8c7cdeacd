//! Adapters' durable state: a small key-value space per partner with an
//! adapter (postal tracking, the national portal's sync records, pending
//! payments, a poller's cursor), so that no adapter keeps a file of its own.
//!
//! | prefix | key                 | value                       |
//! |--------|---------------------|-----------------------------|
//! | `j`    | partner 0 key       | the adapter's bytes (JSON)  |
//!
//! The partner's name ends with the 0 byte, so one partner's scan never
//! reaches another's keys (`idle` and `idle2` are apart). Keys and values
//! are checked at the adapter edge (`lienthong_adapter::state`); here they
//! are bytes. Every put and delete is flushed before it returns: these
//! writes are not commands, so they do not travel through the engine's
//! group commit (whose batches hold exactly one group of commands and their
//! audit entries), and a flush of its own is what makes "durable when the
//! call returns" true without holding a command's group back.

use super::{keys, Store, StoreError};

fn partner_prefix(partner: &str) -> Vec<u8> {
    let mut key = vec![keys::ADAPTER_STATE];
    key.extend_from_slice(partner.as_bytes());
    key.push(0);
    key
}

fn key_of(partner: &str, key: &str) -> Vec<u8> {
    let mut full = partner_prefix(partner);
    full.extend_from_slice(key.as_bytes());
    full
}

impl Store {
    /// The value of `partner`'s adapter at `key`.
    pub fn adapter_state(&self, partner: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .db()?
            .get(key_of(partner, key))
            .map_err(|e| self.failed("reading adapter state", e))?
            .map(|v| v.to_vec()))
    }

    /// Puts `value` at `key` of `partner`'s adapter, flushed.
    pub fn put_adapter_state(
        &self,
        partner: &str,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.write_db()?
            .insert(key_of(partner, key), value)
            .map_err(|e| self.failed("writing adapter state", e))?;
        self.stats.record(1, (key.len() + value.len()) as u64);
        self.flush()
    }

    /// Removes `key` of `partner`'s adapter, flushed.
    pub fn delete_adapter_state(&self, partner: &str, key: &str) -> Result<(), StoreError> {
        self.write_db()?
            .remove(key_of(partner, key))
            .map_err(|e| self.failed("removing adapter state", e))?;
        self.flush()
    }

    /// `partner`'s entries whose key starts with `prefix` and sorts after
    /// `after`, in key order, at most `limit`.
    pub fn scan_adapter_state(
        &self,
        partner: &str,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let base = partner_prefix(partner).len();
        let scanned = key_of(partner, prefix);
        let from = key_of(partner, after).max(scanned.clone());
        let mut out = Vec::new();
        for item in self.db()?.range(from..) {
            let (key, value) = item.map_err(|e| self.failed("reading adapter state", e))?;
            if !key.starts_with(&scanned) || out.len() >= limit {
                break;
            }
            if !after.is_empty() && key[base..] <= *after.as_bytes() {
                continue;
            }
            let name =
                String::from_utf8(key[base..].to_vec()).map_err(|_| StoreError::Corrupt {
                    key: keys::printable(&key),
                    reason: "an adapter state key that is not text".into(),
                })?;
            out.push((name, value.to_vec()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_store;

    #[test]
    fn partners_keep_apart_and_scans_page_in_key_order() {
        let (_dir, store) = test_store();
        for key in ["t/b", "t/a", "t/c", "u/a"] {
            store
                .put_adapter_state("idle", key, key.as_bytes())
                .unwrap();
        }
        store.put_adapter_state("idle2", "t/a", b"other").unwrap();
        let page = store.scan_adapter_state("idle", "t/", "", 2).unwrap();
        let keys: Vec<&str> = page.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["t/a", "t/b"]);
        let rest = store.scan_adapter_state("idle", "t/", "t/b", 2).unwrap();
        assert_eq!(rest, vec![("t/c".to_string(), b"t/c".to_vec())]);
        assert_eq!(
            store.scan_adapter_state("idle", "", "", 10).unwrap().len(),
            4
        );
        assert_eq!(
            store.adapter_state("idle2", "t/a").unwrap().as_deref(),
            Some(&b"other"[..])
        );
        store.delete_adapter_state("idle", "t/a").unwrap();
        assert_eq!(store.adapter_state("idle", "t/a").unwrap(), None);
        assert_eq!(
            store.adapter_state("idle2", "t/a").unwrap().as_deref(),
            Some(&b"other"[..])
        );
    }
}
