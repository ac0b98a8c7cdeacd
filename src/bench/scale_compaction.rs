//! `bench --scale`'s online compaction step: the restarted hub, which
//! opened the directory the whole fill lived in, is asked on its admin
//! listener to compact its store while it serves (`POST
//! /store/compaction`); the benchmark waits until `GET /store/compaction`
//! says it finished and returns the hub's own account of it.

use anyhow::Context;
use std::time::{Duration, Instant};

/// How long a compaction of the benchmark's directory may take.
const COMPACTION_DEADLINE: Duration = Duration::from_secs(1800);

/// Asks the hub whose admin listener is on `admin_port` for an online
/// compaction and waits for it: (wall time, the hub's `last:` line).
pub(super) async fn compact_online(admin_port: u16) -> anyhow::Result<(Duration, String)> {
    let url = format!("http://127.0.0.1:{admin_port}/store/compaction");
    let client = reqwest::Client::new();
    let started = Instant::now();
    let asked = client
        .post(&url)
        .send()
        .await
        .with_context(|| format!("asking for a compaction at {url}"))?;
    let status = asked.status();
    let text = asked.text().await.unwrap_or_default();
    anyhow::ensure!(
        status.as_u16() == 202,
        "the hub refused the compaction ({status}): {text}"
    );
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let text = client
            .get(&url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .with_context(|| format!("reading {url}"))?
            .text()
            .await?;
        if let Some(outcome) = finished(&text) {
            return outcome.map(|line| (started.elapsed(), line));
        }
        anyhow::ensure!(
            started.elapsed() < COMPACTION_DEADLINE,
            "the compaction did not finish in {COMPACTION_DEADLINE:?}: {text}"
        );
    }
}

/// The outcome `GET /store/compaction` gives once the compaction is over.
pub(super) fn finished(status: &str) -> Option<anyhow::Result<String>> {
    if !status.contains("state: idle") {
        return None;
    }
    let last = status.lines().find_map(|l| l.strip_prefix("last: "))?;
    Some(match last.strip_prefix("finished: ") {
        Some(done) => Ok(done.to_string()),
        None => Err(anyhow::anyhow!("the online compaction {last}")),
    })
}

#[cfg(test)]
mod tests {
    use super::finished;

    #[test]
    fn the_status_says_when_the_compaction_is_over_and_how() {
        assert!(finished("state: running for 3 s\nfinished: 0\nabandoned: 0\n").is_none());
        assert!(finished("state: idle\nfinished: 0\nabandoned: 0\n").is_none());
        let done = "state: idle\nfinished: 1\nabandoned: 0\nlast: finished: 5 records in 1 trees\n";
        assert_eq!(finished(done).unwrap().unwrap(), "5 records in 1 trees");
        let gave_up = "state: idle\nfinished: 0\nabandoned: 1\nlast: abandoned: the hub stopped\n";
        let err = finished(gave_up).unwrap().unwrap_err().to_string();
        assert!(err.contains("abandoned: the hub stopped"), "{err}");
    }
}
