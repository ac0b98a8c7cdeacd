//! Receipt lookups expire with the idempotency record of the same key.
//!
//! A partner asks for the receipt of its accepted command by its own
//! idempotency key (`GetReceipt`); the audit chain keeps a lookup from
//! partner and key to the command's entry (`u k partner 0 key`, written in
//! the command's own batch, `audit.rs`). Those lookups were kept forever:
//! one record per accepted command, five million at a million dossiers,
//! which outlived everything else about the commands but the audit entries
//! themselves and was most of what sled held in memory at rest (issue 12).
//!
//! A key names one command only while its idempotency record is kept: once
//! that expires, the partner may send the same key again for another
//! command. So a lookup now goes in the same batch as the idempotency
//! record of the same partner and key (`maintenance.rs`), and a receipt
//! must be asked for within the idempotency retention (the receipt
//! document, once fetched, verifies forever). The audit entries stay.
//!
//! A directory written before this kept lookups whose records already
//! expired. Its first open under this code marks it (`MARKER`, a walk from
//! the first lookup); each retention sweep then checks the next
//! `WALK_PER_SWEEP` lookups and removes those whose idempotency record is
//! gone, until the walk reaches the end and the marker says so.

use super::{keys, Store, StoreError};

/// The walk over lookups from before: `[0]` none is left to check; `[1]`
/// then the last lookup key checked (none yet: `[1]` alone).
pub const MARKER: &[u8] = b"m/receipt_lookups_unchecked";
/// Receipt lookups: `u`, `k`, partner, 0, key.
const LOOKUP: [u8; 2] = [super::audit::AUDIT, b'k'];
/// Lookups one sweep checks against their idempotency records.
const WALK_PER_SWEEP: usize = 65_536;
/// Lookups read through one lease (a planned reopen waits for readers).
const WALK_CHUNK: usize = 1024;

/// The receipt lookup of the same partner and key as idempotency record
/// `idempotency` (`i`, partner, 0, key).
pub fn lookup_of(idempotency: &[u8]) -> Vec<u8> {
    let mut key = LOOKUP.to_vec();
    key.extend_from_slice(idempotency.get(1..).unwrap_or_default());
    key
}

/// The idempotency record of the same partner and key as `lookup`.
fn idempotency_of(lookup: &[u8]) -> Vec<u8> {
    let mut key = vec![keys::IDEMPOTENCY];
    key.extend_from_slice(lookup.get(LOOKUP.len()..).unwrap_or_default());
    key
}

/// At open: a directory with lookups and no marker may hold lookups whose
/// record expired before they went together.
pub fn begin(db: &sled::Db) -> Result<(), StoreError> {
    let io = |e| StoreError::io("opening the receipt lookups", e);
    if db.get(MARKER).map_err(io)?.is_some() {
        return Ok(());
    }
    let unchecked = db.scan_prefix(LOOKUP).next().is_some();
    db.insert(MARKER, if unchecked { &[1u8][..] } else { &[0u8][..] })
        .map_err(io)?;
    if unchecked {
        tracing::info!("receipt lookups from before they expired with their idempotency records: checked by the next retention sweeps");
    }
    Ok(())
}

/// Where the walk stands: `None` when it is over, else the last lookup
/// checked (`Some(None)`: none yet).
fn walk(value: Option<&[u8]>) -> Result<Option<Option<Vec<u8>>>, StoreError> {
    match value {
        None | Some([0]) => Ok(None),
        Some([1, after @ ..]) => Ok(Some((!after.is_empty()).then(|| after.to_vec()))),
        Some(_) => Err(StoreError::Corrupt {
            key: keys::printable(MARKER),
            reason: "unknown receipt lookup walk state".into(),
        }),
    }
}

