//! `lienthong bench --sled-limit N`: what sled 0.34 itself costs at N
//! dossiers, with nothing of the hub in it — the raw figure beside the
//! hub's `--scale N` (issue 12: memory ≤ 512 MiB and a restart after
//! `kill -9` ≤ 5 s at a million dossiers).
//!
//! A child process (this binary's hidden `sled-limit-child`) writes into a
//! plain sled database the records the hub writes through N dossiers'
//! whole lives, as many, as large and in the same order, taken from a
//! trace of the hub's batches at `--scale` (keys and sizes below):
//!
//! 1. fill: per 8 000 dossiers (4 streams × the scale bench's chunk of
//!    2 000), their submits in groups of 512 commands, then their four
//!    later steps in groups of 128 dossiers (512 commands), each group one
//!    `apply_batch` + `flush` as the hub's writer does; within a group a
//!    dossier's record and status key are written once (the writer's group
//!    map keeps the last write of a key);
//! 2. retention: every outbox event removed one `remove` at a time (as the
//!    sweep does, no flush of its own), the audit entries sealed by 1 024
//!    (one batch each: 1 024 removes, one ~241 KB record);
//! 3. archive: per 256 dossiers one batch + flush moving each dossier's
//!    record, five history lines and three listing keys into one archive
//!    record.
//!
//! The parent reads the child's `VmRSS`/`VmHWM` after 1 and after 3, sends
//! it SIGKILL, and times a fresh child from its spawn to `sled::open`
//! returning and to the first flushed insert (the hub's "a command
//! acknowledged"), checks the archive records survived, reads its memory,
//! kills it too and times one more open (sled 0.34 writes its page-table
//! snapshot only when it opens, so this one recovers from the snapshot the
//! second child wrote). Each `--sled-config` is one such run, one column:
//! the hub's own sled configuration (`store/handle.rs`: only the path and
//! `cache_capacity`) with some knobs changed.

#[allow(unused_imports)]
use super::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Dossiers whose submits and then steps the fill writes together: the
/// scale bench's 4 streams × `CHUNK` (2 000).
const BLOCK: usize = 8000;
/// Commands per writer group: `hub.group_commit_max_commands` (512).
const GROUP_COMMANDS: usize = 512;
/// Dossiers per archive job (`hub/retention.rs`, `ARCHIVE_BATCH`).
const ARCHIVE_BATCH: usize = 256;
/// Audit entries per sealed segment (`store/audit.rs`).
const SEGMENT_ENTRIES: u64 = 1024;
/// Agencies and procedures, as the scale bench spreads them.
const AGENCIES: usize = 50;
const PROCEDURES: usize = 20;
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Value sizes, as the hub's trace at `--scale` measured them.
const DOSSIER_SUBMITTED: usize = 347;
const DOSSIER_RETURNED: usize = 468;
const HISTORY_LINE: usize = 71;
const EVENT: usize = 625;
const IDEMPOTENCY_RECORD: usize = 164;
const AUDIT_ENTRY: usize = 232;
const ARCHIVED: usize = 842;

/// The sled knobs of one run. `None`: sled's default, as the hub opens it.
#[derive(Clone, Debug, PartialEq)]
pub struct SledKnobs {
    pub cache_capacity_bytes: u64,
    pub high_throughput: Option<bool>,
    pub segment_size_bytes: Option<usize>,
    /// `Some(None)`: sled's background flush off.
    pub flush_every_ms: Option<Option<u64>>,
}

