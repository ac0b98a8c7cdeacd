//! Feedback and petitions (phản ánh, kiến nghị) at `/phan-anh`: anyone
//! sends one and gets a tracking code (`portal::feedback::tracking_code`);
//! `/phan-anh/<code>` shows where it stands and the answer; the answers
//! officers marked public are listed on `/phan-anh`.
//!
//! The send form is guarded like the lookup form (a double-submit token:
//! there is no session) and counted against the client address's own
//! allowance (`portal::throttle`, the lookup's `[web] lookup_attempts` per
//! `lookup_window_seconds`, a table of its own). A feedback is flushed
//! before its code is shown. The sender's name and contact are never shown
//! on a page, only the subject, the content and the answer.

use super::format;
use super::pages::html;
use super::portal_pages::{catalogue, client_address, lookup_token, LOOKUP_CSRF_COOKIE};
use super::session::{self, random_token};
use super::{blocking, WebError, WebState};
use crate::domain::feedback::Feedback;
use crate::domain::UnixMillis;
use crate::portal::feedback::{check_feedback, normalise_code, tracking_code, FeedbackFields};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;

pub const FEEDBACK: &str = "/phan-anh";
pub const ONE: &str = "/phan-anh/:code";
/// Public answers listed on the page, newest first.
const PUBLIC_ANSWERS: usize = 20;

#[derive(Deserialize, Default)]
pub struct FeedbackRequest {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "ho-ten")]
    name: String,
    #[serde(default, rename = "lien-he")]
    contact: String,
    #[serde(default, rename = "tieu-de")]
    subject: String,
    #[serde(default, rename = "chi-tiet")]
    content: String,
    #[serde(default, rename = "ma-ho-so")]
    ma_ho_so: String,
    #[serde(default, rename = "co-quan")]
    agency_code: String,
}

/// One published question with its answer.
pub struct PublicAnswer {
    pub code: String,
    pub subject: String,
    pub content: String,
    pub answer: String,
    pub answered: String,
    pub unit: String,
}

pub struct AgencyChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "feedback.html", config = "src/web/askama.toml")]
pub struct FeedbackPage {
    pub section: &'static str,
    pub csrf: String,
    pub notice: Option<(&'static str, String)>,
    pub values: FeedbackFields,
    pub errors: Vec<(&'static str, &'static str)>,
    pub agencies: Vec<AgencyChoice>,
    pub answers: Vec<PublicAnswer>,
}

/// One text input of the form, with its error.
pub struct TextField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
    pub error: Option<&'static str>,
    pub described_by: String,
}

impl FeedbackPage {
    pub fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| *e)
    }

    /// The text inputs of one part of the form: who sends (`contact`) or
    /// what it is about (`about`).
    pub fn text_fields(&self, part: &str) -> Vec<TextField> {
        let v = &self.values;
        let fields = match part {
            "contact" => vec![
                ("ho-ten", "Họ và tên", "", &v.name, "name"),
                (
                    "lien-he",
                    "Thư điện tử hoặc số điện thoại",
                    "Để cơ quan liên hệ khi cần; không hiển thị công khai.",
                    &v.contact,
                    "email",
                ),
            ],
            _ => vec![
                (
                    "ma-ho-so",
                    "Mã hồ sơ liên quan (không bắt buộc)",
                    "Nếu phản ánh về một hồ sơ đã nộp.",
                    &v.ma_ho_so,
                    "off",
                ),
                ("tieu-de", "Tiêu đề", "", &v.subject, "off"),
            ],
        };
        fields
            .into_iter()
            .map(|(name, label, hint, value, autocomplete)| {
                let error = self.error(name);
                let mut described = Vec::new();
                if !hint.is_empty() {
                    described.push(format!("{name}-goi-y"));
                }
                if error.is_some() {
                    described.push(format!("{name}-loi"));
                }
                TextField {
                    name,
                    label,
                    hint,
                    value: value.clone(),
                    autocomplete,
                    error,
                    described_by: described.join(" "),
                }
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "feedback_one.html", config = "src/web/askama.toml")]
pub struct FeedbackOnePage {
    pub section: &'static str,
    pub code: String,
    pub just_sent: bool,
    pub state: &'static str,
    pub sent: String,
    pub subject: String,
    pub content: String,
    pub ma_ho_so: String,
    pub agency: String,
    pub answer: Option<PublicAnswer>,
}

#[derive(Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    ma: String,
}

