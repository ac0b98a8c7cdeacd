//! Where a compaction writes its copy: through a process of its own
//! (`child`) when the hub was told which executable to start for it
//! (`copy_in_child`: `lienthong run` names itself), else into a sled handle
//! in the hub's process (the unit tests, a library user that said nothing).
//! The copy and the settle rounds write through this; the switch's
//! catch-up writes into the copy opened in the hub, as the hub then serves
//! it.

use super::child::{self, DONE, FAILED, FINISH, REOPEN};
use super::{abandoned, tree_of, Entries};
use crate::store::{handle, StoreError};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

static CHILD_PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// From now on this process's compactions write their copy through
/// `program store-copy-child` (the first call decides).
pub fn copy_in_child(program: PathBuf) {
    let _ = CHILD_PROGRAM.set(program);
}

pub(super) enum CopyTarget {
    Here(sled::Db),
    Child(ChildCopy),
}

impl CopyTarget {
    pub(super) fn open(dir: &Path, cache_capacity_bytes: u64) -> Result<Self, StoreError> {
        if let Some(program) = CHILD_PROGRAM.get() {
            match ChildCopy::spawn(program, dir, cache_capacity_bytes) {
                Ok(child) => return Ok(Self::Child(child)),
                // Better a copy with the hub's memory than none.
                Err(e) => {
                    tracing::warn!(error = %e, "the compaction's copy is written by the hub itself")
                }
            }
        }
        handle::open_db(dir, cache_capacity_bytes).map(Self::Here)
    }

    /// Sets or removes `entries` in the copy's tree `name`, as one batch.
    pub(super) fn write(&mut self, name: &[u8], entries: &Entries) -> Result<(), StoreError> {
        match self {
            Self::Here(db) => write_here(db, name, entries),
            Self::Child(child) => match child::write_batch(&mut child.frames, name, entries) {
                Ok(()) => Ok(()),
                Err(e) => Err(child.failure(e)),
            },
        }
    }

    /// Flushed, closed and opened again: the directory's first open writes
    /// its first snapshot, which the switch would otherwise wait for.
    pub(super) fn reopened(
        self,
        dir: &Path,
        cache_capacity_bytes: u64,
    ) -> Result<Self, StoreError> {
        match self {
            Self::Here(db) => {
                db.flush()
                    .map_err(|e| StoreError::io("flushing the compacted copy", e))?;
                // The only handle: sled closes the directory here.
                drop(db);
                handle::open_db(dir, cache_capacity_bytes).map(Self::Here)
            }
            Self::Child(mut child) => {
                child.ask(REOPEN)?;
                Ok(Self::Child(child))
            }
        }
    }

    /// The copy opened in the hub's process, the child (if any) finished
    /// first, with the child's peak resident bytes (`None`: written here).
    pub(super) fn opened_here(
        self,
        dir: &Path,
        cache_capacity_bytes: u64,
    ) -> Result<(sled::Db, Option<u64>), StoreError> {
        match self {
            Self::Here(db) => Ok((db, None)),
            Self::Child(mut child) => {
                let peak = child.finish()?;
                Ok((handle::open_db(dir, cache_capacity_bytes)?, Some(peak)))
            }
        }
    }
}

/// Sets or removes `entries` in `db`'s tree `name`, as one batch.
pub(super) fn write_here(db: &sled::Db, name: &[u8], entries: &Entries) -> Result<(), StoreError> {
    let mut batch = sled::Batch::default();
    for (key, value) in entries {
        match value {
            Some(value) => batch.insert(key.clone(), value.clone()),
            None => batch.remove(key.clone()),
        }
    }
    tree_of(db, name)
        .and_then(|tree| tree.apply_batch(batch))
        .map_err(|e| StoreError::io("writing the compacted copy", e))
}

/// The copy's process: frames go to its stdin, answers come from its
/// stdout, its stderr is the hub's. Killed if dropped before it finished.
pub(super) struct ChildCopy {
    child: Child,
    frames: BufWriter<ChildStdin>,
    answers: ChildStdout,
    finished: bool,
}

