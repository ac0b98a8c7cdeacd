//! Where a data directory's bytes go: for a stopped hub's directory, every
//! sled tree and, in the main tree, every key prefix (`keys.rs`; the audit
//! chain's `u` split by its second letter), with how many records, and the
//! bytes of their keys and values; beside it, the files sled keeps on disk.
//! Printed by `lienthong data-usage` and by `lienthong bench --scale`, so
//! that a change meant to shrink the directory can be aimed at what is big
//! and measured there. It reads only; the directory is left as it was.

use super::{keys, StoreError};
use std::collections::BTreeMap;
use std::path::Path;

/// The logical size of one group of records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageRow {
    /// The tree's name (`main` for sled's default tree) and, in the main
    /// tree, the key prefix as text.
    pub tree: String,
    pub prefix: String,
    pub records: u64,
    pub key_bytes: u64,
    pub value_bytes: u64,
}

/// A data directory's logical content and its files' sizes.
#[derive(Clone, Debug, Default)]
pub struct DataUsage {
    pub rows: Vec<UsageRow>,
    /// Bytes of every file in the directory (sled's log, snapshots, blobs,
    /// the disk reserve).
    pub file_bytes: u64,
    /// Bytes of the disk reserve among them (`handle::RESERVE_FILE`).
    pub reserve_bytes: u64,
}

impl DataUsage {
    /// Reads the directory of a stopped hub (sled's lock must be free).
    pub fn read(dir: &Path) -> Result<DataUsage, StoreError> {
        let sled_dir = super::handle::require_data_dir(dir)?;
        let db = super::handle::open_as_is(&sled_dir)?;
        let mut rows = Vec::new();
        for name in db.tree_names() {
            let tree = db
                .open_tree(&name)
                .map_err(|e| StoreError::io("opening a tree", e))?;
            let main = name.as_ref() == b"__sled__default";
            let tree_name = if main {
                "main".to_string()
            } else {
                String::from_utf8_lossy(&name).into_owned()
            };
            let mut groups: BTreeMap<String, UsageRow> = BTreeMap::new();
            for item in tree.iter() {
                let (key, value) = item.map_err(|e| StoreError::io("reading every record", e))?;
                let prefix = if main { prefix_of(&key) } else { String::new() };
                let row = groups.entry(prefix.clone()).or_insert_with(|| UsageRow {
                    tree: tree_name.clone(),
                    prefix,
                    ..Default::default()
                });
                row.records += 1;
                row.key_bytes += key.len() as u64;
                row.value_bytes += value.len() as u64;
            }
            rows.extend(groups.into_values());
        }
        drop(db);
        let (file_bytes, reserve_bytes) = files(dir);
        Ok(DataUsage {
            rows,
            file_bytes,
            reserve_bytes,
        })
    }

    /// Keys and values of every record.
    pub fn logical_bytes(&self) -> u64 {
        self.rows.iter().map(|r| r.key_bytes + r.value_bytes).sum()
    }
}

/// The group a main-tree key belongs to: its first letter, and for the
/// audit chain and the counters the letter after it too.
fn prefix_of(key: &[u8]) -> String {
    match key {
        [] => String::new(),
        [first @ (super::audit::AUDIT | b'm' | b'o'), second, ..] => {
            keys::printable(&[*first, *second])
        }
        [first, ..] => keys::printable(&[*first]),
    }
}

/// Bytes of the directory's files, and of the disk reserve among them.
fn files(dir: &Path) -> (u64, u64) {
    let mut total = 0;
    let mut reserve = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                total += meta.len();
                if entry.file_name() == super::RESERVE_FILE {
                    reserve += meta.len();
                }
            }
        }
    }
    (total, reserve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_records_by_tree_and_prefix() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::open(dir.path()).unwrap();
            db.insert(keys::dossier(1), vec![0; 10]).unwrap();
            db.insert(keys::dossier(2), vec![0; 20]).unwrap();
            db.insert(b"ue\0\0\0\0\0\0\0\0", vec![0; 5]).unwrap();
            db.open_tree("workspace")
                .unwrap()
                .insert(b"k", vec![0; 7])
                .unwrap();
            db.flush().unwrap();
        }
        let usage = DataUsage::read(dir.path()).unwrap();
        let row = |tree: &str, prefix: &str| {
            usage
                .rows
                .iter()
                .find(|r| r.tree == tree && r.prefix == prefix)
                .cloned()
                .unwrap_or_else(|| panic!("no row {tree} {prefix}: {:?}", usage.rows))
        };
        assert_eq!(row("main", "d").records, 2);
        assert_eq!(row("main", "d").value_bytes, 30);
        assert_eq!(row("main", "d").key_bytes, 18);
        assert_eq!(row("main", "ue").value_bytes, 5);
        assert_eq!(row("workspace", "").value_bytes, 7);
        assert_eq!(usage.logical_bytes(), 18 + 30 + 10 + 5 + 1 + 7);
        assert!(usage.file_bytes > 0);
    }

    #[test]
    fn a_directory_that_is_no_data_directory_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        match DataUsage::read(dir.path()) {
            Err(StoreError::DataDir { path, .. }) => {
                assert_eq!(path, dir.path().display().to_string())
            }
            other => panic!("{other:?}"),
        }
    }
}
