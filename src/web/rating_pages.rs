//! Rating a dossier after its result was returned (`/tra-cuu/danh-gia`),
//! reached from the lookup result: the lookup that proved MaHoSo and the
//! second fact hands the page a signed, short-lived proof
//! (`portal::feedback::RatingProof`) in the form's body, so the applicant
//! rates without an account and the second fact is not asked again nor
//! carried in a URL.
//!
//! Once per dossier and only in status 10 (`portal::feedback::may_rate`);
//! a refusal names the rule and the dossier's status and writes nothing.
//! The rating is flushed before the page says it was recorded.

use super::pages::html;
use super::portal_pages::{lookup_token, LOOKUP_CSRF_COOKIE};
use super::session;
use super::{blocking, WebError, WebState};
use crate::domain::feedback::{Rating, Satisfaction};
use crate::domain::{Dossier, DossierRef, UnixMillis};
use crate::engine::EngineError;
use crate::hub::HubError;
use crate::portal::feedback::{comment_of, level_of, may_rate, FeedbackError};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

pub const RATE: &str = "/tra-cuu/danh-gia";

/// The rating part of a lookup result.
pub struct RatingOffer {
    /// The proof to rate with, when the dossier may be rated now.
    pub proof: Option<String>,
    /// Otherwise why not, or the rating already given.
    pub note: String,
}

/// What the lookup result offers for `d`, rated `existing`.
pub fn offer(state: &WebState, d: &Dossier, existing: Option<&Rating>) -> RatingOffer {
    match may_rate(d.status, existing) {
        Ok(()) => RatingOffer {
            proof: Some(state.rating_proof.issue(&d.ma_ho_so, UnixMillis::now())),
            note: String::new(),
        },
        Err(refused) => RatingOffer {
            proof: None,
            note: refused.to_string(),
        },
    }
}

/// The rating form's values and errors.
pub struct RatingForm {
    pub csrf: String,
    pub ma_ho_so: String,
    pub proof: String,
    pub level: Option<Satisfaction>,
    pub comment: String,
    pub level_error: Option<&'static str>,
    pub comment_error: Option<&'static str>,
}

impl RatingForm {
    pub fn levels(&self) -> Vec<(u8, &'static str, bool)> {
        Satisfaction::ALL
            .into_iter()
            .map(|s| (s.code(), s.vietnamese(), self.level == Some(s)))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "rating.html", config = "src/web/askama.toml")]
pub struct RatingPage {
    pub section: &'static str,
    pub ma_ho_so: String,
    /// (title, text, done): the outcome, when there is one.
    pub notice: Option<(&'static str, String, bool)>,
    pub form: Option<RatingForm>,
}

#[derive(Deserialize)]
pub struct RatingRequest {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "ma-ho-so")]
    ma_ho_so: String,
    #[serde(default, rename = "bang-chung")]
    proof: String,
    #[serde(default, rename = "muc-do")]
    level: String,
    #[serde(default, rename = "y-kien")]
    comment: String,
}