impl ChildCopy {
    fn spawn(program: &Path, dir: &Path, cache_capacity_bytes: u64) -> Result<Self, StoreError> {
        let mut child = Command::new(program)
            .arg("store-copy-child")
            .arg("--dir")
            .arg(dir)
            .arg("--cache-capacity-bytes")
            .arg(cache_capacity_bytes.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                abandoned(format!(
                    "cannot start its copy process {}: {e}",
                    program.display()
                ))
            })?;
        let (Some(stdin), Some(answers)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(abandoned("its copy process came without pipes"));
        };
        tracing::info!(pid = child.id(), dir = %dir.display(), "compaction's copy written by a process of its own");
        Ok(ChildCopy {
            child,
            frames: BufWriter::with_capacity(1 << 20, stdin),
            answers,
            finished: false,
        })
    }

    /// Sends `frame` (after everything before it) and reads the answer:
    /// `DONE` and its `extra` bytes.
    fn ask(&mut self, frame: u8) -> Result<Vec<u8>, StoreError> {
        let extra = if frame == FINISH { 8 } else { 0 };
        let sent = self
            .frames
            .write_all(&[frame])
            .and_then(|()| self.frames.flush());
        if let Err(e) = sent {
            return Err(self.failure(e));
        }
        let mut answer = vec![0u8; 1 + extra];
        match self.answers.read_exact(&mut answer[..1]) {
            Ok(()) if answer[0] == DONE => {}
            Ok(()) if answer[0] == FAILED => return Err(self.failed_with_reason()),
            Ok(()) => return Err(self.gone(format!("answered {:#04x}", answer[0]))),
            Err(e) => return Err(self.gone(format!("stopped answering ({e})"))),
        }
        if let Err(e) = self.answers.read_exact(&mut answer[1..]) {
            return Err(self.gone(format!("stopped answering ({e})")));
        }
        Ok(answer.split_off(1))
    }

    /// Flushed and closed; its peak resident bytes. The copy's directory
    /// is the hub's to open once the process has exited.
    fn finish(&mut self) -> Result<u64, StoreError> {
        let peak = self.ask(FINISH)?;
        self.finished = true;
        let status = self
            .child
            .wait()
            .map_err(|e| abandoned(format!("waiting for its copy process: {e}")))?;
        if !status.success() {
            return Err(abandoned(format!("its copy process ended {status}")));
        }
        Ok(u64::from_be_bytes(peak.try_into().unwrap_or([0; 8])))
    }

    /// A write to the process failed: why, as it said or as it ended.
    fn failure(&mut self, write: std::io::Error) -> StoreError {
        let mut kind = [0u8];
        match self.answers.read_exact(&mut kind) {
            Ok(()) if kind[0] == FAILED => self.failed_with_reason(),
            _ => self.gone(format!("stopped reading its frames ({write})")),
        }
    }

    /// Reads the text after a `FAILED` answer.
    fn failed_with_reason(&mut self) -> StoreError {
        let mut len = [0u8; 4];
        let mut text = Vec::new();
        if self.answers.read_exact(&mut len).is_ok() {
            let len = u32::from_be_bytes(len).min(64 << 10) as u64;
            let _ = (&mut self.answers).take(len).read_to_end(&mut text);
        }
        self.gone(format!("failed: {}", String::from_utf8_lossy(&text)))
    }

    /// The process is of no more use: killed if it still runs, and how it
    /// ended said (a kill by signal 9 is most often the kernel's, short of
    /// memory).
    fn gone(&mut self, what: String) -> StoreError {
        self.finished = true;
        let _ = self.child.kill();
        let ended = match self.child.wait() {
            Ok(status) => format!("; it ended {status}"),
            Err(_) => String::new(),
        };
        abandoned(format!(
            "its copy process (pid {}) {what}{ended}",
            self.child.id()
        ))
    }
}

impl Drop for ChildCopy {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
