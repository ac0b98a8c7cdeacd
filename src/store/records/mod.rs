//! The storage encoding of the big records — dossier, history line, outbox
//! event, idempotency record — apart from the domain types.
//!
//! Until this module the store wrote those records as JSON of the domain
//! structs, so renaming a domain field changed the disk format, and a
//! dossier took ~1.2 KB where its data is ~400 bytes. Now each is a protobuf
//! message defined here for storage alone (`prost` derives, explicit tags:
//! a domain field can be renamed or reordered without touching a byte on
//! disk; a new field gets a new tag and old records read with its default),
//! behind a one-byte format version:
//!
//! | first byte | record                                                  |
//! |------------|---------------------------------------------------------|
//! | `{`        | format 0: the JSON of the domain struct (before v1)     |
//! | `0x01`     | format 1: `FORMAT_V1`, then the message of this module  |
//!
//! Writes are always format 1. Reads take both: `migrate` rewrites the
//! format-0 records of a data directory once when it is opened (the marker
//! `m/records_format` says it is done), and a format-0 record met anyway is
//! still read. The conversions between domain and storage types are here
//! and only here; no domain type derives anything for storage.

pub mod archive;
mod dossier;
mod event;
mod idempotency;
pub mod migrate;

pub use dossier::status_code;
pub use idempotency::{IdempotencyRecord, StoredAnswer};

use super::{keys, StoreError};
use prost::Message;

/// The version byte of every record this module writes.
pub const FORMAT_V1: u8 = 1;
/// The first byte of a format-0 record (a JSON object).
const FORMAT_JSON: u8 = b'{';

/// A record of a storage format of its own, versioned by its first byte.
pub trait Record: Sized {
    /// The storage message of format 1.
    type V1: Message + Default;
    /// What the record was before format 1 (the domain struct's JSON).
    type Json: serde::de::DeserializeOwned;

    fn to_v1(&self) -> Self::V1;
    /// `key` carries what the value leaves out (a history line's version).
    fn from_v1(key: &[u8], v1: Self::V1) -> Result<Self, String>;
    fn from_json(json: Self::Json) -> Self;
}

/// The bytes stored for `record`.
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let v1 = record.to_v1();
    let mut out = Vec::with_capacity(1 + v1.encoded_len());
    out.push(FORMAT_V1);
    // Encoding into a Vec only fails for lack of capacity, and a Vec grows.
    v1.encode(&mut out).expect("a Vec takes any message");
    out
}

/// The record stored under `key`, whatever its format.
pub fn decode<R: Record>(key: &[u8], bytes: &[u8]) -> Result<R, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        key: keys::printable(key),
        reason,
    };
    match bytes.first() {
        Some(&FORMAT_V1) => {
            let v1 = R::V1::decode(&bytes[1..]).map_err(|e| corrupt(e.to_string()))?;
            R::from_v1(key, v1).map_err(corrupt)
        }
        Some(&FORMAT_JSON) => serde_json::from_slice::<R::Json>(bytes)
            .map(R::from_json)
            .map_err(|e| corrupt(e.to_string())),
        Some(other) => Err(corrupt(format!("unknown record format {other}"))),
        None => Err(corrupt("empty record".into())),
    }
}

/// Whether `bytes` are a record of format 0, to be rewritten.
pub fn is_json(bytes: &[u8]) -> bool {
    bytes.first() == Some(&FORMAT_JSON)
}

/// A code that must be one of `known`, or the reason it is not.
fn known<T>(what: &str, code: u32, found: Option<T>) -> Result<T, String> {
    found.ok_or_else(|| format!("unknown {what} code {code}"))
}

/// Milliseconds or none; `None` is stored as an absent optional field.
fn millis(at: Option<crate::domain::UnixMillis>) -> Option<i64> {
    at.map(|t| t.0)
}

fn at(millis: Option<i64>) -> Option<crate::domain::UnixMillis> {
    millis.map(crate::domain::UnixMillis)
}

#[cfg(test)]
pub(crate) mod tests;
