//! The Merkle tree a checkpoint commits to, so that a receipt proves one
//! entry's place with a short path instead of the whole chain.
//!
//! It is RFC 6962's Merkle Tree Hash (§2.1) over the entry hashes of the
//! checkpoint's range, in index order: a leaf is SHA-256(0x00 ‖ entry
//! hash), an inner node SHA-256(0x01 ‖ left ‖ right), and a tree of n > 1
//! leaves splits at the largest power of two below n. An audit path lists
//! the sibling hashes from the leaf up, exactly as RFC 6962 §2.1.1 (and
//! RFC 9162 §2.1.3) define, so any implementation of those RFCs checks it.

use super::entry::Hash;
use sha2::{Digest, Sha256};

pub fn leaf(entry_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry_hash);
    h.finalize().into()
}

pub fn node(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two below `n` (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The root over these entry hashes; `None` for none.
pub fn root(entry_hashes: &[Hash]) -> Option<Hash> {
    match entry_hashes.len() {
        0 => None,
        1 => Some(leaf(&entry_hashes[0])),
        n => {
            let k = split(n);
            Some(node(&root(&entry_hashes[..k])?, &root(&entry_hashes[k..])?))
        }
    }
}

/// The audit path of leaf `m` (siblings from the leaf up).
pub fn path(entry_hashes: &[Hash], m: usize) -> Vec<Hash> {
    let n = entry_hashes.len();
    if n <= 1 || m >= n {
        return Vec::new();
    }
    let k = split(n);
    let (mut below, sibling) = if m < k {
        (path(&entry_hashes[..k], m), root(&entry_hashes[k..]))
    } else {
        (path(&entry_hashes[k..], m - k), root(&entry_hashes[..k]))
    };
    below.extend(sibling);
    below
}

/// The root that leaf `m` of a tree of `n` leaves with this path leads
/// to; `None` when the path has the wrong length for that tree.
pub fn root_from_path(m: usize, n: usize, entry_hash: &Hash, path: &[Hash]) -> Option<Hash> {
    if m >= n {
        return None;
    }
    if n == 1 {
        return path.is_empty().then(|| leaf(entry_hash));
    }
    let k = split(n);
    let (sibling, below) = path.split_last()?;
    if m < k {
        Some(node(&root_from_path(m, k, entry_hash, below)?, sibling))
    } else {
        Some(node(
            sibling,
            &root_from_path(m - k, n - k, entry_hash, below)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(n: u8) -> Vec<Hash> {
        (0..n).map(|i| [i; 32]).collect()
    }

    #[test]
    fn every_leaf_of_every_small_tree_proves_its_place() {
        for n in 1..=17u8 {
            let all = hashes(n);
            let r = root(&all).unwrap();
            for m in 0..n as usize {
                let p = path(&all, m);
                assert_eq!(
                    root_from_path(m, all.len(), &all[m], &p),
                    Some(r),
                    "n {n} m {m}"
                );
                // Another entry at the same place does not.
                assert_ne!(root_from_path(m, all.len(), &[99; 32], &p), Some(r));
                // Nor the same entry claimed at another place.
                if n > 1 {
                    let other = (m + 1) % n as usize;
                    assert_ne!(root_from_path(other, all.len(), &all[m], &p), Some(r));
                }
            }
        }
    }

    /// RFC 6962's shape: three leaves are ((a b) c).
    #[test]
    fn three_leaves_split_at_two() {
        let all = hashes(3);
        let expected = node(&node(&leaf(&all[0]), &leaf(&all[1])), &leaf(&all[2]));
        assert_eq!(root(&all), Some(expected));
        assert_eq!(path(&all, 2), vec![node(&leaf(&all[0]), &leaf(&all[1]))]);
    }
}
