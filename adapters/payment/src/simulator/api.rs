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
        .route("/pay/:reference", get(page).post(page_choice))
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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `1500000` as `1.500.000`.
fn grouped(amount: i64) -> String {
    let digits = amount.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn html_page(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:34rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}}\
         dt{{font-weight:bold}}dd{{margin:0 0 .5rem}}button{{font-size:1rem;padding:.5rem 1rem;margin:.75rem .5rem 0 0}}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    (status, axum::response::Html(page)).into_response()
}

/// The payment page the payer's browser is sent to (`UrlThanhToan`): what
/// is paid, and two buttons — pay, or give up (a declined payment).
async fn page(State(state): State<Arc<SimState>>, Path(reference): Path<String>) -> Response {
    let Some(p) = lock(&state.payments).get(&reference).cloned() else {
        return html_page(
            StatusCode::NOT_FOUND,
            "Không tìm thấy giao dịch",
            "<p>Không có giao dịch với mã tham chiếu này.</p>",
        );
    };
    let mut items = String::new();
    for item in &p.request.receipt.items {
        items.push_str(&format!(
            "<li>{}: {} VND</li>",
            escape(&item.name),
            grouped(item.amount_vnd)
        ));
    }
    let facts = format!(
        "<p>Cổng thanh toán (mô phỏng).</p><dl><dt>Mã tham chiếu</dt><dd>{}</dd><dt>Nội dung</dt><dd>{}</dd>\
         <dt>Các khoản</dt><dd><ul>{items}</ul></dd><dt>Số tiền</dt><dd id=\"so-tien\">{} VND</dd></dl>",
        escape(&reference),
        escape(&p.request.description),
        grouped(p.request.amount_vnd)
    );
    if p.status != SimStatus::Pending {
        let said = if p.status == SimStatus::Paid {
            "Giao dịch đã được thanh toán."
        } else {
            "Giao dịch không thành công."
        };
        return html_page(
            StatusCode::OK,
            "Thanh toán",
            &format!("{facts}<p role=\"status\">{said}</p>"),
        );
    }
    let form = format!(
        "<form method=\"post\" action=\"/pay/{}\">\
         <button type=\"submit\" name=\"ket-qua\" value=\"thanh-cong\" id=\"thanh-toan\">Thanh toán</button>\
         <button type=\"submit\" name=\"ket-qua\" value=\"huy\" id=\"huy\">Hủy giao dịch</button></form>",
        escape(&reference)
    );
    html_page(StatusCode::OK, "Thanh toán", &format!("{facts}{form}"))
}

#[derive(serde::Deserialize)]
struct Choice {
    #[serde(rename = "ket-qua", default)]
    outcome: String,
}

/// The payer pressed a button: the payment ends, the gateway calls the
/// adapter back, and the browser goes back to `UrlTraVe` when INIT gave one.
async fn page_choice(
    State(state): State<Arc<SimState>>,
    Path(reference): Path<String>,
    axum::Form(choice): axum::Form<Choice>,
) -> Response {
    let outcome = if choice.outcome == "thanh-cong" {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    let ended = super::end_payment(&state, &reference, outcome).await;
    let back = lock(&state.payments)
        .get(&reference)
        .map(|p| p.request.return_url.clone())
        .unwrap_or_default();
    match ended {
        Ok(_) if !back.is_empty() => axum::response::Redirect::to(&back).into_response(),
        Ok(_) => html_page(
            StatusCode::OK,
            "Thanh toán",
            "<p role=\"status\">Đã xử lý giao dịch.</p>",
        ),
        Err(e) => html_page(
            StatusCode::CONFLICT,
            "Thanh toán",
            &format!("<p role=\"alert\">{}</p>", escape(&e.to_string())),
        ),
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
