//! Read paths: dossiers, history, listings, the outbox and catalogues.
//! Reads never wait for the writer; they see whole batches only, because a
//! batch is applied atomically.

use super::{decode, indexes, keys, records, Store, StoreError};
use crate::domain::catalog::{CatalogChange, CatalogEntry};
use crate::domain::{Dossier, DossierRef, Event, HistoryEntry, Status, UnixMillis};

/// What a listing matches; `None` matches anything.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub agency_code: Option<String>,
    pub procedure_code: Option<String>,
    pub status: Option<Status>,
    pub updated_since: Option<UnixMillis>,
}

impl ListFilter {
    fn matches(&self, d: &Dossier) -> bool {
        self.agency_code
            .as_ref()
            .is_none_or(|a| *a == d.agency_code)
            && self
                .procedure_code
                .as_ref()
                .is_none_or(|p| *p == d.procedure_code)
            && self.status.is_none_or(|s| s == d.status)
            && self.updated_since.is_none_or(|t| d.updated_at >= t)
    }
}

impl Store {
    pub fn dossier_id(&self, reference: &DossierRef) -> Result<Option<u64>, StoreError> {
        match reference {
            DossierRef::Id(id) => Ok(Some(*id)),
            DossierRef::MaHoSo(code) => self.get_u64(&keys::ma_ho_so(code)),
        }
    }

    pub fn dossier(&self, reference: &DossierRef) -> Result<Option<Dossier>, StoreError> {
        match self.dossier_id(reference)? {
            None => Ok(None),
            Some(id) => match self.get_record(&keys::dossier(id))? {
                Some(dossier) => Ok(Some(dossier)),
                // Archived (`archive.rs`): read from its one record.
                None => Ok(self.archived(id)?.map(|(dossier, _)| dossier)),
            },
        }
    }

    /// The dossier's history, oldest first.
    pub fn history(&self, id: u64) -> Result<Vec<HistoryEntry>, StoreError> {
        let lines: Vec<HistoryEntry> = self
            .db()?
            .scan_prefix(keys::history_prefix(id))
            .map(|item| {
                let (key, value) = item.map_err(|e| self.failed("reading history", e))?;
                records::decode(&key, &value)
            })
            .collect::<Result<_, _>>()?;
        if !lines.is_empty() {
            return Ok(lines);
        }
        // Archived (`archive.rs`): its history is in its one record.
        Ok(self
            .archived(id)?
            .map(|(_, history)| history)
            .unwrap_or_default())
    }

    /// Up to `limit` matching dossiers with id greater than `after_id`, in id
    /// order, and the id to continue after when more may follow. A filter
    /// by agency, procedure or status reads that listing index (`indexes.rs`,
    /// the first of them the filter names) and only the dossiers in it; no
    /// filter, or only `updated_since`, reads the dossiers themselves.
    pub fn list_dossiers(
        &self,
        filter: &ListFilter,
        after_id: u64,
        limit: usize,
    ) -> Result<(Vec<Dossier>, Option<u64>), StoreError> {
        let index = if let Some(agency) = &filter.agency_code {
            Some(keys::by_agency_prefix(agency))
        } else if let Some(procedure) = &filter.procedure_code {
            Some(keys::by_procedure_prefix(procedure))
        } else {
            filter
                .status
                .map(|status| keys::by_status_prefix(indexes::status_code(status)))
        };
        let (start, prefix) = match &index {
            Some(prefix) => {
                let mut start = prefix.clone();
                start.extend_from_slice(&(after_id + 1).to_be_bytes());
                (start, prefix.clone())
            }
            None => (keys::dossier(after_id + 1), vec![keys::DOSSIER]),
        };
        let mut found = Vec::new();
        // One lease for the whole page, the dossiers read through it too: a
        // second lease taken inside would wait for a planned reopen that
        // waits for the first (`handle`).
        let db = self.db()?;
        for item in db.range(start..) {
            let (key, value) = item.map_err(|e| self.failed("listing dossiers", e))?;
            if !key.starts_with(&prefix) {
                break;
            }
            let dossier: Dossier = if index.is_some() {
                let id = keys::trailing_u64(&key).unwrap_or_default();
                let key = keys::dossier(id);
                match db
                    .get(&key)
                    .map_err(|e| self.failed("listing dossiers", e))?
                {
                    Some(bytes) => records::decode(&key, &bytes)?,
                    None => continue,
                }
            } else {
                records::decode(&key, &value)?
            };
            if filter.matches(&dossier) {
                if found.len() == limit {
                    let last = found.last().map(|d: &Dossier| d.id);
                    return Ok((found, last));
                }
                found.push(dossier);
            }
        }
        Ok((found, None))
    }

