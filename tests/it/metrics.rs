//! The admin listener's `/metrics`, `/healthz` and `/readyz` on a real hub
//! over real HTTP (issue 11): commands counted by type and outcome, a
//! partner's lag going up with commits and down with its acknowledgements,
//! the open stream counted, web requests counted by route template, the
//! scrape well-formed Prometheus text, and no label carrying a dossier id or
//! a MaHoSo. No assertion on timings.

use crate::common::{command, command_named, drive, Client, TestHub, AGENCY, ONE_STOP, PORTAL};
use lienthong::grpc::pb;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

/// GET `path` on `addr` over plain HTTP: (status, body).
pub async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let response = reqwest::get(format!("http://{addr}{path}"))
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// One sample of a scrape: its name and labels, in order.
#[derive(Debug)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// Parses the Prometheus text format (0.0.4) strictly enough to fail on a
/// malformed line: `# HELP`/`# TYPE` lines, then `name{k="v",...} value`.
pub fn parse(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut typed = HashMap::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut words = rest.splitn(3, ' ');
            let (kind, name, what) = (words.next(), words.next(), words.next());
            match kind {
                Some("HELP") => assert!(name.is_some() && what.is_some(), "{line}"),
                Some("TYPE") => {
                    let what = what.unwrap_or_default();
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&what),
                        "{line}"
                    );
                    assert!(
                        typed
                            .insert(name.unwrap().to_string(), what.to_string())
                            .is_none(),
                        "one TYPE line per family: {line}"
                    );
                }
                _ => panic!("unexpected comment line: {line}"),
            }
            continue;
        }
        let (head, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value of {line}"));
        let (name, labels) = match head.split_once('{') {
            None => (head.to_string(), Vec::new()),
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').unwrap_or_else(|| panic!("{line}"));
                let labels = inner
                    .split("\",")
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) =
                            pair.split_once("=\"").unwrap_or_else(|| panic!("{line}"));
                        (key.to_string(), value.trim_end_matches('"').to_string())
                    })
                    .collect();
                (name.to_string(), labels)
            }
        };
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && name.starts_with("lienthong_"),
            "metric name {name}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| typed.contains_key(*f)))
            .unwrap_or(&name);
        assert!(typed.contains_key(family), "sample before its TYPE: {line}");
        samples.push(Sample {
            name,
            labels,
            value,
        });
    }
    samples
}

/// The value of the sample `name` whose labels include `labels`.
pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
        .map(|s| s.value)
}

pub async fn scrape(admin: SocketAddr) -> Vec<Sample> {
    let (status, text) = get(admin, "/metrics").await;
    assert_eq!(status, 200, "{text}");
    parse(&text)
}

