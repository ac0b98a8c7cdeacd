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
use super::{decode, encode, indexes, keys, Store, StoreError};
use crate::domain::catalog::{CatalogChange, CatalogEntry};
use crate::domain::feedback::{FeedbackAnswer, Rating};
use crate::domain::{Dossier, DossierRef, Event, HistoryEntry, UnixMillis};
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

type Writes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Decoded dossiers the writer wrote recently. Only the writer writes
/// dossiers, so its cache cannot go stale; it saves decoding the dossier
/// again for every command on it. Filled only from groups that were applied,
/// and emptied when the store was reopened after a failed write (what it
/// held may never have reached disk).
///
/// Bounded (`hub.writer_cache_dossiers`) as an approximate LRU in two
/// generations: dossiers go into the young one; when it holds half the
/// capacity it becomes the old one and the old one is dropped; a dossier
/// written again while in the old one moves back into the young one. So
/// fewer than `capacity` dossiers are held, and one written within the
/// last `capacity / 2` writes is always kept.
pub struct DossierCache {
    young: HashMap<u64, Dossier>,
    old: HashMap<u64, Dossier>,
    capacity: usize,
    generation: u64,
}

impl Default for DossierCache {
    fn default() -> Self {
        DossierCache::new(16_384)
    }
}

impl DossierCache {
    /// A cache of at most `capacity` dossiers (0: none kept).
    pub fn new(capacity: usize) -> DossierCache {
        DossierCache {
            young: HashMap::new(),
            old: HashMap::new(),
            capacity,
            generation: 0,
        }
    }

    /// How many dossiers it holds now.
    pub fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn clear(&mut self) {
        self.young.clear();
        self.old.clear();
    }

    fn get(&self, id: u64) -> Option<&Dossier> {
        self.young.get(&id).or_else(|| self.old.get(&id))
    }

    fn keep(&mut self, dossiers: HashMap<u64, Dossier>) {
        let half = self.capacity / 2;
        for (id, dossier) in dossiers {
            if self.capacity == 0 {
                return;
            }
            self.old.remove(&id);
            self.young.insert(id, dossier);
            if self.young.len() >= half.max(1) {
                self.old = std::mem::take(&mut self.young);
            }
        }
    }

    /// Forgets dossier `id` (moved out of the dossiers' prefix).
    fn forget(&mut self, id: u64) {
        self.young.remove(&id);
        self.old.remove(&id);
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
    /// The newest `created_at` of the idempotency records the group and
    /// the staged command wrote: the time of the group's record in the
    /// expiry index (`expiry.rs`), which lists the group's `i` keys.
    group_newest_idempotency: Option<UnixMillis>,
    staged_newest_idempotency: Option<UnixMillis>,
}

impl<'a> Txn<'a> {
    pub(super) fn new(store: &'a Store, cache: &'a mut DossierCache) -> Self {
        let generation = store.handle.generation();
        if cache.generation != generation {
            cache.clear();
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
            group_newest_idempotency: None,
            staged_newest_idempotency: None,
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
        self.group_newest_idempotency = self
            .group_newest_idempotency
            .max(self.staged_newest_idempotency.take());
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
        self.staged_newest_idempotency = None;
    }

    /// Writes the group atomically. It is visible to readers at once and
    /// durable after the next `Store::flush_generation` that returns the
    /// generation returned here. A group begun on a handle that was since
    /// replaced (after a failed write) is refused: it read what may be lost.
    pub fn apply(mut self) -> Result<u64, StoreError> {
        self.drop_command();
        let mut group = std::mem::take(&mut self.group);
        if let Some(newest) = self.group_newest_idempotency.take() {
            // The group's `i` keys, in key order and once each: the kept
            // commands' idempotency records (a dropped one left the group).
            let idempotency = [keys::IDEMPOTENCY];
            let after = [keys::IDEMPOTENCY + 1];
            let written: Vec<&[u8]> = group
                .range::<[u8], _>((
                    std::ops::Bound::Included(&idempotency[..]),
                    std::ops::Bound::Excluded(&after[..]),
                ))
                .filter(|(_, value)| value.is_some())
                .map(|(key, _)| key.as_slice())
                .collect();
            if !written.is_empty() {
                let (key, value) = super::expiry::group_record(newest, &written);
                group.insert(key, Some(value));
            }
        }
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
        Ok(self.dossier_cow(reference)?.map(Cow::into_owned))
    }

    /// `dossier`, borrowed when the writer holds it decoded (its cache, or
    /// this group's writes): a command reads its dossier once, and a copy
    /// of a whole dossier per command is CPU the writer thread spends on
    /// every command (issue 12).
    pub fn dossier_cow(
        &self,
        reference: &DossierRef,
    ) -> Result<Option<Cow<'_, Dossier>>, StoreError> {
        let id = match reference {
            DossierRef::Id(id) => Some(*id),
            DossierRef::MaHoSo(code) => self.get_u64(&keys::ma_ho_so(code))?,
        };
        let Some(id) = id else { return Ok(None) };
        let known = self
            .staged_dossiers
            .get(&id)
            .or_else(|| self.group_dossiers.get(&id));
        if let Some(dossier) = known.or_else(|| self.cache.get(id)) {
            return Ok(Some(Cow::Borrowed(dossier)));
        }
        if let Some(dossier) = self.get_record(&keys::dossier(id))? {
            return Ok(Some(Cow::Owned(dossier)));
        }
        // Archived: a command on it brings it back (`put_dossier`).
        Ok(self.archived(id)?.map(|(dossier, _)| Cow::Owned(dossier)))
    }

