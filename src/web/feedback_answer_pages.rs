//! Officers answer feedback in the one-stop workspace: `/mot-cua/phan-anh`
//! is the queue of feedback addressed to the officer's agency (or to no
//! agency in particular), unanswered first; `/mot-cua/phan-anh/<code>`
//! shows one with the sender's contact and the answer form, whose "public"
//! box publishes question and answer on the portal's `/phan-anh`.
//!
//! A feedback is answered once: the answer is stored over the feedback the
//! officer saw (compare-and-swap) and flushed before the page answers; a
//! second answer is refused naming who answered and when.

use super::format;
use super::pages::{html, OfficerBar};
use super::session::{self, Officer};
use super::{blocking, WebError, WebState};
use crate::domain::feedback::{Feedback, FeedbackAnswer};
use crate::domain::UnixMillis;
use crate::engine::EngineError;
use crate::hub::HubError;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const QUEUE: &str = "/mot-cua/phan-anh";
pub const ONE: &str = "/mot-cua/phan-anh/:code";
const MAX_ANSWER_CHARS: usize = 5000;

pub struct FeedbackRow {
    pub code: String,
    pub subject: String,
    pub sent: String,
    pub state: &'static str,
    pub public: bool,
}

#[derive(Template)]
#[template(path = "feedback_queue.html", config = "src/web/askama.toml")]
pub struct QueuePage {
    pub officer: OfficerBar,
    pub rows: Vec<FeedbackRow>,
}

#[derive(Template)]
#[template(path = "feedback_answer.html", config = "src/web/askama.toml")]
pub struct AnswerPage {
    pub officer: OfficerBar,
    pub code: String,
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub content: String,
    pub ma_ho_so: String,
    pub sent: String,
    pub answer: Option<(String, String, bool)>,
    pub typed: String,
    pub public: bool,
    pub error: Option<String>,
}

fn for_agency(f: &Feedback, agency: &str) -> bool {
    f.agency_code.is_empty() || f.agency_code == agency
}

async fn agency_name(state: &WebState, code: &str) -> Result<String, WebError> {
    let module = state.module.clone();
    let code = code.to_string();
    blocking(move || module.agency_name(&code)).await
}

pub async fn queue(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
) -> Result<Response, WebError> {
    let agency = signed_in.account.agency_code.clone();
    let records = state.feedback.clone();
    let own = agency.clone();
    let mut list: Vec<Feedback> = blocking(move || {
        Ok(records
            .all_feedback()?
            .into_iter()
            .filter(|f| for_agency(f, &own))
            .collect())
    })
    .await?;
    list.sort_by_key(|f| (f.answer.is_some(), std::cmp::Reverse(f.sent_at)));
    let rows = list
        .into_iter()
        .map(|f| FeedbackRow {
            state: f.state().vietnamese(),
            public: f.is_published(),
            sent: format::date_time(f.sent_at),
            code: f.code,
            subject: f.subject,
        })
        .collect();
    let page = QueuePage {
        officer: OfficerBar::of(&signed_in, agency_name(&state, &agency).await?),
        rows,
    };
    Ok(html(StatusCode::OK, &page))
}

/// The feedback `code` if the officer's agency may answer it.
async fn load(state: &WebState, agency: &str, code: &str) -> Result<Option<Feedback>, WebError> {
    let records = state.feedback.clone();
    let code = code.to_string();
    let found = blocking(move || Ok(records.feedback(&code)?)).await?;
    Ok(found.filter(|f| for_agency(f, agency)))
}

fn render(officer: OfficerBar, f: &Feedback) -> AnswerPage {
    AnswerPage {
        officer,
        code: f.code.clone(),
        name: f.name.clone(),
        contact: f.contact.clone(),
        subject: f.subject.clone(),
        content: f.content.clone(),
        ma_ho_so: f.ma_ho_so.clone(),
        sent: format::date_time(f.sent_at),
        answer: f.answer.as_ref().map(|a| {
            (
                a.text.clone(),
                format!(
                    "{} ({}), {}",
                    a.officer,
                    a.unit,
                    format::date_time(a.answered_at)
                ),
                a.public,
            )
        }),
        typed: String::new(),
        public: false,
        error: None,
    }
}

pub async fn page(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let agency = signed_in.account.agency_code.clone();
    let Some(f) = load(&state, &agency, &code).await? else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    let officer = OfficerBar::of(&signed_in, agency_name(&state, &agency).await?);
    Ok(html(StatusCode::OK, &render(officer, &f)))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "tra-loi")]
    text: String,
    #[serde(default, rename = "cong-khai")]
    public: String,
}

pub async fn answer(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not an answer form"))?;
    let signed_in = session::current(&state, &headers)
        .await?
        .ok_or(WebError::Forbidden("answer without a live session"))?;
    if !session::same_secret(&signed_in.session.csrf_token, &form.csrf) {
        return Err(WebError::Forbidden("form token missing or wrong"));
    }
    let agency = signed_in.account.agency_code.clone();
    let Some(seen) = load(&state, &agency, &code).await? else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    let officer = OfficerBar::of(&signed_in, agency_name(&state, &agency).await?);
    let text = form.text.trim().to_string();
    let public = form.public == "1";
    let refuse = |status: StatusCode, f: &Feedback, error: String| {
        let mut page = render(officer.clone(), f);
        page.typed = text.clone();
        page.public = public;
        page.error = Some(error);
        html(status, &page)
    };
    if let Some(a) = &seen.answer {
        let error = format!(
            "Phản ánh này đã được {} trả lời lúc {}; mỗi phản ánh chỉ trả lời một lần.",
            a.officer,
            format::date_time(a.answered_at)
        );
        return Ok(refuse(StatusCode::CONFLICT, &seen, error));
    }
    if text.is_empty() || text.chars().count() > MAX_ANSWER_CHARS {
        let error = "Nhập nội dung trả lời (1 đến 5000 ký tự).".to_string();
        return Ok(refuse(StatusCode::BAD_REQUEST, &seen, error));
    }
    let given = FeedbackAnswer {
        text: text.clone(),
        officer: signed_in.account.name.clone(),
        unit: signed_in.account.unit.clone(),
        answered_at: UnixMillis::now(),
        public,
    };
    // The writer records it (with its `answer_published` event when public,
    // for the national portal) only if the feedback has no answer yet.
    let answering = if seen.agency_code.is_empty() {
        agency.clone()
    } else {
        seen.agency_code.clone()
    };
    let answering_name = agency_name(&state, &answering).await?;
    let published = public.then(|| seen.published(given.clone(), (&answering, &answering_name)));
    match state
        .feedback
        .answer(state.module.partner(), &seen.code, given, published)
        .await
    {
        Ok(_) => {}
        Err(HubError::Engine(EngineError::AlreadyExists { .. })) => {
            let now = load(&state, &agency, &code).await?.unwrap_or(seen);
            let error =
                "Phản ánh này vừa được trả lời ở nơi khác; xem câu trả lời bên dưới.".to_string();
            return Ok(refuse(StatusCode::CONFLICT, &now, error));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("{QUEUE}/{}", seen.code)).into_response())
}