impl SledKnobs {
    /// `hub`, or the hub's configuration with `key=value` changes separated
    /// by commas: `cache_capacity_bytes`, `mode` (`low_space` |
    /// `high_throughput`), `segment_size_bytes` (a power of two, 256 B to
    /// 16 MiB; sled keeps it in the directory), `flush_every_ms` (a number
    /// or `off`).
    pub fn parse(spec: &str) -> anyhow::Result<SledKnobs> {
        let mut knobs = SledKnobs {
            cache_capacity_bytes: SCALE_CACHE_BYTES,
            high_throughput: None,
            segment_size_bytes: None,
            flush_every_ms: None,
        };
        let spec = spec.trim();
        if spec == "hub" || spec.is_empty() {
            return Ok(knobs);
        }
        for part in spec.split(',') {
            let (key, value) = part
                .split_once('=')
                .with_context(|| format!("--sled-config {spec:?}: {part:?} is not key=value"))?;
            let number = |what: &str| -> anyhow::Result<u64> {
                value.trim().parse().with_context(|| {
                    format!("--sled-config: {what} must be a whole number, not {value:?}")
                })
            };
            match key.trim() {
                "cache_capacity_bytes" => {
                    knobs.cache_capacity_bytes = number("cache_capacity_bytes")?
                }
                "mode" => {
                    knobs.high_throughput = Some(match value.trim() {
                        "low_space" => false,
                        "high_throughput" => true,
                        other => anyhow::bail!(
                            "--sled-config: mode must be low_space or high_throughput, not {other:?}"
                        ),
                    })
                }
                "segment_size_bytes" => {
                    let size = number("segment_size_bytes")?;
                    anyhow::ensure!(
                        size.is_power_of_two() && (256..=16 << 20).contains(&size),
                        "--sled-config: segment_size_bytes must be a power of two from 256 to 16777216, not {size}"
                    );
                    knobs.segment_size_bytes = Some(size as usize);
                }
                "flush_every_ms" => {
                    knobs.flush_every_ms = Some(match value.trim() {
                        "off" => None,
                        _ => Some(number("flush_every_ms")?),
                    })
                }
                other => anyhow::bail!(
                    "--sled-config: unknown key {other:?} (known: cache_capacity_bytes, mode, segment_size_bytes, flush_every_ms)"
                ),
            }
        }
        Ok(knobs)
    }

    /// sled's configuration for `dir`: `Config::new().path(dir)
    /// .cache_capacity(..)` as the hub opens it, then the changed knobs.
    fn config(&self, dir: &std::path::Path) -> sled::Config {
        let mut config = sled::Config::new()
            .path(dir)
            .cache_capacity(self.cache_capacity_bytes);
        if let Some(high) = self.high_throughput {
            config = config.mode(if high {
                sled::Mode::HighThroughput
            } else {
                sled::Mode::LowSpace
            });
        }
        if let Some(size) = self.segment_size_bytes {
            config = config.segment_size(size);
        }
        if let Some(every) = self.flush_every_ms {
            config = config.flush_every_ms(every);
        }
        config
    }
}

/// The hidden `lienthong sled-limit-child`: one side of one run.
#[derive(clap::Args, Debug, Clone)]
pub struct SledChildArgs {
    /// `fill` (write N dossiers' lives), `open` (recover and write once)
    /// or `work` (open, then write N new dossiers' lives on the store).
    #[arg(long, value_parser = ["fill", "open", "work"])]
    pub phase: String,
    #[arg(long)]
    pub dir: std::path::PathBuf,
    #[arg(long)]
    pub dossiers: usize,
    /// As `--sled-config` of `bench`.
    #[arg(long, default_value = "hub")]
    pub config: String,
}

// ---------------------------------------------------------------- keys

fn key(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut key = prefix.to_vec();
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

fn dossier_key(id: u64) -> Vec<u8> {
    key(b"d", &[&id.to_be_bytes()])
}

fn history_key(id: u64, version: u64) -> Vec<u8> {
    key(b"h", &[&id.to_be_bytes(), &version.to_be_bytes()])
}

fn status_key(status: u8, id: u64) -> Vec<u8> {
    key(b"t", &[&[status], &id.to_be_bytes()])
}

fn agency_key(id: u64) -> Vec<u8> {
    let agency = format!("000.00.{:02}.H22", id as usize % AGENCIES);
    key(b"a", &[agency.as_bytes(), &[0], &id.to_be_bytes()])
}

fn procedure_key(id: u64) -> Vec<u8> {
    let procedure = format!("1.{:06}.H38", 948 + id as usize % PROCEDURES);
    key(b"b", &[procedure.as_bytes(), &[0], &id.to_be_bytes()])
}

fn event_key(seq: u64) -> Vec<u8> {
    key(b"e", &[&seq.to_be_bytes()])
}

fn audit_key(index: u64) -> Vec<u8> {
    key(b"ue", &[&index.to_be_bytes()])
}

/// `step`: 0 submit, 1..=4 the later steps; 16-17 characters as the scale
/// bench's `scale-N-step` keys at a million.
fn idempotency_name(id: u64, step: usize) -> String {
    format!("scale-{id:07}-s{step}")
}

/// A value of `len` bytes that is not all one byte.
fn value(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b'a' + (x % 26) as u8
        })
        .collect()
}

