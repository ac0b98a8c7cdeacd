//! The admin listener (`[admin] listen`): what operators' machinery asks of
//! the hub, apart from the ports partners and citizens reach.
//!
//! `/metrics` is the Prometheus text format (`crate::metrics`, scrape-time
//! values read on the blocking pool), `/healthz` says the process answers
//! (liveness: a restart would not help a hub that answers this), `/readyz`
//! says whether it should be sent work: 503 while the store is in its fault
//! (`Hub::storage_condition`, the same NOT_SERVING gRPC health reports) or
//! the hub is stopping, 200 otherwise. It follows `[tls]` like every
//! listener: TLS without client certificates, plaintext only when
//! `tls.plaintext_listeners` names `admin`.

use crate::hub::{Hub, StorageCondition};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::future::Future;

pub const METRICS: &str = "/metrics";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";

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
    Router::new()
        .route(
            METRICS,
            get(move || {
                let hub = scraping.clone();
                async move { metrics(hub).await }
            }),
        )
        .route(HEALTHZ, get(|| async { "ok\n" }))
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
