//! One destination in the console (`/quan-tri/diem-nhan/<kind>/<name>`):
//! its lag, and for a relay (a partner's adapter, a notification channel)
//! the deliveries it parked — dossier, event, when, why, attempts — with
//! re-drive of one or all. A re-drive is asked on a confirmation page (GET
//! `…/gui-lai`) and done by its form's post, with the session's token,
//! only if what the page confirmed is still parked (a stale confirmation
//! changes nothing and says so). It goes through `AdapterDeliveries`, as
//! the admin gRPC service's does, so the audit entry is written the same
//! way, naming the officer (`console_pages::operator_name`).

use super::console_pages::{
    destination_href, destination_label, kind_text, ledger_href, operator_name, parse_kind,
    DestinationRow, Operator, Problem,
};
use super::dossier_view::event_text;
use super::format;
use super::pages::{html, OfficerBar};
use super::{blocking, WebError, WebState};
use crate::hub::{DestinationInfo, ParkedDelivery};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const PAGE: &str = "/quan-tri/diem-nhan/:kind/:name";
pub const REDRIVE: &str = "/quan-tri/diem-nhan/:kind/:name/gui-lai";

/// Parked deliveries listed on one page at most (oldest first); "all" on
/// the confirmation covers exactly those it lists.
const LISTED: usize = 500;

pub struct ParkedRow {
    pub seq: u64,
    pub ma_ho_so: String,
    pub ledger_href: String,
    pub event: &'static str,
    pub event_code: &'static str,
    pub parked_at: String,
    pub reason_said: String,
    pub attempts: u32,
    pub redrive_href: String,
}

impl ParkedRow {
    fn of(destination: &DestinationInfo, parked: &ParkedDelivery) -> ParkedRow {
        ParkedRow {
            seq: parked.event.seq,
            ma_ho_so: parked.event.ma_ho_so.clone(),
            ledger_href: ledger_href(&parked.event.ma_ho_so),
            event: event_text(parked.event.event_type),
            event_code: parked.event.event_type.as_str(),
            parked_at: format::date_time(parked.parked_at),
            reason_said: reason_text(&parked.reason),
            attempts: parked.attempts,
            redrive_href: format!(
                "{}/gui-lai?seq={}",
                destination_href(destination),
                parked.event.seq
            ),
        }
    }
}

/// The relay's reason in Vietnamese: its known beginnings said, the
/// partner's own words kept as they came.
pub fn reason_text(reason: &str) -> String {
    if let Some(rest) = reason.strip_prefix("rejected by the partner: ") {
        return format!("Đối tác từ chối: {rest}");
    }
    if let Some(rest) = reason.strip_prefix("gave up after ") {
        if let Some((attempts, why)) = rest.split_once(" attempts: ") {
            return format!("Ngừng gửi sau {attempts} lần thử không thành: {why}");
        }
    }
    if reason.starts_with("waiting behind") {
        return "Chờ sau một sự kiện bị giữ trước đó của cùng hồ sơ (giữ đúng thứ tự).".into();
    }
    if reason.starts_with("no attempt allowed") {
        return "Cấu hình không cho phép lần gửi nào (delivery.max_attempts).".into();
    }
    reason.to_string()
}

#[derive(Template)]
#[template(path = "console_destination.html", config = "src/web/askama.toml")]
pub struct DestinationPage {
    pub officer: OfficerBar,
    pub row: DestinationRow,
    pub cursor: String,
    pub relay: bool,
    pub parked: Vec<ParkedRow>,
    pub parked_total: u64,
    /// More are parked than the page lists.
    pub more_parked: bool,
    pub redrive_all_href: String,
    pub done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default, rename = "da-gui-lai")]
    da_gui_lai: Option<u64>,
}

