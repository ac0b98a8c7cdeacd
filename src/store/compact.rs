//! `lienthong compact`: a stopped hub's data directory copied, record for
//! record, into a new directory that holds nothing else.
//!
//! sled never gives disk back: the files keep the high-water mark of what
//! was ever live at once, and the space of removed or moved records (events
//! delivered, idempotency records expired, dossiers archived, audit entries
//! sealed) is only reused by later writes. A hub whose history was written
//! in a burst (a migration, `bench --scale`) keeps that peak. The copy
//! writes every tree's records in key order into a fresh directory (private,
//! as the hub makes it), so its size is what the records take; the operator
//! then swaps the directories while the hub is stopped (README). The source
//! is only read.

use super::{dir, handle, StoreError};
use std::path::Path;

/// Records per batch written into the copy.
const BATCH: usize = 4096;

/// What a compaction copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compacted {
    pub trees: usize,
    pub records: u64,
}

/// Copies every tree of the stopped hub's directory `from` into `into`,
/// which must not exist yet.
pub fn compact(from: &Path, into: &Path) -> Result<Compacted, StoreError> {
    let sled_dir = handle::require_data_dir(from)?;
    if into.exists() {
        return Err(StoreError::DataDir {
            path: into.display().to_string(),
            problem: "already exists; the compacted copy goes into a new directory".into(),
        });
    }
    // A hub stopped a moment ago may still hold sled's lock: waited for.
    let source = handle::open_db(&sled_dir, 64 << 20)?;
    dir::prepare(into)?;
    let target = handle::open_as_is(into)?;
    let mut copied = Compacted::default();
    for name in source.tree_names() {
        let reading = |e| StoreError::io("reading the directory to compact", e);
        let writing = |e| StoreError::io("writing the compacted copy", e);
        let from_tree = source.open_tree(&name).map_err(reading)?;
        let into_tree = target.open_tree(&name).map_err(writing)?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for item in from_tree.iter() {
            let (key, value) = item.map_err(reading)?;
            batch.insert(key, value);
            in_batch += 1;
            copied.records += 1;
            if in_batch == BATCH {
                into_tree
                    .apply_batch(std::mem::take(&mut batch))
                    .map_err(writing)?;
                in_batch = 0;
            }
        }
        into_tree.apply_batch(batch).map_err(writing)?;
        copied.trees += 1;
    }
    target
        .flush()
        .map_err(|e| StoreError::io("flushing the compacted copy", e))?;
    drop(target);
    dir::make_private(into)?;
    Ok(copied)
}
