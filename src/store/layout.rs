//! Where sled's own files sit inside the data directory.
//!
//! A data directory written before online compaction holds sled's files
//! (`conf`, `db`, `snap.*`, `blobs/`) directly, beside the hub's disk
//! reserve. An online compaction (`online_compact`) copies the records into
//! a fresh sled directory `store.<n>` one level down while the hub serves,
//! then names it in the pointer file `store-current` and removes the old
//! files. So a directory is in one of two shapes:
//!
//! - no pointer: sled's files are in the data directory itself;
//! - a pointer naming `store.<n>`: sled's files are there, and anything
//!   else that looks like sled's (the root's files, another `store.<m>`) is
//!   what a compaction left when the process died before removing it.
//!
//! The pointer is replaced atomically (written beside, synced, renamed,
//! the directory synced), only after the new directory is flushed: a crash
//! at any moment leaves the pointer naming a complete directory.

use super::StoreError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The pointer file's name inside the data directory.
pub const POINTER: &str = "store-current";
const SUBDIR_PREFIX: &str = "store.";

/// The directory sled opens for the data directory `data_dir`: the one
/// its pointer names, or `data_dir` itself when there is no pointer.
pub(super) fn current(data_dir: &Path) -> Result<PathBuf, StoreError> {
    let pointer = data_dir.join(POINTER);
    let text = match std::fs::read_to_string(&pointer) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(data_dir.to_path_buf()),
        Err(e) => return Err(problem(&pointer, format!("cannot be read: {e}"))),
    };
    let name = text.trim();
    if generation_of(name).is_none() {
        return Err(problem(
            &pointer,
            format!("names {name:?}, not a store directory `{SUBDIR_PREFIX}<number>`"),
        ));
    }
    let dir = data_dir.join(name);
    if !dir.join("conf").exists() {
        return Err(problem(
            &pointer,
            format!("names {name}, which holds no sled `conf` file; the data directory is damaged"),
        ));
    }
    Ok(dir)
}

/// Where the next compaction of `data_dir` (now in `current`) writes.
pub(super) fn next(data_dir: &Path, current: &Path) -> PathBuf {
    let now = current
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|_| current != data_dir)
        .and_then(generation_of)
        .unwrap_or(0);
    data_dir.join(format!("{SUBDIR_PREFIX}{}", now + 1))
}

/// Names `sled_dir` (inside `data_dir`) in the pointer, atomically and
/// durably.
pub(super) fn point_to(data_dir: &Path, sled_dir: &Path) -> Result<(), StoreError> {
    let pointer = data_dir.join(POINTER);
    let name = sled_dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| problem(sled_dir, "is not a store directory's name".into()))?;
    let written = data_dir.join(format!("{POINTER}.new"));
    let write = || -> std::io::Result<()> {
        let mut file = super::dir::private_file(&written)?;
        file.set_len(0)?;
        writeln!(file, "{name}")?;
        file.sync_all()?;
        std::fs::rename(&written, &pointer)?;
        std::fs::File::open(data_dir)?.sync_all()
    };
    write().map_err(|e| problem(&pointer, format!("cannot be written: {e}")))
}

/// Removes what a compaction left behind in `data_dir` whose live sled
/// directory is `live`: another `store.<n>`, and sled's files in the root
/// when the live directory is one level down.
pub(super) fn remove_leftovers(data_dir: &Path, live: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(data_dir).map_err(|e| problem(data_dir, e.to_string()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if generation_of(name).is_some() && path != live {
            remove_sled_dir(&path)?;
        }
    }
    if live != data_dir {
        remove_sled_files(data_dir)?;
    }
    Ok(())
}

/// Removes a whole `store.<n>` directory.
pub(super) fn remove_sled_dir(dir: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(problem(dir, format!("cannot be removed: {e}")))
        }
        _ => Ok(()),
    }
}

/// Removes sled's own files (and only those) from `dir`: the root of a
/// data directory whose store moved one level down.
pub(super) fn remove_sled_files(dir: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(dir).map_err(|e| problem(dir, e.to_string()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let path = entry.path();
        let removed = match name {
            "blobs" => std::fs::remove_dir_all(&path),
            "conf" | "db" => std::fs::remove_file(&path),
            _ if name.starts_with("snap.") => std::fs::remove_file(&path),
            _ => continue,
        };
        if let Err(e) = removed {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(problem(&path, format!("cannot be removed: {e}")));
            }
        }
    }
    Ok(())
}

/// `n` of a `store.<n>` name.
fn generation_of(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(SUBDIR_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn problem(path: &Path, problem: String) -> StoreError {
    StoreError::DataDir {
        path: path.display().to_string(),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sled_files(dir: &Path) {
        std::fs::create_dir_all(dir.join("blobs")).unwrap();
        for file in ["conf", "db", "snap.00000000000a"] {
            std::fs::write(dir.join(file), b"x").unwrap();
        }
    }

    #[test]
    fn without_a_pointer_sled_is_in_the_data_directory_and_the_first_copy_goes_to_store_1() {
        let data = tempfile::tempdir().unwrap();
        let current = current(data.path()).unwrap();
        assert_eq!(current, data.path());
        assert_eq!(next(data.path(), &current), data.path().join("store.1"));
    }

    #[test]
    fn the_pointer_names_the_live_directory_and_the_next_copy_counts_on() {
        let data = tempfile::tempdir().unwrap();
        sled_files(&data.path().join("store.7"));
        point_to(data.path(), &data.path().join("store.7")).unwrap();
        let current = current(data.path()).unwrap();
        assert_eq!(current, data.path().join("store.7"));
        assert_eq!(next(data.path(), &current), data.path().join("store.8"));
        assert!(!data.path().join("store-current.new").exists());
    }

    #[test]
    fn a_pointer_to_nothing_or_to_a_strange_name_is_refused_naming_the_pointer() {
        let data = tempfile::tempdir().unwrap();
        std::fs::write(data.path().join(POINTER), "store.3\n").unwrap();
        let err = current(data.path()).unwrap_err().to_string();
        assert!(
            err.contains("store-current") && err.contains("store.3"),
            "{err}"
        );
        std::fs::write(data.path().join(POINTER), "../elsewhere\n").unwrap();
        let err = current(data.path()).unwrap_err().to_string();
        assert!(err.contains("not a store directory"), "{err}");
    }

    #[test]
    fn leftovers_of_a_compaction_go_and_the_hubs_own_files_stay() {
        let data = tempfile::tempdir().unwrap();
        sled_files(data.path());
        sled_files(&data.path().join("store.1"));
        sled_files(&data.path().join("store.2"));
        std::fs::write(data.path().join("disk-reserve"), b"r").unwrap();
        std::fs::create_dir(data.path().join("attachments-elsewhere")).unwrap();
        let live = data.path().join("store.2");
        remove_leftovers(data.path(), &live).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(data.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["attachments-elsewhere", "disk-reserve", "store.2"]);
        assert!(live.join("conf").exists() && live.join("blobs").exists());
    }

    #[test]
    fn a_live_root_directory_keeps_its_files_and_loses_only_stray_copies() {
        let data = tempfile::tempdir().unwrap();
        sled_files(data.path());
        sled_files(&data.path().join("store.1"));
        remove_leftovers(data.path(), data.path()).unwrap();
        assert!(data.path().join("conf").exists());
        assert!(!data.path().join("store.1").exists());
    }
}