    /// Outbox events with seq greater than `after_seq`, oldest first.
    pub fn events_after(&self, after_seq: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        let mut events = Vec::new();
        for item in self.db()?.range(keys::event(after_seq.saturating_add(1))..) {
            let (key, value) = item.map_err(|e| self.failed("reading the outbox", e))?;
            if key.first() != Some(&keys::EVENT) || events.len() == limit {
                break;
            }
            events.push(records::decode(&key, &value)?);
        }
        Ok(events)
    }

    /// When the first outbox event after `after_seq` occurred, if there is
    /// one: a destination's lag in time (the hub's metrics), one read.
    pub fn first_event_time_after(
        &self,
        after_seq: u64,
    ) -> Result<Option<crate::domain::UnixMillis>, StoreError> {
        Ok(self
            .events_after(after_seq, 1)?
            .first()
            .map(|event| event.occurred_at))
    }

    /// The seq of the oldest event still in the outbox, if any.
    pub fn oldest_event_seq(&self) -> Result<Option<u64>, StoreError> {
        match self.db()?.scan_prefix([keys::EVENT]).next() {
            None => Ok(None),
            Some(item) => {
                let (key, _) = item.map_err(|e| self.failed("reading the outbox", e))?;
                Ok(keys::trailing_u64(&key))
            }
        }
    }

    /// The seq of the newest committed event (0 when there is none yet).
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self.get_u64(keys::NEXT_SEQ)?.unwrap_or(1) - 1)
    }

    /// One entry of the committed catalogue `kind`, if it is there.
    pub fn catalog_entry(
        &self,
        kind: &str,
        code: &str,
    ) -> Result<Option<CatalogEntry>, StoreError> {
        self.get_json(&keys::catalog_entry(kind, code))
    }

    pub fn catalog(&self, kind: &str) -> Result<(u64, Vec<CatalogEntry>), StoreError> {
        let version = self.get_u64(&keys::catalog_version(kind))?.unwrap_or(0);
        let entries = self
            .db()?
            .scan_prefix(keys::catalog_entry_prefix(kind))
            .map(|item| {
                let (key, value) = item.map_err(|e| self.failed("reading a catalogue", e))?;
                decode(&key, &value)
            })
            .collect::<Result<_, _>>()?;
        Ok((version, entries))
    }

    /// Changes with version greater than `since`, in version order.
    pub fn catalog_changes(
        &self,
        kind: &str,
        since: u64,
    ) -> Result<(u64, Vec<CatalogChange>), StoreError> {
        let version = self.get_u64(&keys::catalog_version(kind))?.unwrap_or(0);
        let prefix = keys::catalog_change_prefix(kind);
        let mut changes = Vec::new();
        for item in self
            .db()?
            .range(keys::catalog_change(kind, since.saturating_add(1), 0)..)
        {
            let (key, value) = item.map_err(|e| self.failed("reading catalogue changes", e))?;
            if !key.starts_with(&prefix) {
                break;
            }
            changes.push(decode(&key, &value)?);
        }
        Ok((version, changes))
    }
}
