//! The gateway's HTTP face: the four protocol operations plus the
//! settlement file, and a few simulator-only routes a demo drives (pay or
//! decline a payment, as the user would on the payment page).

use super::state::{lock, Outcome, SimPayment, SimState, SimStatus};
use super::{settlement_file, Simulated};
use crate::protocol::*;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lienthong_adapter::ma_xac_thuc::DailyFileRequest;
use lienthong_adapter::simulator::daily_file;
use lienthong_adapter::vietnam_time::{self, now_unix};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route(PATH_INIT, post(init))
        .route(PATH_QUERY, post(query))
        .route(PATH_BILL, post(bill))
        .route(PATH_SETTLEMENTS, get(settlements))
        .route("/pay/:reference", get(page))
        .route("/sim/pay/:reference", post(pay))
        .route("/sim/decline/:reference", post(decline))
        .with_state(state)
}

/// Slow and failing switches, applied to every protocol call.
async fn misbehave(state: &SimState) -> Option<Response> {
    state.calls.fetch_add(1, Ordering::SeqCst);
    state.switches.strike().await.then(|| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "simulated gateway failure",
        )
            .into_response()
    })
}

fn answer<T: Serialize + Signed>(state: &SimState, reply: T) -> Response {
    Json(reply.signed(&state.secret)).into_response()
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("dữ liệu không hợp lệ: {e}"))
}

/// A request of the protocol: whose it is, about which payment.
trait Request: DeserializeOwned + Signed {
    fn partner_code(&self) -> &str;
    fn reference(&self) -> &str;
}

/// An answer of the protocol, which can say no.
trait Reply: Default + Serialize + Signed {
    /// The answer `MaLoi` `code`, `MoTaLoi` `message`, about `reference`.
    fn refusal(code: &str, message: String, reference: &str) -> Self;
}

// Every request names its partner and payment alike.
macro_rules! requests {
    ($($request:ty),*) => {$(
        impl Request for $request {
            fn partner_code(&self) -> &str {
                &self.partner_code
            }
            fn reference(&self) -> &str {
                &self.reference
            }
        }
    )*};
}

requests!(InitRequest, QueryRequest, BillRequest);

// INIT's and QUERY's refusals name the reference asked about.
macro_rules! replies {
    ($($reply:ident),*) => {$(
        impl Reply for $reply {
            fn refusal(code: &str, message: String, reference: &str) -> Self {
                $reply {
                    code: code.into(),
                    message,
                    reference: reference.into(),
                    ..Default::default()
                }
            }
        }
    )*};
}

replies!(InitReply, QueryReply);

impl Reply for BillReply {
    /// GET_BILL's refusals name no reference.
    fn refusal(code: &str, message: String, _reference: &str) -> Self {
        BillReply {
            code: code.into(),
            message,
            ..Default::default()
        }
    }
}

/// The first steps of every protocol call: misbehave if switched to, then
/// the request once it parses and comes from the partner the gateway knows,
/// correctly signed; else the answer to give (HTTP 500, or the refusal
/// `R` with `MaLoi` 03 or 01).
async fn receive<Q: Request, R: Reply>(state: &SimState, body: &Bytes) -> Result<Q, Response> {
    if let Some(failure) = misbehave(state).await {
        return Err(failure);
    }
    let request: Q = parse(body).map_err(|e| answer(state, R::refusal(CODE_INVALID, e, "")))?;
    if request.partner_code() != state.partner_code || !request.verify_with(&state.secret) {
        let why = "sai mã xác thực".to_string();
        return Err(answer(
            state,
            R::refusal(CODE_BAD_SIGNATURE, why, request.reference()),
        ));
    }
    Ok(request)
}

async fn init(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let request: InitRequest = match receive::<_, InitReply>(&state, &body).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let reference = request.reference.clone();
    let refuse =
        |code: &str, message: String| answer(&state, InitReply::refusal(code, message, &reference));
    if let Err(problem) = check_init(&request) {
        return refuse(CODE_INVALID, problem);
    }
    let mut payments = lock(&state.payments);
    if payments.contains_key(&reference) {
        return refuse(
            CODE_DUPLICATE,
            format!("MaThamChieu {reference} đã tồn tại"),
        );
    }
    let payment_url = format!("{}/pay/{reference}", state.base_url);
    payments.insert(
        reference.clone(),
        SimPayment {
            request,
            payment_url: payment_url.clone(),
            status: SimStatus::Pending,
            transaction_id: String::new(),
            bank: String::new(),
            paid_at: String::new(),
            queries: 0,
            resolve_after: state.switches.pending_mode(),
            bill_number: String::new(),
        },
    );
    drop(payments);
    answer(
        &state,
        InitReply {
            code: CODE_OK.into(),
            message: "Thành công".into(),
            reference,
            payment_url,
            signature: String::new(),
        },
    )
}

