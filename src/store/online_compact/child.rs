//! The compaction's copy written by a process of its own
//! (`lienthong store-copy-child`, started by the hub with its own
//! executable).
//!
//! sled 0.34 keeps in memory what it writes far past its cache: copying a
//! million dossiers' store took the hub from about 1 GiB to 3.2–3.9 GiB
//! resident (README, "The compaction's peak"), and a copy's handle closed
//! and opened again while it is filled gives little of it back. Written by
//! a child, that memory is the child's: it goes back to the system when the
//! child exits, the hub's own resident memory stays what serving costs, and
//! if the system runs short it is the child the kernel kills (it asks to be
//! chosen first, `oom_score_adj` 1000): the compaction gives up and the
//! hub serves on. The machine's memory during the copy is not smaller.
//!
//! The wire is the child's stdin (frames) and stdout (answers):
//! - `B`, a tree's name, a count, then that many keys each with its value or
//!   a removal: one batch, applied whole to that tree;
//! - `R`: flushed, closed and opened again, so that the directory's first
//!   open, which writes its first snapshot (7 s at a million dossiers),
//!   happens while the hub still serves; answered `k`;
//! - `F`: flushed and closed; answered `k` with the child's peak resident
//!   bytes (`VmHWM`), and the child exits 0.
//!
//! A failure is answered `e` with its text and the child exits 1. Lengths
//! and counts are big-endian `u32`; a value's length `u32::MAX` is a
//! removal.

use super::{tree_of, Entries};
use crate::store::{handle, StoreError};
use sled::IVec;
use std::io::{Read, Write};
use std::path::Path;

pub(super) const BATCH: u8 = b'B';
pub(super) const REOPEN: u8 = b'R';
pub(super) const FINISH: u8 = b'F';
pub(super) const DONE: u8 = b'k';
pub(super) const FAILED: u8 = b'e';
const REMOVED: u32 = u32::MAX;
/// Bounds on what one frame may announce, so that a broken stream is an
/// error and not an allocation of whatever four bytes say.
const MAX_NAME_BYTES: u32 = 4096;
const MAX_ENTRIES: u32 = 1 << 20;
const MAX_PART_BYTES: u32 = 256 << 20;

