//! Inbound HTTP, mounted by the hub under `/partners/<partner id>/`:
//! `POST reconcile` runs a reconciliation now and answers its summary.
//!
//! The body is optional: `{"date": "yyyyMMdd"}` (default: today, Vietnam
//! time, so far). The caller must send `Authorization: Bearer
//! <trigger_token>`; without a `trigger_token` in the settings the route
//! is disabled (403). Errors are JSON `{"error": …}`: 400 for a bad date,
//! 401 for a wrong token, 502 when a partner's file cannot be fetched or
//! read, 500 when the report cannot be written.

use crate::error::TreasuryError;
use crate::run::Reconciler;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lienthong_adapter::auth::check_bearer;
use lienthong_adapter::vietnam_time::{self, now_unix};
use std::sync::Arc;

#[derive(Clone)]
struct RouteState {
    reconciler: Arc<Reconciler>,
    token: Option<String>,
}

pub fn router(reconciler: Arc<Reconciler>, token: Option<String>) -> Router {
    Router::new()
        .route("/reconcile", post(reconcile_now))
        .with_state(RouteState { reconciler, token })
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

async fn reconcile_now(
    State(state): State<RouteState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = &state.token else {
        return error(
            StatusCode::FORBIDDEN,
            "POST reconcile is disabled: set `trigger_token` in this partner's adapter settings",
        );
    };
    if !check_bearer(&headers, token).is_valid() {
        tracing::warn!(partner = %state.reconciler.partner_id, "POST reconcile with a wrong or missing token");
        return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let date = if body.iter().all(u8::is_ascii_whitespace) {
        vietnam_time::format_date(now_unix())
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(map)) => match map.get("date") {
                None => vietnam_time::format_date(now_unix()),
                Some(serde_json::Value::String(d)) => d.clone(),
                Some(other) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!("field `date` must be a yyyyMMdd string, not {other}"),
                    )
                }
            },
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "body must be empty or a JSON object like {\"date\": \"20251122\"}",
                )
            }
        }
    };
    match state.reconciler.run(&date).await {
        Ok(result) => Json(result.to_json()).into_response(),
        Err(e @ TreasuryError::Date(_)) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e @ TreasuryError::Report { .. }) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
        }
        Err(e) => error(StatusCode::BAD_GATEWAY, e.to_string()),
    }
}