async fn page(
    state: &WebState,
    csrf: String,
    values: FeedbackFields,
    errors: Vec<(&'static str, &'static str)>,
    notice: Option<(&'static str, String)>,
) -> Result<FeedbackPage, WebError> {
    let catalogue = catalogue(state).await?;
    let records = state.feedback.clone();
    let mut published: Vec<Feedback> = blocking(move || {
        Ok(records
            .all_feedback()?
            .into_iter()
            .filter(Feedback::is_published)
            .collect())
    })
    .await?;
    published.sort_by_key(|f| std::cmp::Reverse(f.answer.as_ref().map(|a| a.answered_at)));
    let answers = published
        .into_iter()
        .take(PUBLIC_ANSWERS)
        .filter_map(public_answer)
        .collect();
    let agencies = catalogue
        .agencies
        .iter()
        .map(|(code, name)| AgencyChoice {
            code: code.clone(),
            name: name.clone(),
            selected: *code == values.agency_code,
        })
        .collect();
    Ok(FeedbackPage {
        section: "phan-anh",
        csrf,
        notice,
        values,
        errors,
        agencies,
        answers,
    })
}

fn public_answer(f: Feedback) -> Option<PublicAnswer> {
    let a = f.answer?;
    Some(PublicAnswer {
        code: f.code,
        subject: f.subject,
        content: f.content,
        answer: a.text,
        answered: format::date(a.answered_at),
        unit: a.unit,
    })
}

pub async fn form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<CodeQuery>,
) -> Result<Response, WebError> {
    // The lookup-by-code form is a GET: the code is no secret of the
    // sender's person, only a key to their own feedback.
    if !query.ma.trim().is_empty() {
        return Ok(match normalise_code(&query.ma) {
            Some(code) => Redirect::to(&format!("{FEEDBACK}/{code}")).into_response(),
            None => {
                let (csrf, cookie) = lookup_token(&state, &headers);
                let notice = (
                    "Mã phản ánh không đúng",
                    "Mã phản ánh có dạng PAKN-yyMMdd- và 8 ký tự, ví dụ PAKN-261202-7KQ4MZ2A."
                        .to_string(),
                );
                let page = page(
                    &state,
                    csrf,
                    FeedbackFields::default(),
                    Vec::new(),
                    Some(notice),
                )
                .await?;
                (
                    AppendHeaders([(SET_COOKIE, cookie)]),
                    html(StatusCode::BAD_REQUEST, &page),
                )
                    .into_response()
            }
        });
    }
    let (csrf, cookie) = lookup_token(&state, &headers);
    let page = page(&state, csrf, FeedbackFields::default(), Vec::new(), None).await?;
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        html(StatusCode::OK, &page),
    )
        .into_response())
}

pub async fn send(
    State(state): State<WebState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<FeedbackRequest>, FormRejection>,
) -> Result<Response, WebError> {
    let (csrf, cookie) = lookup_token(&state, &headers);
    let request = form.map(|Form(r)| r).unwrap_or_default();
    let token_ok = session::cookie(&headers, LOOKUP_CSRF_COOKIE)
        .is_some_and(|expected| session::same_secret(expected, &request.csrf));
    let mut values = FeedbackFields {
        name: request.name,
        contact: request.contact,
        subject: request.subject,
        content: request.content,
        ma_ho_so: request.ma_ho_so,
        agency_code: request.agency_code,
    };
    let answer = |status: StatusCode, page: FeedbackPage| {
        (
            AppendHeaders([(SET_COOKIE, cookie.clone())]),
            html(status, &page),
        )
            .into_response()
    };
    if !token_ok {
        let notice = (
            "Biểu mẫu đã hết hạn",
            "Biểu mẫu phản ánh đã hết hiệu lực hoặc không gửi từ trang này. Vui lòng gửi lại."
                .to_string(),
        );
        let page = page(&state, csrf, values, Vec::new(), Some(notice)).await?;
        return Ok(answer(StatusCode::FORBIDDEN, page));
    }
    if let Err(seconds) = state
        .feedback_sends
        .admit(client_address(&state, peer, &headers), UnixMillis::now().0)
    {
        let minutes = seconds.div_ceil(60);
        let notice = (
            "Tạm dừng gửi phản ánh",
            format!("Địa chỉ của bạn đã gửi quá nhiều phản ánh trong thời gian ngắn. Vui lòng thử lại sau {minutes} phút."),
        );
        let page = page(&state, csrf, values, Vec::new(), Some(notice)).await?;
        let mut response = answer(StatusCode::TOO_MANY_REQUESTS, page);
        response
            .headers_mut()
            .insert(RETRY_AFTER, seconds.to_string().parse().expect("digits"));
        return Ok(response);
    }
    let catalogue = catalogue(&state).await?;
    if let Err(errors) = check_feedback(&mut values, |code| catalogue.agencies.contains_key(code)) {
        let page = page(&state, csrf, values, errors, None).await?;
        return Ok(answer(StatusCode::BAD_REQUEST, page));
    }
    let records = state.feedback.clone();
    let code = blocking(move || {
        let now = UnixMillis::now();
        // A code already taken (about one chance in 10^12) draws again.
        loop {
            let random = hex::decode(random_token()).expect("hex");
            let feedback = Feedback {
                code: tracking_code(now, &random),
                name: values.name.clone(),
                contact: values.contact.clone(),
                subject: values.subject.clone(),
                content: values.content.clone(),
                ma_ho_so: values.ma_ho_so.clone(),
                agency_code: values.agency_code.clone(),
                sent_at: now,
                answer: None,
            };
            if records.insert_feedback(&feedback)? {
                return Ok(feedback.code);
            }
        }
    })
    .await?;
    Ok(Redirect::to(&format!("{FEEDBACK}/{code}?moi=1")).into_response())
}

#[derive(Deserialize)]
pub struct OneQuery {
    #[serde(default)]
    moi: String,
}

pub async fn one(
    State(state): State<WebState>,
    Path(code): Path<String>,
    Query(query): Query<OneQuery>,
) -> Result<Response, WebError> {
    let Some(code) = normalise_code(&code) else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    let records = state.feedback.clone();
    let looked_up = code.clone();
    let Some(f) = blocking(move || Ok(records.feedback(&looked_up)?)).await? else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    let agency = if f.agency_code.is_empty() {
        String::new()
    } else {
        let module = state.module.clone();
        let agency_code = f.agency_code.clone();
        blocking(move || module.agency_name(&agency_code)).await?
    };
    let page = FeedbackOnePage {
        section: "phan-anh",
        code,
        just_sent: query.moi == "1",
        state: f.state().vietnamese(),
        sent: format::date_time(f.sent_at),
        subject: f.subject.clone(),
        content: f.content.clone(),
        ma_ho_so: f.ma_ho_so.clone(),
        agency,
        answer: public_answer(f),
    };
    Ok(html(StatusCode::OK, &page))
}
