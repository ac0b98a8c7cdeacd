//! The tamper-evident audit log's format, apart from where it is kept.
//!
//! Every accepted and refused command, every operator action and every
//! delivery a partner accepted becomes an [`Entry`] in one hash chain
//! (`entry.rs`: a fixed binary layout, SHA-256, each entry carrying the
//! previous one's hash). Checkpoints (`checkpoint.rs`) sign the chain head
//! with the hub's Ed25519 key and commit to a Merkle root (`merkle.rs`, RFC
//! 6962) of the entries since the previous checkpoint, so that a partner's
//! receipt (`receipt.rs`) is one entry, a short path and a signature.
//! `verify.rs` checks a whole chain. This module is pure: the store writes
//! entries in the same sled batch as the change they record
//! (`store/audit.rs`), the hub decides what to record (`hub/audit.rs`).

mod checkpoint;
mod entry;
mod merkle;
mod receipt;
mod verify;

pub use checkpoint::{Checkpoint, PublicKey, Signed, SigningKey};
pub use entry::{hash, Entry, Hash, Kind, Record, OK, REPLAYED};
pub use merkle::{path as merkle_path, root as merkle_root};
pub use receipt::Receipt;
pub use verify::{read_checkpoints, Broken, Place, Report, Verifier};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("malformed audit record: {0}")]
    Malformed(String),
    #[error("checkpoint {number}: the signature does not verify with this public key")]
    BadSignature { number: u64 },
    #[error("{0}")]
    Key(String),
    #[error("receipt: {0}")]
    Receipt(String),
}

impl AuditError {
    fn malformed(reason: impl Into<String>) -> AuditError {
        AuditError::Malformed(reason.into())
    }
}
