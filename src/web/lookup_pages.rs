//! The public dossier lookup (`/tra-cuu`): MaHoSo plus the ID number or
//! phone written on the dossier (`portal::lookup`), posted with a
//! double-submit token so that the ID number never sits in a URL (and so in
//! no access log or browser history).
//!
//! A wrong pair and an unknown MaHoSo get the same page, the same words and
//! the same status (200); an unknown MaHoSo is checked against a decoy so
//! that it costs the same comparison, and every lookup answers no sooner
//! than `ANSWER_FLOOR` after it began, so that reading a dossier's history
//! (a wrong fact) and reading nothing (an unknown MaHoSo) take the same
//! time as seen from outside. Every lookup counts against the
//! client address's allowance (`portal::throttle`, `[web]
//! lookup_attempts` per `lookup_window_seconds`); past it the answer is 429
//! with `Retry-After` and the form with the wait in Vietnamese. The page
//! shows the status at every step (Circular 22/2019 Art. 4 §2), the due
//! date, what is asked of the applicant, and how the result is delivered;
//! the applicant's name, ID number and phone only masked.

use super::dossier_view::{command_text, delivery, mask_tail, money};
use super::format::{self, mask_name};
use super::pages::html;
use super::portal_pages::{client_address, lookup_token, LookupForm, LOOKUP_CSRF_COOKIE};
use super::rating_pages::{offer, RatingForm};
use super::session;
use super::{blocking, WebError, WebState};
use crate::domain::{Dossier, DossierRef, HistoryEntry, Status, UnixMillis};
use crate::hub::HubError;
use crate::portal::lookup::{fact_matches, normalise_fact, FactCheck};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;

pub const LOOKUP: &str = "/tra-cuu";
/// The least time a lookup takes to answer (measured on a debug build: a
/// wrong pair 6 ms, an unknown MaHoSo 3 ms, median of 20 each; both now
/// answer after this floor).
const ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(50);
/// The longest MaHoSo looked for (agency code, date and sequence).
const MAX_MA_HO_SO_CHARS: usize = 64;

#[derive(Deserialize)]
pub struct LookupRequest {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "ma-ho-so")]
    ma_ho_so: String,
    #[serde(default, rename = "thong-tin")]
    fact: String,
}

/// A request of the applicant, with what it lists.
pub struct Ask {
    pub text: String,
    pub items: Vec<String>,
}

pub struct Step {
    pub at: String,
    pub what: String,
    pub unit: String,
    pub status: &'static str,
}

