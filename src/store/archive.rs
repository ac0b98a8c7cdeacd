//! The compact archive of terminal dossiers: a dossier no command may move
//! any more (refused, withdrawn, result returned), untouched for
//! `[retention] archive_after_days`, leaves its dossier record, its history
//! lines and its three listing keys for ONE record under `z` (its id):
//! the dossier and its whole history (`records/archive.rs`). Its MaHoSo key
//! stays, so it is found by id and by MaHoSo alike.
//!
//! - Reads: `Store::dossier` and `Store::history` fall back to the archive
//!   (GetDossier answers as before); listings do not show it (it has no
//!   listing key); statistics are the workspace's read model's, which keeps
//!   its rows.
//! - The move is the writer's (`Txn::archive`, queued by the retention sweep
//!   through the engine like a command, one atomic batch with the group's
//!   other writes), because the writer caches dossiers and must never hold
//!   one that moved. It changes no field, no version, writes no event and
//!   no audit entry: like the migration of record formats, it moves bytes.
//! - A late command on an archived dossier (a partner's event on a closed
//!   dossier) finds it through `Txn::dossier`; `Txn::put_dossier` brings it
//!   back (dossier, history lines, listing keys) and removes its archive
//!   record in the command's own batch.
//!
//! Why a key prefix of the one tree and not a tree of its own: the move must
//! be atomic, and sled's batches are per tree.

use super::records::{self, archive};
use super::{keys, Store, StoreError};
use crate::domain::{Dossier, HistoryEntry, Status};

impl Store {
    /// An archived dossier and its history, if dossier `id` is archived.
    pub(super) fn archived(
        &self,
        id: u64,
    ) -> Result<Option<(Dossier, Vec<HistoryEntry>)>, StoreError> {
        let key = keys::archived(id);
        match self
            .db()?
            .get(&key)
            .map_err(|e| self.failed("reading the archive", e))?
        {
            None => Ok(None),
            Some(bytes) => archive::decode(&key, &bytes).map(Some),
        }
    }

    /// Whether dossier `id` is in the archive now.
    pub fn is_archived(&self, id: u64) -> Result<bool, StoreError> {
        self.db()?
            .contains_key(keys::archived(id))
            .map_err(|e| self.failed("reading the archive", e))
    }

    /// Up to `limit` live dossiers with `status` and id greater than
    /// `after_id`, in id order, from the status's listing index: the
    /// archive's candidates, found without reading any other dossier.
    pub fn dossiers_with_status(
        &self,
        status: Status,
        after_id: u64,
        limit: usize,
    ) -> Result<Vec<Dossier>, StoreError> {
        let code = super::indexes::status_code(status);
        let prefix = keys::by_status_prefix(code);
        let mut ids = Vec::new();
        // One lease for the index, dropped before the dossiers are read:
        // a planned reopen waits for every lease (`handle`).
        for item in self.db()?.range(keys::by_status(code, after_id + 1)..) {
            let (key, _) = item.map_err(|e| self.failed("reading a listing index", e))?;
            if !key.starts_with(&prefix) || ids.len() == limit {
                break;
            }
            ids.push(keys::trailing_u64(&key).unwrap_or_default());
        }
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(dossier) = self.get_record::<Dossier>(&keys::dossier(id))? {
                found.push(dossier);
            }
        }
        Ok(found)
    }
}

/// The history lines of dossier `id` in `writes` order: decoded from
/// `(key, bytes)` pairs of its `h` keys.
pub(super) fn history_of(
    lines: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>,
) -> Result<Vec<HistoryEntry>, StoreError> {
    lines
        .into_iter()
        .map(|(key, value)| records::decode(&key, &value))
        .collect()
}
