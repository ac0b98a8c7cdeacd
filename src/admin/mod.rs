//! The admin listener (`[admin] listen`): what operators' machinery asks of
//! the hub, apart from the ports partners and citizens reach.
//!
//! `/metrics` is the Prometheus text format (`crate::metrics`, scrape-time
//! values read on the blocking pool), `/healthz` says the process answers
//! (liveness: a restart would not help a hub that answers this), `/readyz`
//! says whether it should be sent work: 503 while the store is in its fault
//! (`Hub::storage_condition`, the same NOT_SERVING gRPC health reports) or
//! the hub is stopping, 200 otherwise. `/store/compaction` starts an online
//! compaction of the store (`POST`: 202, or 409 while one runs, 503 when
//! the store cannot now) and says where compaction stands (`GET`, plain
//! text) — the operator's lever when `hub.store_compact_after_written_bytes`
//! is 0 or after an upgrade, and what `bench --scale` uses; anyone who
//! reaches this listener can ask, so it belongs on the operators' network
//! as `/metrics` does. It follows `[tls]` like every
//! listener: TLS without client certificates, plaintext only when
//! `tls.plaintext_listeners` names `admin`.

use crate::hub::{CompactionStarted, Hub, StorageCondition};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;

pub const METRICS: &str = "/metrics";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const COMPACTION: &str = "/store/compaction";

/// Serves the admin routes until `shutdown` completes, over TLS unless
/// `tls` is `None` (only when the configuration names it plaintext).
pub async fn serve(
    listener: tokio::net::TcpListener,
    hub: Hub,
    tls: Option<crate::tls::ServerTls>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(hub);
    if let Some(tls) = tls {
        let which = crate::tls::Listener::Admin;
        return crate::tls::http::serve(listener, app, tls, which, shutdown).await;
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

fn router(hub: Hub) -> Router {
    let scraping = hub.clone();
    let (asking, looking) = (hub.clone(), hub.clone());
    Router::new()
        .route(
            METRICS,
            get(move || {
                let hub = scraping.clone();
                async move { metrics(hub).await }
            }),
        )
        .route(HEALTHZ, get(|| async { "ok\n" }))
        .route(
            COMPACTION,
            post(move || async move { start_compaction(&asking) })
                .get(move || async move { compaction_status(&looking) }),
        )
        .route(READYZ, get(move || async move { ready(&hub) }))
}

async fn metrics(hub: Hub) -> Response {
    match tokio::task::spawn_blocking(move || hub.render_metrics()).await {
        Ok(text) => ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering the metrics failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "metrics unavailable\n").into_response()
        }
    }
}

fn start_compaction(hub: &Hub) -> Response {
    match hub.start_compaction() {
        CompactionStarted::Started => (
            StatusCode::ACCEPTED,
            format!("compaction started; GET {COMPACTION} says when it is done\n"),
        )
            .into_response(),
        CompactionStarted::AlreadyRunning => {
            (StatusCode::CONFLICT, "a compaction is already running\n").into_response()
        }
        CompactionStarted::NotNow(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not now: {reason}\n"),
        )
            .into_response(),
    }
}

fn compaction_status(hub: &Hub) -> Response {
    let status = hub.compaction_status();
    let mut text = match status.running_since {
        Some(since) => {
            let seconds = since.elapsed().map(|d| d.as_secs()).unwrap_or(0);
            format!("state: running for {seconds} s\n")
        }
        None => "state: idle\n".to_string(),
    };
    text.push_str(&format!(
        "finished: {}\nabandoned: {}\n",
        status.finished, status.abandoned
    ));
    match status.last {
        None => {}
        Some(Ok(report)) => text.push_str(&format!(
            "last: finished: {} records in {} trees copied to {}, keys written meanwhile brought level: {} while serving ({} rounds), {} at the switch; {:.1} s in all, callers waited {} ms for the switch and {} ms for {} reopens while it copied; {}\n",
            report.records,
            report.trees,
            report.sled_dir.display(),
            report.settled_meanwhile,
            report.settle_rounds,
            report.written_meanwhile,
            report.took.as_secs_f64(),
            report.paused.as_millis(),
            report.reopens_paused.as_millis(),
            report.reopens,
            match report.copy_process_peak_bytes {
                Some(bytes) => format!(
                    "the copy written by a process of its own (its peak: {} MiB)",
                    bytes >> 20
                ),
                None => "the copy written by the hub's own process".to_string(),
            }
        )),
        Some(Err(reason)) => text.push_str(&format!("last: abandoned: {reason}\n")),
    }
    text.into_response()
}

fn ready(hub: &Hub) -> Response {
    if *hub.stopping().borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready: stopping\n").into_response();
    }
    let condition = hub.storage_condition().borrow().clone();
    match condition {
        StorageCondition::Writable => (StatusCode::OK, "ready\n").into_response(),
        StorageCondition::RefusingWrites { reason } => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: storage refuses writes: {reason}\n"),
        )
            .into_response(),
    }
}