/// The expiry index's record of one group (`store/expiry.rs`): `w`, the
/// newest record's time, the first idempotency key; the value lists every
/// idempotency key the group wrote, each after its u16 length. The layout
/// is written out here rather than taken from the store: the benchmark
/// may not name `lienthong::store` (the architecture test), and the raw
/// model must write the same bytes the hub does for its sled to be a fair
/// floor — a change to `expiry.rs`'s layout belongs here too.
fn expiry_record(at: u64, written: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let key = key(b"w", &[&at.to_be_bytes(), &written[0]]);
    let mut value = vec![1u8];
    for listed in written {
        value.extend_from_slice(&(listed.len() as u16).to_be_bytes());
        value.extend_from_slice(listed);
    }
    (key, value)
}

// ---------------------------------------------------------------- child

/// What the child counts while it writes.
#[derive(Default)]
struct Counts {
    dossiers: AtomicUsize,
    writes: AtomicUsize,
    phase: AtomicUsize,
}

const PHASES: [&str; 4] = ["fill", "events removed", "audit sealed", "archive"];

/// The first dossier number plain sled writes at work: past the hub's
/// (`scale_work`, from 10 000 000) and any fill's.
const WORK_FIRST: u64 = 20_000_000;

/// Runs one side of a run; the protocol with the parent is one line on
/// stdout per step, and a line on stdin before going on.
pub fn child(args: SledChildArgs) -> anyhow::Result<()> {
    let knobs = SledKnobs::parse(&args.config)?;
    let n = args.dossiers as u64;
    let mut stdin = std::io::stdin().lock();
    let mut wait = || -> anyhow::Result<()> {
        let mut line = String::new();
        stdin.read_line(&mut line)?;
        Ok(())
    };
    let started = Instant::now();
    let db = knobs.config(&args.dir).open()?;
    let opened = started.elapsed();
    if args.phase == "work" {
        // Plain sled at work on a store the hub left: `n` new dossiers'
        // lives from number `WORK_FIRST` on, memory read by the parent
        // before and after (`plain_sled_at_work`).
        println!("opened {}", opened.as_secs_f64());
        std::io::stdout().flush()?;
        wait()?;
        let worked = Instant::now();
        fill(&db, WORK_FIRST, n, &Counts::default())?;
        println!("worked {}", worked.elapsed().as_secs_f64());
        std::io::stdout().flush()?;
        // Killed here by the parent.
        wait()?;
        return Ok(());
    }
    if args.phase == "open" {
        db.insert(
            b"m/restart_probe",
            &started.elapsed().as_nanos().to_be_bytes(),
        )?;
        db.flush()?;
        let acknowledged = started.elapsed();
        let first = db.get(key(b"z", &[&1u64.to_be_bytes()]))?.is_some();
        let last = db.get(key(b"z", &[&n.to_be_bytes()]))?.is_some();
        println!(
            "opened {} {} {}",
            opened.as_secs_f64(),
            acknowledged.as_secs_f64(),
            first && last
        );
        std::io::stdout().flush()?;
        // Killed here by the parent.
        wait()?;
        return Ok(());
    }

    let counts = Arc::new(Counts::default());
    let progress = {
        let counts = counts.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(PROGRESS_EVERY);
            let phase = counts.phase.load(Ordering::Relaxed);
            if phase >= PHASES.len() {
                return;
            }
            let done = counts.dossiers.load(Ordering::Relaxed);
            eprintln!(
                "sled-limit: {}: {done} / {n}, {} writes in all, {:.0} s",
                PHASES.get(phase).unwrap_or(&"done"),
                counts.writes.load(Ordering::Relaxed),
                started.elapsed().as_secs_f64()
            );
        })
    };
    let fill_started = Instant::now();
    fill(&db, 1, n, &counts)?;
    println!(
        "filled {} {}",
        fill_started.elapsed().as_secs_f64(),
        counts.writes.load(Ordering::Relaxed)
    );
    std::io::stdout().flush()?;
    wait()?;
    let later = Instant::now();
    // Each step's time and the memory after it, to say which one costs.
    let mut steps = String::new();
    let mut step = |took: Duration| -> anyhow::Result<()> {
        let (rss, hwm) = memory(std::process::id())?;
        steps.push_str(&format!(" {} {rss} {hwm}", took.as_secs_f64()));
        Ok(())
    };
    let at = Instant::now();
    remove_events(&db, n, &counts)?;
    step(at.elapsed())?;
    let at = Instant::now();
    seal_audit(&db, n, &counts)?;
    step(at.elapsed())?;
    let at = Instant::now();
    archive(&db, n, &counts)?;
    step(at.elapsed())?;
    counts.phase.store(PHASES.len(), Ordering::Relaxed);
    println!(
        "lived {} {}{steps}",
        later.elapsed().as_secs_f64(),
        counts.writes.load(Ordering::Relaxed)
    );
    std::io::stdout().flush()?;
    drop(progress);
    // Killed here by the parent.
    wait()?;
    Ok(())
}

