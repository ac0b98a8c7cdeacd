//! The simulated portal's HTTP face: the login path and every operation's
//! path, as its protocol profile lays them out.
//!
//! Adds what a real network adds — delays and HTTP 500s, before or after the
//! call was applied — around the rules in `state`, and logs every call. A
//! request is routed by its path and, where operations share a path, by its
//! service name; its envelope is read from the JSON body or, for operations
//! the profile puts in the query, from the query with the body as `data`.

use super::state::{CallRecord, SimState};
use crate::profile::{Op, Placement};
use crate::protocol::{codes, Reply, DSTCODE_HEADER};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};

pub type Shared = Arc<Mutex<SimState>>;

use lienthong_adapter::sync::lock;

pub fn router(shared: Shared) -> Router {
    let login_path = format!(
        "/{}",
        lock(&shared).config.profile.login_path.trim_matches('/')
    );
    Router::new()
        .route(&login_path, post(login))
        .fallback(post(service))
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
async fn delay_and_fault(shared: &Shared, op: Option<Op>) -> bool {
    let delay = lock(shared).faults.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut state = lock(shared);
    if state.faults.fail_next > 0 {
        state.faults.fail_next -= 1;
        return true;
    }
    let Some(op) = op else { return false };
    match state.faults.fail_next_of.get_mut(&op) {
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
    if delay_and_fault(&shared, None).await {
        return server_error();
    }
    let body = match parse(&body) {
        Ok(v) => v,
        Err(reply) => return Json(reply).into_response(),
    };
    let dstcode = headers.get(DSTCODE_HEADER).and_then(|v| v.to_str().ok());
    Json(lock(&shared).login(dstcode, &body)).into_response()
}

/// The envelope of a call and the operation it is for.
fn envelope(
    shared: &Shared,
    uri: &Uri,
    body: &Bytes,
) -> Result<(Option<Op>, Map<String, Value>), Reply> {
    let state = lock(shared);
    let profile = &state.config.profile;
    let query: Map<String, Value> = uri
        .query()
        .map(|q| {
            url_pairs(q)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect()
        })
        .unwrap_or_default();
    let by_path = |service: Option<&str>| profile.operation_at(uri.path(), service);
    // A query-placed operation is known by its path (and the query's service).
    let service_in_query = query
        .get(&profile.parameters.service)
        .and_then(Value::as_str);
    if let Some(op) = by_path(service_in_query) {
        if profile.operation(op).params == Placement::Query {
            let mut envelope = query.clone();
            let data = if body.is_empty() {
                Value::Array(Vec::new())
            } else {
                parse(body)?
            };
            envelope.insert(profile.parameters.data.clone(), data);
            return Ok((Some(op), envelope));
        }
    }
    let value = parse(body)?;
    let Value::Object(envelope) = value else {
        return Err(Reply::error(
            codes::INVALID,
            "Thân yêu cầu phải là một đối tượng JSON",
        ));
    };
    let service = envelope
        .get(&profile.parameters.service)
        .and_then(Value::as_str);
    let op = by_path(service).filter(|op| profile.operation(*op).params == Placement::Body);
    Ok((op, envelope))
}

/// `a=b&c=d`, percent-decoded.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    let url = format!("http://x/?{query}");
    match reqwest::Url::parse(&url) {
        Ok(url) => url.query_pairs().into_owned().collect(),
        Err(_) => Vec::new(),
    }
}

async fn service(State(shared): State<Shared>, uri: Uri, body: Bytes) -> Response {
    let (op, envelope) = match envelope(&shared, &uri, &body) {
        Ok(found) => found,
        Err(reply) => return Json(reply).into_response(),
    };
    if delay_and_fault(&shared, op).await {
        let mut state = lock(&shared);
        state.log.push(CallRecord {
            op,
            service: String::new(),
            madonvi: String::new(),
            is_updating: None,
            ma_ho_so: Vec::new(),
            error_code: String::new(),
            http_status: 500,
        });
        return server_error();
    }
    let mut state = lock(&shared);
    let (reply, mut record) = state.service(op, &envelope);
    let lose = match op.and_then(|op| state.faults.lose_reply_of.get_mut(&op)) {
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
