//! Inbound HTTP: the signed tracking webhook and the tracking read-out.
//!
//! Mounted by the hub under `/partners/<partner id>/`:
//! - `POST webhook` (webhook mode) — one [`TrackingEvent`], verified with
//!   the shared secret before it is even parsed: 401 when the signature or
//!   timestamp fails, 400 for an unreadable body or an unmapped code, 503
//!   when the hub cannot take it now (the provider sends it again), 200
//!   otherwise — including duplicates and late events.
//! - `GET orders/{ma_ho_so}` — the tracking state of the dossier's orders.
//! - `GET status` — the mode and, when polling, the cursor and last error.
//!
//! Both read-outs answer only `Authorization: Bearer <read_token>` (401
//! otherwise); the settings refuse an adapter without a `read_token`.

use crate::intake::Intake;
use crate::poller::PollStatus;
use crate::protocol::TrackingEvent;
use crate::settings::Mode;
use crate::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lienthong_adapter::auth::check_bearer;
use lienthong_adapter::StateError;
use serde_json::json;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone)]
struct Inbound {
    intake: Arc<Intake>,
    poll: Arc<PollStatus>,
}

pub fn router(intake: Arc<Intake>, poll: Arc<PollStatus>) -> Router {
    let webhook_mode = intake.config().mode == Mode::Webhook;
    let state = Inbound { intake, poll };
    let router = Router::new()
        .route("/orders/:ma_ho_so", get(order))
        .route("/status", get(status));
    let router = if webhook_mode {
        router.route("/webhook", post(webhook))
    } else {
        router
    };
    router.with_state(state)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn webhook(State(s): State<Inbound>, headers: HeaderMap, body: Bytes) -> Response {
    let config = s.intake.config();
    if let Err(e) = signature::verify(
        &config.webhook_secret,
        header(&headers, TIMESTAMP_HEADER),
        header(&headers, SIGNATURE_HEADER),
        &body,
        now_unix(),
        config.webhook_tolerance_seconds,
    ) {
        tracing::warn!(error = %e, "postal webhook refused: not signed by the provider");
        return error(
            StatusCode::UNAUTHORIZED,
            format!("webhook not accepted: {e}"),
        );
    }
    let event: TrackingEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("body is not a tracking event: {e}"),
            )
        }
    };
    match s.intake.take(&event).await {
        Ok(taken) => (
            StatusCode::OK,
            Json(json!({ "accepted": true, "event": taken })),
        )
            .into_response(),
        Err(e) => {
            if !e.is_retryable() {
                tracing::error!(event_id = %event.event_id, error = %e, "postal webhook refused");
            }
            let status =
                StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error(status, e.to_string())
        }
    }
}

fn authorised(s: &Inbound, headers: &HeaderMap) -> bool {
    // Never open: the settings refuse an empty `read_token`.
    check_bearer(headers, &s.intake.config().read_token).is_valid()
}

async fn order(
    State(s): State<Inbound>,
    headers: HeaderMap,
    Path(ma_ho_so): Path<String>,
) -> Response {
    if !authorised(&s, &headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "a bearer token (the adapter's `read_token`) is required",
        );
    }
    match s.intake.tracking().get(&ma_ho_so).await {
        Ok(Some(tracking)) => Json(tracking).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!("no postal order is known for dossier {ma_ho_so:?}"),
        ),
        Err(e) if e.is_retryable() => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(e @ StateError::BadKey { .. }) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn status(State(s): State<Inbound>, headers: HeaderMap) -> Response {
    if !authorised(&s, &headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "a bearer token (the adapter's `read_token`) is required",
        );
    }
    let mode = match s.intake.config().mode {
        Mode::Webhook => "webhook",
        Mode::Poll => "poll",
    };
    let (cursor, last_error) = s.poll.snapshot();
    Json(json!({ "mode": mode, "cursor": cursor, "last_error": last_error })).into_response()
}