fn apply(db: &sled::Db, batch: sled::Batch, writes: usize, counts: &Counts) -> sled::Result<()> {
    db.apply_batch(batch)?;
    db.flush()?;
    counts.writes.fetch_add(writes, Ordering::Relaxed);
    Ok(())
}

/// Every dossier's five commands, as the hub's writer groups them: dossiers
/// `first..first + n`, their events and audit entries numbered after those
/// of the dossiers before `first`.
fn fill(db: &sled::Db, first: u64, n: u64, counts: &Counts) -> anyhow::Result<()> {
    let mut seq = (first - 1) * LIFE as u64;
    let mut audit = seq;
    let ids: Vec<u64> = (first..first + n).collect();
    for block in ids.chunks(BLOCK) {
        for group in block.chunks(GROUP_COMMANDS) {
            let mut batch = sled::Batch::default();
            let mut writes = 0;
            let mut written = Vec::with_capacity(group.len());
            let mut put = |batch: &mut sled::Batch, k: Vec<u8>, v: Vec<u8>| {
                batch.insert(k, v);
                writes += 1;
            };
            for &id in group {
                seq += 1;
                audit += 1;
                put(&mut batch, dossier_key(id), value(DOSSIER_SUBMITTED, id));
                let ma_ho_so = format!("000.00.{:02}.H22-261202-{:05}", id % 50, id);
                put(
                    &mut batch,
                    key(b"x", &[ma_ho_so.as_bytes()]),
                    id.to_be_bytes().to_vec(),
                );
                put(&mut batch, agency_key(id), Vec::new());
                put(&mut batch, procedure_key(id), Vec::new());
                put(&mut batch, status_key(1, id), Vec::new());
                put(&mut batch, history_key(id, 1), value(HISTORY_LINE, seq));
                put(&mut batch, event_key(seq), value(EVENT, seq));
                let name = idempotency_name(id, 0);
                let idempotency = key(b"i", &[b"one-stop\0", name.as_bytes()]);
                written.push(idempotency.clone());
                put(&mut batch, idempotency, value(IDEMPOTENCY_RECORD, seq));
                put(&mut batch, audit_key(audit), value(AUDIT_ENTRY, audit));
                put(
                    &mut batch,
                    key(b"uk", &[b"one-stop\0", name.as_bytes()]),
                    audit.to_be_bytes().to_vec(),
                );
            }
            let (index, listed) = expiry_record(seq, &written);
            put(&mut batch, index, listed);
            // The counters: next seq, next dossier id, each agency's day.
            put(
                &mut batch,
                b"m/next_seq".to_vec(),
                seq.to_be_bytes().to_vec(),
            );
            put(
                &mut batch,
                b"m/next_dossier_id".to_vec(),
                (group[group.len() - 1] + 1).to_be_bytes().to_vec(),
            );
            for agency in 0..AGENCIES.min(group.len()) {
                let daily = format!("m/dy/000.00.{agency:02}.H22\0261202");
                put(&mut batch, daily.into_bytes(), seq.to_be_bytes().to_vec());
            }
            apply(db, batch, writes, counts)?;
        }
        for group in block.chunks(GROUP_COMMANDS / 4) {
            let mut batch = sled::Batch::default();
            let mut writes = 0;
            let mut written = Vec::with_capacity(group.len() * 4);
            let mut put = |batch: &mut sled::Batch, k: Vec<u8>, v: Option<Vec<u8>>| {
                match v {
                    Some(v) => batch.insert(k, v),
                    None => batch.remove(k),
                }
                writes += 1;
            };
            for &id in group {
                for step in 1..=4u64 {
                    seq += 1;
                    audit += 1;
                    put(
                        &mut batch,
                        history_key(id, step + 1),
                        Some(value(HISTORY_LINE, seq)),
                    );
                    put(&mut batch, event_key(seq), Some(value(EVENT, seq)));
                    let name = idempotency_name(id, step as usize);
                    let idempotency = key(b"i", &[b"one-stop\0", name.as_bytes()]);
                    written.push(idempotency.clone());
                    put(
                        &mut batch,
                        idempotency,
                        Some(value(IDEMPOTENCY_RECORD, seq)),
                    );
                    put(
                        &mut batch,
                        audit_key(audit),
                        Some(value(AUDIT_ENTRY, audit)),
                    );
                    put(
                        &mut batch,
                        key(b"uk", &[b"one-stop\0", name.as_bytes()]),
                        Some(audit.to_be_bytes().to_vec()),
                    );
                    // The status key moves: the one before goes.
                    put(&mut batch, status_key(step as u8, id), None);
                }
                put(&mut batch, status_key(5, id), Some(Vec::new()));
                put(
                    &mut batch,
                    dossier_key(id),
                    Some(value(DOSSIER_RETURNED, id)),
                );
            }
            let (index, listed) = expiry_record(seq, &written);
            put(&mut batch, index, Some(listed));
            put(
                &mut batch,
                b"m/next_seq".to_vec(),
                Some(seq.to_be_bytes().to_vec()),
            );
            apply(db, batch, writes, counts)?;
        }
        counts.dossiers.fetch_add(block.len(), Ordering::Relaxed);
    }
    Ok(())
}

