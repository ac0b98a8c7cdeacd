//! The simulated one-stop system's HTTP face: `POST /api/dossiers` and
//! `POST /api/dossiers/{ma_ho_so}/events`, bearer-token protected, with the
//! delays and faults the switches ask for.

use super::state::{Answer, SimState};
use crate::protocol::{DossierEvent, DossierRecord, IDEMPOTENCY_HEADER};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lienthong_adapter::auth::check_bearer;
use serde_json::json;
use std::sync::{Arc, Mutex};

pub type Shared = Arc<Mutex<SimState>>;

use lienthong_adapter::sync::lock;

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/api/dossiers", post(dossier))
        .route("/api/dossiers/:ma_ho_so/events", post(event))
        .with_state(shared)
}

fn answer((status, body): Answer) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

/// Delay, bearer check and injected faults; `Some` is the answer to send.
async fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Answer> {
    let delay = lock(shared).faults.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut state = lock(shared);
    if !check_bearer(headers, &state.config.api_token).is_valid() {
        return Some((401, json!({"message": "sai hoặc thiếu mã truy cập"})));
    }
    if state.faults.fail_next > 0 {
        state.faults.fail_next -= 1;
        return Some((500, json!({"message": "lỗi hệ thống (giả lập)"})));
    }
    if state.faults.reject_next > 0 {
        state.faults.reject_next -= 1;
        return Some((422, json!({"message": "hồ sơ không hợp lệ (giả lập)"})));
    }
    None
}

async fn dossier(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let result = match gate(&shared, &headers).await {
        Some(refusal) => refusal,
        None => match serde_json::from_slice::<DossierRecord>(&body) {
            Ok(record) => {
                let key = headers
                    .get(IDEMPOTENCY_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(&record.ma_ho_so)
                    .to_string();
                lock(&shared).post_dossier(&key, record)
            }
            Err(e) => (400, json!({"message": format!("JSON không hợp lệ: {e}")})),
        },
    };
    lock(&shared).log.push(("dossier".into(), result.0));
    answer(result)
}

async fn event(
    State(shared): State<Shared>,
    Path(ma_ho_so): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = match gate(&shared, &headers).await {
        Some(refusal) => refusal,
        None => match serde_json::from_slice::<DossierEvent>(&body) {
            Ok(change) => lock(&shared).post_event(&ma_ho_so, change),
            Err(e) => (400, json!({"message": format!("JSON không hợp lệ: {e}")})),
        },
    };
    lock(&shared).log.push(("event".into(), result.0));
    answer(result)
}
