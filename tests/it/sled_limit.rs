//! `lienthong bench --sled-limit` at a tiny size on the real binary: the
//! raw-sled measurement behind the README's "At scale" limits runs its
//! child processes (one killed with SIGKILL and recovered twice per
//! configuration), reports one column per `--sled-config`, leaves the
//! hub's record shapes in the directory (events removed, dossiers
//! archived) and cleans up. No figure is checked, only that each is there.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

/// The records column of `prefix`'s line in the data-usage table.
fn records(report: &str, prefix: &str) -> Option<u64> {
    report.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        (words.first() == Some(&"main") && words.get(1) == Some(&prefix))
            .then(|| words[2].parse().unwrap())
    })
}

#[test]
fn sled_limit_runs_each_configuration_through_a_kill_and_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["bench", "--sled-limit", "1500", "--dir"])
        .arg(dir.path())
        .args([
            "--sled-config",
            "hub",
            "--sled-config",
            "mode=high_throughput",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // The table: one column per configuration, every row filled.
    let header = stdout
        .lines()
        .find(|l| l.starts_with("| raw sled, 1500 dossiers |"))
        .unwrap_or_else(|| panic!("no table:\n{stdout}"));
    assert!(
        header.ends_with("| `hub` | `mode=high_throughput` |"),
        "{header}"
    );
    for row in [
        "| VmRSS / VmHWM after the fill",
        "| **restart after SIGKILL**",
        "| VmRSS / VmHWM of the restarted process",
        "| SIGKILL again right after that open",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no row {row:?}:\n{stdout}"));
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 3, "{line}");
        assert!(
            cells[1..].iter().all(|c| c.ends_with(" s")
                || c.ends_with("MiB")
                || c.ends_with(')')
                || c.ends_with("**")),
            "{line}"
        );
    }
    // What is left is what the hub leaves: every dossier archived, its
    // MaHoSo key, idempotency records and receipts; no event, no live
    // dossier or history line; the audit chain mostly sealed.
    assert_eq!(records(&stdout, "z"), Some(1500), "{stdout}");
    assert_eq!(records(&stdout, "x"), Some(1500), "{stdout}");
    assert_eq!(records(&stdout, "i"), Some(7500), "{stdout}");
    for gone in ["e", "d", "h", "t", "a", "b"] {
        assert_eq!(records(&stdout, gone), None, "{gone} left:\n{stdout}");
    }
    assert_eq!(records(&stdout, "us"), Some(7), "{stdout}");
    // Progress went to stderr; nothing is left on disk.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_bad_sled_config_is_refused_naming_the_key_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["bench", "--sled-limit", "10", "--dir"])
        .arg(dir.path())
        .args(["--sled-config", "snapshot_after_ops=100"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown key \"snapshot_after_ops\""),
        "{stderr}"
    );
    assert!(!stdout_has_table(&out.stdout));
}

fn stdout_has_table(stdout: &[u8]) -> bool {
    String::from_utf8_lossy(stdout).contains("| raw sled,")
}
