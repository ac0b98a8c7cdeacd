//! `lienthong bench --sled-replay N`: how long plain sled 0.34 takes to
//! replay N inserts, N removals and N batched removals when it opens a
//! directory. The planned store reopen counts bytes of records, and a
//! removal writes few of them: this says what a removal costs a recovery
//! beside an insert (README, "Planned store reopens": weighting removals
//! by it was tried at a million dossiers and reverted).
//!
//! sled 0.34 writes its page-table snapshot only when it opens, and a
//! clean close writes none: so closing after the writes and timing the
//! next open times exactly the replay a crash at that point would cost
//! (the open after it, which finds the fresh snapshot, is the baseline).
//! Each write phase also says how many bytes it made the kernel write
//! (`/proc/self/io`), to show that replay follows operations, not bytes.

#[allow(unused_imports)]
use super::*;

/// The records: 9-byte keys (a prefix and a big-endian number, as the
/// outbox's), 300-byte values (about a dossier record's size).
const VALUE_BYTES: usize = 300;
const BATCH: u64 = 100;

fn key(i: u64) -> [u8; 9] {
    let mut key = [b'r'; 9];
    key[1..].copy_from_slice(&i.to_be_bytes());
    key
}

/// Bytes this process has made the kernel write to storage so far.
fn written_to_disk() -> anyhow::Result<u64> {
    let io = std::fs::read_to_string("/proc/self/io")?;
    io.lines()
        .find_map(|line| line.strip_prefix("write_bytes:"))
        .context("no write_bytes in /proc/self/io")?
        .trim()
        .parse()
        .context("write_bytes in /proc/self/io")
}

/// Opens `dir`, waiting for the lock of a handle closed a moment ago.
fn open(dir: &std::path::Path) -> anyhow::Result<(sled::Db, Duration)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let started = Instant::now();
        match sled::Config::new().path(dir).open() {
            Ok(db) => return Ok((db, started.elapsed())),
            Err(e) if Instant::now() < deadline && e.to_string().contains("lock") => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => return Err(e).context("opening the sled directory"),
        }
    }
}

struct Phase {
    name: &'static str,
    ops: u64,
    seconds: f64,
    disk_bytes: u64,
    replay: Duration,
    reopened: Duration,
}

/// `write` on a freshly opened `dir`, flushed and closed; then two opens:
/// the replay, and the baseline.
fn phase(
    dir: &std::path::Path,
    name: &'static str,
    ops: u64,
    write: impl FnOnce(&sled::Db) -> sled::Result<()>,
) -> anyhow::Result<Phase> {
    let (db, _) = open(dir)?;
    let (before, started) = (written_to_disk()?, Instant::now());
    write(&db)?;
    db.flush()?;
    let seconds = started.elapsed().as_secs_f64();
    let disk_bytes = written_to_disk()? - before;
    drop(db);
    let (db, replay) = open(dir)?;
    drop(db);
    let (db, reopened) = open(dir)?;
    drop(db);
    eprintln!("sled-replay: {name} done");
    Ok(Phase {
        name,
        ops,
        seconds,
        disk_bytes,
        replay,
        reopened,
    })
}

fn insert_all(db: &sled::Db, n: u64) -> sled::Result<()> {
    let value = vec![7u8; VALUE_BYTES];
    for first in (0..n).step_by(BATCH as usize) {
        let mut batch = sled::Batch::default();
        for i in first..(first + BATCH).min(n) {
            batch.insert(&key(i), value.clone());
        }
        db.apply_batch(batch)?;
    }
    Ok(())
}

/// The three shown phases, measured in `base`.
fn measure(base: &std::path::Path, n: u64) -> anyhow::Result<[Phase; 3]> {
    let dir = base.join("sled-replay");
    let one = phase(&dir, "insert, batches of 100", n, |db| insert_all(db, n))?;
    let two = phase(&dir, "remove, one at a time (the outbox sweep)", n, |db| {
        (0..n).try_for_each(|i| db.remove(key(i)).map(drop))
    })?;
    phase(&dir, "insert again (not shown)", n, |db| insert_all(db, n))?;
    let three = phase(
        &dir,
        "remove, batches of 100 (idempotency, audit seal)",
        n,
        |db| {
            for first in (0..n).step_by(BATCH as usize) {
                let mut batch = sled::Batch::default();
                for i in first..(first + BATCH).min(n) {
                    batch.remove(&key(i));
                }
                db.apply_batch(batch)?;
            }
            Ok(())
        },
    )?;
    let (db, _) = open(&dir)?;
    anyhow::ensure!(
        db.is_empty(),
        "{} records left after removing them all",
        db.len()
    );
    Ok([one, two, three])
}

pub(super) fn sled_replay_run(base: &std::path::Path, n: u64) -> anyhow::Result<()> {
    let [one, two, three] = measure(base, n)?;
    let mut table = Table::default();
    table.row(
        format!(
            "plain sled 0.34, {n} operations per phase ({VALUE_BYTES}-byte values, 9-byte keys)"
        ),
        "written in / disk bytes per operation / open after (the replay) / open after that",
    );
    for p in [&one, &two, &three] {
        table.row(
            p.name,
            format!(
                "{:.1} s / {:.0} B / **{:.2} s** ({:.2} s per million) / {:.2} s",
                p.seconds,
                p.disk_bytes as f64 / p.ops as f64,
                p.replay.as_secs_f64(),
                p.replay.as_secs_f64() * 1e6 / p.ops as f64,
                p.reopened.as_secs_f64()
            ),
        );
    }
    let insert = one.replay.as_secs_f64().max(1e-9);
    let record = (VALUE_BYTES + 9) as f64;
    table.row(
        "a removal replays as long as an insert of (bytes, one at a time / batched)",
        format!(
            "{:.0} / {:.0} (the planned reopen counts its key's bytes)",
            record * two.replay.as_secs_f64() / insert,
            record * three.replay.as_secs_f64() / insert,
        ),
    );
    print!("{}", table.render());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_writes_replays_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let phases = measure(dir.path(), 2_000).expect("the phases run on a real sled directory");
        for p in &phases {
            assert_eq!(p.ops, 2_000);
            assert!(p.disk_bytes > 0, "{} wrote to disk", p.name);
        }
    }
}