/// The retention sweep's removal of delivered events: one at a time.
fn remove_events(db: &sled::Db, n: u64, counts: &Counts) -> anyhow::Result<()> {
    counts.phase.store(1, Ordering::Relaxed);
    counts.dossiers.store(0, Ordering::Relaxed);
    for seq in 1..=n * LIFE as u64 {
        db.remove(event_key(seq))?;
        counts.writes.fetch_add(1, Ordering::Relaxed);
        if seq % LIFE as u64 == 0 {
            counts.dossiers.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// The audit entries sealed by 1 024, one batch per segment, as long as an
/// entry stays after it.
fn seal_audit(db: &sled::Db, n: u64, counts: &Counts) -> anyhow::Result<()> {
    counts.phase.store(2, Ordering::Relaxed);
    counts.dossiers.store(0, Ordering::Relaxed);
    let entries = n * LIFE as u64;
    let mut first = 1;
    while first + SEGMENT_ENTRIES <= entries {
        let mut batch = sled::Batch::default();
        let mut sealed = Vec::with_capacity(5 + SEGMENT_ENTRIES as usize * (4 + AUDIT_ENTRY));
        sealed.push(1);
        sealed.extend_from_slice(&(SEGMENT_ENTRIES as u32).to_be_bytes());
        for index in first..first + SEGMENT_ENTRIES {
            sealed.extend_from_slice(&(AUDIT_ENTRY as u32).to_be_bytes());
            sealed.extend_from_slice(&value(AUDIT_ENTRY, index));
            batch.remove(audit_key(index));
        }
        batch.insert(key(b"us", &[&first.to_be_bytes()]), sealed);
        db.apply_batch(batch)?;
        counts
            .writes
            .fetch_add(SEGMENT_ENTRIES as usize + 1, Ordering::Relaxed);
        counts
            .dossiers
            .fetch_add(SEGMENT_ENTRIES as usize / LIFE, Ordering::Relaxed);
        first += SEGMENT_ENTRIES;
    }
    Ok(())
}

/// Every dossier moved into its archive record, 256 per writer job.
fn archive(db: &sled::Db, n: u64, counts: &Counts) -> anyhow::Result<()> {
    counts.phase.store(3, Ordering::Relaxed);
    counts.dossiers.store(0, Ordering::Relaxed);
    let ids: Vec<u64> = (1..=n).collect();
    for job in ids.chunks(ARCHIVE_BATCH) {
        let mut batch = sled::Batch::default();
        for &id in job {
            for version in 1..=LIFE as u64 {
                batch.remove(history_key(id, version));
            }
            batch.remove(agency_key(id));
            batch.remove(procedure_key(id));
            batch.remove(status_key(5, id));
            batch.remove(dossier_key(id));
            batch.insert(key(b"z", &[&id.to_be_bytes()]), value(ARCHIVED, id));
        }
        apply(db, batch, job.len() * (LIFE + 5), counts)?;
        counts.dossiers.fetch_add(job.len(), Ordering::Relaxed);
    }
    Ok(())
}

// ---------------------------------------------------------------- parent

/// A child process and the line protocol with it.
struct Side {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Side {
    fn spawn(
        phase: &str,
        dir: &std::path::Path,
        dossiers: usize,
        config: &str,
    ) -> anyhow::Result<Side> {
        let mut child = std::process::Command::new(std::env::current_exe()?)
            .arg("sled-limit-child")
            .args([
                "--phase",
                phase,
                "--dossiers",
                &dossiers.to_string(),
                "--config",
                config,
            ])
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting `lienthong sled-limit-child`")?;
        let stdin = child.stdin.take().context("the child's stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("the child's stdout")?);
        Ok(Side {
            child,
            stdin,
            stdout,
        })
    }

    /// The next line, split into its words after `word`.
    fn expect(&mut self, word: &str) -> anyhow::Result<Vec<String>> {
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        let mut words = line.split_whitespace().map(String::from);
        match words.next() {
            Some(w) if w == word => Ok(words.collect()),
            _ => {
                let status = self.child.wait()?;
                anyhow::bail!("sled-limit-child: expected {word:?}, got {line:?} ({status})")
            }
        }
    }

    fn go_on(&mut self) -> anyhow::Result<()> {
        writeln!(self.stdin)?;
        Ok(())
    }

    fn memory(&self) -> anyhow::Result<(u64, u64)> {
        memory(self.child.id())
    }

    fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Plain sled (`sled-limit-child --phase open`: the hub's sled
/// configuration with the cache `cache_capacity_bytes`, and nothing of
/// the hub) opening the store of the hub's
/// data directory `data_dir` (stopped), which holds `dossiers` archived
/// dossiers: (seconds until `sled::open` returned, VmRSS / VmHWM then).
/// What the hub's own memory is beside what sled alone holds for the same
/// records. (The child writes one probe key, `m/restart_probe`.)
pub(super) fn plain_sled_open(
    data_dir: &std::path::Path,
    dossiers: usize,
    cache_capacity_bytes: u64,
) -> anyhow::Result<(f64, (u64, u64))> {
    let sled_dir = lienthong::app::sled_dir(data_dir)?;
    let config = format!("cache_capacity_bytes={cache_capacity_bytes}");
    let mut side = Side::spawn("open", &sled_dir, dossiers, &config)?;
    let opened = side.expect("opened")?;
    anyhow::ensure!(
        opened.get(2).map(String::as_str) == Some("true"),
        "plain sled does not find the archive records of dossiers 1 and {dossiers}"
    );
    let memory = side.memory()?;
    side.kill()?;
    Ok((number(&opened, 0)?, memory))
}

/// Plain sled's memory opened and after its work (VmRSS, VmHWM each), and
/// the work's seconds.
pub(super) type PlainAtWork = ((u64, u64), (u64, u64), f64);

/// Plain sled (`sled-limit-child --phase work`: the hub's sled
/// configuration, nothing of the hub) opening the store of hub data
/// directory `data_dir` and writing `dossiers` new dossiers' lives as the
/// hub's writer groups them: (VmRSS, VmHWM) opened, then after the work,
/// and the work's seconds.
pub(super) fn plain_sled_at_work(
    data_dir: &std::path::Path,
    dossiers: usize,
    cache_capacity_bytes: u64,
) -> anyhow::Result<PlainAtWork> {
    let sled_dir = lienthong::app::sled_dir(data_dir)?;
    let config = format!("cache_capacity_bytes={cache_capacity_bytes}");
    let mut side = Side::spawn("work", &sled_dir, dossiers, &config)?;
    side.expect("opened")?;
    let rest = side.memory()?;
    side.go_on()?;
    let worked = side.expect("worked")?;
    let work = side.memory()?;
    side.kill()?;
    Ok((rest, work, number(&worked, 0)?))
}

fn number(words: &[String], at: usize) -> anyhow::Result<f64> {
    words
        .get(at)
        .context("a figure missing in the child's line")?
        .parse()
        .context("a figure of the child's line")
}

/// One run's figures.
struct Column {
    config: String,
    fill_seconds: f64,
    fill_writes: f64,
    filled_memory: (u64, u64),
    filled_disk: u64,
    lived_seconds: f64,
    lived_writes: f64,
    lived_memory: (u64, u64),
    lived_disk: u64,
    /// Events removed, audit sealed, archived: (seconds, VmRSS, VmHWM).
    steps: Vec<(f64, u64, u64)>,
    /// From the second child's spawn: sled::open returned, a write flushed.
    restart: (f64, f64),
    restart_open: f64,
    restarted_memory: (u64, u64),
    /// The third child, after the second's open wrote a snapshot.
    reopen: (f64, f64),
    reopen_open: f64,
}

fn run_one(dir: &std::path::Path, dossiers: usize, config: &str) -> anyhow::Result<Column> {
    let _ = std::fs::remove_dir_all(dir);
    eprintln!(
        "sled-limit: {dossiers} dossiers, sled config {config:?}, in {}",
        dir.display()
    );
    let mut side = Side::spawn("fill", dir, dossiers, config)?;
    let filled = side.expect("filled")?;
    let filled_memory = side.memory()?;
    let filled_disk = dir_size(dir);
    side.go_on()?;
    let lived = side.expect("lived")?;
    let lived_memory = side.memory()?;
    let lived_disk = dir_size(dir);
    side.kill()?;

    let restart = |dir: &std::path::Path| -> anyhow::Result<(Side, (f64, f64), f64)> {
        let spawned = Instant::now();
        let mut side = Side::spawn("open", dir, dossiers, config)?;
        let opened = side.expect("opened")?;
        let acknowledged = spawned.elapsed().as_secs_f64();
        let (open, ack) = (number(&opened, 0)?, number(&opened, 1)?);
        anyhow::ensure!(
            opened.get(2).map(String::as_str) == Some("true"),
            "after SIGKILL the archive records of dossiers 1 and {dossiers} are missing"
        );
        // From the spawn: the process's start, then the child's own times.
        let start = acknowledged - ack;
        Ok((side, (start + open, acknowledged), open))
    };
    let (side, restart_times, restart_open) = restart(dir)?;
    let restarted_memory = side.memory()?;
    side.kill()?;
    let (side, reopen_times, reopen_open) = restart(dir)?;
    side.kill()?;
    let column = Column {
        config: config.to_string(),
        fill_seconds: number(&filled, 0)?,
        fill_writes: number(&filled, 1)?,
        filled_memory,
        filled_disk,
        lived_seconds: number(&lived, 0)?,
        lived_writes: number(&lived, 1)? - number(&filled, 1)?,
        lived_memory,
        lived_disk,
        steps: (0..3)
            .map(|i| {
                Ok((
                    number(&lived, 2 + 3 * i)?,
                    number(&lived, 3 + 3 * i)? as u64,
                    number(&lived, 4 + 3 * i)? as u64,
                ))
            })
            .collect::<anyhow::Result<_>>()?,
        restart: restart_times,
        restart_open,
        restarted_memory,
        reopen: reopen_times,
        reopen_open,
    };
    eprintln!(
        "sled-limit: {config}: restart after SIGKILL {:.2} s (sled::open {:.2} s), again after a clean open {:.2} s",
        column.restart.1, column.restart_open, column.reopen.1
    );
    Ok(column)
}

pub(super) fn sled_limit_run(
    base: &std::path::Path,
    dossiers: usize,
    configs: &[String],
) -> anyhow::Result<()> {
    let configs: Vec<String> = if configs.is_empty() {
        vec!["hub".into()]
    } else {
        configs.to_vec()
    };
    for config in &configs {
        SledKnobs::parse(config)?;
    }
    println!(
        "lienthong bench --sled-limit {dossiers}: raw sled 0.34, the hub's records of {dossiers} dossiers' lives, {} run(s), data in {}",
        configs.len(),
        base.display()
    );
    let dir = base.join("sled-limit");
    let mut columns = Vec::new();
    for config in &configs {
        columns.push(run_one(&dir, dossiers, config)?);
        // Where the bytes are, once: the same prefixes as the hub's.
        if columns.len() == 1 {
            match lienthong::app::data_usage(&dir) {
                Ok(usage) => print!("{}", crate::data_usage_table(&usage, Some(dossiers))),
                Err(e) => eprintln!("sled-limit: cannot size the records: {e}"),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!();
    print!("{}", render(dossiers, &columns));
    Ok(())
}

fn render(dossiers: usize, columns: &[Column]) -> String {
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let per = |b: u64| b as f64 / dossiers.max(1) as f64;
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |name: &str, cell: &dyn Fn(&Column) -> String| {
        rows.push((name.to_string(), columns.iter().map(cell).collect()));
    };
    let commands = (dossiers * LIFE) as f64;
    row("fill: writes / time / commands per s", &|c| {
        format!(
            "{:.0} / {:.1} s / {:.0}",
            c.fill_writes,
            c.fill_seconds,
            commands / c.fill_seconds
        )
    });
    row(
        "VmRSS / VmHWM after the fill (hub target ≤ 512 MiB)",
        &|c| {
            format!(
                "{:.0} / {:.0} MiB",
                mib(c.filled_memory.0),
                mib(c.filled_memory.1)
            )
        },
    );
    row("disk after the fill, per dossier", &|c| {
        format!(
            "{:.0} B ({:.0} MiB)",
            per(c.filled_disk),
            mib(c.filled_disk)
        )
    });
    row(
        "events removed, audit sealed, archived: writes / time",
        &|c| format!("{:.0} / {:.1} s", c.lived_writes, c.lived_seconds),
    );
    for (i, name) in ["events removed one by one", "audit sealed", "archived"]
        .iter()
        .enumerate()
    {
        row(&format!("… {name}: time, then VmRSS / VmHWM"), &|c| {
            let (secs, rss, hwm) = c.steps[i];
            format!("{secs:.1} s, {:.0} / {:.0} MiB", mib(rss), mib(hwm))
        });
    }
    row("VmRSS / VmHWM after them", &|c| {
        format!(
            "{:.0} / {:.0} MiB",
            mib(c.lived_memory.0),
            mib(c.lived_memory.1)
        )
    });
    row("disk after them, per dossier", &|c| {
        format!("{:.0} B ({:.0} MiB)", per(c.lived_disk), mib(c.lived_disk))
    });
    row(
        "**restart after SIGKILL**: opened / a write flushed, from spawn (hub target ≤ 5 s)",
        &|c| format!("**{:.2} / {:.2} s**", c.restart.0, c.restart.1),
    );
    row("… of which sled::open", &|c| {
        format!("{:.2} s", c.restart_open)
    });
    row("VmRSS / VmHWM of the restarted process", &|c| {
        format!(
            "{:.0} / {:.0} MiB",
            mib(c.restarted_memory.0),
            mib(c.restarted_memory.1)
        )
    });
    row(
        "SIGKILL again right after that open: opened / a write flushed",
        &|c| {
            format!(
                "{:.2} / {:.2} s (sled::open {:.2} s)",
                c.reopen.0, c.reopen.1, c.reopen_open
            )
        },
    );
    let mut out = String::from("| raw sled, ");
    out.push_str(&format!("{dossiers} dossiers |"));
    for c in columns {
        out.push_str(&format!(" `{}` |", c.config));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(columns.len()));
    out.push('\n');
    for (name, cells) in rows {
        out.push_str(&format!("| {name} |"));
        for cell in cells {
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_parse_with_the_hub_as_default_and_name_what_is_wrong() {
        let hub = SledKnobs::parse("hub").unwrap();
        assert_eq!(hub.cache_capacity_bytes, SCALE_CACHE_BYTES);
        assert_eq!(hub.high_throughput, None);
        let changed = SledKnobs::parse(
            "cache_capacity_bytes=33554432,mode=high_throughput,segment_size_bytes=8388608,flush_every_ms=off",
        )
        .unwrap();
        assert_eq!(changed.cache_capacity_bytes, 32 << 20);
        assert_eq!(changed.high_throughput, Some(true));
        assert_eq!(changed.segment_size_bytes, Some(8 << 20));
        assert_eq!(changed.flush_every_ms, Some(None));
        let wrong = SledKnobs::parse("segment_size_bytes=1000").unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("segment_size_bytes must be a power of two"),
            "{wrong}"
        );
        let unknown = SledKnobs::parse("snapshot_after_ops=10").unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("unknown key \"snapshot_after_ops\""),
            "{unknown}"
        );
        let mode = SledKnobs::parse("mode=fast").unwrap_err();
        assert!(mode.to_string().contains("mode must be"), "{mode}");
    }

    #[test]
    fn the_keys_have_the_hubs_sizes() {
        assert_eq!(dossier_key(1).len(), 9);
        assert_eq!(history_key(1, 1).len(), 17);
        assert_eq!(status_key(1, 1).len(), 10);
        assert_eq!(agency_key(7).len(), 23);
        assert_eq!(procedure_key(7).len(), 22);
        assert_eq!(audit_key(1).len(), 10);
        assert_eq!(value(EVENT, 3).len(), EVENT);
        assert_ne!(value(8, 1), value(8, 2));
    }
}
