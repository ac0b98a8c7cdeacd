//! The listing indexes: one empty-valued key per dossier under its agency
//! (`a`), its status (`t`) and its procedure (`b`), so that `ListDossiers`
//! by any of them reads the matching dossiers' keys in id order instead of
//! every dossier (`reads.rs`). The writer keeps them in the batch that
//! writes the dossier (`Txn::put_dossier` moves a key when the status,
//! agency or procedure changed), so a listing never sees a dossier under a
//! value it no longer has once that batch is applied.
//!
//! A directory written before the `t` and `b` indexes existed gets them
//! once, when it is opened (`build`: batches, resumable, then the marker
//! `m/list_indexes`, so later opens skip the scan).

use super::{keys, records, StoreError};
use crate::domain::Dossier;

pub const MARKER: &[u8] = b"m/list_indexes";
const BUILT: u8 = 1;
const BATCH: usize = 512;

/// The listing keys of `dossier` as it is now: agency, status, procedure.
pub fn of(dossier: &Dossier) -> [Vec<u8>; 3] {
    [
        keys::by_agency(&dossier.agency_code, dossier.id),
        keys::by_status(status_byte(dossier), dossier.id),
        keys::by_procedure(&dossier.procedure_code, dossier.id),
    ]
}

/// The status's storage code (`records`), which fits a byte.
pub fn status_code(status: crate::domain::Status) -> u8 {
    records::status_code(status) as u8
}

fn status_byte(dossier: &Dossier) -> u8 {
    status_code(dossier.status)
}

/// Writes the listing keys of every stored dossier, once per directory;
/// returns how many dossiers it indexed.
pub fn build(db: &sled::Db) -> Result<u64, StoreError> {
    let io = |e| StoreError::io("building the listing indexes", e);
    if db.get(MARKER).map_err(io)?.as_deref() == Some(&[BUILT]) {
        return Ok(0);
    }
    let mut indexed = 0u64;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    for item in db.scan_prefix([keys::DOSSIER]) {
        let (key, value) = item.map_err(io)?;
        let dossier: Dossier = records::decode(&key, &value)?;
        for key in of(&dossier) {
            batch.insert(key, Vec::new());
        }
        in_batch += 1;
        indexed += 1;
        if in_batch == BATCH {
            db.apply_batch(std::mem::take(&mut batch)).map_err(io)?;
            in_batch = 0;
        }
    }
    batch.insert(MARKER, vec![BUILT]);
    db.apply_batch(batch).map_err(io)?;
    db.flush().map_err(io)?;
    if indexed > 0 {
        tracing::info!(
            dossiers = indexed,
            "listing indexes by status and procedure built"
        );
    }
    Ok(indexed)
}
