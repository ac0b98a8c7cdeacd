//! `lienthong-fuzz`: runs the fuzz targets and prints, per target, the
//! executions, executions per second, distinct outcomes and crashes.
//!
//! ```text
//! cargo run --release -p lienthong-fuzz -- --target all --executions 1000000 [--seed N]
//! cargo run -p lienthong-fuzz -- --target config --outcomes   # and each distinct outcome
//! cargo run -p lienthong-fuzz -- --show-seeds --executions 0   # what each seed gives
//! cargo run -p lienthong-fuzz -- --write-corpus     # rewrite fuzz/corpus/ from the seeds
//! ```
//!
//! Exits 1 when any target panicked, with each crash's seed and input hex.

use lienthong_fuzz::engine::{execute, fuzz};
use lienthong_fuzz::{find, load_corpus, targets, write_corpus, Target};
use std::process::ExitCode;

struct Args {
    target: String,
    executions: u64,
    seed: u64,
    write_corpus: bool,
    outcomes: bool,
    show_seeds: bool,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        target: "all".into(),
        executions: 100_000,
        seed: 1,
        write_corpus: false,
        outcomes: false,
        show_seeds: false,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = |name: &str| given.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--target" => args.target = value("--target")?,
            "--executions" => {
                args.executions = value("--executions")?
                    .parse()
                    .map_err(|e| format!("--executions: {e}"))?
            }
            "--seed" => args.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--write-corpus" => args.write_corpus = true,
            "--outcomes" => args.outcomes = true,
            "--show-seeds" => args.show_seeds = true,
            other => return Err(format!("unknown argument {other:?} (--target NAME|all, --executions N, --seed N, --outcomes, --show-seeds, --write-corpus)")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("lienthong-fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    let chosen: Vec<Target> = if args.target == "all" {
        targets()
    } else {
        match find(&args.target) {
            Some(t) => vec![t],
            None => {
                let names: Vec<&str> = targets().iter().map(|t| t.name).collect();
                eprintln!(
                    "lienthong-fuzz: no target {:?} (known: {})",
                    args.target,
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        }
    };
    if args.write_corpus {
        for target in &chosen {
            match write_corpus(target) {
                Ok(n) => println!("{}: {n} seeds written", target.name),
                Err(e) => {
                    eprintln!("lienthong-fuzz: writing the corpus of {}: {e}", target.name);
                    return ExitCode::FAILURE;
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    println!("| target | executions | exec/s | distinct outcomes | crashes | slowest input |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut crashed = Vec::new();
    for target in &chosen {
        let corpus = match load_corpus(target.name) {
            Ok(corpus) => corpus,
            Err(e) => {
                eprintln!("lienthong-fuzz: the corpus of {}: {e}", target.name);
                return ExitCode::FAILURE;
            }
        };
        if args.show_seeds {
            for (i, seed) in corpus.iter().enumerate() {
                let label = execute(target, seed).unwrap_or_else(|panic| format!("PANIC {panic}"));
                eprintln!("  {} seed-{i:02}: {label}", target.name);
            }
        }
        let report = fuzz(target, &corpus, args.seed, args.executions);
        let crashes = report.outcomes.get("PANIC").copied().unwrap_or(0);
        println!(
            "| {} | {} | {:.0} | {} | {} | {:.1} ms |",
            report.target,
            report.executions,
            report.per_second(),
            report.outcomes.len(),
            crashes,
            report.slowest.as_secs_f64() * 1000.0
        );
        if args.outcomes {
            for (outcome, count) in &report.outcomes {
                eprintln!("  {}: {count} × {outcome}", report.target);
            }
        }
        crashed.extend(report.crashes);
    }
    for crash in &crashed {
        eprintln!(
            "CRASH {} seed {} execution {}: {}\n  input: {}",
            crash.target, crash.seed, crash.execution, crash.message, crash.input_hex
        );
    }
    if crashed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
