//! Checking a whole chain: every entry's bytes against the hash stored
//! with them, every link, every checkpoint's range, head, Merkle root and
//! (given the public key) signature. Fed one stored entry at a time, in
//! index order, so that memory holds only the hashes since the last
//! checkpoint; the first thing wrong stops it and is named.

use super::checkpoint::{PublicKey, Signed};
use super::entry::{hash, Entry, Hash};
use super::merkle;
use std::fmt;

/// Where the chain first breaks, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub at: Place,
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The entry at this index (its position in the chain).
    Entry(u64),
    /// The checkpoint with this number.
    Checkpoint(u64),
    /// A stored checkpoint that cannot be read (named by the entry count
    /// its key says it covers).
    StoredCheckpoint { size: u64 },
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Place::Entry(i) => write!(f, "entry {i}: {}", self.reason),
            Place::Checkpoint(n) => write!(f, "checkpoint {n}: {}", self.reason),
            Place::StoredCheckpoint { size } => {
                write!(
                    f,
                    "the checkpoint stored for {size} entries: {}",
                    self.reason
                )
            }
        }
    }
}

/// What a chain that holds together was found to hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub entries: u64,
    pub checkpoints: u64,
    /// Whether checkpoint signatures were checked (a public key was given).
    pub signatures_checked: bool,
    /// Entries after the last checkpoint (not yet signed).
    pub unsigned_entries: u64,
}

pub struct Verifier {
    public_key: Option<PublicKey>,
    /// Checkpoints still to meet, in order.
    checkpoints: std::vec::IntoIter<Signed>,
    next_checkpoint: Option<Signed>,
    checked_checkpoints: u64,
    previous_checkpoint: Option<Signed>,
    entries: u64,
    head: Hash,
    /// Entry hashes since the last checkpoint met.
    since_checkpoint: Vec<Hash>,
}

/// Reads stored checkpoints (the size in each key, the stored bytes).
pub fn read_checkpoints(stored: Vec<(u64, Vec<u8>)>) -> Result<Vec<Signed>, Broken> {
    stored
        .into_iter()
        .map(|(size, bytes)| {
            let signed = Signed::from_bytes(&bytes)
                .map_err(|e| broken(Place::StoredCheckpoint { size }, e.to_string()))?;
            if signed.checkpoint.size != size {
                return Err(broken(
                    Place::StoredCheckpoint { size },
                    format!("its bytes say it covers {} entries", signed.checkpoint.size),
                ));
            }
            Ok(signed)
        })
        .collect()
}

fn broken(at: Place, reason: impl Into<String>) -> Broken {
    Broken {
        at,
        reason: reason.into(),
    }
}

impl Verifier {
    /// Checkpoints in any order; they are checked by number.
    pub fn new(mut checkpoints: Vec<Signed>, public_key: Option<PublicKey>) -> Verifier {
        checkpoints.sort_by_key(|c| c.checkpoint.number);
        let mut checkpoints = checkpoints.into_iter();
        let next_checkpoint = checkpoints.next();
        Verifier {
            public_key,
            checkpoints,
            next_checkpoint,
            checked_checkpoints: 0,
            previous_checkpoint: None,
            entries: 0,
            head: [0; 32],
            since_checkpoint: Vec::new(),
        }
    }

    /// The next stored entry: its key's index and its stored value (the
    /// canonical bytes, then their SHA-256).
    pub fn entry(&mut self, key_index: u64, stored: &[u8]) -> Result<(), Broken> {
        let expected = self.entries;
        let at = Place::Entry(expected);
        if key_index != expected {
            return Err(broken(
                at,
                format!("missing: the next stored entry is {key_index}"),
            ));
        }
        if stored.len() < 32 {
            return Err(broken(at, format!("only {} bytes stored", stored.len())));
        }
        let (bytes, kept_hash) = stored.split_at(stored.len() - 32);
        let entry_hash = hash(bytes);
        if entry_hash.as_slice() != kept_hash {
            return Err(broken(
                at,
                "its bytes do not match the hash stored with them: changed after it was written",
            ));
        }
        let entry = Entry::decode(bytes).map_err(|e| broken(at, e.to_string()))?;
        if entry.index != expected {
            return Err(broken(at, format!("its bytes name index {}", entry.index)));
        }
        if entry.previous != self.head {
            return Err(broken(
                at,
                if expected == 0 {
                    "the first entry must name 32 zero bytes as its previous hash".to_string()
                } else {
                    format!(
                        "the previous hash it carries is not the hash of entry {}: one of the two was rewritten",
                        expected - 1
                    )
                },
            ));
        }
        self.head = entry_hash;
        self.entries += 1;
        self.since_checkpoint.push(entry_hash);
        while let Some(next) = self.next_checkpoint.take() {
            if next.checkpoint.size != self.entries {
                self.next_checkpoint = Some(next);
                break;
            }
            self.check_checkpoint(next)?;
            self.next_checkpoint = self.checkpoints.next();
        }
        Ok(())
    }

    fn check_checkpoint(&mut self, signed: Signed) -> Result<(), Broken> {
        let c = &signed.checkpoint;
        let at = Place::Checkpoint(c.number);
        let (number, first, previous) = match &self.previous_checkpoint {
            None => (1, 0, [0u8; 32]),
            Some(p) => (
                p.checkpoint.number + 1,
                p.checkpoint.size,
                p.checkpoint.hash(),
            ),
        };
        if c.number != number {
            return Err(broken(at, format!("expected checkpoint {number} here")));
        }
        if c.first != first {
            return Err(broken(
                at,
                format!("its range starts at entry {} instead of {first}", c.first),
            ));
        }
        if c.previous != previous {
            return Err(broken(at, "does not name the previous checkpoint's hash"));
        }
        if c.head != self.head {
            return Err(broken(
                at,
                format!("its head is not the hash of entry {}", c.size - 1),
            ));
        }
        if merkle::root(&self.since_checkpoint) != Some(c.merkle_root) {
            return Err(broken(
                at,
                format!(
                    "its Merkle root is not the root of entries {first} to {}",
                    c.size - 1
                ),
            ));
        }
        if let Some(key) = &self.public_key {
            signed
                .verify(key)
                .map_err(|_| broken(at, "its signature is not the hub key's"))?;
        }
        self.since_checkpoint.clear();
        self.checked_checkpoints += 1;
        self.previous_checkpoint = Some(signed);
        Ok(())
    }

    pub fn finish(self) -> Result<Report, Broken> {
        if let Some(left) = self.next_checkpoint {
            let c = &left.checkpoint;
            let reason = if c.size <= self.entries {
                format!(
                    "covers {} entries, which does not continue the checkpoints before it",
                    c.size
                )
            } else {
                format!(
                    "covers {} entries but the chain holds {}: entries were removed from its end",
                    c.size, self.entries
                )
            };
            return Err(broken(Place::Checkpoint(c.number), reason));
        }
        Ok(Report {
            entries: self.entries,
            checkpoints: self.checked_checkpoints,
            signatures_checked: self.public_key.is_some(),
            unsigned_entries: self.since_checkpoint.len() as u64,
        })
    }
}
