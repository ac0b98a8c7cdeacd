//! The short round of every fuzz target the test suite runs: the checked-in
//! corpus is the seeds (config: the configuration files when it was written),
//! every seed is read (not refused as unreadable), and
//! 2 000 mutated inputs per target cause no panic.

use lienthong_fuzz::engine::{execute, fuzz};
use lienthong_fuzz::{find, load_corpus, targets};

const EXECUTIONS: u64 = 2_000;

fn short_run(name: &str) {
    let target = find(name).expect("a known target");
    let corpus = load_corpus(name).expect("the target's corpus is checked in");
    // The config seeds are the configuration files of their day: a change
    // to config/ need not rewrite this corpus, as long as the old files read.
    if name != "config" {
        assert_eq!(
            corpus,
            (target.seeds)(),
            "fuzz/corpus/{name} differs from the seeds: run `cargo run -p lienthong-fuzz -- --write-corpus`"
        );
    }
    for (i, seed) in corpus.iter().enumerate() {
        let label = execute(&target, seed)
            .unwrap_or_else(|panic| panic!("seed {i} of {name} panics: {panic}"));
        for unreadable in ["undecodable", "refused:json", "not-utf8", "refused:Syntax"] {
            assert!(
                !label.contains(unreadable),
                "seed {i} of {name} is not read: {label} (rewrite the corpus: `cargo run -p lienthong-fuzz -- --write-corpus`)"
            );
        }
    }
    let report = fuzz(&target, &corpus, 0x5eed, EXECUTIONS);
    assert_eq!(report.executions, EXECUTIONS);
    if let Some(crash) = report.crashes.first() {
        panic!(
            "{name} panicked (seed {}, execution {}): {}\ninput: {}",
            crash.seed, crash.execution, crash.message, crash.input_hex
        );
    }
    assert!(
        report.outcomes.len() > 1,
        "{name}: mutated inputs all gave one outcome: {:?}",
        report.outcomes
    );
}

#[test]
fn every_target_has_a_short_run_here() {
    let mut names: Vec<&str> = targets().iter().map(|t| t.name).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "amqp_message",
            "config",
            "grpc_command",
            "legacy_update",
            "national_portal",
            "one_stop_status",
            "payment_callback",
            "postal_webhook",
            "reconcile_files",
            "sms_reply"
        ]
    );
}

macro_rules! short_runs {
    ($($name:ident),*) => {$(
        #[test]
        fn $name() {
            short_run(&stringify!($name)["fuzz_".len()..]);
        }
    )*};
}

short_runs!(
    fuzz_grpc_command,
    fuzz_amqp_message,
    fuzz_config,
    fuzz_postal_webhook,
    fuzz_payment_callback,
    fuzz_reconcile_files,
    fuzz_one_stop_status,
    fuzz_legacy_update,
    fuzz_national_portal,
    fuzz_sms_reply
);