const PARTNER: [(&str, &str); 2] = [("kind", "partner"), ("destination", "national-portal")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_commands_and_a_partners_lag_rises_and_falls_with_its_acks() {
    let mut hub = TestHub::start().await;
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    assert_eq!(get(admin, "/healthz").await.0, 200);
    assert_eq!(get(admin, "/readyz").await.0, 200);
    let before = scrape(admin).await;
    assert_eq!(value(&before, "lienthong_committed_seq", &[]), Some(0.0));
    assert_eq!(
        value(&before, "lienthong_destination_lag_events", &PARTNER),
        Some(0.0)
    );

    let writer = hub.client(ONE_STOP).await;
    let produced = drive(&writer, "metrics", AGENCY, 6).await.len();
    // A refusal: a dossier that does not exist.
    let mut refused = writer.clone();
    let missing = refused
        .exec(command(
            "metrics-missing",
            999_999,
            command_named("receive"),
        ))
        .await
        .expect_err("no such dossier");
    assert_eq!(missing.code(), tonic::Code::NotFound);

    let after = scrape(admin).await;
    let ok = |command: &str| {
        value(
            &after,
            "lienthong_commands_total",
            &[("command", command), ("code", "OK")],
        )
    };
    assert_eq!(ok("submit"), Some(6.0));
    assert_eq!(ok("receive"), Some(6.0));
    assert_eq!(ok("finish"), Some(6.0));
    let not_found = [("command", "receive"), ("code", "NOT_FOUND")];
    assert_eq!(
        value(&after, "lienthong_commands_total", &not_found),
        Some(1.0)
    );
    let answered = value(
        &after,
        "lienthong_acknowledgement_latency_seconds_count",
        &[],
    );
    assert_eq!(
        answered,
        Some(produced as f64 + 1.0),
        "every command's wait observed"
    );
    assert!(value(&after, "lienthong_flush_seconds_count", &[]).unwrap() >= 1.0);
    assert!(value(&after, "lienthong_group_commands_count", &[]).unwrap() >= 1.0);
    assert_eq!(
        value(&after, "lienthong_committed_seq", &[]),
        Some(produced as f64)
    );
    assert_eq!(
        value(&after, "lienthong_destination_lag_events", &PARTNER),
        Some(produced as f64),
        "the portal acknowledged nothing yet"
    );
    assert!(value(&after, "lienthong_destination_lag_seconds", &PARTNER).unwrap() >= 0.0);
    assert!(value(&after, "lienthong_data_directory_bytes", &[]).unwrap() > 0.0);

    // The portal reads half and acknowledges it: its lag falls by as much.
    let mut portal = hub.client(PORTAL).await;
    let mut stream = portal
        .events
        .subscribe(portal.req(pb::SubscribeRequest { after_seq: None }))
        .await
        .unwrap()
        .into_inner();
    let half = produced / 2;
    let mut last = 0;
    for _ in 0..half {
        let event = tokio::time::timeout(Duration::from_secs(20), stream.message())
            .await
            .expect("an event arrives")
            .unwrap()
            .expect("stream open");
        last = event.seq;
    }
    ack(&mut portal, last).await;
    let partly = scrape(admin).await;
    assert_eq!(
        value(&partly, "lienthong_destination_lag_events", &PARTNER),
        Some((produced - half) as f64)
    );
    assert_eq!(
        value(&partly, "lienthong_subscription_streams_open", &[]),
        Some(1.0)
    );
    let delivered = value(&partly, "lienthong_destination_deliveries_total", &PARTNER).unwrap();
    assert!(delivered >= half as f64, "{delivered} streamed");

    // All acknowledged: no lag, in events or in seconds; the stream closed.
    ack(&mut portal, produced as u64).await;
    drop(stream);
    let caught_up = wait_for(admin, "the partner caught up", |s| {
        value(s, "lienthong_subscription_streams_open", &[]) == Some(0.0)
    })
    .await;
    assert_eq!(
        value(&caught_up, "lienthong_destination_lag_events", &PARTNER),
        Some(0.0)
    );
    assert_eq!(
        value(&caught_up, "lienthong_destination_lag_seconds", &PARTNER),
        Some(0.0)
    );

    // The hosted workspace is a destination too, and catches up by itself.
    let workspace = [("kind", "workspace"), ("destination", "mot-cua")];
    let applied = wait_for(admin, "the workspace applied every event", |s| {
        value(s, "lienthong_destination_lag_events", &workspace) == Some(0.0)
    })
    .await;
    assert!(
        value(
            &applied,
            "lienthong_destination_deliveries_total",
            &workspace
        )
        .unwrap()
            >= produced as f64
    );

    // Web requests are counted by route template and status class.
    let web = hub.web_addr.expect("the dev configuration has [web]");
    assert_eq!(get(web, "/tra-cuu").await.0, 200);
    let counted = scrape(admin).await;
    let lookup = [
        ("listener", "web"),
        ("route", "/tra-cuu"),
        ("status", "2xx"),
    ];
    assert_eq!(
        value(&counted, "lienthong_http_requests_total", &lookup),
        Some(1.0)
    );

    // No label value is a dossier id or a MaHoSo of this run.
    let mut listed = writer.clone();
    let dossiers = listed
        .list(pb::ListDossiersRequest::default())
        .await
        .expect("listing dossiers")
        .dossiers;
    assert_eq!(dossiers.len(), 6);
    for sample in &counted {
        for (key, label) in &sample.labels {
            if key == "le" {
                continue; // a histogram bucket's bound
            }
            for dossier in &dossiers {
                assert_ne!(label, &dossier.ma_ho_so, "{sample:?}");
                assert_ne!(label, &dossier.id.to_string(), "{sample:?}");
            }
        }
    }
    hub.stop().await;
}

async fn ack(client: &mut Client, seq: u64) {
    let request = client.req(pb::AckRequest { seq });
    client.events.ack(request).await.expect("ack");
}

/// Scrapes until `done` holds (bounded: 20 s), and returns that scrape.
pub async fn wait_for(
    admin: SocketAddr,
    what: &str,
    done: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    for _ in 0..400 {
        let samples = scrape(admin).await;
        if done(&samples) {
            return samples;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the metrics never showed {what}");
}
