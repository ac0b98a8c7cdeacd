//! An archived dossier as stored (format 1): the dossier and its whole
//! history in ONE record (`z` key, `store/archive.rs`), instead of a record
//! for the dossier, one per history line and three listing keys. Same
//! messages as the live records (`DossierV1`, history lines carrying their
//! version), so archiving changes no field.

use super::dossier::{dossier, dossier_v1, line, line_v1, DossierV1, HistoryLineV1};
use super::FORMAT_V1;
use crate::domain::{Dossier, HistoryEntry};
use crate::store::{keys, StoreError};
use prost::Message;

#[derive(Clone, PartialEq, prost::Message)]
pub struct ArchivedV1 {
    #[prost(message, optional, tag = "1")]
    pub dossier: Option<DossierV1>,
    /// Oldest first, each with its version.
    #[prost(message, repeated, tag = "2")]
    pub history: Vec<HistoryLineV1>,
}

/// The bytes of an archived dossier with its history.
pub fn encode(dossier: &Dossier, history: &[HistoryEntry]) -> Vec<u8> {
    let message = ArchivedV1 {
        dossier: Some(dossier_v1(dossier)),
        history: history.iter().map(|e| line_v1(e, true)).collect(),
    };
    let mut out = Vec::with_capacity(1 + message.encoded_len());
    out.push(FORMAT_V1);
    // Encoding into a Vec only fails for lack of capacity, and a Vec grows.
    message.encode(&mut out).expect("a Vec takes any message");
    out
}

/// The dossier and its history stored under `key`.
pub fn decode(key: &[u8], bytes: &[u8]) -> Result<(Dossier, Vec<HistoryEntry>), StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        key: keys::printable(key),
        reason,
    };
    match bytes.first() {
        Some(&FORMAT_V1) => {}
        Some(other) => return Err(corrupt(format!("unknown archive format {other}"))),
        None => return Err(corrupt("empty record".into())),
    }
    let message = ArchivedV1::decode(&bytes[1..]).map_err(|e| corrupt(e.to_string()))?;
    let dossier = dossier(
        message
            .dossier
            .ok_or("an archive holds its dossier".to_string())
            .map_err(corrupt)?,
    )
    .map_err(corrupt)?;
    let history = message
        .history
        .into_iter()
        .map(|l| line(l.version, l))
        .collect::<Result<_, _>>()
        .map_err(corrupt)?;
    Ok((dossier, history))
}
