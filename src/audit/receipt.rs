//! A receipt: one entry, its Merkle audit path and the signed checkpoint
//! whose range holds it — proof, checkable offline with the hub's public
//! key alone, that the hub recorded that entry.
//!
//! The receipt file (what `GetReceipt` returns as `document` and
//! `lienthong audit verify-receipt` reads) is JSON with hex strings:
//!
//! ```json
//! {"format": "lienthong-audit-receipt/1",
//!  "entry": "<canonical entry bytes>",
//!  "merkle_path": ["<32 bytes>", …],
//!  "checkpoint": "<155 signed checkpoint bytes>",
//!  "signature": "<64-byte Ed25519 signature>"}
//! ```
//!
//! To check it: verify the signature over the checkpoint bytes; read the
//! entry's index i and the checkpoint's `first` and `size`; require
//! first ≤ i < size; the RFC 6962 audit path of leaf i − first in a tree
//! of size − first leaves, from SHA-256(entry bytes), must lead to the
//! checkpoint's Merkle root.

use super::checkpoint::{PublicKey, Signed};
use super::entry::{hash, Entry, Hash};
use super::{merkle, AuditError};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "lienthong-audit-receipt/1";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub entry: Vec<u8>,
    pub merkle_path: Vec<Hash>,
    pub checkpoint: Signed,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    entry: String,
    merkle_path: Vec<String>,
    checkpoint: String,
    signature: String,
}

fn bad(what: impl Into<String>) -> AuditError {
    AuditError::Receipt(what.into())
}

impl Receipt {
    pub fn to_document(&self) -> String {
        let document = Document {
            format: FORMAT.to_string(),
            entry: hex::encode(&self.entry),
            merkle_path: self.merkle_path.iter().map(hex::encode).collect(),
            checkpoint: hex::encode(self.checkpoint.checkpoint.encode()),
            signature: hex::encode(&self.checkpoint.signature),
        };
        serde_json::to_string_pretty(&document).unwrap_or_default()
    }

    pub fn from_document(text: &str) -> Result<Receipt, AuditError> {
        let d: Document =
            serde_json::from_str(text).map_err(|e| bad(format!("not a receipt document: {e}")))?;
        if d.format != FORMAT {
            return Err(bad(format!(
                "`format` is {:?}, expected {FORMAT:?}",
                d.format
            )));
        }
        let field = |name: &str, text: &str| {
            hex::decode(text).map_err(|_| bad(format!("`{name}` is not hex")))
        };
        let mut merkle_path = Vec::new();
        for (i, step) in d.merkle_path.iter().enumerate() {
            let bytes = field("merkle_path", step)?;
            merkle_path.push(
                bytes
                    .try_into()
                    .map_err(|_| bad(format!("`merkle_path[{i}]` is not 32 bytes")))?,
            );
        }
        let mut signed = field("checkpoint", &d.checkpoint)?;
        signed.extend(field("signature", &d.signature)?);
        Ok(Receipt {
            entry: field("entry", &d.entry)?,
            merkle_path,
            checkpoint: Signed::from_bytes(&signed)?,
        })
    }

    /// Checks the receipt against the hub's public key; the entry it proves.
    pub fn verify(&self, public_key: &PublicKey) -> Result<Entry, AuditError> {
        self.checkpoint.verify(public_key)?;
        let entry = Entry::decode(&self.entry)?;
        let c = &self.checkpoint.checkpoint;
        if !(c.first..c.size).contains(&entry.index) {
            return Err(bad(format!(
                "entry {} is outside checkpoint {}'s range ({} to {})",
                entry.index,
                c.number,
                c.first,
                c.size.saturating_sub(1)
            )));
        }
        let leaf = (entry.index - c.first) as usize;
        let leaves = (c.size - c.first) as usize;
        match merkle::root_from_path(leaf, leaves, &hash(&self.entry), &self.merkle_path) {
            Some(root) if root == c.merkle_root => Ok(entry),
            _ => Err(bad(format!(
                "the entry and its Merkle path do not lead to checkpoint {}'s root: the entry or the path was changed",
                c.number
            ))),
        }
    }
}
