//! The simulated legacy system's receiving endpoint.
//!
//! `POST /api/hoso/dongbo`: checks `X-Api-Key`, applies the switches, then
//! records the message unless its `maSuKien` was seen before. Business
//! answers are HTTP 200 with `{maLoi, moTa, maThamChieu}`.

use super::{codes, Call, Shared};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(codes::RECEIVE_PATH, post(receive))
        .with_state(shared)
}

fn reply(status: StatusCode, code: &str, message: &str, reference: &str) -> (StatusCode, Value) {
    let mut body = json!({ "maLoi": code, "moTa": message });
    if !reference.is_empty() {
        body["maThamChieu"] = Value::String(reference.to_string());
    }
    (status, body)
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (status, answer) = handle(&shared, &headers, &parsed).await;
    shared.lock().calls.push(Call {
        body: parsed,
        http_status: status.as_u16(),
        code: answer["maLoi"].as_str().unwrap_or("").to_string(),
    });
    (status, Json(answer)).into_response()
}

async fn handle(shared: &Shared, headers: &HeaderMap, body: &Value) -> (StatusCode, Value) {
    let key = headers
        .get(codes::API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if key != shared.api_key {
        return reply(StatusCode::UNAUTHORIZED, "401", "Sai khóa truy cập", "");
    }
    let slow = shared.lock().switches.slow;
    if !slow.is_zero() {
        tokio::time::sleep(slow).await;
    }
    let mut inner = shared.lock();
    let s = &mut inner.switches;
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return reply(StatusCode::INTERNAL_SERVER_ERROR, "500", "Lỗi hệ thống", "");
    }
    if s.busy_next > 0 {
        s.busy_next -= 1;
        return reply(StatusCode::OK, "99", "Hệ thống bận, thử lại sau", "");
    }
    if s.reject_next > 0 {
        s.reject_next -= 1;
        return reply(StatusCode::OK, "01", "Dữ liệu không hợp lệ", "");
    }
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
    for required in ["maSuKien", "soHoSo"] {
        if field(required).is_empty() {
            return reply(
                StatusCode::OK,
                "01",
                &format!("Thiếu trường {required}"),
                "",
            );
        }
    }
    let event_id = field("maSuKien").to_string();
    let seen = inner
        .accepted
        .iter()
        .any(|m| m.get("maSuKien").and_then(Value::as_str) == Some(event_id.as_str()));
    if seen {
        return reply(
            StatusCode::OK,
            "02",
            "Sự kiện đã được ghi nhận trước đó",
            "",
        );
    }
    inner.accepted.push(body.clone());
    inner.next_reference += 1;
    let reference = format!("LG{:08}", inner.next_reference);
    if inner.switches.lose_reply_next > 0 {
        inner.switches.lose_reply_next -= 1;
        return reply(StatusCode::INTERNAL_SERVER_ERROR, "500", "Lỗi hệ thống", "");
    }
    reply(StatusCode::OK, "00", "Thành công", &reference)
}
