//! The one pass that rewrites a data directory's format-0 records (JSON of
//! the domain structs) in format 1, when it is opened by a hub that writes
//! format 1 for the first time.
//!
//! Batches of a few hundred records, each applied atomically; a record is
//! rewritten with the same content, so an interrupted pass leaves a
//! directory that reads the same and resumes where it stopped at the next
//! open. Once every prefix is done the marker `m/records_format` is written,
//! and later opens skip the scan. The pass is not audited: it changes no
//! record's content, only its bytes.

use super::{decode, encode, is_json, IdempotencyRecord, Record, FORMAT_V1};
use crate::domain::{Dossier, Event, HistoryEntry};
use crate::store::{keys, StoreError};

pub const MARKER: &[u8] = b"m/records_format";
const BATCH: u64 = 512;

/// Rewrites every format-0 record of `db`; returns how many it rewrote.
pub fn run(db: &sled::Db) -> Result<u64, StoreError> {
    let io = |e| StoreError::io("migrating records to format 1", e);
    if db.get(MARKER).map_err(io)?.as_deref() == Some(&[FORMAT_V1]) {
        return Ok(0);
    }
    let mut rewritten = 0;
    rewritten += prefix::<Dossier>(db, keys::DOSSIER)?;
    rewritten += prefix::<HistoryEntry>(db, keys::HISTORY)?;
    rewritten += prefix::<Event>(db, keys::EVENT)?;
    rewritten += prefix::<IdempotencyRecord>(db, keys::IDEMPOTENCY)?;
    db.insert(MARKER, &[FORMAT_V1]).map_err(io)?;
    db.flush().map_err(io)?;
    if rewritten > 0 {
        tracing::info!(records = rewritten, "stored records rewritten in format 1");
    }
    Ok(rewritten)
}

fn prefix<R: Record>(db: &sled::Db, prefix: u8) -> Result<u64, StoreError> {
    let io = |e| StoreError::io("migrating records to format 1", e);
    let mut rewritten = 0;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    for item in db.scan_prefix([prefix]) {
        let (key, value) = item.map_err(io)?;
        if !is_json(&value) {
            continue;
        }
        let record: R = decode(&key, &value)?;
        batch.insert(key, encode(&record));
        in_batch += 1;
        if in_batch == BATCH {
            db.apply_batch(std::mem::take(&mut batch)).map_err(io)?;
            rewritten += in_batch;
            in_batch = 0;
        }
    }
    db.apply_batch(batch).map_err(io)?;
    Ok(rewritten + in_batch)
}
