//! The service-level objectives in `deploy/observability/` (issue 11, part
//! 2): the Prometheus rules pass `promtool check rules` and their unit
//! tests (`promtool test rules`), a live scrape passes `promtool check
//! metrics`, and the Grafana dashboard is well-formed JSON whose every
//! expression names only metrics a running hub exports (read from its own
//! `/metrics`) or series the rules record. promtool is Debian's
//! `prometheus` package, installed by tests/tools.sh: never skipped.

use crate::common::{TestHub, ONE_STOP};
use crate::metrics::get;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn observability() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/observability")
}

/// Runs promtool with `args` (and `stdin`), panicking loudly when it is
/// missing or when it fails; returns what it printed.
fn promtool(args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new("promtool")
        .args(args)
        .current_dir(observability())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("promtool cannot run ({e}): run `bash tests/tools.sh` (Debian's prometheus package)")
        });
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?} failed:\n{text}");
    text
}

#[test]
fn the_slo_rules_pass_promtool_check_and_their_unit_tests() {
    let checked = promtool(&["check", "rules", "lienthong.rules.yml"], None);
    assert!(checked.contains("SUCCESS"), "{checked}");
    let tested = promtool(&["test", "rules", "lienthong.rules.test.yml"], None);
    assert!(tested.contains("SUCCESS"), "{tested}");
}

/// Every `lienthong_…` and `lienthong:…` name in `text`.
fn names_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("lienthong") {
        let before = rest[..at].chars().last();
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let word_start = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if word_start && (name.starts_with("lienthong_") || name.starts_with("lienthong:")) {
            names.insert(name.to_string());
        }
        rest = &tail[end.max(1)..];
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_rules_name_only_metrics_the_hub_exports() {
    let mut hub = TestHub::start().await;
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    // One command and one page, so that every labelled family has a sample.
    hub.client(ONE_STOP).await.submit("observability-1").await;
    let web = hub.web_addr.expect("the dev configuration has [web]");
    assert_eq!(get(web, "/tra-cuu").await.0, 200);
    let (status, scrape) = get(admin, "/metrics").await;
    assert_eq!(status, 200);
    hub.stop().await;
    // The scrape is Prometheus text as Prometheus's own tool reads it.
    promtool(&["check", "metrics"], Some(&scrape));

    // What a query may name: each family's samples (a histogram's
    // _bucket/_sum/_count), read from the TYPE lines of the live scrape.
    let mut exported = BTreeSet::new();
    for line in scrape.lines() {
        let Some(rest) = line.strip_prefix("# TYPE ") else {
            continue;
        };
        let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
        exported.insert(name.to_string());
        if kind == "histogram" {
            for suffix in ["_bucket", "_sum", "_count"] {
                exported.insert(format!("{name}{suffix}"));
            }
        }
    }
    let rules = std::fs::read_to_string(observability().join("lienthong.rules.yml")).unwrap();
    let recorded: BTreeSet<String> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- record: "))
        .map(|n| n.trim().to_string())
        .collect();
    assert!(recorded.len() >= 6, "{recorded:?}");
    let unknown = |text: &str| -> Vec<String> {
        names_in(text)
            .into_iter()
            .filter(|n| !exported.contains(n) && !recorded.contains(n))
            .collect()
    };
    // The rules themselves query only exported series (or recorded ones).
    let rule_exprs: String = rules
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        unknown(&rule_exprs),
        Vec::<String>::new(),
        "rules name unexported metrics"
    );

    let text = std::fs::read_to_string(observability().join("lienthong-dashboard.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    for key in ["title", "uid", "schemaVersion", "panels"] {
        assert!(dashboard.get(key).is_some(), "the dashboard has `{key}`");
    }
    let panels = dashboard["panels"].as_array().expect("panels is a list");
    assert!(!panels.is_empty());
    let mut ids = BTreeSet::new();
    let mut exprs = 0;
    for panel in panels {
        let title = panel["title"].as_str().expect("every panel has a title");
        assert!(
            ids.insert(panel["id"].as_u64().expect("a numeric id")),
            "{title}: id repeated"
        );
        assert!(panel["type"].is_string(), "{title}: type");
        for key in ["x", "y", "w", "h"] {
            assert!(panel["gridPos"][key].is_u64(), "{title}: gridPos.{key}");
        }
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title}: no query");
        for target in targets {
            let expr = target["expr"].as_str().expect("every target has an expr");
            assert!(
                !names_in(expr).is_empty(),
                "{title}: `{expr}` names no lienthong series"
            );
            assert_eq!(unknown(expr), Vec::<String>::new(), "{title}: `{expr}`");
            exprs += 1;
        }
    }
    assert!(exprs >= 10, "{exprs} queries");
}