#[derive(Debug, thiserror::Error)]
pub enum CopyChildError {
    #[error("reading the hub's frames: {0}")]
    Read(#[source] std::io::Error),
    #[error("answering the hub: {0}")]
    Answer(#[source] std::io::Error),
    #[error("frame {frame}: {problem}")]
    Frame { frame: u64, problem: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes one batch frame for the tree `name`.
pub(super) fn write_batch(
    out: &mut impl Write,
    name: &[u8],
    entries: &Entries,
) -> std::io::Result<()> {
    out.write_all(&[BATCH])?;
    write_part(out, name)?;
    out.write_all(&(entries.len() as u32).to_be_bytes())?;
    for (key, value) in entries {
        write_part(out, key)?;
        match value {
            Some(value) => write_part(out, value)?,
            None => out.write_all(&REMOVED.to_be_bytes())?,
        }
    }
    Ok(())
}

fn write_part(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&(bytes.len() as u32).to_be_bytes())?;
    out.write_all(bytes)
}

/// `lienthong store-copy-child`: frames from stdin into `dir`, answers on
/// stdout. Asks the kernel to kill it first when memory runs out, so that
/// a short machine loses the compaction, not the hub.
pub fn run(dir: &Path, cache_capacity_bytes: u64) -> Result<(), CopyChildError> {
    if let Err(e) = std::fs::write("/proc/self/oom_score_adj", "1000") {
        tracing::debug!(error = %e, "the copy process could not ask to be killed first");
    }
    serve(
        dir,
        cache_capacity_bytes,
        std::io::stdin().lock(),
        std::io::stdout().lock(),
    )
}

/// The child's whole life: frames from `input` written into the sled
/// directory `dir` until `F`. A failure is answered on `output` too.
pub fn serve(
    dir: &Path,
    cache_capacity_bytes: u64,
    input: impl Read,
    mut output: impl Write,
) -> Result<(), CopyChildError> {
    let outcome = serve_frames(dir, cache_capacity_bytes, input, &mut output);
    if let Err(e) = &outcome {
        // The hub reads the reason from here; if it is gone, so is the use.
        let text = e.to_string();
        let _ = output.write_all(&[FAILED]);
        let _ = output.write_all(&(text.len() as u32).to_be_bytes());
        let _ = output.write_all(text.as_bytes());
        let _ = output.flush();
    }
    outcome
}

fn serve_frames(
    dir: &Path,
    cache_capacity_bytes: u64,
    input: impl Read,
    output: &mut impl Write,
) -> Result<(), CopyChildError> {
    let mut input = std::io::BufReader::new(input);
    let mut db = handle::open_db(dir, cache_capacity_bytes)?;
    let writing = |e| StoreError::io("writing the compacted copy", e);
    for frame in 1u64.. {
        let bad = |problem: String| CopyChildError::Frame { frame, problem };
        let mut kind = [0u8];
        input.read_exact(&mut kind).map_err(CopyChildError::Read)?;
        match kind[0] {
            BATCH => {
                let name = read_part(&mut input, MAX_NAME_BYTES, "tree name").map_err(bad)?;
                let count = read_u32(&mut input, "entry count").map_err(bad)?;
                if count > MAX_ENTRIES {
                    return Err(bad(format!(
                        "{count} entries, more than the {MAX_ENTRIES} a batch may hold"
                    )));
                }
                let mut batch = sled::Batch::default();
                for _ in 0..count {
                    let key = read_part(&mut input, MAX_PART_BYTES, "key").map_err(bad)?;
                    match read_value(&mut input).map_err(bad)? {
                        Some(value) => batch.insert(key, value),
                        None => batch.remove(key),
                    }
                }
                tree_of(&db, &name)
                    .and_then(|tree| tree.apply_batch(batch))
                    .map_err(writing)?;
            }
            REOPEN => {
                db.flush().map_err(writing)?;
                drop(db);
                db = handle::open_db(dir, cache_capacity_bytes)?;
                output.write_all(&[DONE]).map_err(CopyChildError::Answer)?;
                output.flush().map_err(CopyChildError::Answer)?;
            }
            FINISH => {
                db.flush().map_err(writing)?;
                drop(db);
                let peak = peak_resident_bytes().unwrap_or(0);
                output.write_all(&[DONE]).map_err(CopyChildError::Answer)?;
                output
                    .write_all(&peak.to_be_bytes())
                    .map_err(CopyChildError::Answer)?;
                output.flush().map_err(CopyChildError::Answer)?;
                return Ok(());
            }
            other => return Err(bad(format!("unknown frame kind {other:#04x}"))),
        }
    }
    unreachable!("frames are counted without end")
}

/// This process's peak resident memory (`VmHWM`), where Linux tells it.
fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn read_u32(input: &mut impl Read, what: &str) -> Result<u32, String> {
    let mut bytes = [0u8; 4];
    input
        .read_exact(&mut bytes)
        .map_err(|e| format!("{what} cut short: {e}"))?;
    Ok(u32::from_be_bytes(bytes))
}

fn read_part(input: &mut impl Read, max: u32, what: &str) -> Result<IVec, String> {
    let len = read_u32(input, what)?;
    read_bytes(input, len, max, what)
}

fn read_value(input: &mut impl Read) -> Result<Option<IVec>, String> {
    match read_u32(input, "value")? {
        REMOVED => Ok(None),
        len => read_bytes(input, len, MAX_PART_BYTES, "value").map(Some),
    }
}

fn read_bytes(input: &mut impl Read, len: u32, max: u32, what: &str) -> Result<IVec, String> {
    if len > max {
        return Err(format!("a {what} of {len} bytes, more than {max}"));
    }
    let mut bytes = vec![0u8; len as usize];
    input
        .read_exact(&mut bytes)
        .map_err(|e| format!("{what} cut short: {e}"))?;
    Ok(bytes.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(pairs: &[(&[u8], Option<&[u8]>)]) -> Entries {
        pairs
            .iter()
            .map(|(k, v)| (IVec::from(*k), v.map(IVec::from)))
            .collect()
    }

    #[test]
    fn frames_written_by_the_hub_land_in_the_copy_through_a_reopen_and_the_finish() {
        let dir = tempfile::tempdir().unwrap();
        let mut frames = Vec::new();
        write_batch(
            &mut frames,
            super::super::DEFAULT_TREE,
            &entries(&[(b"a", Some(b"1")), (b"b", Some(b"2"))]),
        )
        .unwrap();
        write_batch(&mut frames, b"named", &entries(&[(b"x", Some(b"y"))])).unwrap();
        frames.push(REOPEN);
        write_batch(
            &mut frames,
            super::super::DEFAULT_TREE,
            &entries(&[(b"a", None), (b"c", Some(b""))]),
        )
        .unwrap();
        frames.push(FINISH);
        let mut answers = Vec::new();
        serve(dir.path(), 1 << 20, &frames[..], &mut answers).unwrap();
        assert_eq!(answers[..2], [DONE, DONE], "{answers:?}");
        assert_eq!(answers.len(), 2 + 8, "the finish carries the peak");
        let db = handle::open_db(dir.path(), 1 << 20).unwrap();
        let main: Vec<_> = db.iter().map(|i| i.unwrap()).collect();
        assert_eq!(
            main,
            vec![
                (IVec::from(b"b"), IVec::from(b"2")),
                (IVec::from(b"c"), IVec::from(b""))
            ]
        );
        assert_eq!(
            db.open_tree("named").unwrap().get("x").unwrap(),
            Some(IVec::from(b"y"))
        );
    }

    #[test]
    fn a_broken_frame_is_answered_with_what_was_wrong_and_its_batch_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut frames = Vec::new();
        write_batch(&mut frames, b"t", &entries(&[(b"kept", Some(b"1"))])).unwrap();
        // A second batch announcing two entries and carrying one.
        write_batch(&mut frames, b"t", &entries(&[(b"lost", Some(b"2"))])).unwrap();
        // (count, then the key's length and bytes, the value's length and byte)
        let count_at = frames.len() - (4 + 4 + 4 + 1) - 4;
        frames[count_at..count_at + 4].copy_from_slice(&2u32.to_be_bytes());
        let mut answers = Vec::new();
        let e = serve(dir.path(), 1 << 20, &frames[..], &mut answers).unwrap_err();
        assert!(e.to_string().starts_with("frame 2: key cut short"), "{e}");
        assert_eq!(answers[0], FAILED);
        let text = String::from_utf8_lossy(&answers[5..]);
        assert!(text.starts_with("frame 2: key cut short"), "{text}");
        let db = handle::open_db(dir.path(), 1 << 20).unwrap();
        let t = db.open_tree("t").unwrap();
        assert_eq!(t.get("kept").unwrap(), Some(IVec::from(b"1")));
        assert_eq!(t.get("lost").unwrap(), None, "no half batch");

        drop((t, db));
        let unknown = serve(dir.path(), 1 << 20, &b"Z"[..], Vec::new()).unwrap_err();
        assert_eq!(unknown.to_string(), "frame 1: unknown frame kind 0x5a");
        let huge = [&[BATCH][..], &u32::MAX.to_be_bytes()].concat();
        let huge = serve(dir.path(), 1 << 20, &huge[..], Vec::new()).unwrap_err();
        assert_eq!(
            huge.to_string(),
            "frame 1: a tree name of 4294967295 bytes, more than 4096"
        );
    }
}
