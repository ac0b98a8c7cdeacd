//! Finding an audit entry by its time, for a receipt the lookup by key can
//! no longer give.
//!
//! A receipt is looked up by partner and idempotency key while the key's
//! idempotency record is kept (`receipt_lookups.rs`); after that the key
//! may name a newer command, and the lookup is gone. The entry itself is
//! kept forever, and entries are appended in time order, so a partner that
//! says when its command was accepted gets it from the entries of that
//! time: a binary search over the chain for the first entry at or after
//! the window's start (a few dozen entry reads), then the window's entries
//! in index order, a sealed segment at a time.

use super::audit::stored_between;
use super::{Store, StoreError};
use crate::audit::Entry;

/// Entries read at once while walking a window (one sealed segment).
const WALK: u64 = super::audit::SEGMENT_ENTRIES;

impl Store {
    /// Calls `visit` with every entry whose time is in `from_ms..=to_ms`,
    /// in index order, until it returns false.
    pub fn audit_entries_between(
        &self,
        from_ms: i64,
        to_ms: i64,
        mut visit: impl FnMut(&Entry) -> bool,
    ) -> Result<(), StoreError> {
        let (size, _) = self.audit_head()?;
        let db = self.db()?;
        let decoded = |index: u64, stored: &[u8]| -> Result<Entry, StoreError> {
            let canonical = &stored[..stored.len().saturating_sub(32)];
            Entry::decode(canonical).map_err(|e| StoreError::Corrupt {
                key: format!("audit entry {index}"),
                reason: e.to_string(),
            })
        };
        let at = |index: u64| -> Result<i64, StoreError> {
            match stored_between(self, &db, index, index + 1)?.first() {
                Some((index, stored)) => Ok(decoded(*index, stored)?.record.at_millis),
                // A gap (which `audit verify` names): searched past.
                None => Ok(i64::MIN),
            }
        };
        // The first entry at or after `from_ms`: entries are appended in
        // time order (to the millisecond the writer read its clock).
        let (mut low, mut high) = (0, size);
        while low < high {
            let middle = low + (high - low) / 2;
            if at(middle)? < from_ms {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let mut from = low;
        while from < size {
            let to = from.saturating_add(WALK).min(size);
            for (index, stored) in stored_between(self, &db, from, to)? {
                let entry = decoded(index, &stored)?;
                if entry.record.at_millis > to_ms || !visit(&entry) {
                    return Ok(());
                }
            }
            from = to;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::audit::{Kind, Record, OK};
    use crate::store::{AuditItem, Store};

    #[test]
    fn a_window_of_time_gives_its_entries_sealed_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        // 3 000 entries a second apart: most sealed, the last ones not.
        let items: Vec<AuditItem> = (0..3_000)
            .map(|n| {
                let mut record = Record::new(n * 1_000, Kind::Command, "lgsp", "submit", OK);
                record.request = format!("k-{n}");
                AuditItem::plain(record)
            })
            .collect();
        store.append_audit(items).unwrap();
        assert!(store.seal_audit().unwrap() >= 2048, "sealed");
        let window = |from: i64, to: i64| {
            let mut seen = Vec::new();
            store
                .audit_entries_between(from, to, |e| {
                    seen.push(e.record.request.clone());
                    true
                })
                .unwrap();
            seen
        };
        assert_eq!(window(1_022_500, 1_025_000), ["k-1023", "k-1024", "k-1025"]);
        assert_eq!(window(2_998_000, 9_999_999), ["k-2998", "k-2999"]);
        assert_eq!(window(0, 0), ["k-0"]);
        assert!(window(3_000_001, 4_000_000).is_empty());
        assert!(window(-5, -1).is_empty());
        // `visit` stops the walk.
        let mut first = None;
        store
            .audit_entries_between(0, i64::MAX, |e| {
                first = Some(e.index);
                false
            })
            .unwrap();
        assert_eq!(first, Some(0));
    }
}
