//! Signed checkpoints of the chain head, and the Ed25519 keys that sign
//! them (ring, already in the tree through rustls).
//!
//! A checkpoint's signed bytes:
//!
//! ```text
//! 26 bytes "lienthong-audit-checkpoint" (so the signature is never valid for anything else)
//! u8       format version (1)
//! u64 BE   number (1 for the first checkpoint)
//! u64 BE   first: the first entry of its Merkle range (the previous checkpoint's size)
//! u64 BE   size: entries 0 … size-1 are covered
//! [32]     head: the hash of entry size-1
//! [32]     Merkle root (RFC 6962) of the entry hashes first … size-1
//! [32]     SHA-256 of the previous checkpoint's signed bytes (zeros for the first)
//! i64 BE   time, Unix milliseconds
//! ```
//!
//! followed, where stored or shipped, by the 64-byte Ed25519 signature of
//! exactly those bytes. Key files hold hex text: the 32-byte private seed
//! (`lienthong audit keygen`), the 32-byte public key (`audit public-key`).

use super::entry::Hash;
use super::AuditError;
use ring::signature::{self, KeyPair};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const DOMAIN: &[u8; 26] = b"lienthong-audit-checkpoint";
pub const FORMAT_VERSION: u8 = 1;
pub const SIGNED_BYTES: usize = 26 + 1 + 8 * 3 + 32 * 3 + 8;
pub const SIGNATURE_BYTES: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub number: u64,
    pub first: u64,
    pub size: u64,
    pub head: Hash,
    pub merkle_root: Hash,
    pub previous: Hash,
    pub at_millis: i64,
}

impl Checkpoint {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIGNED_BYTES);
        out.extend_from_slice(DOMAIN);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.first.to_be_bytes());
        out.extend_from_slice(&self.size.to_be_bytes());
        out.extend_from_slice(&self.head);
        out.extend_from_slice(&self.merkle_root);
        out.extend_from_slice(&self.previous);
        out.extend_from_slice(&self.at_millis.to_be_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Checkpoint, AuditError> {
        if bytes.len() != SIGNED_BYTES {
            return Err(AuditError::malformed(format!(
                "a checkpoint is {SIGNED_BYTES} bytes, found {}",
                bytes.len()
            )));
        }
        if &bytes[..26] != DOMAIN {
            return Err(AuditError::malformed(
                "does not start with \"lienthong-audit-checkpoint\"",
            ));
        }
        if bytes[26] != FORMAT_VERSION {
            return Err(AuditError::malformed(format!(
                "checkpoint format version {} (this hub reads {FORMAT_VERSION})",
                bytes[26]
            )));
        }
        let u64_at = |at: usize| u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
        let hash_at = |at: usize| -> Hash { bytes[at..at + 32].try_into().unwrap_or([0; 32]) };
        Ok(Checkpoint {
            number: u64_at(27),
            first: u64_at(35),
            size: u64_at(43),
            head: hash_at(51),
            merkle_root: hash_at(83),
            previous: hash_at(115),
            at_millis: u64_at(147) as i64,
        })
    }

    /// What the next checkpoint names as its previous one.
    pub fn hash(&self) -> Hash {
        Sha256::digest(self.encode()).into()
    }
}

/// A checkpoint with its signature, as stored and shipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub checkpoint: Checkpoint,
    pub signature: Vec<u8>,
}

impl Signed {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.checkpoint.encode();
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Signed, AuditError> {
        if bytes.len() != SIGNED_BYTES + SIGNATURE_BYTES {
            return Err(AuditError::malformed(format!(
                "a signed checkpoint is {} bytes, found {}",
                SIGNED_BYTES + SIGNATURE_BYTES,
                bytes.len()
            )));
        }
        Ok(Signed {
            checkpoint: Checkpoint::decode(&bytes[..SIGNED_BYTES])?,
            signature: bytes[SIGNED_BYTES..].to_vec(),
        })
    }

