//! Inbound HTTP, mounted by the hub under `/partners/<partner id>/`:
//!
//! - `POST callback` — the gateway's confirmation of a payment. Checked in
//!   this order: readable body with the required fields (400 naming the
//!   field), `MaDoiTac` is this partner (403), `MaXacThuc` verifies (401),
//!   `MaThamChieu` is one of our payments (400), `SoTien` equals what was
//!   requested (400). Only then is the payment recorded in the hub, keyed
//!   by `MaGiaoDich`; a duplicate callback changes nothing. A hub that
//!   cannot decide now gets the gateway a 503, so it calls again.
//! - `GET payments/{reference}` — where one payment stands (no payer data);
//!   only with `Authorization: Bearer <read_token>` (401 otherwise).

use crate::core::{Core, Settled, Success};
use crate::ledger::PaymentRecord;
use crate::protocol::{
    Callback, CallbackReply, Signed, CODE_BAD_SIGNATURE, CODE_INVALID, CODE_NOT_FOUND, CODE_OK,
    CODE_SYSTEM,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lienthong_adapter::auth::check_bearer;
use lienthong_adapter::vietnam_time;
use std::sync::Arc;

/// The longest `MaGiaoDich` accepted (it becomes part of an idempotency key).
const MAX_TRANSACTION_ID_LEN: usize = 100;

pub fn router(core: Arc<Core>) -> Router {
    Router::new()
        .route("/callback", post(callback))
        .route("/payments/:reference", get(payment))
        .with_state(core)
}

async fn callback(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let reply = |status: StatusCode, code: &str, reference: &str, message: String| {
        let body = CallbackReply {
            code: code.to_string(),
            message,
            reference: reference.to_string(),
            signature: String::new(),
        }
        .signed(&core.settings.secret);
        (status, Json(body)).into_response()
    };
    let cb: Callback = match serde_json::from_slice(&body) {
        Ok(cb) => cb,
        Err(e) => {
            tracing::warn!(partner = %core.partner_id, error = %e, "unreadable payment callback");
            return reply(
                StatusCode::BAD_REQUEST,
                CODE_INVALID,
                "",
                format!("body is not a payment callback: {e}"),
            );
        }
    };
    let reference = cb.reference.clone();
    for (field, value) in [
        ("MaDoiTac", &cb.partner_code),
        ("MaThamChieu", &cb.reference),
        ("MaKetQua", &cb.result_code),
        ("MaXacThuc", &cb.signature),
    ] {
        if value.trim().is_empty() {
            return reply(
                StatusCode::BAD_REQUEST,
                CODE_INVALID,
                &reference,
                format!("field `{field}` is required"),
            );
        }
    }
    if cb.partner_code != core.settings.partner_code {
        tracing::warn!(partner = %core.partner_id, got = %cb.partner_code, "payment callback for another MaDoiTac");
        return reply(
            StatusCode::FORBIDDEN,
            CODE_INVALID,
            &reference,
            format!("MaDoiTac `{}` is not this partner", cb.partner_code),
        );
    }
    if !cb.verify_with(&core.settings.secret) {
        tracing::warn!(partner = %core.partner_id, %reference, "payment callback with a wrong MaXacThuc: ignored");
        return reply(
            StatusCode::UNAUTHORIZED,
            CODE_BAD_SIGNATURE,
            &reference,
            "MaXacThuc does not verify".into(),
        );
    }
    if let Err(e) = core.ledger.load().await {
        // The gateway calls back again (or QUERY finds it) once it is read.
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::protocol::CODE_SYSTEM,
            &reference,
            format!("the payment ledger is not read back yet: {e}"),
        );
    }
    let Some(record) = core.ledger.get(&reference) else {
        tracing::warn!(partner = %core.partner_id, %reference, "payment callback for an unknown MaThamChieu");
        return reply(
            StatusCode::BAD_REQUEST,
            CODE_NOT_FOUND,
            &reference,
            format!("MaThamChieu `{reference}` is not a payment created here"),
        );
    };
    if cb.result_code != CODE_OK {
        core.fail(&reference, &cb.result_code).await;
        return reply(
            StatusCode::OK,
            CODE_OK,
            &reference,
            format!("failure {} noted", cb.result_code),
        );
    }
    if let Err(problem) = success_fields(&cb) {
        return reply(StatusCode::BAD_REQUEST, CODE_INVALID, &reference, problem);
    }
    if cb.amount_vnd != record.amount_vnd {
        tracing::warn!(
            partner = %core.partner_id,
            %reference,
            requested = record.amount_vnd,
            reported = cb.amount_vnd,
            "payment callback amount differs from the request: nothing recorded"
        );
        return reply(
            StatusCode::BAD_REQUEST,
            CODE_INVALID,
            &reference,
            format!(
                "SoTien {} differs from the requested {} VND",
                cb.amount_vnd, record.amount_vnd
            ),
        );
    }
    let success = Success {
        reference: reference.clone(),
        transaction_id: cb.transaction_id.clone(),
        amount_vnd: cb.amount_vnd,
        bank: cb.bank.clone(),
        paid_at: cb.paid_at.clone(),
    };
    match core.settle(&success).await {
        Ok(Settled::Recorded) => reply(StatusCode::OK, CODE_OK, &reference, "recorded".into()),
        Ok(Settled::AlreadyPaid) => reply(
            StatusCode::OK,
            CODE_OK,
            &reference,
            "already recorded".into(),
        ),
        Ok(Settled::ExtraTransaction) => reply(
            StatusCode::OK,
            CODE_OK,
            &reference,
            "reference already paid by another transaction: kept for refund".into(),
        ),
        Ok(Settled::Refused(reason)) => reply(
            StatusCode::OK,
            CODE_OK,
            &reference,
            format!("received; the dossier did not accept the payment: {reason}"),
        ),
        Ok(Settled::NotSettleable(state)) => reply(
            StatusCode::CONFLICT,
            CODE_INVALID,
            &reference,
            format!("payment is {state:?}: not settled by a callback"),
        ),
        Ok(Settled::Unknown) => reply(
            StatusCode::BAD_REQUEST,
            CODE_NOT_FOUND,
            &reference,
            format!("MaThamChieu `{reference}` is not a payment created here"),
        ),
        Err(reason) => reply(
            StatusCode::SERVICE_UNAVAILABLE,
            CODE_SYSTEM,
            &reference,
            format!("try again later: {reason}"),
        ),
    }
}