fn check_init(r: &InitRequest) -> Result<(), String> {
    if r.reference.is_empty() || r.reference.len() > 100 {
        return Err("MaThamChieu: 1 to 100 characters".into());
    }
    if r.currency != CURRENCY_VND {
        return Err(format!("LoaiTienTe `{}`: only VND", r.currency));
    }
    if r.amount_vnd <= 0 {
        return Err("SoTien must be positive".into());
    }
    let items: i64 = r.receipt.items.iter().map(|i| i.amount_vnd).sum();
    if items != r.amount_vnd {
        return Err(format!(
            "ThongTinBienLai.KhoanNop add up to {items}, SoTien is {}",
            r.amount_vnd
        ));
    }
    if vietnam_time::parse(&r.time).is_none() {
        return Err(format!("ThoiGianGD `{}` is not yyyyMMddHHmmss", r.time));
    }
    if !r.callback_url.starts_with("http://") && !r.callback_url.starts_with("https://") {
        return Err("UrlCallback must be an http(s) URL".into());
    }
    for (field, value) in [
        ("MaHoSo", &r.receipt.ma_ho_so),
        ("TaiKhoanThuHuong", &r.receipt.beneficiary_account),
        ("MaKhoBac", &r.receipt.treasury_code),
        ("TaiKhoanThuNSNN", &r.receipt.revenue_account),
    ] {
        if value.is_empty() {
            return Err(format!("ThongTinBienLai.{field} is required"));
        }
    }
    Ok(())
}

async fn query(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let request: QueryRequest = match receive::<_, QueryReply>(&state, &body).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let mut payments = lock(&state.payments);
    let Some(payment) = payments.get_mut(&request.reference) else {
        let why = "không tìm thấy giao dịch".to_string();
        return answer(
            &state,
            QueryReply::refusal(CODE_NOT_FOUND, why, &request.reference),
        );
    };
    payment.queries += 1;
    if payment.status == SimStatus::Pending {
        match payment.resolve_after {
            Some((0, Outcome::Success)) => {
                state.settle(payment, now_unix());
            }
            Some((0, Outcome::Failure)) => payment.status = SimStatus::Failed,
            Some((n, outcome)) => payment.resolve_after = Some((n - 1, outcome)),
            None => {}
        }
    }
    let reply = QueryReply {
        code: CODE_OK.into(),
        message: "Thành công".into(),
        reference: request.reference.clone(),
        status: match payment.status {
            SimStatus::Pending => STATUS_PENDING,
            SimStatus::Paid => STATUS_SUCCESS,
            SimStatus::Failed => STATUS_FAILED,
        },
        amount_vnd: payment.request.amount_vnd,
        transaction_id: payment.transaction_id.clone(),
        bank: payment.bank.clone(),
        paid_at: payment.paid_at.clone(),
        payment_url: payment.payment_url.clone(),
        signature: String::new(),
    };
    drop(payments);
    answer(&state, reply)
}

async fn bill(State(state): State<Arc<SimState>>, body: Bytes) -> Response {
    let request: BillRequest = match receive::<_, BillReply>(&state, &body).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let payments = lock(&state.payments);
    let found = payments
        .get(&request.reference)
        .filter(|p| p.status == SimStatus::Paid && p.transaction_id == request.transaction_id);
    let Some(payment) = found else {
        let why = "không có biên lai cho giao dịch này".to_string();
        return answer(&state, BillReply::refusal(CODE_NOT_FOUND, why, ""));
    };
    let reply = BillReply {
        code: CODE_OK.into(),
        message: "Thành công".into(),
        reference: payment.request.reference.clone(),
        transaction_id: payment.transaction_id.clone(),
        amount_vnd: payment.request.amount_vnd,
        bill: Bill {
            number: payment.bill_number.clone(),
            series: "BLĐT-PG".into(),
            collected_at: payment.paid_at.clone(),
            ma_ho_so: payment.request.receipt.ma_ho_so.clone(),
            url: format!("{}/bill/{}", state.base_url, payment.bill_number),
        },
        signature: String::new(),
    };
    drop(payments);
    answer(&state, reply)
}

async fn settlements(
    State(state): State<Arc<SimState>>,
    Query(request): Query<DailyFileRequest>,
) -> Response {
    if let Some(failure) = misbehave(&state).await {
        return failure;
    }
    daily_file(&request, &state.partner_code, &state.secret, |date| {
        settlement_file(&lock(&state.settled), Some(date))
    })
}

async fn page(State(state): State<Arc<SimState>>, Path(reference): Path<String>) -> Response {
    match lock(&state.payments).get(&reference) {
        Some(p) => format!(
            "Cổng thanh toán (mô phỏng)\nMaThamChieu: {reference}\nSoTien: {} VND\n{}\n",
            p.request.amount_vnd, p.request.description
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "không tìm thấy giao dịch").into_response(),
    }
}

async fn pay(State(state): State<Arc<SimState>>, Path(reference): Path<String>) -> Response {
    simulated(super::end_payment(&state, &reference, Outcome::Success).await)
}

async fn decline(State(state): State<Arc<SimState>>, Path(reference): Path<String>) -> Response {
    simulated(super::end_payment(&state, &reference, Outcome::Failure).await)
}

fn simulated(result: Result<Simulated, crate::error::PaymentError>) -> Response {
    match result {
        Ok(done) => Json(serde_json::json!({
            "transaction_id": done.transaction_id,
            "callbacks": done.callbacks.iter().map(|c| serde_json::json!({
                "status": c.status,
                "reply": c.reply,
                "correctly_signed": c.correctly_signed,
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => (
            StatusCode::CONFLICT,
            Json(serde_json::json!({ "error": e.to_string() })),
        )
            .into_response(),
    }
}