    /// Whether `public_key` signed exactly these checkpoint bytes.
    pub fn verify(&self, public_key: &PublicKey) -> Result<(), AuditError> {
        signature::UnparsedPublicKey::new(&signature::ED25519, &public_key.0)
            .verify(&self.checkpoint.encode(), &self.signature)
            .map_err(|_| AuditError::BadSignature {
                number: self.checkpoint.number,
            })
    }
}

/// The hub's Ed25519 signing key.
pub struct SigningKey {
    pair: signature::Ed25519KeyPair,
}

impl SigningKey {
    /// A fresh key from the system's random source; its seed as written
    /// to a key file.
    pub fn generate() -> Result<(SigningKey, String), AuditError> {
        let mut seed = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
            .map_err(|_| AuditError::Key("the system's random source failed".into()))?;
        Ok((SigningKey::from_seed(&seed)?, hex::encode(seed)))
    }

    fn from_seed(seed: &[u8]) -> Result<SigningKey, AuditError> {
        let pair = signature::Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|e| AuditError::Key(format!("not an Ed25519 seed: {e}")))?;
        Ok(SigningKey { pair })
    }

    /// Reads a key file: 64 hex digits (a 32-byte seed), surrounding
    /// whitespace ignored.
    pub fn read(path: &Path) -> Result<SigningKey, AuditError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            AuditError::Key(format!(
                "cannot read the signing key {}: {e}",
                path.display()
            ))
        })?;
        let seed = parse_hex32(text.trim()).ok_or_else(|| {
            AuditError::Key(format!(
                "{} does not hold 64 hex digits (an Ed25519 seed written by `lienthong audit keygen`)",
                path.display()
            ))
        })?;
        SigningKey::from_seed(&seed)
    }

    pub fn public_key(&self) -> PublicKey {
        let mut key = [0u8; 32];
        key.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(key)
    }

    pub fn sign(&self, checkpoint: Checkpoint) -> Signed {
        let signature = self.pair.sign(&checkpoint.encode()).as_ref().to_vec();
        Signed {
            checkpoint,
            signature,
        }
    }
}

/// The hub's Ed25519 public key (32 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Option<PublicKey> {
        parse_hex32(text.trim()).map(PublicKey)
    }

    /// Reads a public key file (64 hex digits, as `audit public-key` prints).
    pub fn read(path: &Path) -> Result<PublicKey, AuditError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            AuditError::Key(format!(
                "cannot read the public key {}: {e}",
                path.display()
            ))
        })?;
        PublicKey::from_hex(&text).ok_or_else(|| {
            AuditError::Key(format!(
                "{} does not hold 64 hex digits (a key printed by `lienthong audit public-key`)",
                path.display()
            ))
        })
    }
}

fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            number: 2,
            first: 10,
            size: 25,
            head: [1; 32],
            merkle_root: [2; 32],
            previous: [3; 32],
            at_millis: 1_700_000_000_000,
        }
    }

    #[test]
    fn signed_bytes_read_back_and_verify() {
        let (key, _) = SigningKey::generate().unwrap();
        let signed = key.sign(checkpoint());
        let back = Signed::from_bytes(&signed.to_bytes()).unwrap();
        assert_eq!(back, signed);
        back.verify(&key.public_key()).unwrap();
        assert_eq!(signed.checkpoint.encode().len(), SIGNED_BYTES);
    }

    #[test]
    fn a_changed_checkpoint_or_another_key_fails() {
        let (key, _) = SigningKey::generate().unwrap();
        let (other, _) = SigningKey::generate().unwrap();
        let mut signed = key.sign(checkpoint());
        assert!(signed.verify(&other.public_key()).is_err());
        signed.checkpoint.size += 1;
        let e = signed.verify(&key.public_key()).unwrap_err().to_string();
        assert!(e.contains("checkpoint 2"), "{e}");
    }

    #[test]
    fn a_key_file_reads_back_to_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let (key, seed) = SigningKey::generate().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, format!("{seed}\n")).unwrap();
        assert_eq!(
            SigningKey::read(&path).unwrap().public_key(),
            key.public_key()
        );
        std::fs::write(&path, "not hex").unwrap();
        let e = SigningKey::read(&path).err().unwrap().to_string();
        assert!(e.contains("64 hex digits"), "{e}");
    }
}