/// The fields a success must carry, well-formed.
pub fn success_fields(cb: &Callback) -> Result<(), String> {
    let id = &cb.transaction_id;
    if id.trim().is_empty() {
        return Err("field `MaGiaoDich` is required for MaKetQua 00".into());
    }
    if id.len() > MAX_TRANSACTION_ID_LEN || id.chars().any(|c| c.is_control() || c == ' ') {
        return Err(format!(
            "field `MaGiaoDich` must be at most {MAX_TRANSACTION_ID_LEN} printable characters without spaces"
        ));
    }
    if vietnam_time::parse(&cb.paid_at).is_none() {
        return Err(format!(
            "field `ThoiGianThanhToan` `{}` is not yyyyMMddHHmmss",
            cb.paid_at
        ));
    }
    if cb.amount_vnd <= 0 {
        return Err(format!("field `SoTien` {} must be positive", cb.amount_vnd));
    }
    Ok(())
}

async fn payment(
    State(core): State<Arc<Core>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    if !check_bearer(&headers, &core.settings.read_token).is_valid() {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({
                "error": "a bearer token (the adapter's `read_token`) is required"
            })),
        )
            .into_response();
    }
    if let Err(e) = core.ledger.load().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "error": format!("the payment ledger is not read back yet: {e}")
            })),
        )
            .into_response();
    }
    match core.ledger.get(&reference) {
        Some(record) => Json(view(&record)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({
                "error": format!("no payment with reference `{reference}`")
            })),
        )
            .into_response(),
    }
}

fn view(record: &PaymentRecord) -> serde_json::Value {
    serde_json::json!({
        "reference": record.reference,
        "ma_ho_so": record.ma_ho_so,
        "amount_vnd": record.amount_vnd,
        "state": record.state,
        "payment_url": record.payment_url,
        "transaction_id": record.transaction_id,
        "bank": record.bank,
        "paid_at": record.paid_at,
        "gateway_result": record.gateway_result,
        "queries": record.queries,
        "last_error": record.last_error,
        "receipt": record.receipt,
        "extra_transactions": record.extra_transactions,
        "created_at_unix": record.created_at_unix,
        "updated_at_unix": record.updated_at_unix,
    })
}
