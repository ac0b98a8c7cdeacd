//! The simulated portal's HTTP face: `POST /login` and `POST /service`.
//!
//! Adds what a real network adds — delays and HTTP 500s, before or after the
//! call was applied — around the rules in `state`, and logs every call.

use super::state::{CallRecord, SimState};
use crate::protocol::{codes, Reply, DSTCODE_HEADER};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;
use std::sync::{Arc, Mutex};

pub type Shared = Arc<Mutex<SimState>>;

use lienthong_adapter::sync::lock;

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/service", post(service))
        .with_state(shared)
}

fn server_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Server Error (simulated)",
    )
        .into_response()
}

/// Sleeps the configured delay, then says whether to fail this call.
async fn delay_and_fault(shared: &Shared, op: &str) -> bool {
    let delay = lock(shared).faults.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut state = lock(shared);
    if state.faults.fail_next > 0 {
        state.faults.fail_next -= 1;
        return true;
    }
    match state.faults.fail_next_of.get_mut(op) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

fn parse(body: &Bytes) -> Result<Value, Reply> {
    serde_json::from_slice(body)
        .map_err(|e| Reply::error(codes::INVALID, format!("JSON không hợp lệ: {e}")))
}

async fn login(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if delay_and_fault(&shared, "login").await {
        return server_error();
    }
    let body = match parse(&body) {
        Ok(v) => v,
        Err(reply) => return Json(reply).into_response(),
    };
    let dstcode = headers.get(DSTCODE_HEADER).and_then(|v| v.to_str().ok());
    Json(lock(&shared).login(dstcode, &body)).into_response()
}

async fn service(State(shared): State<Shared>, body: Bytes) -> Response {
    let value = match parse(&body) {
        Ok(v) => v,
        Err(reply) => return Json(reply).into_response(),
    };
    let op = value
        .get("service")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if delay_and_fault(&shared, &op).await {
        let mut state = lock(&shared);
        state.log.push(CallRecord {
            service: op,
            madonvi: String::new(),
            is_updating: None,
            ma_ho_so: Vec::new(),
            error_code: String::new(),
            http_status: 500,
        });
        return server_error();
    }
    let mut state = lock(&shared);
    let (reply, mut record) = state.service(&value);
    let lose = match state.faults.lose_reply_of.get_mut(&op) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    };
    if lose {
        record.http_status = 500;
        state.log.push(record);
        return server_error();
    }
    state.log.push(record);
    Json(reply).into_response()
}
