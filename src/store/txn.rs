//! The write side: one `Txn` collects the writes of a whole group of commands
//! and commits them as one atomic sled batch followed by one flush (group
//! commit).
//!
//! Each command first writes into a staging area. `keep_command` moves its
//! writes into the group; `drop_command` throws them away, so a command that
//! fails half-way leaves nothing behind. Reads inside the txn see staged
//! writes, then the group's, then what is on disk — so the second command of
//! a group sees the first one's dossier, counters and idempotency record.

use super::records::{self, IdempotencyRecord};
use super::{decode, encode, keys, Store, StoreError};
use crate::domain::catalog::{CatalogChange, CatalogEntry};
use crate::domain::feedback::{FeedbackAnswer, Rating};
use crate::domain::{Dossier, DossierRef, Event, HistoryEntry};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};

type Writes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Decoded dossiers the writer wrote recently. Only the writer writes
/// dossiers, so its cache cannot go stale; it saves decoding the dossier
/// again for every command on it. Filled only from groups that were applied,
/// and emptied when the store was reopened after a failed write (what it
/// held may never have reached disk).
#[derive(Default)]
pub struct DossierCache {
    dossiers: HashMap<u64, Dossier>,
    generation: u64,
}

impl DossierCache {
    const CAPACITY: usize = 16_384;

    fn keep(&mut self, dossiers: HashMap<u64, Dossier>) {
        if self.dossiers.len() + dossiers.len() > Self::CAPACITY {
            self.dossiers.clear();
        }
        self.dossiers.extend(dossiers);
    }
}

pub struct Txn<'a> {
    store: &'a Store,
    /// The store's handle generation when the group began.
    generation: u64,
    cache: &'a mut DossierCache,
    group: Writes,
    staged: Writes,
    group_dossiers: HashMap<u64, Dossier>,
    staged_dossiers: HashMap<u64, Dossier>,
    commands: usize,
    /// What the group's audit entries record, accepted and refused commands
    /// alike: chained onto the audit log inside the group's batch.
    audit: Vec<super::AuditItem>,
}

impl<'a> Txn<'a> {
    pub(super) fn new(store: &'a Store, cache: &'a mut DossierCache) -> Self {
        let generation = store.handle.generation();
        if cache.generation != generation {
            cache.dossiers.clear();
            cache.generation = generation;
        }
        Txn {
            store,
            generation,
            cache,
            group: Writes::new(),
            staged: Writes::new(),
            group_dossiers: HashMap::new(),
            staged_dossiers: HashMap::new(),
            commands: 0,
            audit: Vec::new(),
        }
    }

    /// Commands kept so far in this group.
    pub fn commands(&self) -> usize {
        self.commands
    }

    pub fn keep_command(&mut self) {
        let staged = std::mem::take(&mut self.staged);
        self.group.extend(staged);
        let staged_dossiers = std::mem::take(&mut self.staged_dossiers);
        self.group_dossiers.extend(staged_dossiers);
        self.commands += 1;
    }

    /// Records a decision of the writer (kept even when the command is
    /// dropped: a refusal is logged too).
    pub fn audit(&mut self, item: super::AuditItem) {
        self.audit.push(item);
    }

    pub fn drop_command(&mut self) {
        self.staged.clear();
        self.staged_dossiers.clear();
    }

    /// Writes the group atomically. It is visible to readers at once and
    /// durable after the next `Store::flush_generation` that returns the
    /// generation returned here. A group begun on a handle that was since
    /// replaced (after a failed write) is refused: it read what may be lost.
    pub fn apply(mut self) -> Result<u64, StoreError> {
        self.drop_command();
        let group = std::mem::take(&mut self.group);
        let audit = std::mem::take(&mut self.audit);
        let generation = self.store.apply_audited(
            "applying a group of commands",
            Some(self.generation),
            audit,
            |_, batch| {
                let (mut writes, mut bytes) = (0u64, 0u64);
                for (key, value) in group {
                    writes += 1;
                    bytes += (key.len() + value.as_ref().map_or(0, Vec::len)) as u64;
                    match value {
                        Some(value) => batch.insert(key, value),
                        None => batch.remove(key),
                    }
                }
                Ok((writes, bytes))
            },
        )?;
        self.cache.keep(std::mem::take(&mut self.group_dossiers));
        Ok(generation)
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(value) = self.staged.get(key).or_else(|| self.group.get(key)) {
            return Ok(value.clone());
        }
        let value = self
            .store
            .db()?
            .get(key)
            .map_err(|e| self.store.failed("reading", e))?;
        Ok(value.map(|v| v.to_vec()))
    }

    fn get_json<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, StoreError> {
        self.get(key)?.map(|bytes| decode(key, &bytes)).transpose()
    }

    /// A record of the storage format (`records`) at `key`.
    fn get_record<R: records::Record>(&self, key: &[u8]) -> Result<Option<R>, StoreError> {
        self.get(key)?
            .map(|bytes| records::decode(key, &bytes))
            .transpose()
    }

