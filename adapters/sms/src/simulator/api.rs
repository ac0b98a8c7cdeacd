//! The simulated gateway's one route, `POST /sms/send`.

use super::state::{lock, Received, Shared};
use crate::protocol::{codes, SendRequest, SendResponse, SEND_PATH};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

pub(super) fn router(shared: Shared) -> Router {
    Router::new()
        .route(SEND_PATH, post(send))
        .with_state(shared)
}

fn answer(code: &str, description: &str, sms_id: &str) -> (StatusCode, Json<SendResponse>) {
    (
        StatusCode::OK,
        Json(SendResponse {
            code: code.into(),
            description: description.into(),
            sms_id: sms_id.into(),
        }),
    )
}

async fn send(
    State(shared): State<Shared>,
    Json(request): Json<SendRequest>,
) -> (StatusCode, Json<SendResponse>) {
    let delay = lock(&shared).delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut state = lock(&shared);
    state.requests += 1;
    if state.fail_next > 0 {
        state.fail_next -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, answer("", "", "").1);
    }
    if request.account != state.config.account || request.secret != state.config.secret {
        return answer(codes::AUTH_FAILED, "account or secret wrong", "");
    }
    if request.brandname != state.config.brand_name {
        return answer(codes::BRAND_NOT_REGISTERED, "brand name not registered", "");
    }
    if let Some(code) = state.refuse_with.clone() {
        return answer(&code, "refused by the simulator's switch", "");
    }
    if let Some(sms_id) = state.by_request.get(&request.request_id) {
        let sms_id = sms_id.clone();
        return answer(
            codes::DUPLICATE_REQUEST,
            "request id already accepted",
            &sms_id,
        );
    }
    let valid_phone = request.phone.len() == 11
        && request.phone.starts_with("84")
        && request.phone.bytes().all(|b| b.is_ascii_digit());
    if !valid_phone {
        return answer(codes::INVALID_PHONE, "not an 84xxxxxxxxx number", "");
    }
    if request.message.trim().is_empty() || request.message.chars().count() > 1000 {
        return answer(codes::INVALID_MESSAGE, "empty or too long", "");
    }
    let sms_id = format!("SIM{:08}", state.received.len() + 1);
    state
        .by_request
        .insert(request.request_id.clone(), sms_id.clone());
    state.received.push(Received {
        sms_id: sms_id.clone(),
        request_id: request.request_id,
        phone: request.phone,
        message: request.message,
        unicode: request.unicode,
    });
    if state.lose_answer_next > 0 {
        state.lose_answer_next -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, answer("", "", "").1);
    }
    answer(codes::ACCEPTED, "accepted", &sms_id)
}