/// The destination the address names, or the page saying there is none.
async fn find(
    operator: &Operator,
    state: &WebState,
    kind: &str,
    name: &str,
) -> Result<DestinationInfo, Response> {
    let found = parse_kind(kind).and_then(|k| state.operations.hub.destination(k, name));
    found.ok_or_else(|| unknown(operator, kind, name))
}

fn unknown(operator: &Operator, kind: &str, name: &str) -> Response {
    operator.problem(
        StatusCode::NOT_FOUND,
        "Không có điểm nhận này",
        format!(
            "Hệ thống không có điểm nhận «{}» loại «{}». Danh sách điểm nhận ở trang tổng quan.",
            name.chars().take(64).collect::<String>(),
            kind.chars().take(32).collect::<String>()
        ),
        super::console_pages::HOME.into(),
    )
}

async fn parked_of(
    state: &WebState,
    destination: &DestinationInfo,
) -> Result<Vec<ParkedDelivery>, WebError> {
    Ok(state
        .operations
        .deliveries
        .parked(&destination.name, LISTED)
        .await?)
}

pub async fn page(
    operator: Operator,
    State(state): State<WebState>,
    Path((kind, name)): Path<(String, String)>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let destination = match find(&operator, &state, &kind, &name).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let hub = state.operations.hub.clone();
    let wanted = destination.clone();
    let current = blocking(move || {
        Ok(hub
            .destination_states()?
            .into_iter()
            .find(|s| s.destination.kind == wanted.kind && s.destination.name == wanted.name))
    })
    .await?;
    let Some(current) = current else {
        return Ok(unknown(&operator, &kind, &name));
    };
    let relay = destination.is_relay();
    let parked = if relay {
        parked_of(&state, &destination).await?
    } else {
        Vec::new()
    };
    let page = DestinationPage {
        officer: operator.bar(),
        row: DestinationRow::of(&current),
        cursor: format::count(current.lag.cursor),
        relay,
        parked_total: current.parked.unwrap_or(0),
        more_parked: current.parked.unwrap_or(0) > parked.len() as u64,
        parked: parked
            .iter()
            .map(|p| ParkedRow::of(&destination, p))
            .collect(),
        redrive_all_href: format!("{}/gui-lai?tat-ca=1", destination_href(&destination)),
        done: done.da_gui_lai.map(|n| {
            format!(
                "Đã gửi lại {} sự kiện. Kết quả giao hiện trong sổ giao nhận của từng hồ sơ.",
                format::count(n)
            )
        }),
    };
    Ok(html(StatusCode::OK, &page))
}

/// What a confirmation asks for: one parked event, or every one it lists.
#[derive(Deserialize, Default)]
pub struct RedriveQuery {
    #[serde(default)]
    seq: Option<String>,
    #[serde(default, rename = "tat-ca")]
    tat_ca: Option<String>,
}

