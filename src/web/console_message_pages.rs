//! The broker's parked messages in the console (`/quan-tri/ban-tin`):
//! commands the hub parked and messages RabbitMQ dead-lettered, each with
//! its reason (the `x-lienthong-reason` header, or the broker's own), the
//! queue it came from and how often it was re-driven; re-drive one or all
//! on a confirmation page, with the session's token. Listing and re-drive
//! go through `DeadLetters` and `Hub::redrive_parked_messages`, the admin
//! gRPC service's own path, so the audit entry names the officer the same
//! way. Without `[amqp]` nothing is ever parked, and the page says so.

use super::console_delivery_pages::{ConfirmItem, ConfirmPage};
use super::console_pages::{operator_name, Operator, Problem};
use super::format;
use super::pages::{html, OfficerBar};
use super::{WebError, WebState};
use crate::hub::ParkedMessage;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const PAGE: &str = "/quan-tri/ban-tin";
pub const REDRIVE: &str = "/quan-tri/ban-tin/gui-lai";

/// Messages listed at most: the broker hands them out one by one (and
/// takes them back), so a page stays bounded.
const LISTED: usize = 500;

pub struct MessageRow {
    pub message_id: String,
    /// Its type (when it says one) and size.
    pub about: String,
    pub reason: String,
    pub reason_said: String,
    pub source_queue: String,
    pub parked_at: String,
    pub redriven: u32,
    pub redrive_href: Option<String>,
}

impl MessageRow {
    fn of(message: &ParkedMessage) -> MessageRow {
        MessageRow {
            message_id: or_dash(&message.message_id),
            about: match message.message_type.as_str() {
                "" => format!("{} byte", format::count(message.bytes)),
                kind => format!("{kind} · {} byte", format::count(message.bytes)),
            },
            reason: message.reason.clone(),
            reason_said: reason_text(&message.reason),
            source_queue: or_dash(&message.source_queue),
            parked_at: message.parked_at.map_or("—".into(), format::date_time),
            redriven: message.redriven,
            // One without an id cannot be named alone: only "all" moves it.
            redrive_href: (!message.message_id.is_empty())
                .then(|| format!("{REDRIVE}?id={}", query_value(&message.message_id))),
        }
    }
}

/// `text` as a query value: unreserved bytes kept, the rest `%XX`.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "—".into()
    } else {
        text.to_string()
    }
}

/// The broker's reasons in Vietnamese; the hub's own kept as written.
fn reason_text(reason: &str) -> String {
    match reason {
        "rejected" => "Bị từ chối (nack, không đưa lại hàng đợi)".into(),
        "delivery_limit" => "Quá số lần giao cho phép của hàng đợi".into(),
        "expired" => "Hết thời hạn lưu trong hàng đợi".into(),
        "maxlen" => "Hàng đợi đầy".into(),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "console_messages.html", config = "src/web/askama.toml")]
pub struct MessagesPage {
    pub officer: OfficerBar,
    pub configured: bool,
    pub unreachable: Option<String>,
    pub rows: Vec<MessageRow>,
    pub done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default, rename = "da-gui-lai")]
    da_gui_lai: Option<u64>,
}

pub async fn page(
    operator: Operator,
    State(state): State<WebState>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let mut page = MessagesPage {
        officer: operator.bar(),
        configured: state.operations.dead_letters.is_some(),
        unreachable: None,
        rows: Vec::new(),
        done: done
            .da_gui_lai
            .map(|n| format!("Đã gửi lại {} bản tin về hàng đợi gốc.", format::count(n))),
    };
    if let Some(dead_letters) = &state.operations.dead_letters {
        match dead_letters.list(LISTED).await {
            Ok(messages) => page.rows = messages.iter().map(MessageRow::of).collect(),
            // The broker away is a state to show, not a failure of the page.
            Err(e) => {
                tracing::warn!(error = %e, "the console could not list parked messages");
                page.unreachable = Some(e.to_string());
            }
        }
    }
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct RedriveQuery {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "tat-ca")]
    tat_ca: Option<String>,
}

enum Choice {
    One(String),
    All,
}

fn choice(id: Option<&str>, all: bool) -> Result<Choice, Problem> {
    match (id.map(str::trim), all) {
        (Some(id), false) if !id.is_empty() => Ok(Choice::One(id.to_string())),
        (None, true) => Ok(Choice::All),
        _ => Err(Problem {
            status: StatusCode::BAD_REQUEST,
            title: "Yêu cầu không hợp lệ",
            message: "Cần chọn đúng một cách gửi lại: một bản tin (id) hoặc tất cả (tat-ca)."
                .into(),
            back_href: PAGE.into(),
        }),
    }
}

/// The broker's parked messages now, or the page saying why not.
async fn listed(operator: &Operator, state: &WebState) -> Result<Vec<ParkedMessage>, Response> {
    let Some(dead_letters) = &state.operations.dead_letters else {
        return Err(operator.problem(
            StatusCode::BAD_REQUEST,
            "Chưa cấu hình RabbitMQ",
            "Hệ thống chạy không có [amqp]: không có bản tin nào bị giữ, không có gì để gửi lại."
                .into(),
            PAGE.into(),
        ));
    };
    dead_letters.list(usize::MAX).await.map_err(|e| {
        operator.problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Không đọc được hàng đợi bản tin bị giữ",
            format!("RabbitMQ chưa trả lời: {e}. Không có gì thay đổi; thử lại sau."),
            PAGE.into(),
        )
    })
}

