//! The idempotency records' expiry index: which records each group of
//! commands wrote, in time order, so that expiring them reads what is due
//! and nothing else.
//!
//! An idempotency record is found by its partner and key (`i`), which says
//! nothing of its age; without this index every expiry pass read every
//! record — at a million dossiers, five million records, read at every
//! start of the hub, and that full read is what filled sled's cache past
//! the memory target (issue 12). So the writer adds one record per group
//! that wrote idempotency records: key `w`, the newest `created_at` among
//! them, and the first of their keys (unique: a key is written again only
//! after it expired); value, the list of their keys. Expiry walks `w` from
//! the oldest on and stops at the first group still within the retention.
//!
//! A directory written before the index existed has records no `w` lists.
//! Its first open under this code writes the marker
//! `m/idempotency_unindexed_before` with the time of that open; until a
//! full pass (`maintenance.rs`) has removed every record older than that,
//! the retention sweep keeps running full passes too. A directory with no
//! idempotency record at all starts with nothing to catch up.

use super::{keys, records, StoreError};
use crate::domain::UnixMillis;

/// Group records: `w`, created_at (big-endian ms), the first key listed.
pub const EXPIRY: u8 = b'w';
/// Records written before the index exist up to this time (ms, big-endian);
/// 0: every stored record is listed under `w`.
pub const MARKER: &[u8] = b"m/idempotency_unindexed_before";
/// The format of a group record's value.
const LIST_V1: u8 = 1;

/// The index record of a group that wrote the idempotency records `written`
/// (keys, in key order, not empty), the newest of them created at `newest`.
pub fn group_record(newest: UnixMillis, written: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
    let mut key = Vec::with_capacity(9 + written[0].len());
    key.push(EXPIRY);
    key.extend_from_slice(&(newest.0.max(0) as u64).to_be_bytes());
    key.extend_from_slice(written[0]);
    let mut value = Vec::with_capacity(1 + written.iter().map(|k| k.len() + 2).sum::<usize>());
    value.push(LIST_V1);
    for listed in written {
        // Keys are bounded far below 64 KiB (partner ids and idempotency
        // keys are validated at the edge); a longer one would not be listed
        // and would wait for a full pass, never be cut short.
        let Ok(len) = u16::try_from(listed.len()) else {
            continue;
        };
        value.extend_from_slice(&len.to_be_bytes());
        value.extend_from_slice(listed);
    }
    (key, value)
}

/// When the group of index record `key` wrote its newest record.
pub fn group_time(key: &[u8]) -> Result<UnixMillis, StoreError> {
    key.get(1..9)
        .and_then(|b| b.try_into().ok())
        .map(|b| UnixMillis(u64::from_be_bytes(b) as i64))
        .ok_or_else(|| corrupt(key, "an expiry index key shorter than its time".into()))
}

/// The idempotency keys an index record lists.
pub fn listed(key: &[u8], value: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
    let Some((&LIST_V1, mut rest)) = value.split_first() else {
        return Err(corrupt(key, "unknown expiry list format".into()));
    };
    let mut keys = Vec::new();
    while !rest.is_empty() {
        let len = rest
            .get(..2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| corrupt(key, "a key length cut short".into()))?;
        let listed = rest
            .get(2..2 + len)
            .ok_or_else(|| corrupt(key, format!("a listed key of {len} bytes cut short")))?;
        keys.push(listed.to_vec());
        rest = &rest[2 + len..];
    }
    Ok(keys)
}

/// At open: a directory that has idempotency records and no marker was
/// written before the index; records up to now may be unlisted.
pub fn begin(db: &sled::Db) -> Result<(), StoreError> {
    let io = |e| StoreError::io("opening the idempotency expiry index", e);
    if db.get(MARKER).map_err(io)?.is_some() {
        return Ok(());
    }
    let unlisted = db.scan_prefix([keys::IDEMPOTENCY]).next().is_some();
    let before = if unlisted {
        UnixMillis::now().0.max(1)
    } else {
        0
    };
    db.insert(MARKER, &(before as u64).to_be_bytes())
        .map_err(io)?;
    if unlisted {
        tracing::info!(
            "idempotency records written before the expiry index: full passes until they expire"
        );
    }
    Ok(())
}

/// The marker's time: `Some` while records written before the index may be
/// stored.
pub fn unindexed_before(value: Option<&[u8]>) -> Result<Option<UnixMillis>, StoreError> {
    let Some(value) = value else {
        // Only a store opened without `begin` (none is) has no marker.
        return Ok(None);
    };
    let ms = keys::read_u64(MARKER, value)?;
    Ok((ms > 0).then_some(UnixMillis(ms as i64)))
}

fn corrupt(key: &[u8], reason: String) -> StoreError {
    StoreError::Corrupt {
        key: keys::printable(key),
        reason,
    }
}