#[derive(Template)]
#[template(path = "console_confirm.html", config = "src/web/askama.toml")]
pub struct ConfirmPage {
    pub officer: OfficerBar,
    pub title: String,
    pub what: String,
    pub destination: String,
    pub action: String,
    pub back_href: String,
    pub hidden: Vec<(&'static str, String)>,
    pub items: Vec<ConfirmItem>,
}

/// One line of what a confirmation will send again.
pub struct ConfirmItem {
    pub what: String,
    pub detail: String,
}

enum Choice {
    One(u64),
    /// Every parked delivery up to this seq, which the page counted.
    All,
}

fn choice(back: &str, seq: Option<&str>, all: bool) -> Result<Choice, Problem> {
    let bad = |message: String| Problem {
        status: StatusCode::BAD_REQUEST,
        title: "Yêu cầu không hợp lệ",
        message,
        back_href: back.to_string(),
    };
    match (seq, all) {
        (Some(text), false) => text.trim().parse::<u64>().map(Choice::One).map_err(|_| {
            bad(format!(
                "Số thứ tự sự kiện «{}» không phải là một số.",
                text.chars().take(32).collect::<String>()
            ))
        }),
        (None, true) => Ok(Choice::All),
        _ => Err(bad(
            "Cần chọn đúng một cách gửi lại: một sự kiện (seq) hoặc tất cả (tat-ca).".into(),
        )),
    }
}

pub async fn confirm(
    operator: Operator,
    State(state): State<WebState>,
    Path((kind, name)): Path<(String, String)>,
    Query(query): Query<RedriveQuery>,
) -> Result<Response, WebError> {
    let (destination, back, chosen) = match relay_choice(
        &operator,
        &state,
        (&kind, &name),
        query.seq.as_deref(),
        query.tat_ca.is_some(),
    )
    .await
    {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let parked = parked_of(&state, &destination).await?;
    let label = destination_label(&destination);
    let item = |p: &ParkedDelivery| ConfirmItem {
        what: format!(
            "Hồ sơ {} · sự kiện số {} ({})",
            p.event.ma_ho_so,
            p.event.seq,
            event_text(p.event.event_type)
        ),
        detail: format!(
            "Bị giữ lúc {}: {}",
            format::date_time(p.parked_at),
            reason_text(&p.reason)
        ),
    };
    let page = match chosen {
        Choice::One(seq) => {
            let Some(one) = parked.iter().find(|p| p.event.seq == seq) else {
                return Ok(stale_one(&operator, &label, seq, back));
            };
            ConfirmPage {
                officer: operator.bar(),
                title: format!("Xác nhận gửi lại sự kiện số {seq}"),
                what: format!("Gửi lại sự kiện số {seq} đến {label}?"),
                destination: label,
                action: format!("{back}/gui-lai"),
                back_href: back,
                hidden: vec![("seq", seq.to_string())],
                items: vec![item(one)],
            }
        }
        Choice::All => {
            if parked.is_empty() {
                return Ok(operator.problem(
                    StatusCode::CONFLICT,
                    "Không còn sự kiện bị giữ",
                    format!("{label} không còn sự kiện nào bị giữ: không có gì để gửi lại."),
                    back,
                ));
            }
            let newest = parked.iter().map(|p| p.event.seq).max().unwrap_or(0);
            ConfirmPage {
                officer: operator.bar(),
                title: format!("Xác nhận gửi lại {} sự kiện", parked.len()),
                what: format!(
                    "Gửi lại tất cả {} sự kiện đang bị giữ dưới đây đến {label}?",
                    parked.len()
                ),
                destination: label,
                action: format!("{back}/gui-lai"),
                back_href: back,
                hidden: vec![
                    ("tat-ca", "1".into()),
                    ("so-luong", parked.len().to_string()),
                    ("den-seq", newest.to_string()),
                ],
                items: parked.iter().map(item).collect(),
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
    seq: Option<String>,
    #[serde(default, rename = "tat-ca")]
    tat_ca: Option<String>,
    #[serde(default, rename = "so-luong")]
    so_luong: Option<String>,
    #[serde(default, rename = "den-seq")]
    den_seq: Option<String>,
}

pub async fn redrive(
    operator: Operator,
    State(state): State<WebState>,
    Path((kind, name)): Path<(String, String)>,
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
            back_href: super::console_pages::HOME.into(),
        }));
    };
    let (destination, back, chosen) = match relay_choice(
        &operator,
        &state,
        (&kind, &name),
        form.seq.as_deref(),
        form.tat_ca.is_some(),
    )
    .await
    {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let label = destination_label(&destination);
    let parked = parked_of(&state, &destination).await?;
    let seqs: Vec<u64> = match chosen {
        Choice::One(seq) => {
            if !parked.iter().any(|p| p.event.seq == seq) {
                return Ok(stale_one(&operator, &label, seq, back));
            }
            vec![seq]
        }
        Choice::All => {
            let number =
                |text: &Option<String>| text.as_deref().and_then(|t| t.trim().parse::<u64>().ok());
            let (Some(count), Some(newest)) = (number(&form.so_luong), number(&form.den_seq))
            else {
                return Ok(operator.problem(
                    StatusCode::BAD_REQUEST,
                    "Yêu cầu không hợp lệ",
                    "Biểu mẫu gửi lại tất cả thiếu số lượng (so-luong) hoặc sự kiện cuối (den-seq) mà trang xác nhận đã nêu. Không có gì thay đổi.".into(),
                    back,
                ));
            };
            let seqs: Vec<u64> = parked
                .iter()
                .map(|p| p.event.seq)
                .filter(|seq| *seq <= newest)
                .collect();
            if seqs.len() as u64 != count {
                return Ok(operator.problem(
                    StatusCode::CONFLICT,
                    "Trang xác nhận đã cũ",
                    format!(
                        "Khi mở trang xác nhận, {label} có {} sự kiện bị giữ; nay còn {} trong số đó (có thể đã được gửi lại từ nơi khác). Không có gì thay đổi. Mở lại trang xác nhận để xem danh sách hiện tại.",
                        format::count(count),
                        format::count(seqs.len() as u64)
                    ),
                    back,
                ));
            }
            seqs
        }
    };
    let operator_id = operator_name(&operator.0.account);
    let redriven = state
        .operations
        .deliveries
        .redrive(&operator_id, &destination.name, seqs, false)
        .await?;
    tracing::info!(operator = %operator_id, destination = %destination.name, redriven, "parked deliveries re-driven from the console");
    Ok(Redirect::to(&format!("{back}?da-gui-lai={redriven}")).into_response())
}

fn stale_one(operator: &Operator, label: &str, seq: u64, back: String) -> Response {
    operator.problem(
        StatusCode::CONFLICT,
        "Sự kiện không còn bị giữ",
        format!(
            "Sự kiện số {seq} không còn bị giữ ở {label} (có thể đã được gửi lại). Không có gì thay đổi."
        ),
        back,
    )
}

/// What a re-drive (its confirmation or its post) is about: a relay
/// destination that holds deliveries, its page, and the operator's choice
/// (`seq` or all); else the page that says what is wrong.
async fn relay_choice(
    operator: &Operator,
    state: &WebState,
    (kind, name): (&str, &str),
    seq: Option<&str>,
    all: bool,
) -> Result<(DestinationInfo, String, Choice), Response> {
    let destination = find(operator, state, kind, name).await?;
    let back = destination_href(&destination);
    if !destination.is_relay() {
        return Err(not_a_relay(operator, &destination));
    }
    let chosen = choice(&back, seq, all).map_err(|problem| operator.refuse(problem))?;
    Ok((destination, back, chosen))
}

fn not_a_relay(operator: &Operator, destination: &DestinationInfo) -> Response {
    operator.problem(
        StatusCode::BAD_REQUEST,
        "Điểm nhận này không giữ sự kiện",
        format!(
            "{} ({}) tự nhận sự kiện theo con trỏ của mình; hệ thống không giữ sự kiện nào cho điểm nhận này nên không có gì để gửi lại.",
            destination_label(destination),
            kind_text(destination.kind)
        ),
        destination_href(destination),
    )
}

#[cfg(test)]
mod tests {
    use super::reason_text;

    #[test]
    fn the_relays_reasons_are_said_in_vietnamese_with_the_partners_words_kept() {
        assert_eq!(
            reason_text("rejected by the partner: mã lỗi 01"),
            "Đối tác từ chối: mã lỗi 01"
        );
        assert_eq!(
            reason_text("gave up after 5 attempts: connection refused"),
            "Ngừng gửi sau 5 lần thử không thành: connection refused"
        );
        assert!(
            reason_text("waiting behind parked event seq 4 of the same dossier")
                .starts_with("Chờ sau")
        );
        assert_eq!(reason_text("something new"), "something new");
    }
}
