//! The treasury's HTTP face: credit notices in, the credit file out.

use super::credit_file;
use super::state::{lock, SimState};
use crate::protocol::*;
use crate::reconcile::Credited;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lienthong_adapter::ma_xac_thuc::DailyFileRequest;
use lienthong_adapter::simulator::daily_file;
use lienthong_adapter::vietnam_time::{self, now_unix};
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route(PATH_CREDIT_NOTICES, post(credit_notice))
        .route(PATH_CREDITS, get(credits))
        .with_state(state)
}

async fn misbehave(state: &SimState) -> Option<Response> {
    state.switches.strike().await.then(|| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "simulated treasury failure",
        )
            .into_response()
    })
}

fn answer(
    state: &SimState,
    code: &str,
    message: &str,
    transaction_id: &str,
    document: &str,
) -> Response {
    let mut reply = CreditReply {
        code: code.into(),
        message: message.into(),
        transaction_id: transaction_id.into(),
        document_number: document.into(),
        signature: String::new(),
    };
    reply.sign_with(&state.secret);
    Json(reply).into_response()
}

async fn credit_notice(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    state.notices.fetch_add(1, Ordering::SeqCst);
    if let Some(failure) = misbehave(&state).await {
        return failure;
    }
    let notice: CreditNotice = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => {
            return answer(
                &state,
                CODE_INVALID,
                &format!("dữ liệu không hợp lệ: {e}"),
                "",
                "",
            )
        }
    };
    let txn = notice.transaction_id.clone();
    if notice.partner_code != state.partner_code || !notice.verify_with(&state.secret) {
        return answer(&state, CODE_BAD_SIGNATURE, "sai mã xác thực", &txn, "");
    }
    if txn.is_empty()
        || notice.reference.is_empty()
        || notice.ma_ho_so.is_empty()
        || notice.amount_vnd <= 0
    {
        return answer(
            &state,
            CODE_INVALID,
            "thiếu MaGiaoDich, MaThamChieu, MaHoSo hoặc SoTien",
            &txn,
            "",
        );
    }
    if !notice.paid_at.is_empty() && vietnam_time::parse(&notice.paid_at).is_none() {
        return answer(
            &state,
            CODE_INVALID,
            "ThoiGianThanhToan không đúng yyyyMMddHHmmss",
            &txn,
            "",
        );
    }
    let mut credits = lock(&state.credits);
    if let Some(existing) = credits.iter().find(|c| c.transaction_id == txn) {
        let document = existing.document_number.clone();
        drop(credits);
        return answer(
            &state,
            CODE_DUPLICATE,
            "giao dịch đã được ghi có",
            &txn,
            &document,
        );
    }
    let now = vietnam_time::format(now_unix());
    let bonus = if state.switches.take_wrong_amount() {
        1_000
    } else {
        0
    };
    let copies = if state.switches.take_duplicate() {
        2
    } else {
        1
    };
    let mut first = String::new();
    for _ in 0..copies {
        let document = state.next_document_number(&now[..8]);
        if first.is_empty() {
            first = document.clone();
        }
        credits.push(Credited {
            document_number: document,
            reference: notice.reference.clone(),
            transaction_id: txn.clone(),
            ma_ho_so: notice.ma_ho_so.clone(),
            amount_vnd: notice.amount_vnd + bonus,
            revenue_account: notice.revenue_account.clone(),
            treasury_code: notice.treasury_code.clone(),
            paid_at: notice.paid_at.clone(),
            credited_at: now.clone(),
        });
    }
    drop(credits);
    if state.switches.take_fail_after_record() {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "simulated failure after crediting",
        )
            .into_response();
    }
    answer(&state, CODE_OK, "đã ghi có", &txn, &first)
}

async fn credits(
    State(state): State<Arc<SimState>>,
    Query(request): Query<DailyFileRequest>,
) -> Response {
    if let Some(failure) = misbehave(&state).await {
        return failure;
    }
    daily_file(&request, &state.partner_code, &state.secret, |date| {
        credit_file(&lock(&state.credits), Some(date))
    })
}
