//! Where the processor time of a measurement went: this process's CPU
//! seconds (user + system) over one load, in all and per kind of thread.
//!
//! The hub and the minimal pipeline run in this process beside the same
//! 128 clients, on a machine of two cores. When both loads keep the cores
//! busy, the rates can differ only as much as the work per command does:
//! `minimal CPU per command / hub CPU per command` is then the highest
//! ratio the hub could reach without doing less, and the writer thread's
//! share says whether the one thread that orders commands is the limit
//! instead. Read from `/proc/self/stat` (the whole process, threads that
//! ended included) and `/proc/self/task/*/stat` (each live thread, by name).

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// The CPU time counters at one moment.
pub(super) struct CpuSample {
    at: Instant,
    /// The whole process, in clock ticks.
    process_ticks: u64,
    /// Each live thread: its name and ticks.
    threads: HashMap<u32, (String, u64)>,
}

/// What one load cost in processor time.
#[derive(Clone, Debug, Default)]
pub(super) struct CpuSpent {
    pub(super) cpu_seconds: f64,
    pub(super) wall_seconds: f64,
    /// CPU seconds per kind of thread (`thread_kind`).
    pub(super) by_kind: BTreeMap<&'static str, f64>,
}

impl CpuSpent {
    /// Microseconds of CPU per command.
    pub(super) fn per_command_us(&self, commands: usize) -> f64 {
        self.cpu_seconds * 1e6 / commands.max(1) as f64
    }

    /// One kind of thread's microseconds of CPU per command.
    pub(super) fn kind_per_command_us(&self, kind: &str, commands: usize) -> f64 {
        self.by_kind.get(kind).copied().unwrap_or_default() * 1e6 / commands.max(1) as f64
    }

    /// How many cores the process kept busy, on average.
    pub(super) fn cores_busy(&self) -> f64 {
        if self.wall_seconds > 0.0 {
            self.cpu_seconds / self.wall_seconds
        } else {
            0.0
        }
    }
}

/// The counters now. A machine without `/proc` gives zeros, never an error:
/// the rates do not depend on it.
pub(super) fn sample() -> CpuSample {
    let process_ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|text| parse_stat(&text))
        .map_or(0, |(_, ticks)| ticks);
    let mut threads = HashMap::new();
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            if let Some(parsed) = std::fs::read_to_string(task.path().join("stat"))
                .ok()
                .and_then(|text| parse_stat(&text))
            {
                threads.insert(tid, parsed);
            }
        }
    }
    CpuSample {
        at: Instant::now(),
        process_ticks,
        threads,
    }
}

/// What was spent from `before` to `after`. A thread that started in
/// between counts from zero; one that ended is in the total only.
pub(super) fn spent(before: &CpuSample, after: &CpuSample) -> CpuSpent {
    let tick = ticks_per_second();
    let mut by_kind: BTreeMap<&'static str, f64> = BTreeMap::new();
    for (tid, (name, ticks)) in &after.threads {
        let earlier = before.threads.get(tid).map_or(0, |(_, t)| *t);
        *by_kind.entry(thread_kind(name)).or_default() +=
            ticks.saturating_sub(earlier) as f64 / tick;
    }
    CpuSpent {
        cpu_seconds: after.process_ticks.saturating_sub(before.process_ticks) as f64 / tick,
        wall_seconds: (after.at - before.at).as_secs_f64(),
        by_kind,
    }
}

/// The kind of a thread, by the name it was given (at most 15 bytes are
/// kept by the kernel).
pub(super) fn thread_kind(name: &str) -> &'static str {
    match name {
        "lienthong-write" | "bench-minimal-w" => "writer",
        "lienthong-flush" => "flusher",
        // sled's I/O pool and its log flusher.
        n if n.starts_with("sled") || n == "log flusher" => "sled",
        // Each lapin connection's socket loop (the AMQP measurements).
        "lapin-io-loop" => "lapin",
        // `tokio-runtime-worker` once, `tokio-rt-worker` now.
        n if n.starts_with("tokio") => "tokio",
        _ => "other",
    }
}

/// A `stat` line's thread name and user + system ticks. The name is in
/// parentheses and may hold spaces; the fields after it are numbered from
/// the state (field 3): utime is field 14, stime field 15.
pub(super) fn parse_stat(text: &str) -> Option<(String, u64)> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

pub(super) fn ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_name_and_ticks_even_with_spaces_in_the_name() {
        let line = "4242 (tokio-runtime w) S 1 4242 4242 0 -1 4194368 100 0 0 0 \
                    250 75 0 0 20 0 9 0 1234 5678 90 18446744073709551615";
        assert_eq!(parse_stat(line), Some(("tokio-runtime w".to_string(), 325)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn threads_are_grouped_by_their_names() {
        assert_eq!(thread_kind("lienthong-write"), "writer");
        assert_eq!(thread_kind("bench-minimal-w"), "writer");
        assert_eq!(thread_kind("lienthong-flush"), "flusher");
        assert_eq!(thread_kind("sled-io-3"), "sled");
        assert_eq!(thread_kind("log flusher"), "sled");
        assert_eq!(thread_kind("tokio-runtime-w"), "tokio");
        assert_eq!(thread_kind("tokio-rt-worker"), "tokio");
        assert_eq!(thread_kind("lapin-io-loop"), "lapin");
        assert_eq!(thread_kind("lienthong"), "other");
    }

    #[test]
    fn this_process_spends_cpu_while_it_works() {
        let before = sample();
        let mut x = 0u64;
        let until = Instant::now() + std::time::Duration::from_millis(200);
        while Instant::now() < until {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let after = sample();
        let spent = spent(&before, &after);
        assert!(spent.cpu_seconds > 0.0, "{spent:?}");
        assert!(!spent.by_kind.is_empty(), "{spent:?}");
    }
}
