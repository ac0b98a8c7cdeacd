//! `lienthong demo --sites 3` as a test: the real binary starts three hubs
//! (each its own `lienthong serve`) on three vhosts of the test broker,
//! linked by the shovels they declare, cuts a link, SIGKILLs the ministry's
//! hub mid-burst, and exits non-zero when an acknowledged change is missing
//! anywhere. Its printed tally must account for every version of every
//! dossier at every site that takes part in it, in order, with nothing
//! pending or parked; the vhosts it made must be gone afterwards. A broker
//! without the plugins, or a wrong number of sites, is refused with the
//! fix named.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

fn demo(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["demo", "--sites"])
        .args(args)
        .output()
        .expect("run lienthong demo --sites")
}

/// One site's line of the tally: the numbers, and its mark.
fn row(stdout: &str, site: &str) -> (Vec<u64>, String) {
    let tally = stdout
        .split("\ntally per site (")
        .nth(1)
        .expect("the demo printed its tally");
    let line = tally
        .lines()
        .find(|l| l.starts_with(&format!("{site} ")))
        .unwrap_or_else(|| panic!("no tally line for {site}:\n{tally}"));
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells.len(), 10, "tally line {line:?}");
    let numbers = cells[1..9]
        .iter()
        .map(|c| c.parse().unwrap_or_else(|_| panic!("{c:?} in {line:?}")))
        .collect();
    (numbers, cells[9].to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sites_on_one_broker_account_for_every_acknowledged_change() {
    let out = tokio::task::spawn_blocking(|| demo(&["3"])).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the sites demo failed:\n{stdout}\n{stderr}"
    );
    let acknowledged = stdout
        .split("\ntally per site (")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok())
        .expect("the acknowledged count");
    // 10 dossiers: 7 go home and back (7 versions), one on to H29 (7),
    // one from H29 to the ministry (6).
    assert_eq!(acknowledged, 69, "{stdout}");
    // site: dossiers, versions (each an acknowledged command).
    for (site, dossiers, versions) in [("H22", 9, 63), ("H29", 2, 13), ("BXD", 10, 69)] {
        let (n, mark) = row(&stdout, site);
        let (held, current, disorder, pending, parked) = (n[2], n[4], n[5], n[6], n[7]);
        assert_eq!((n[0], n[1]), (dossiers, versions), "{site}:\n{stdout}");
        assert_eq!(held, versions, "{site}: history lines held");
        assert_eq!(current, dossiers, "{site}: outbox current");
        assert_eq!((disorder, pending, parked), (0, 0, 0), "{site}");
        assert!(n[3] >= dossiers, "{site}: outbox events");
        assert_eq!(mark, "✓", "{site}");
    }
    // The story's faults happened, and the refusal at a site that no
    // longer decides.
    for said in [
        "the link H22 → BXD is cut",
        "declared it again: the link is back",
        "SIGKILL to BXD's hub",
        "BXD's hub started again on the same data directory",
        "refused FailedPrecondition: dossier",
        "is decided by site BXD now",
    ] {
        assert!(stdout.contains(said), "{said:?} not in:\n{stdout}");
    }
    // Every timeline line of the three dossiers is held by each site that
    // takes part: no ✗ anywhere.
    let timelines = stdout.split("\ntimelines").nth(1).unwrap_or_default();
    assert!(timelines.contains("H22 ✓  H29 ✓  BXD ✓"), "{timelines}");
    assert!(!timelines.contains('✗'), "{timelines}");

    // Cleaned up: the vhosts it made (and with them queues and shovels).
    let cleaned = stdout
        .lines()
        .find(|l| l.starts_with("cleaned up:"))
        .expect("the clean-up line");
    let vhosts: Vec<&str> = cleaned
        .split_whitespace()
        .filter(|w| w.starts_with("lienthong-demo-"))
        .map(|w| w.trim_end_matches(','))
        .collect();
    assert_eq!(vhosts.len(), 3, "{cleaned}");
    let http = reqwest::Client::new();
    for vhost in vhosts {
        let answer = http
            .get(format!("http://127.0.0.1:15672/api/vhosts/{vhost}"))
            .basic_auth("guest", Some("guest"))
            .send()
            .await
            .expect("the management API answers");
        assert_eq!(
            answer.status(),
            reqwest::StatusCode::NOT_FOUND,
            "vhost {vhost} still exists"
        );
    }
}

#[test]
fn the_sites_demo_names_what_is_missing() {
    let out = demo(&["3", "--management-url", "http://guest:guest@127.0.0.1:1"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rabbitmq-plugins enable rabbitmq_shovel rabbitmq_management"),
        "{stderr}"
    );
    let out = demo(&["2"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--sites"), "{stderr}");
}
