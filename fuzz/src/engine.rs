//! The fuzzing loop: mutate a corpus entry, hand it to the target inside
//! `catch_unwind`, and keep what it tells. A panic is a crash, reported with
//! the input's hex and the run's seed (the run replays exactly); an input
//! that gives an outcome not seen before joins the working corpus, the
//! engine's only feedback (no coverage instrumentation on stable Rust).

use crate::mutate::mutate;
use crate::rng::Rng;
use crate::Target;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;
use std::time::{Duration, Instant};

/// A panic the target let through.
#[derive(Debug, Clone)]
pub struct Crash {
    pub target: &'static str,
    pub seed: u64,
    pub execution: u64,
    pub input_hex: String,
    pub message: String,
}

/// What a run of one target did.
#[derive(Debug)]
pub struct Report {
    pub target: &'static str,
    pub seed: u64,
    pub executions: u64,
    pub elapsed: Duration,
    /// Each distinct outcome and how often the target gave it.
    pub outcomes: BTreeMap<String, u64>,
    pub crashes: Vec<Crash>,
    /// The longest any single input took (a hang shows here).
    pub slowest: Duration,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

thread_local! {
    static FUZZING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Panics on a fuzzing thread are recorded, not printed (there may be
/// thousands); anywhere else they go to the hook that was there before.
fn quiet_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if FUZZING.with(Cell::get) {
                LAST_PANIC.with(|l| *l.borrow_mut() = info.to_string());
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `target` on one input, panics caught.
pub fn execute(target: &Target, input: &[u8]) -> Result<String, String> {
    quiet_panics();
    FUZZING.with(|f| f.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    FUZZING.with(|f| f.set(false));
    result.map_err(|_| LAST_PANIC.with(|l| l.borrow().clone()))
}

/// `executions` mutated inputs from `corpus` (the seeds first, as they are).
pub fn fuzz(target: &Target, corpus: &[Vec<u8>], seed: u64, executions: u64) -> Report {
    let mut rng = Rng::new(seed);
    let mut working: Vec<Vec<u8>> = corpus.to_vec();
    if working.is_empty() {
        working.push(Vec::new());
    }
    let mut report = Report {
        target: target.name,
        seed,
        executions: 0,
        elapsed: Duration::ZERO,
        outcomes: BTreeMap::new(),
        crashes: Vec::new(),
        slowest: Duration::ZERO,
    };
    let started = Instant::now();
    for execution in 0..executions {
        let input = match corpus.get(execution as usize) {
            Some(seed_input) => seed_input.clone(),
            None => {
                let parent = &working[rng.below(working.len())];
                mutate(
                    &mut rng,
                    parent,
                    &working,
                    target.dictionary,
                    target.max_len,
                )
            }
        };
        let one = Instant::now();
        let outcome = execute(target, &input);
        report.slowest = report.slowest.max(one.elapsed());
        report.executions += 1;
        match outcome {
            Ok(label) => {
                let count = report.outcomes.entry(label).or_insert(0);
                if *count == 0 && working.len() < 4096 {
                    working.push(input);
                }
                *count += 1;
            }
            Err(message) => {
                *report.outcomes.entry("PANIC".into()).or_insert(0) += 1;
                if report.crashes.len() < 16 {
                    report.crashes.push(Crash {
                        target: target.name,
                        seed,
                        execution,
                        input_hex: hex::encode(&input),
                        message,
                    });
                }
            }
        }
    }
    report.elapsed = started.elapsed();
    report
}