    fn get_u64(&self, key: &[u8]) -> Result<Option<u64>, StoreError> {
        self.get(key)?
            .map(|bytes| keys::read_u64(key, &bytes))
            .transpose()
    }

    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.staged.insert(key, Some(value));
    }

    /// Increments a counter stored at `key` and returns its previous value
    /// (starting at `first`).
    fn take_counter(&mut self, key: &[u8], first: u64) -> Result<u64, StoreError> {
        let value = self.get_u64(key)?.unwrap_or(first);
        self.put(key.to_vec(), (value + 1).to_be_bytes().to_vec());
        Ok(value)
    }

    pub fn dossier(&self, reference: &DossierRef) -> Result<Option<Dossier>, StoreError> {
        let id = match reference {
            DossierRef::Id(id) => Some(*id),
            DossierRef::MaHoSo(code) => self.get_u64(&keys::ma_ho_so(code))?,
        };
        let Some(id) = id else { return Ok(None) };
        let known = self
            .staged_dossiers
            .get(&id)
            .or_else(|| self.group_dossiers.get(&id));
        if let Some(dossier) = known.or_else(|| self.cache.dossiers.get(&id)) {
            return Ok(Some(dossier.clone()));
        }
        self.get_record(&keys::dossier(id))
    }

    pub fn ma_ho_so_taken(&self, code: &str) -> Result<bool, StoreError> {
        Ok(self.get(&keys::ma_ho_so(code))?.is_some())
    }

    pub fn next_dossier_id(&mut self) -> Result<u64, StoreError> {
        self.take_counter(keys::NEXT_DOSSIER_ID, 1)
    }

    /// The next NNNNN of a MaHoSo for this agency and day.
    pub fn next_daily_sequence(&mut self, agency: &str, yymmdd: &str) -> Result<u64, StoreError> {
        self.take_counter(&keys::daily_sequence(agency, yymmdd), 1)
    }

    /// The next outbox seq: global and gap-free, because only committed
    /// groups advance it.
    pub fn next_seq(&mut self) -> Result<u64, StoreError> {
        self.take_counter(keys::NEXT_SEQ, 1)
    }

    /// Writes a new or changed dossier with its indexes.
    pub fn put_dossier(&mut self, dossier: &Dossier) {
        if dossier.version == 1 {
            self.put(
                keys::ma_ho_so(&dossier.ma_ho_so),
                dossier.id.to_be_bytes().to_vec(),
            );
            self.put(
                keys::by_agency(&dossier.agency_code, dossier.id),
                Vec::new(),
            );
        }
        self.put(keys::dossier(dossier.id), records::encode(dossier));
        self.staged_dossiers.insert(dossier.id, dossier.clone());
    }

    /// A forwarded dossier leaves `from`'s listing index for its new
    /// agency's, in the same batch as the dossier itself.
    pub fn move_agency_index(&mut self, from: &str, dossier: &Dossier) {
        self.staged.insert(keys::by_agency(from, dossier.id), None);
        self.put(
            keys::by_agency(&dossier.agency_code, dossier.id),
            Vec::new(),
        );
    }

    pub fn put_history(&mut self, dossier_id: u64, entry: &HistoryEntry) {
        self.put(
            keys::history(dossier_id, entry.version),
            records::encode(entry),
        );
    }

    pub fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
        self.get_record(&keys::event(seq))
    }

    /// The dossier's rating (`store/feedback.rs`), if it has one.
    pub fn rating(&self, ma_ho_so: &str) -> Result<Option<Rating>, StoreError> {
        self.get_json(&keys::rating(ma_ho_so))
    }

    pub fn put_rating(&mut self, rating: &Rating) {
        self.put(keys::rating(&rating.ma_ho_so), encode(rating));
    }

    /// The answer to feedback `code`, if it was answered.
    pub fn feedback_answer(&self, code: &str) -> Result<Option<FeedbackAnswer>, StoreError> {
        self.get_json(&keys::answer(code))
    }

    pub fn put_feedback_answer(&mut self, code: &str, answer: &FeedbackAnswer) {
        self.put(keys::answer(code), encode(answer));
    }

    pub fn put_event(&mut self, event: &Event) {
        self.put(keys::event(event.seq), records::encode(event));
    }

    pub fn idempotency(
        &self,
        partner: &str,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.get_record(&keys::idempotency(partner, key))
    }

    pub fn put_idempotency(&mut self, partner: &str, key: &str, record: &IdempotencyRecord) {
        self.put(keys::idempotency(partner, key), records::encode(record));
    }

    pub fn catalog_version(&self, kind: &str) -> Result<u64, StoreError> {
        Ok(self.get_u64(&keys::catalog_version(kind))?.unwrap_or(0))
    }

    pub fn catalog_entry(
        &self,
        kind: &str,
        code: &str,
    ) -> Result<Option<CatalogEntry>, StoreError> {
        self.get_json(&keys::catalog_entry(kind, code))
    }

    pub fn catalog_has(&self, kind: &str, code: &str) -> Result<bool, StoreError> {
        Ok(self.get(&keys::catalog_entry(kind, code))?.is_some())
    }

    /// The committed content of a catalogue. The writer publishes a
    /// catalogue alone in its group, so the committed content is current.
    pub fn catalog_committed(
        &self,
        kind: &str,
    ) -> Result<BTreeMap<String, CatalogEntry>, StoreError> {
        let (_, entries) = self.store.catalog(kind)?;
        Ok(entries.into_iter().map(|e| (e.code.clone(), e)).collect())
    }

    pub fn put_catalog_version(&mut self, kind: &str, version: u64, changes: &[CatalogChange]) {
        self.put(keys::catalog_version(kind), version.to_be_bytes().to_vec());
        for (index, change) in changes.iter().enumerate() {
            let key = keys::catalog_entry(kind, &change.entry.code);
            match change.kind {
                crate::domain::catalog::ChangeKind::Removed => {
                    self.staged.insert(key, None);
                }
                _ => self.put(key, encode(&change.entry)),
            }
            self.put(
                keys::catalog_change(kind, version, index as u32),
                encode(change),
            );
        }
    }
}