pub async fn rate(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<RatingRequest>, FormRejection>,
) -> Result<Response, WebError> {
    let (csrf, cookie) = lookup_token(&state, &headers);
    let answer = |status: StatusCode, page: RatingPage| {
        (
            AppendHeaders([(SET_COOKIE, cookie.clone())]),
            html(status, &page),
        )
            .into_response()
    };
    let refused = |status: StatusCode, ma_ho_so: String, title: &'static str, text: String| {
        answer(
            status,
            RatingPage {
                section: "tra-cuu",
                ma_ho_so,
                notice: Some((title, text, false)),
                form: None,
            },
        )
    };
    let Ok(Form(request)) = form else {
        return Ok(refused(
            StatusCode::FORBIDDEN,
            String::new(),
            "Biểu mẫu đã hết hạn",
            FeedbackError::ProofExpired.to_string(),
        ));
    };
    let ma_ho_so = request.ma_ho_so.trim().to_string();
    let token_ok = session::cookie(&headers, LOOKUP_CSRF_COOKIE)
        .is_some_and(|expected| session::same_secret(expected, &request.csrf));
    let now = UnixMillis::now();
    let proven = state.rating_proof.check(&ma_ho_so, &request.proof, now);
    if !token_ok || proven.is_err() {
        return Ok(refused(
            StatusCode::FORBIDDEN,
            ma_ho_so,
            "Chưa ghi nhận đánh giá",
            FeedbackError::ProofExpired.to_string(),
        ));
    }
    let level = level_of(&request.level);
    let comment = comment_of(&request.comment);
    let (Ok(level), Ok(comment)) = (level, comment.clone()) else {
        let form = RatingForm {
            csrf,
            ma_ho_so: ma_ho_so.clone(),
            proof: request.proof.clone(),
            level: level.ok(),
            comment: request.comment.clone(),
            level_error: level.err(),
            comment_error: comment.err(),
        };
        return Ok(answer(
            StatusCode::BAD_REQUEST,
            RatingPage {
                section: "tra-cuu",
                ma_ho_so,
                notice: None,
                form: Some(form),
            },
        ));
    };
    let module = state.module.clone();
    let records = state.feedback.clone();
    let rating_of = ma_ho_so.clone();
    let checked = blocking(move || {
        let reference = DossierRef::MaHoSo(rating_of);
        let dossier = match module.hub().get_dossier(module.partner(), &reference) {
            Ok((d, _)) => d,
            // Proven a moment ago: gone only if another agency took it.
            Err(HubError::NotFound { .. }) => return Ok(Err(FeedbackError::ProofExpired)),
            Err(e) => return Err(e.into()),
        };
        let existing = records.rating(&dossier.ma_ho_so)?;
        if let Err(refused) = may_rate(dossier.status, existing.as_ref()) {
            return Ok(Err(refused));
        }
        Ok(Ok(dossier))
    })
    .await?;
    let outcome = match checked {
        Err(refused) => Err(refused),
        Ok(dossier) => {
            let rating = Rating {
                ma_ho_so: dossier.ma_ho_so.clone(),
                agency_code: dossier.agency_code.clone(),
                procedure_code: dossier.procedure_code.clone(),
                level,
                comment,
                rated_at: now,
            };
            // The writer checks again, in the batch that records it with its
            // event: rated by another tab in between, the first rating stays.
            match state
                .feedback
                .rate(state.module.partner(), rating.clone())
                .await
            {
                Ok(_) => Ok(rating),
                Err(HubError::Engine(EngineError::AlreadyExists { .. }))
                | Err(HubError::Engine(EngineError::NotRatable { .. })) => {
                    let (module, records) = (state.module.clone(), state.feedback.clone());
                    let reference = DossierRef::MaHoSo(dossier.ma_ho_so.clone());
                    blocking(move || {
                        let first = records.rating(&dossier.ma_ho_so)?;
                        let status = module
                            .hub()
                            .get_dossier(module.partner(), &reference)
                            .map_or(dossier.status, |(d, _)| d.status);
                        Ok(Err(may_rate(status, first.as_ref())
                            .err()
                            .unwrap_or(FeedbackError::ProofExpired)))
                    })
                    .await?
                }
                Err(HubError::NotFound { .. }) => Err(FeedbackError::ProofExpired),
                Err(e) => return Err(e.into()),
            }
        }
    };
    match outcome {
        Ok(rating) => Ok(answer(
            StatusCode::OK,
            RatingPage {
                section: "tra-cuu",
                ma_ho_so,
                notice: Some((
                    "Đã ghi nhận đánh giá",
                    format!(
                        "Cảm ơn bạn đã đánh giá «{}». Ý kiến của bạn được gửi tới cơ quan giải quyết và Cổng Dịch vụ công quốc gia.",
                        rating.level.vietnamese()
                    ),
                    true,
                )),
                form: None,
            },
        )),
        Err(refusal) => {
            let status = match refusal {
                FeedbackError::ProofExpired => StatusCode::FORBIDDEN,
                _ => StatusCode::CONFLICT,
            };
            Ok(refused(
                status,
                ma_ho_so,
                "Không ghi nhận đánh giá",
                refusal.to_string(),
            ))
        }
    }
}