fn item(message: &ParkedMessage) -> ConfirmItem {
    ConfirmItem {
        what: format!(
            "Bản tin {} ({}) · về hàng đợi {}",
            or_dash(&message.message_id),
            or_dash(&message.message_type),
            or_dash(&message.source_queue)
        ),
        detail: format!("Lý do bị giữ: {}", reason_text(&message.reason)),
    }
}

pub async fn confirm(
    operator: Operator,
    State(state): State<WebState>,
    Query(query): Query<RedriveQuery>,
) -> Result<Response, WebError> {
    let chosen = match choice(query.id.as_deref(), query.tat_ca.is_some()) {
        Ok(chosen) => chosen,
        Err(problem) => return Ok(operator.refuse(problem)),
    };
    let messages = match listed(&operator, &state).await {
        Ok(messages) => messages,
        Err(page) => return Ok(page),
    };
    let page = match chosen {
        Choice::One(id) => {
            let Some(one) = messages.iter().find(|m| m.message_id == id) else {
                return Ok(stale_one(&operator, &id));
            };
            ConfirmPage {
                officer: operator.bar(),
                title: "Xác nhận gửi lại bản tin".into(),
                what: format!("Gửi lại bản tin {id} về hàng đợi gốc?"),
                destination: "RabbitMQ".into(),
                action: REDRIVE.into(),
                back_href: PAGE.into(),
                hidden: vec![("id", id.clone())],
                items: vec![item(one)],
            }
        }
        Choice::All => {
            if messages.is_empty() {
                return Ok(nothing_parked(&operator));
            }
            ConfirmPage {
                officer: operator.bar(),
                title: format!("Xác nhận gửi lại {} bản tin", messages.len()),
                what: format!(
                    "Gửi lại tất cả {} bản tin đang bị giữ dưới đây về hàng đợi gốc?",
                    messages.len()
                ),
                destination: "RabbitMQ".into(),
                action: REDRIVE.into(),
                back_href: PAGE.into(),
                hidden: vec![
                    ("tat-ca", "1".into()),
                    ("so-luong", messages.len().to_string()),
                ],
                items: messages.iter().map(item).collect(),
            }
        }
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct RedriveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "tat-ca")]
    tat_ca: Option<String>,
    #[serde(default, rename = "so-luong")]
    so_luong: Option<String>,
}

pub async fn redrive(
    operator: Operator,
    State(state): State<WebState>,
    form: Result<Form<RedriveForm>, FormRejection>,
) -> Result<Response, WebError> {
    let sent = form.as_ref().map_or("", |Form(form)| form.csrf.as_str());
    if let Err(problem) = operator.check_csrf(sent) {
        return Ok(operator.refuse(problem));
    }
    let Ok(Form(form)) = form else {
        return Ok(operator.refuse(Problem {
            status: StatusCode::BAD_REQUEST,
            title: "Yêu cầu không hợp lệ",
            message: "Biểu mẫu gửi lên không đọc được. Không có gì thay đổi.".into(),
            back_href: PAGE.into(),
        }));
    };
    let chosen = match choice(form.id.as_deref(), form.tat_ca.is_some()) {
        Ok(chosen) => chosen,
        Err(problem) => return Ok(operator.refuse(problem)),
    };
    let messages = match listed(&operator, &state).await {
        Ok(messages) => messages,
        Err(page) => return Ok(page),
    };
    let (ids, all) = match chosen {
        Choice::One(id) => {
            if !messages.iter().any(|m| m.message_id == id) {
                return Ok(stale_one(&operator, &id));
            }
            (vec![id], false)
        }
        Choice::All => {
            let count = form
                .so_luong
                .as_deref()
                .and_then(|t| t.trim().parse::<usize>().ok());
            if messages.is_empty() {
                return Ok(nothing_parked(&operator));
            }
            if count != Some(messages.len()) {
                return Ok(operator.problem(
                    StatusCode::CONFLICT,
                    "Trang xác nhận đã cũ",
                    format!(
                        "Trang xác nhận nêu {} bản tin bị giữ; nay có {}. Không có gì thay đổi. Mở lại trang xác nhận để xem danh sách hiện tại.",
                        count.map_or("—".into(), |n| format::count(n as u64)),
                        format::count(messages.len() as u64)
                    ),
                    PAGE.into(),
                ));
            }
            (Vec::new(), true)
        }
    };
    let Some(dead_letters) = &state.operations.dead_letters else {
        return Ok(nothing_parked(&operator));
    };
    let operator_id = operator_name(&operator.0.account);
    let redriven = state
        .operations
        .hub
        .redrive_parked_messages(dead_letters.as_ref(), &operator_id, &ids, all)
        .await?;
    tracing::info!(operator = %operator_id, redriven, "parked messages re-driven from the console");
    Ok(Redirect::to(&format!("{PAGE}?da-gui-lai={redriven}")).into_response())
}

fn stale_one(operator: &Operator, id: &str) -> Response {
    operator.problem(
        StatusCode::CONFLICT,
        "Bản tin không còn bị giữ",
        format!(
            "Không còn bản tin «{}» trong hàng đợi bản tin bị giữ (có thể đã được gửi lại). Không có gì thay đổi.",
            id.chars().take(64).collect::<String>()
        ),
        PAGE.into(),
    )
}

fn nothing_parked(operator: &Operator) -> Response {
    operator.problem(
        StatusCode::CONFLICT,
        "Không còn bản tin bị giữ",
        "Hàng đợi bản tin bị giữ đang trống: không có gì để gửi lại.".into(),
        PAGE.into(),
    )
}
