//! The simulated provider's REST API (see `protocol.rs` for the contract).
//!
//! Each call checks the API key, then applies the switches (slow, 500 before
//! acting, 500 after acting), then does its work and records the answer.

use crate::protocol::{
    CancelRequest, ErrorReply, EventsPage, OrderReply, OrderRequest, NOT_CANCELLABLE, ORDER_EXISTS,
    ORDER_NOT_FOUND,
};
use crate::simulator::{codes, Shared};
use crate::vocabulary::ServiceType;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lienthong_adapter::auth::check_bearer;
use std::sync::Arc;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/orders", post(create))
        .route("/v1/orders/:number/cancel", post(cancel))
        .route("/v1/events", get(events))
        .with_state(shared)
}

fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(ErrorReply {
            code: code.to_string(),
            message: message.into(),
            order_id: String::new(),
        }),
    )
        .into_response()
}

/// Authentication and the switches that act before the work. `Err` is the
/// answer to give instead of working.
async fn gate(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    if !check_bearer(headers, &shared.api_key).is_valid() {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "missing or wrong API key",
        ));
    }
    let slow = shared.lock().switches.slow;
    if !slow.is_zero() {
        tokio::time::sleep(slow).await;
    }
    let mut inner = shared.lock();
    if inner.switches.fail_next > 0 {
        inner.switches.fail_next -= 1;
        return Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "simulated failure",
        ));
    }
    Ok(())
}

/// The lose-reply switch, after the work was done.
fn lose_reply(shared: &Shared, answer: Response) -> Response {
    let mut inner = shared.lock();
    if inner.switches.lose_reply_next > 0 {
        inner.switches.lose_reply_next -= 1;
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "simulated failure after the work was done",
        );
    }
    answer
}

fn record(shared: &Shared, method: &str, path: String, answer: Response) -> Response {
    shared.lock().calls.push(crate::simulator::ApiCall {
        method: method.to_string(),
        path,
        status: answer.status().as_u16(),
    });
    answer
}

async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let answer = create_inner(&shared, &headers, &body).await;
    record(&shared, "POST", "/v1/orders".to_string(), answer)
}

async fn create_inner(shared: &Arc<Shared>, headers: &HeaderMap, body: &[u8]) -> Response {
    if let Err(answer) = gate(shared, headers).await {
        return answer;
    }
    let order: OrderRequest = match serde_json::from_slice(body) {
        Ok(order) => order,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", e.to_string()),
    };
    for (field, value) in [
        ("OrderNumber", &order.order_number),
        ("Sender.Fullname", &order.sender.fullname),
        ("Receiver.Fullname", &order.receiver.fullname),
        ("AgencyCode", &order.agency_code),
    ] {
        if value.trim().is_empty() {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID",
                format!("{field} is required"),
            );
        }
    }
    if order.cod_amount < 0 {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID",
            "CodAmount must not be negative",
        );
    }
    let (number, service) = (order.order_number.clone(), order.service_type);
    let order_id = {
        let mut inner = shared.lock();
        if let Some(existing) = inner.order(&number, service) {
            let answer = ErrorReply {
                code: ORDER_EXISTS.to_string(),
                message: format!("order {number} ({service}) already exists"),
                order_id: existing.order_id.clone(),
            };
            return (StatusCode::CONFLICT, Json(answer)).into_response();
        }
        inner.create(order)
    };
    shared.emit(&number, service, codes::CREATED, "");
    shared.start_autopilot(&number, service);
    let reply = OrderReply {
        order_id,
        order_number: number,
        service_type: service,
        status: codes::CREATED.to_string(),
    };
    lose_reply(shared, (StatusCode::CREATED, Json(reply)).into_response())
}

async fn cancel(
    State(shared): State<Arc<Shared>>,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/v1/orders/{number}/cancel");
    let answer = cancel_inner(&shared, &number, &headers, &body).await;
    record(&shared, "POST", path, answer)
}

async fn cancel_inner(
    shared: &Arc<Shared>,
    number: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if let Err(answer) = gate(shared, headers).await {
        return answer;
    }
    let cancel: CancelRequest = match serde_json::from_slice(body) {
        Ok(cancel) => cancel,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", e.to_string()),
    };
    let status = {
        let inner = shared.lock();
        match inner.order(number, cancel.service_type) {
            None => {
                return refuse(
                    StatusCode::NOT_FOUND,
                    ORDER_NOT_FOUND,
                    format!("no {} order {number}", cancel.service_type),
                )
            }
            Some(order) => order.status.clone(),
        }
    };
    if status == codes::CANCELLED {
        return (
            StatusCode::OK,
            Json(serde_json::json!({ "Status": codes::CANCELLED })),
        )
            .into_response();
    }
    if status != codes::CREATED || cancel.service_type != ServiceType::Pickup {
        return refuse(
            StatusCode::CONFLICT,
            NOT_CANCELLABLE,
            format!("order {number} is {status}: too late to cancel"),
        );
    }
    shared.emit(
        number,
        cancel.service_type,
        codes::CANCELLED,
        &cancel.reason,
    );
    lose_reply(
        shared,
        (
            StatusCode::OK,
            Json(serde_json::json!({ "Status": codes::CANCELLED })),
        )
            .into_response(),
    )
}

/// `after` and `limit` from the query string.
fn feed_query(uri: &Uri) -> Result<(u64, usize), String> {
    let (mut after, mut limit) = (0u64, 100usize);
    for pair in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "after" => {
                after = value
                    .parse()
                    .map_err(|_| format!("after={value:?} is not a number"))?
            }
            "limit" => {
                limit = value
                    .parse()
                    .map_err(|_| format!("limit={value:?} is not a number"))?
            }
            _ => {}
        }
    }
    Ok((after, limit.clamp(1, 1000)))
}

async fn events(State(shared): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    if let Err(answer) = gate(&shared, &headers).await {
        return record(&shared, "GET", "/v1/events".to_string(), answer);
    }
    let (after, limit) = match feed_query(&uri) {
        Ok(q) => q,
        Err(e) => {
            let answer = refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", e);
            return record(&shared, "GET", "/v1/events".to_string(), answer);
        }
    };
    let events = shared.lock().events_after(after, limit);
    let next_cursor = events.last().map(|e| e.seq).unwrap_or(after);
    let answer = Json(EventsPage {
        events,
        next_cursor,
    })
    .into_response();
    record(&shared, "GET", "/v1/events".to_string(), answer)
}