impl Store {
    /// One sweep's share of the walk over lookups from before: removes
    /// those of the next `WALK_PER_SWEEP` whose idempotency record is gone
    /// and remembers where it stopped. Returns how many it removed.
    pub fn remove_orphan_receipt_lookups(&self) -> Result<usize, StoreError> {
        let marker = self
            .db()?
            .get(MARKER)
            .map_err(|e| self.failed("reading the receipt lookup walk", e))?;
        let Some(mut after) = walk(marker.as_deref())? else {
            return Ok(0);
        };
        let (mut checked, mut removed) = (0, 0);
        loop {
            let chunk = self.chunk_after(&LOOKUP, after.as_deref(), WALK_CHUNK)?;
            let full = chunk.len() == WALK_CHUNK;
            {
                let db = self.write_db()?;
                for (lookup, entry) in &chunk {
                    let kept = db
                        .contains_key(idempotency_of(lookup))
                        .map_err(|e| self.failed("reading an idempotency record", e))?;
                    if kept {
                        continue;
                    }
                    // Only if it still names the same entry: a command that
                    // wrote the key again since (its record had expired)
                    // wrote a new lookup, which stays.
                    let swapped = db
                        .compare_and_swap(lookup, Some(entry.as_slice()), None::<&[u8]>)
                        .map_err(|e| self.failed("removing a receipt lookup", e))?;
                    removed += usize::from(swapped.is_ok());
                }
            }
            checked += chunk.len();
            after = chunk.last().map(|(key, _)| key.clone()).or(after);
            let state = match (&after, full) {
                (Some(last), true) => [&[1u8][..], last].concat(),
                _ => vec![0u8],
            };
            self.write_db()?
                .insert(MARKER, state)
                .map_err(|e| self.failed("remembering the receipt lookup walk", e))?;
            if !full {
                tracing::info!("receipt lookups from before: every one checked");
                return Ok(removed);
            }
            if checked >= WALK_PER_SWEEP {
                return Ok(removed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Kind, Record, OK};
    use crate::domain::UnixMillis;
    use crate::store::expiry::tests::record;
    use crate::store::{keys, records, AuditItem, DossierCache};

    /// One group of accepted commands of partner `lgsp`, each remembering
    /// its key and asking for a receipt lookup, as the writer does.
    fn accepted(store: &Store, keys: &[&str], at: i64) {
        let mut cache = DossierCache::new(0);
        let mut txn = store.begin(&mut cache);
        for key in keys {
            txn.put_idempotency("lgsp", key, &record(at));
            let mut audited = Record::new(at, Kind::Publication, "lgsp", "publish_catalog", OK);
            audited.request = key.to_string();
            txn.audit(AuditItem {
                record: audited,
                receipt: true,
            });
            txn.keep_command();
        }
        txn.apply().unwrap();
    }

    fn findable(store: &Store, keys: &[&str]) -> Vec<bool> {
        keys.iter()
            .map(|k| store.receipt_index("lgsp", k).unwrap().is_some())
            .collect()
    }

    #[test]
    fn a_receipt_lookup_expires_with_the_idempotency_record_of_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        accepted(&store, &["a", "b"], 1_000);
        accepted(&store, &["c"], 2_000);
        assert_eq!(findable(&store, &["a", "b", "c"]), [true, true, true]);
        assert_eq!(
            store.expire_idempotency(UnixMillis(1_500), false).unwrap(),
            2
        );
        assert_eq!(findable(&store, &["a", "b", "c"]), [false, false, true]);
        // The audit entries stay: only the lookup by key went.
        assert_eq!(store.audit_head().unwrap().0, 3);
        // Nothing was left for the walk over lookups from before.
        assert_eq!(store.remove_orphan_receipt_lookups().unwrap(), 0);
    }

    #[test]
    fn lookups_from_before_are_walked_once_and_those_without_a_record_go() {
        let dir = tempfile::tempdir().unwrap();
        let orphans = 2 * WALK_CHUNK + 5;
        {
            // As the code before left it: lookups whose idempotency
            // record expired, and one whose record is still kept.
            let db = sled::open(dir.path()).unwrap();
            for n in 0..orphans {
                let lookup = crate::store::audit::receipt_key("lgsp", &format!("old-{n:05}"));
                db.insert(lookup, &(n as u64).to_be_bytes()).unwrap();
            }
            db.insert(
                crate::store::audit::receipt_key("lgsp", "kept"),
                &7u64.to_be_bytes(),
            )
            .unwrap();
            db.insert(
                keys::idempotency("lgsp", "kept"),
                records::encode(&record(9_000)),
            )
            .unwrap();
            db.flush().unwrap();
        }
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        let marker = || store.db().unwrap().get(MARKER).unwrap().map(|v| v.to_vec());
        assert_eq!(marker(), Some(vec![1]), "marked for the walk at open");
        assert_eq!(store.remove_orphan_receipt_lookups().unwrap(), orphans);
        assert_eq!(marker(), Some(vec![0]), "every lookup checked");
        let left: Vec<Vec<u8>> = store
            .db()
            .unwrap()
            .scan_prefix(LOOKUP)
            .map(|i| i.unwrap().0.to_vec())
            .collect();
        assert_eq!(left, [crate::store::audit::receipt_key("lgsp", "kept")]);
        assert_eq!(store.remove_orphan_receipt_lookups().unwrap(), 0, "done");
        drop(store);
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        assert_eq!(
            store.db().unwrap().get(MARKER).unwrap().as_deref(),
            Some(&[0u8][..])
        );

        let fresh = tempfile::tempdir().unwrap();
        let store = Store::open(fresh.path(), 8 << 20).unwrap();
        assert_eq!(
            store.db().unwrap().get(MARKER).unwrap().as_deref(),
            Some(&[0u8][..]),
            "a new directory has nothing to walk"
        );
    }

    #[test]
    fn a_lookup_and_its_idempotency_record_name_the_same_partner_and_key() {
        let record = keys::idempotency("one-stop", "YC-1");
        let lookup = lookup_of(&record);
        assert_eq!(lookup, crate::store::audit::receipt_key("one-stop", "YC-1"));
        assert_eq!(idempotency_of(&lookup), record);
    }

    #[test]
    fn the_walk_state_reads_back_and_a_damaged_one_is_reported() {
        assert_eq!(walk(None).unwrap(), None);
        assert_eq!(walk(Some(&[0])).unwrap(), None);
        assert_eq!(walk(Some(&[1])).unwrap(), Some(None));
        assert_eq!(walk(Some(b"\x01uk")).unwrap(), Some(Some(b"uk".to_vec())));
        let e = walk(Some(&[7])).unwrap_err().to_string();
        assert!(e.contains("receipt_lookups_unchecked"), "{e}");
    }
}
