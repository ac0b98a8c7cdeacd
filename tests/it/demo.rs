//! `lienthong demo`'s scenario, smaller, as a test: the real binary runs the
//! real hub, every partner adapter and every partner simulator, with faults
//! injected and parked deliveries re-driven. It exits non-zero when an
//! acknowledged change did not reach a partner subscribed to it; its tally
//! (read back from what it printed) must show every partner heard, every
//! subscribed event accepted, nothing parked, and the faults at work.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

/// One partner's line of the printed tally.
#[derive(Debug)]
struct Row {
    partner: String,
    subscribed: u64,
    delivered: u64,
    parked: u64,
    retried: u64,
    redriven: u64,
    /// `✓`: delivered = subscribed, nothing parked, the relay caught up.
    settled: bool,
}

#[derive(Debug)]
struct Tally {
    committed: u64,
    rows: Vec<Row>,
}

fn demo(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("demo")
        .args(args)
        .output()
        .expect("run lienthong demo")
}

fn number(text: &str, what: &str, line: &str) -> u64 {
    text.parse()
        .unwrap_or_else(|_| panic!("{what} is not a number in tally line {line:?}"))
}

/// Reads the tally `lienthong demo` prints: a heading with the committed
/// count, a column header, one line per partner, then the legend.
fn tally(stdout: &str) -> Tally {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.starts_with("tally per partner ("));
    let heading = lines.next().expect("the demo printed a tally");
    let committed = heading
        .trim_start_matches("tally per partner (")
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let committed = number(committed, "committed", heading);
    let header = lines.next().unwrap_or_default();
    assert!(header.contains("subscribed"), "column header: {header:?}");
    let rows = lines
        .take_while(|l| !l.trim_start().starts_with("subscribed ="))
        .map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert!(cells.len() >= 7, "tally line {line:?}");
            Row {
                partner: cells[0].to_string(),
                subscribed: number(cells[1], "subscribed", line),
                delivered: number(cells[2], "delivered", line),
                parked: number(cells[3], "parked", line),
                retried: number(cells[4], "retried", line),
                redriven: number(cells[5], "re-driven", line),
                settled: cells[6] == "✓",
            }
        })
        .collect();
    Tally { committed, rows }
}

#[test]
fn the_demo_day_with_faults_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_str().expect("utf-8 temp dir");
    let out = demo(&[
        "--dossiers",
        "20",
        "--timelines",
        "1",
        "--concurrency",
        "8",
        "--dir",
        dir_arg,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the demo day loses nothing: {}\n{stdout}\n{stderr}",
        out.status
    );
    let tally = tally(&stdout);

    assert_eq!(tally.rows.len(), 6, "every adapter partner is in the tally");
    assert!(tally.committed > 20 * 3, "{tally:?}");
    for row in &tally.rows {
        assert!(
            row.subscribed > 0,
            "{} heard nothing: {tally:?}",
            row.partner
        );
        assert_eq!(
            row.delivered, row.subscribed,
            "{}: every subscribed event accepted by the partner",
            row.partner
        );
        assert_eq!(row.parked, 0, "{}: nothing left parked", row.partner);
        assert!(row.settled, "{}: relay caught up: {row:?}", row.partner);
    }
    let retried: u64 = tally.rows.iter().map(|r| r.retried).sum();
    let redriven: u64 = tally.rows.iter().map(|r| r.redriven).sum();
    assert!(retried > 0, "faults made the hub retry: {tally:?}");
    assert!(redriven > 0, "parked deliveries were re-driven: {tally:?}");
    assert!(
        stdout.contains("every acknowledged change reached every partner subscribed to it"),
        "{stdout}"
    );
}

#[test]
fn a_day_too_small_for_every_path_is_refused_naming_the_option() {
    let out = demo(&["--dossiers", "5"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a refused run exits non-zero");
    assert!(stderr.contains("--dossiers"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("the day begins"),
        "nothing ran"
    );
}