    /// Dossier `id` from the archive, with its history, as this group sees it.
    fn archived(&self, id: u64) -> Result<Option<(Dossier, Vec<HistoryEntry>)>, StoreError> {
        let key = keys::archived(id);
        self.get(&key)?
            .map(|bytes| records::archive::decode(&key, &bytes))
            .transpose()
    }

    /// Every key and value under `prefix` as this group sees it: what is
    /// stored, then the group's writes, then the command's.
    fn scan(&self, prefix: &[u8]) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, StoreError> {
        let mut found = BTreeMap::new();
        for item in self.store.db()?.scan_prefix(prefix) {
            let (key, value) = item.map_err(|e| self.store.failed("reading", e))?;
            found.insert(key.to_vec(), value.to_vec());
        }
        for writes in [&self.group, &self.staged] {
            for (key, value) in writes.range(prefix.to_vec()..) {
                if !key.starts_with(prefix) {
                    break;
                }
                match value {
                    Some(value) => found.insert(key.clone(), value.clone()),
                    None => found.remove(key),
                };
            }
        }
        Ok(found)
    }

    /// Moves dossier `id` into the archive (`store/archive.rs`) if it is
    /// live and `eligible` says so: its dossier record, history lines and
    /// listing keys go, one archive record comes, in this command's writes.
    /// Returns whether it moved.
    pub fn archive(
        &mut self,
        id: u64,
        eligible: impl FnOnce(&Dossier) -> bool,
    ) -> Result<bool, StoreError> {
        let known = self
            .staged_dossiers
            .get(&id)
            .or_else(|| self.group_dossiers.get(&id))
            .or_else(|| self.cache.get(id))
            .cloned();
        let dossier = match known {
            Some(dossier) => dossier,
            None => match self.get_record::<Dossier>(&keys::dossier(id))? {
                Some(dossier) => dossier,
                None => return Ok(false),
            },
        };
        if !eligible(&dossier) {
            return Ok(false);
        }
        let lines = self.scan(&keys::history_prefix(id))?;
        let history = super::archive::history_of(lines.clone())?;
        for key in lines.into_keys() {
            self.staged.insert(key, None);
        }
        for key in indexes::of(&dossier) {
            self.staged.insert(key, None);
        }
        self.staged.insert(keys::dossier(id), None);
        self.put(
            keys::archived(id),
            records::archive::encode(&dossier, &history),
        );
        // The writer's memory must not keep what is no longer live.
        self.staged_dossiers.remove(&id);
        self.group_dossiers.remove(&id);
        self.cache.forget(id);
        Ok(true)
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

    /// Writes a new or changed dossier with its indexes: the listing keys
    /// (`indexes.rs`) of what changed move in the same batch.
    pub fn put_dossier(&mut self, dossier: &Dossier) -> Result<(), StoreError> {
        if dossier.version == 1 {
            self.put(
                keys::ma_ho_so(&dossier.ma_ho_so),
                dossier.id.to_be_bytes().to_vec(),
            );
        }
        let before = match self.listing_keys(dossier.id)? {
            Some(keys) => keys,
            None => {
                // Not live: new, or archived and brought back by this command.
                self.bring_back(dossier.id)?;
                Vec::new()
            }
        };
        let after = indexes::of(dossier);
        for key in &before {
            if !after.contains(key) {
                self.staged.insert(key.clone(), None);
            }
        }
        for key in after {
            if !before.contains(&key) {
                self.put(key, Vec::new());
            }
        }
        self.put(keys::dossier(dossier.id), records::encode(dossier));
        self.staged_dossiers.insert(dossier.id, dossier.clone());
        Ok(())
    }

    /// Dossier `id`'s history lines back from its archive record, which goes.
    fn bring_back(&mut self, id: u64) -> Result<(), StoreError> {
        if let Some((_, history)) = self.archived(id)? {
            for entry in &history {
                self.put(keys::history(id, entry.version), records::encode(entry));
            }
            self.staged.insert(keys::archived(id), None);
        }
        Ok(())
    }

    /// The listing keys of dossier `id` as it is stored (or staged) now.
    fn listing_keys(&self, id: u64) -> Result<Option<Vec<Vec<u8>>>, StoreError> {
        let known = self
            .staged_dossiers
            .get(&id)
            .or_else(|| self.group_dossiers.get(&id))
            .or_else(|| self.cache.get(id));
        if let Some(dossier) = known {
            return Ok(Some(indexes::of(dossier).to_vec()));
        }
        let stored: Option<Dossier> = self.get_record(&keys::dossier(id))?;
        Ok(stored.map(|d| indexes::of(&d).to_vec()))
    }

    /// A dossier handed over by another site's hub, new here at whatever
    /// version it has, or a newer version of the copy this hub keeps: its
    /// MaHoSo index written whatever the version (`put_dossier` writes it
    /// only at version 1), its listing keys moved by `put_dossier`.
    pub fn put_arrived_dossier(&mut self, dossier: &Dossier) -> Result<(), StoreError> {
        self.put(
            keys::ma_ho_so(&dossier.ma_ho_so),
            dossier.id.to_be_bytes().to_vec(),
        );
        self.put_dossier(dossier)
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
        self.staged_newest_idempotency =
            self.staged_newest_idempotency.max(Some(record.created_at));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_cache_holds_at_most_its_capacity_and_keeps_the_recent() {
        let template = crate::store::records::tests::full_dossier();
        let mut cache = DossierCache::new(10);
        for id in 1..=100u64 {
            let mut dossier = template.clone();
            dossier.id = id;
            cache.keep(HashMap::from([(id, dossier)]));
            assert!(cache.len() < 10, "{} dossiers held", cache.len());
        }
        for id in 96..=100 {
            assert_eq!(cache.get(id).map(|d| d.id), Some(id), "recent {id} kept");
        }
        assert!(cache.get(1).is_none());
        // Written again while old: kept through the next turn.
        cache.keep(HashMap::from([(96, template.clone())]));
        for id in 101..=104u64 {
            cache.keep(HashMap::from([(id, template.clone())]));
        }
        assert!(cache.get(96).is_some());
        let mut none = DossierCache::new(0);
        none.keep(HashMap::from([(1, template)]));
        assert!(none.is_empty());
    }
}