/// Whether the stored idempotency record `value` was created before
/// `older_than` (an unreadable one is kept and reported).
pub fn expired(key: &[u8], value: &[u8], older_than: UnixMillis) -> Result<bool, StoreError> {
    let record: records::IdempotencyRecord = records::decode(key, value)?;
    Ok(record.created_at < older_than)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::store::{DossierCache, IdempotencyRecord, Store, StoredAnswer};

    /// An idempotency record created at `created_at` (ms).
    pub(in crate::store) fn record(created_at: i64) -> IdempotencyRecord {
        IdempotencyRecord {
            fingerprint: "f".repeat(64),
            created_at: UnixMillis(created_at),
            reply: StoredAnswer::Publication {
                kind: "procedures".into(),
                version: 1,
                added: 1,
                changed: 0,
                removed: 0,
                event_seq: 1,
            },
        }
    }

    /// One group of commands, each remembering one key, created at `at`.
    fn group(store: &Store, keys: &[&str], at: i64) {
        let mut cache = DossierCache::new(0);
        let mut txn = store.begin(&mut cache);
        for key in keys {
            txn.put_idempotency("lgsp", key, &record(at));
            txn.keep_command();
        }
        // A refused command's record is neither written nor listed.
        txn.put_idempotency("lgsp", "refused", &record(at));
        txn.drop_command();
        txn.apply().unwrap();
    }

    fn stored(store: &Store, prefix: u8) -> Vec<Vec<u8>> {
        let db = store.db().unwrap();
        db.scan_prefix([prefix])
            .map(|i| i.unwrap().0.to_vec())
            .collect()
    }

    fn remembered(store: &Store) -> Vec<String> {
        stored(store, keys::IDEMPOTENCY)
            .iter()
            .map(|k| String::from_utf8_lossy(&k[6..]).into_owned())
            .collect()
    }

    #[test]
    fn expiry_reads_the_groups_due_and_keeps_a_key_written_again_since() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        assert_eq!(
            store.idempotency_unindexed_before().unwrap(),
            None,
            "a new directory"
        );
        group(&store, &["a", "b"], 1_000);
        group(&store, &["c"], 2_000);
        group(&store, &["d"], 3_000);
        assert_eq!(
            stored(&store, EXPIRY).len(),
            3,
            "one index record per group"
        );
        assert_eq!(remembered(&store), ["a", "b", "c", "d"]);

        assert_eq!(
            store.expire_idempotency(UnixMillis(1_500), false).unwrap(),
            2
        );
        assert_eq!(remembered(&store), ["c", "d"]);
        assert_eq!(
            stored(&store, EXPIRY).len(),
            2,
            "the first group's record went"
        );

        // `c` expired by other means and was written again, later.
        store
            .write_db()
            .unwrap()
            .remove(keys::idempotency("lgsp", "c"))
            .unwrap();
        group(&store, &["c"], 5_000);
        assert_eq!(
            store.expire_idempotency(UnixMillis(2_500), false).unwrap(),
            0
        );
        assert_eq!(remembered(&store), ["c", "d"], "the new `c` is not due");
        assert_eq!(stored(&store, EXPIRY).len(), 2);

        assert_eq!(
            store.expire_idempotency(UnixMillis(3_000), false).unwrap(),
            0,
            "not before"
        );
        assert_eq!(
            store.expire_idempotency(UnixMillis(9_000), false).unwrap(),
            2
        );
        assert!(remembered(&store).is_empty());
        assert!(stored(&store, EXPIRY).is_empty());
    }

    #[test]
    fn expiry_walks_more_groups_than_one_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        for n in 0..50 {
            group(&store, &[&format!("k{n:02}")], 1_000 + n);
        }
        assert_eq!(
            store.expire_idempotency(UnixMillis(1_040), false).unwrap(),
            40
        );
        assert_eq!(remembered(&store).len(), 10);
        assert_eq!(stored(&store, EXPIRY).len(), 10);
    }

    #[test]
    fn records_from_before_the_index_go_by_full_passes_until_none_can_be_left() {
        let dir = tempfile::tempdir().unwrap();
        {
            // Written as by the code before the index: a record, no `w`.
            let db = sled::open(dir.path()).unwrap();
            let key = keys::idempotency("lgsp", "old");
            db.insert(key, records::encode(&record(1_000))).unwrap();
            db.flush().unwrap();
        }
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        let opened = store
            .idempotency_unindexed_before()
            .unwrap()
            .expect("marked");
        assert!(opened.0 > 1_000_000, "the time of the open: {opened:?}");
        group(&store, &["new"], 2_000);

        assert_eq!(
            store.expire_idempotency(UnixMillis(1_500), false).unwrap(),
            0,
            "no index lists the old record"
        );
        assert_eq!(remembered(&store), ["new", "old"]);
        assert_eq!(
            store.expire_idempotency(UnixMillis(1_500), true).unwrap(),
            1
        );
        assert_eq!(remembered(&store), ["new"]);
        assert_eq!(
            store.idempotency_unindexed_before().unwrap(),
            Some(opened),
            "a cutoff before the open may leave unlisted records"
        );
        let later = UnixMillis(opened.0 + 1);
        assert_eq!(store.expire_idempotency(later, true).unwrap(), 1);
        assert_eq!(
            store.idempotency_unindexed_before().unwrap(),
            None,
            "caught up"
        );
        drop(store);
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        assert_eq!(
            store.idempotency_unindexed_before().unwrap(),
            None,
            "for good"
        );
    }

    #[test]
    fn a_group_record_lists_its_keys_and_sorts_by_time() {
        let written: Vec<&[u8]> = vec![b"ia\0k1", b"ia\0k2", b"ib\0x"];
        let (key, value) = group_record(UnixMillis(1_700_000_000_123), &written);
        assert_eq!(group_time(&key).unwrap(), UnixMillis(1_700_000_000_123));
        assert_eq!(listed(&key, &value).unwrap(), written);
        let (later, _) = group_record(UnixMillis(1_700_000_000_124), &[b"ia\0a"]);
        assert!(later > key, "a later group sorts after, whatever its keys");
    }

    #[test]
    fn a_damaged_group_record_is_reported_not_misread() {
        let (key, mut value) = group_record(UnixMillis(5), &[b"ia\0k"]);
        value.truncate(value.len() - 1);
        let err = listed(&key, &value).unwrap_err().to_string();
        assert!(err.contains("cut short"), "{err}");
        let err = listed(&key, &[9]).unwrap_err().to_string();
        assert!(err.contains("unknown expiry list format"), "{err}");
        assert!(group_time(b"w12").is_err());
    }
}
