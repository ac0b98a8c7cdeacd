//! The data directory holds every dossier with its applicants' personal data,
//! so it is private to the hub's user whatever the umask it was started with:
//! the directory is made 0700 and its files 0600, the process umask is
//! narrowed to 077 for the files sled creates later (snapshots, blobs), and
//! a directory others can write to is refused (they could swap the database
//! under the hub).

use super::StoreError;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// Creates `dir` 0700 if missing; refuses one that group or others may
/// write to; narrows an existing one to 0700.
pub(super) fn prepare(dir: &Path) -> Result<(), StoreError> {
    narrow_umask();
    let failed = |e: std::io::Error| StoreError::DataDir {
        path: dir.display().to_string(),
        problem: e.to_string(),
    };
    match std::fs::metadata(dir) {
        Ok(meta) => {
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o022 != 0 {
                return Err(StoreError::DataDir {
                    path: dir.display().to_string(),
                    problem: format!(
                        "it is writable by its group or by others (mode {mode:04o}); make it private first: chmod 700 {}",
                        dir.display()
                    ),
                });
            }
            if mode != DIR_MODE {
                // Readable by others but not writable: narrowed when we may
                // (we own it); otherwise said, since nobody can swap it.
                if let Err(e) =
                    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
                {
                    tracing::warn!(path = %dir.display(), mode = %format!("{mode:04o}"), error = %e, "cannot make the data directory private (0700)");
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(DIR_MODE)
                .create(dir)
                .map_err(failed)?;
            // The mode given to mkdir is masked by the umask; say it again.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
                .map_err(failed)?;
        }
        Err(e) => return Err(failed(e)),
    }
    Ok(())
}

/// Makes every file under `dir` 0600 and every directory 0700 (what sled
/// created at open, and directories written by older versions).
pub(super) fn make_private(dir: &Path) -> Result<(), StoreError> {
    let failed = |path: &Path, e: std::io::Error| StoreError::DataDir {
        path: path.display().to_string(),
        problem: e.to_string(),
    };
    let entries = std::fs::read_dir(dir).map_err(|e| failed(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| failed(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| failed(&path, e))?;
        if kind.is_symlink() {
            continue;
        }
        let mode = if kind.is_dir() { DIR_MODE } else { FILE_MODE };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| failed(&path, e))?;
        if kind.is_dir() {
            make_private(&path)?;
        }
    }
    Ok(())
}

/// Opens (creating it 0600 if missing) a file the store keeps beside sled's.
pub(super) fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(FILE_MODE)
        .open(path)
}

/// Files sled creates after the open (snapshots, blobs) get 0600 too.
fn narrow_umask() {
    // SAFETY: umask(2) only sets the process's file mode creation mask; it
    // cannot fail and touches no memory.
    #[allow(unsafe_code)]
    unsafe {
        libc::umask(0o077);
    }
}
