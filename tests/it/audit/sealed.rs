//! Sealed audit segments (`store/audit.rs`): old entries packed into one
//! record per `SEGMENT_ENTRIES` read back byte for byte — each entry, the
//! hashes checkpoints and receipts are built from, the head —, the chain
//! goes on after them, `audit verify` checks every sealed entry as before,
//! and one byte changed inside a sealed segment is found at its entry.

use lienthong::audit::{Kind, Place, Record};
use lienthong::store::{AuditItem, Store};

const ENTRIES: u64 = 2100;

fn records(from: u64, to: u64) -> Vec<AuditItem> {
    (from..to)
        .map(|n| {
            let mut record = Record::new(
                1_700_000_000_000 + n as i64,
                Kind::Operator,
                "ops",
                "test",
                "OK",
            );
            record.detail = format!("entry {n}");
            AuditItem::plain(record)
        })
        .collect()
}

#[test]
fn sealed_entries_read_and_verify_as_before_and_a_changed_byte_is_found_at_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), 8 << 20).unwrap();
        for from in (0..ENTRIES).step_by(100) {
            store.append_audit(records(from, from + 100)).unwrap();
        }
        let hashes = store.audit_hashes(0, ENTRIES).unwrap();
        let entries: Vec<_> = (0..ENTRIES)
            .map(|i| store.audit_entry(i).unwrap())
            .collect();
        let head = store.audit_head().unwrap();

        // Two full segments below the head; the rest stays as it was.
        assert_eq!(store.seal_audit().unwrap(), 2048);
        assert_eq!(store.seal_audit().unwrap(), 0, "nothing more to seal");
        assert_eq!(store.audit_hashes(0, ENTRIES).unwrap(), hashes);
        assert_eq!(store.audit_hashes(1000, 1100).unwrap(), hashes[1000..1100]);
        for i in [0, 7, 1023, 1024, 2047, 2048, ENTRIES - 1] {
            assert_eq!(
                store.audit_entry(i).unwrap(),
                entries[i as usize],
                "entry {i}"
            );
        }
        assert_eq!(store.audit_entry(ENTRIES).unwrap(), None);
        assert_eq!(store.audit_head().unwrap(), head);
        // The chain goes on after sealed entries.
        store.append_audit(records(ENTRIES, ENTRIES + 10)).unwrap();
        assert_eq!(store.audit_head().unwrap().0, ENTRIES + 10);
        store.flush().unwrap();
    }
    let report = lienthong::app::verify_audit(dir.path(), None)
        .unwrap()
        .unwrap_or_else(|broken| panic!("sealed, it still verifies: {broken}"));
    assert_eq!(report.entries, ENTRIES + 10);

    // One byte of entry 7, inside the first sealed segment.
    {
        let db = sled::open(dir.path()).unwrap();
        let mut key = b"us".to_vec();
        key.extend_from_slice(&0u64.to_be_bytes());
        let mut value = db.get(&key).unwrap().expect("segment 0 is sealed").to_vec();
        let mut at = 5;
        for _ in 0..7 {
            let len = u32::from_be_bytes(value[at..at + 4].try_into().unwrap()) as usize;
            at += 4 + len;
        }
        // Past its length, format byte and index: a byte of its previous hash.
        value[at + 4 + 20] ^= 1;
        db.insert(&key, value).unwrap();
        db.flush().unwrap();
    }
    let broken = lienthong::app::verify_audit(dir.path(), None)
        .unwrap()
        .expect_err("a changed byte in a sealed segment is found");
    assert_eq!(broken.at, Place::Entry(7), "{broken}");
}