/// What the applicant sees of their dossier.
pub struct Found {
    pub ma_ho_so: String,
    pub status: &'static str,
    pub status_code: u8,
    pub facts: Vec<(&'static str, String)>,
    pub asks: Vec<Ask>,
    pub steps: Vec<Step>,
    pub delivery: Vec<(&'static str, String)>,
    /// The rating form, when the dossier may be rated now.
    pub rating_form: Option<RatingForm>,
    /// Otherwise why not, or the rating already given.
    pub rating_note: String,
}

#[derive(Template)]
#[template(path = "lookup.html", config = "src/web/askama.toml")]
pub struct LookupPage {
    pub section: &'static str,
    pub lookup: LookupForm,
    pub notice: Option<(&'static str, String)>,
    pub found: Option<Found>,
}

/// The one answer to a wrong pair and to an unknown MaHoSo.
pub const NOT_FOUND_TITLE: &str = "Không tìm thấy hồ sơ";
pub const NOT_FOUND_TEXT: &str = "Không có hồ sơ nào khớp với mã hồ sơ và số giấy tờ hoặc số điện thoại đã nhập. Kiểm tra lại mã hồ sơ trên giấy tiếp nhận và nhập đúng số đã ghi khi nộp hồ sơ.";

fn page(csrf: String, ma_ho_so: String, notice: Option<(&'static str, String)>) -> LookupPage {
    LookupPage {
        section: "tra-cuu",
        lookup: LookupForm {
            ma_ho_so,
            ..LookupForm::blank(csrf)
        },
        notice,
        found: None,
    }
}

pub async fn form(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let (csrf, cookie) = lookup_token(&state, &headers);
    let page = page(csrf, String::new(), None);
    (
        AppendHeaders([(SET_COOKIE, cookie)]),
        html(StatusCode::OK, &page),
    )
        .into_response()
}

pub async fn look_up(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<LookupRequest>, FormRejection>,
) -> Result<Response, WebError> {
    let (csrf, cookie) = lookup_token(&state, &headers);
    let answer = |status: StatusCode, page: LookupPage| {
        (
            AppendHeaders([(SET_COOKIE, cookie.clone())]),
            html(status, &page),
        )
            .into_response()
    };
    let expired = || {
        let notice = (
            "Biểu mẫu đã hết hạn",
            "Biểu mẫu tra cứu đã hết hiệu lực hoặc không gửi từ trang này. Vui lòng nhập lại và bấm Tra cứu.".to_string(),
        );
        page(csrf.clone(), String::new(), Some(notice))
    };
    let Ok(Form(request)) = form else {
        return Ok(answer(StatusCode::FORBIDDEN, expired()));
    };
    let token_ok = session::cookie(&headers, LOOKUP_CSRF_COOKIE)
        .is_some_and(|expected| session::same_secret(expected, &request.csrf));
    if !token_ok {
        return Ok(answer(StatusCode::FORBIDDEN, expired()));
    }
    let ma_ho_so = request.ma_ho_so.trim().to_string();
    if let Err(seconds) = state
        .lookups
        .admit(client_address(&state, peer, &headers), UnixMillis::now().0)
    {
        let minutes = seconds.div_ceil(60);
        let notice = (
            "Tạm dừng tra cứu",
            format!("Địa chỉ của bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau {minutes} phút."),
        );
        let mut response = answer(
            StatusCode::TOO_MANY_REQUESTS,
            page(csrf, ma_ho_so, Some(notice)),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, seconds.to_string().parse().expect("digits"));
        return Ok(response);
    }
    let mut form = LookupForm {
        ma_ho_so: ma_ho_so.clone(),
        ..LookupForm::blank(csrf.clone())
    };
    if ma_ho_so.is_empty() || ma_ho_so.chars().count() > MAX_MA_HO_SO_CHARS {
        form.ma_ho_so_error = Some("Nhập mã hồ sơ ghi trên giấy tiếp nhận và hẹn trả kết quả.");
    }
    let fact = normalise_fact(&request.fact);
    if fact.is_none() {
        form.fact_error = Some("Nhập số căn cước, CMND, hộ chiếu hoặc số điện thoại: 8 đến 20 chữ số hoặc chữ cái, không có ký tự khác.");
    }
    let (Some(fact), None) = (fact, form.ma_ho_so_error) else {
        let page = LookupPage {
            section: "tra-cuu",
            lookup: form,
            notice: None,
            found: None,
        };
        return Ok(answer(StatusCode::BAD_REQUEST, page));
    };
    // Every looked-up answer leaves no sooner than the floor, so that the
    // store reads of a known dossier (wrong fact) and of none (unknown
    // MaHoSo) cannot be told apart by the time they take.
    let floor = tokio::time::Instant::now() + ANSWER_FLOOR;
    let module = state.module.clone();
    let looked_up = ma_ho_so.clone();
    let web = state.clone();
    let rating_csrf = csrf.clone();
    let found = blocking(move || {
        let reference = DossierRef::MaHoSo(looked_up);
        let dossier = match module.hub().get_dossier(module.partner(), &reference) {
            Ok(found) => Some(found),
            Err(HubError::NotFound { .. })
            | Err(HubError::Domain(crate::domain::DomainError::InvalidField { .. })) => None,
            Err(e) => return Err(e.into()),
        };
        let check = match &dossier {
            Some((d, _)) => FactCheck::of(&d.owner_id_number, &d.phone),
            None => FactCheck::decoy(),
        };
        let matched = fact_matches(&check, &fact);
        match dossier {
            Some((d, history)) if matched => {
                let agency = module.agency_name(&d.agency_code)?;
                let rated = web.feedback.rating(&d.ma_ho_so)?;
                let offered = offer(&web, &d, rated.as_ref());
                let mut found = found_view(&d, &history, agency);
                found.rating_note = offered.note;
                found.rating_form = offered.proof.map(|proof| RatingForm {
                    csrf: rating_csrf,
                    ma_ho_so: d.ma_ho_so.clone(),
                    proof,
                    level: None,
                    comment: String::new(),
                    level_error: None,
                    comment_error: None,
                });
                Ok(Some(found))
            }
            _ => Ok(None),
        }
    })
    .await?;
    tokio::time::sleep_until(floor).await;
    match found {
        Some(found) => Ok(answer(
            StatusCode::OK,
            LookupPage {
                section: "tra-cuu",
                lookup: LookupForm::blank(csrf),
                notice: None,
                found: Some(found),
            },
        )),
        None => Ok(answer(
            StatusCode::OK,
            page(
                csrf,
                ma_ho_so,
                Some((NOT_FOUND_TITLE, NOT_FOUND_TEXT.into())),
            ),
        )),
    }
}

fn or_dash(at: Option<UnixMillis>, write: fn(UnixMillis) -> String) -> String {
    at.map(write).unwrap_or_else(|| "—".into())
}

/// The masked ID number: its last 3 characters.
pub fn mask_id(id: &str) -> String {
    mask_tail(id.trim(), 3)
}

/// What the dossier asks of the applicant now (open supplement, fees,
/// result to collect): the one rule the lookup page and the applicant's
/// own dossier page both show.
pub(super) fn asks(d: &Dossier) -> Vec<Ask> {
    let mut asks = Vec::new();
    if d.status == Status::SupplementRequested {
        if let Some(s) = d
            .supplements
            .iter()
            .rev()
            .find(|s| s.submitted_at.is_none())
        {
            asks.push(Ask {
                text: format!(
                    "Bổ sung, hoàn thiện hồ sơ (yêu cầu ngày {}): {}",
                    format::date(s.requested_at),
                    s.reason
                ),
                items: s.items.clone(),
            });
        }
    }
    if d.status == Status::FinancialObligation {
        let total: i64 = d.fees.iter().map(|f| f.amount_vnd).sum();
        asks.push(Ask {
            text: format!("Nộp phí, lệ phí: tổng cộng {}.", money(total)),
            items: d
                .fees
                .iter()
                .map(|f| format!("{}: {}", f.name, money(f.amount_vnd)))
                .collect(),
        });
    }
    if d.status == Status::Finished {
        let how = d
            .result_delivery
            .map(delivery)
            .unwrap_or("Tại Bộ phận Một cửa");
        asks.push(Ask {
            text: format!("Hồ sơ đã có kết quả. Nhận kết quả: {how}."),
            items: Vec::new(),
        });
    }
    asks
}

fn found_view(d: &Dossier, history: &[HistoryEntry], agency: String) -> Found {
    let procedure = if d.procedure_name.is_empty() {
        d.procedure_code.clone()
    } else {
        d.procedure_name.clone()
    };
    let mut facts = vec![
        ("Thủ tục", procedure),
        ("Cơ quan giải quyết", agency),
        ("Người nộp", mask_name(&d.owner_name)),
        (
            "Số giấy tờ",
            if d.owner_id_number.is_empty() {
                "—".into()
            } else {
                mask_id(&d.owner_id_number)
            },
        ),
        (
            "Số điện thoại",
            if d.phone.is_empty() {
                "—".into()
            } else {
                mask_tail(&d.phone, 3)
            },
        ),
        ("Kênh nộp", format::channel(d.channel).to_string()),
        ("Ngày nộp", format::date_time(d.submitted_at)),
        ("Ngày tiếp nhận", or_dash(d.received_at, format::date_time)),
        ("Ngày hẹn trả kết quả", or_dash(d.due_at, format::date_time)),
    ];
    if let Some(r) = d.reschedules.last() {
        facts.push(("Đã hẹn lại ngày trả", format::date_time(r.new_due_at)));
    }
    if matches!(
        d.status,
        Status::Refused | Status::Stopped | Status::Withdrawn
    ) && !d.status_reason.is_empty()
    {
        facts.push(("Lý do", d.status_reason.clone()));
    }
    let steps = history
        .iter()
        .map(|entry| Step {
            at: format::date_time(entry.at),
            what: command_text(&entry.command),
            unit: entry.unit.clone(),
            status: entry.to_status.vietnamese(),
        })
        .collect();
    let mut delivered = vec![(
        "Hình thức nhận",
        d.result_delivery
            .map(delivery)
            .unwrap_or("Chưa chọn")
            .to_string(),
    )];
    if !d.results.is_empty() {
        let names: Vec<&str> = d.results.iter().map(|r| r.name.as_str()).collect();
        delivered.push(("Kết quả", names.join("; ")));
    }
    delivered.push((
        "Ngày trả kết quả",
        or_dash(d.returned_at, format::date_time),
    ));
    Found {
        ma_ho_so: d.ma_ho_so.clone(),
        status: d.status.vietnamese(),
        status_code: d.status.code(),
        facts,
        asks: asks(d),
        steps,
        delivery: delivered,
        rating_form: None,
        rating_note: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_masked_to_initials_and_last_digits() {
        assert_eq!(mask_id("001099012345"), "•••••••••345");
        assert_eq!(mask_tail("0912345678", 3), "•••••••678");
        assert_eq!(mask_name("Nguyễn Văn An"), "N. V. A.");
    }
}
