//! Changes made to a stopped hub's data directory behind its back, found by
//! `lienthong audit verify`: one byte of one entry (found at exactly that
//! entry), an entry rewritten with its stored hash recomputed (found at the
//! next entry's link), a forged or foreign checkpoint signature, and
//! entries cut off the end (found by the checkpoint that covered them).

use super::{entries, keygen, text, verify, Keys};
use crate::common::{self, TestHub};
use lienthong::audit::{Kind, Signed, SigningKey};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A stopped hub's data directory holding a few accepted commands, signed.
async fn stopped_hub_with_commands(keys_dir: &Path) -> (TestHub, PathBuf, Keys) {
    let keys = keygen(keys_dir);
    let signing = keys.signing.clone();
    let mut hub = TestHub::start_with(move |c| {
        c.audit.signing_key_file = Some(signing);
        c.audit.checkpoint_interval_seconds = 3600;
    })
    .await;
    let mut one_stop = hub.client(common::ONE_STOP).await;
    for i in 0..5 {
        one_stop.submit(&format!("tamper-{i}")).await;
    }
    hub.stop().await;
    let data = hub.dir.path().join("data");
    let verified = verify(&data, Some(&keys.public));
    assert!(
        verified.status.success(),
        "untouched, it verifies: {}",
        text(&verified)
    );
    (hub, data, keys)
}

fn entry_key(index: u64) -> Vec<u8> {
    let mut key = b"ue".to_vec();
    key.extend_from_slice(&index.to_be_bytes());
    key
}

/// Opens the sled directory directly, as someone with the disk would, and
/// rewrites one stored value.
fn rewrite(data: &Path, key: &[u8], change: impl FnOnce(&mut Vec<u8>)) {
    let db = sled::open(data).expect("open the data directory with sled");
    let mut value = db.get(key).unwrap().expect("the key is stored").to_vec();
    change(&mut value);
    db.insert(key, value).unwrap();
    db.flush().unwrap();
}

fn the_third_submit(data: &Path) -> u64 {
    entries(data)
        .iter()
        .filter(|e| e.record.kind == Kind::Command && e.record.request == "tamper-2")
        .map(|e| e.index)
        .next()
        .expect("the third submit's entry")
}

fn assert_broken_at(data: &Path, keys: &Keys, expected: &str) {
    let verified = verify(data, Some(&keys.public));
    let said = text(&verified);
    assert_eq!(verified.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("audit log BROKEN at {expected}")),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_changed_byte_on_disk_is_found_at_its_entry() {
    let keys_dir = tempfile::tempdir().unwrap();
    let (_hub, data, keys) = stopped_hub_with_commands(keys_dir.path()).await;
    let k = the_third_submit(&data);
    assert!(k > 0);
    // Byte 55 is inside the actor ("one-stop" starts at byte 54).
    rewrite(&data, &entry_key(k), |value| {
        assert_eq!(value[55], b'n');
        value[55] = b'x';
    });
    assert_broken_at(
        &data,
        &keys,
        &format!("entry {k}: its bytes do not match the hash stored with them"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_rewritten_with_its_hash_recomputed_breaks_the_next_link() {
    let keys_dir = tempfile::tempdir().unwrap();
    let (_hub, data, keys) = stopped_hub_with_commands(keys_dir.path()).await;
    let k = the_third_submit(&data);
    rewrite(&data, &entry_key(k), |value| {
        let body = value.len() - 32;
        value[55] = b'x';
        let hash = Sha256::digest(&value[..body]);
        value[body..].copy_from_slice(&hash);
    });
    assert_broken_at(
        &data,
        &keys,
        &format!(
            "entry {}: the previous hash it carries is not the hash of entry {k}",
            k + 1
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_checkpoint_signature_fails() {
    let keys_dir = tempfile::tempdir().unwrap();
    let (_hub, data, keys) = stopped_hub_with_commands(keys_dir.path()).await;
    let checkpoint_key = {
        let db = sled::open(&data).unwrap();
        let (key, _) = db.scan_prefix(b"uc").next().expect("a checkpoint").unwrap();
        key.to_vec()
    };
    // One byte of the signature.
    rewrite(&data, &checkpoint_key, |value| {
        let last = value.len() - 1;
        value[last] ^= 0x01;
    });
    assert_broken_at(
        &data,
        &keys,
        "checkpoint 1: its signature is not the hub key's",
    );
    // Without the public key the chain still holds, and it says what it
    // did not check.
    let unsigned = verify(&data, None);
    assert!(unsigned.status.success(), "{}", text(&unsigned));
    assert!(text(&unsigned).contains("signatures NOT checked"));
    // A well-formed signature by another key is no better.
    rewrite(&data, &checkpoint_key, |value| {
        let signed = Signed::from_bytes(value).unwrap();
        let (forger, _) = SigningKey::generate().unwrap();
        *value = forger.sign(signed.checkpoint).to_bytes();
    });
    assert_broken_at(
        &data,
        &keys,
        "checkpoint 1: its signature is not the hub key's",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_cut_off_the_end_are_found_by_the_checkpoint() {
    let keys_dir = tempfile::tempdir().unwrap();
    let (_hub, data, keys) = stopped_hub_with_commands(keys_dir.path()).await;
    let count = entries(&data).len() as u64;
    {
        let db = sled::open(&data).unwrap();
        db.remove(entry_key(count - 1)).unwrap();
        db.flush().unwrap();
    }
    let verified = verify(&data, Some(&keys.public));
    let said = text(&verified);
    assert_eq!(verified.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "covers {count} entries but the chain holds {}",
            count - 1
        )),
        "{said}"
    );
}
