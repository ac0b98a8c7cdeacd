//! What the hub keeps for the hosted one-stop workspace: its read model
//! (rows derived from events, with the seq they were applied through) and
//! its assignments. The workspace room reads and writes them only through
//! [`WorkspaceRecords`]; storage stays in `store/workspace.rs`, where every
//! write is flushed before it returns.

use super::HubError;
use crate::domain::workspace::{Assignment, DossierRow};
use crate::domain::{Dossier, HistoryEntry};
use crate::store::Store;

/// `Hub::workspace_records`.
#[derive(Clone)]
pub struct WorkspaceRecords {
    store: Store,
}

impl WorkspaceRecords {
    pub(crate) fn new(store: Store) -> WorkspaceRecords {
        WorkspaceRecords { store }
    }

    /// The seq the read model has applied every event through.
    pub fn through(&self) -> Result<u64, HubError> {
        Ok(self.store.workspace_through()?)
    }

    pub fn row(&self, agency: &str, ma_ho_so: &str) -> Result<Option<DossierRow>, HubError> {
        Ok(self.store.workspace_row(agency, ma_ho_so)?)
    }

    pub fn rows(&self, agency: &str) -> Result<Vec<DossierRow>, HubError> {
        Ok(self.store.workspace_rows(agency)?)
    }

    /// Every row of every agency the read model holds.
    pub fn all_rows(&self) -> Result<Vec<DossierRow>, HubError> {
        Ok(self.store.workspace_all_rows()?)
    }

    /// Stores rows and the position they bring the read model to,
    /// atomically and durably.
    pub fn put_rows(&self, rows: &[DossierRow], through: u64) -> Result<(), HubError> {
        Ok(self.store.put_workspace_rows(rows, through)?)
    }

    /// The oldest event retention has kept (`None`: the outbox is empty),
    /// and the newest committed seq: the read model can be caught up from
    /// the events alone only when it stands at or after the one before
    /// the oldest.
    pub fn retained_events(&self) -> Result<(Option<u64>, u64), HubError> {
        Ok((self.store.oldest_event_seq()?, self.store.last_seq()?))
    }

    /// Up to `limit` dossiers with ids after `after_id`, each with its
    /// history, in id order: what a read model that lost events to
    /// retention is rebuilt from.
    pub fn dossiers_with_history(
        &self,
        after_id: u64,
        limit: usize,
    ) -> Result<Vec<(Dossier, Vec<HistoryEntry>)>, HubError> {
        let (dossiers, _) =
            self.store
                .list_dossiers(&crate::store::ListFilter::default(), after_id, limit)?;
        dossiers
            .into_iter()
            .map(|d| {
                let history = self.store.history(d.id)?;
                Ok((d, history))
            })
            .collect()
    }

    pub fn assignment(&self, agency: &str, ma_ho_so: &str) -> Result<Option<Assignment>, HubError> {
        Ok(self.store.workspace_assignment(agency, ma_ho_so)?)
    }

    pub fn assignments(&self, agency: &str) -> Result<Vec<Assignment>, HubError> {
        Ok(self.store.workspace_assignments(agency)?)
    }

    /// Stores `assignment` durably if the stored one is still `expected`;
    /// false (nothing written) when someone changed it in between.
    pub fn replace_assignment(
        &self,
        expected: Option<&Assignment>,
        assignment: &Assignment,
    ) -> Result<bool, HubError> {
        Ok(self
            .store
            .replace_workspace_assignment(expected, assignment)?)
    }
}
