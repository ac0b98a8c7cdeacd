//! Applicants' sessions on the portal (`/tai-khoan/…`), kept apart from the
//! officers': their own cookie, their own records, so that a citizen's
//! session never opens a workspace page and an officer's never opens an
//! applicant's.
//!
//! The same rules as `session`: a random token in an HttpOnly,
//! SameSite=Strict cookie (Secure under HTTPS), kept on the server under its
//! SHA-256 with its expiry and CSRF token; forms before sign-in (register,
//! sign in) are guarded by a double-submit token in a cookie of their own.

use super::session::{cookie, digest, random_token, same_secret, set_cookie};
use super::{WebError, WebState};
use crate::domain::applicant::{ApplicantAccount, ApplicantSession};
use crate::domain::UnixMillis;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

pub const SESSION_COOKIE: &str = "lienthong_cong_dan";
/// The double-submit token of the register and sign-in forms.
pub const FORM_COOKIE: &str = "lienthong_cong_dan_bieu_mau";
const FORM_SECONDS: u64 = 3600;

/// A signed-in applicant, with the session the request carried.
pub struct SignedInApplicant {
    pub account: ApplicantAccount,
    pub session: ApplicantSession,
    pub token_sha256: [u8; 32],
}

impl SignedInApplicant {
    /// Every form of a session carries the session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if same_secret(&self.session.csrf_token, sent) {
            Ok(())
        } else {
            Err(WebError::Forbidden("form token missing or wrong"))
        }
    }
}

/// The applicant whose live session cookie the request carries, if any.
pub async fn current(
    state: &WebState,
    headers: &HeaderMap,
) -> Result<Option<SignedInApplicant>, WebError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_sha256 = digest(token);
    let records = state.applicants.clone();
    super::blocking(move || {
        let Some(session) = records.session(&token_sha256)? else {
            return Ok(None);
        };
        if !session.is_live(UnixMillis::now()) {
            records.remove_session(&token_sha256)?;
            return Ok(None);
        }
        Ok(records
            .account(&session.email)?
            .map(|account| SignedInApplicant {
                account,
                session,
                token_sha256,
            }))
    })
    .await
}

/// The signed-in applicant an account page is for; without a session the
/// page answers with the sign-in page.
pub struct Applicant(pub SignedInApplicant);

#[axum::async_trait]
impl FromRequestParts<WebState> for Applicant {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        match current(state, &parts.headers).await {
            Ok(Some(signed_in)) => Ok(Applicant(signed_in)),
            Ok(None) => {
                // A page asked for by its address comes back after sign-in.
                let back = (parts.method == axum::http::Method::GET)
                    .then(|| return_path(parts.uri.path()))
                    .flatten()
                    .filter(|path| path != super::applicant_pages::HOME);
                let to = match back {
                    Some(path) => format!("{}?tiep={path}", super::applicant_pages::SIGN_IN),
                    None => super::applicant_pages::SIGN_IN.to_string(),
                };
                Err(Redirect::to(&to).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Where a sign-in may send the applicant back to: an applicant's page of
/// this portal (`/tai-khoan/…`), written plainly — never another site.
pub fn return_path(asked: &str) -> Option<String> {
    let plain = asked.len() <= 200
        && asked.starts_with("/tai-khoan/")
        && !asked.contains("//")
        && !asked.contains("..")
        && asked
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_'));
    plain.then(|| asked.to_string())
}

/// Starts a session for `email`; returns the cookie that carries it.
pub async fn begin(state: &WebState, email: String) -> Result<String, WebError> {
    let token = random_token();
    let now = UnixMillis::now();
    let session = ApplicantSession {
        email,
        csrf_token: random_token(),
        created_at: now,
        expires_at: UnixMillis(now.0 + state.settings.session_ttl.as_millis() as i64),
    };
    let records = state.applicants.clone();
    let token_sha256 = digest(&token);
    super::blocking(move || Ok(records.put_session(&token_sha256, &session)?)).await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        &token,
        state.settings.session_ttl.as_secs(),
        state.settings.served_over_https,
    ))
}

/// Ends the session; returns the cookie that removes it.
pub async fn end(state: &WebState, token_sha256: [u8; 32]) -> Result<String, WebError> {
    let records = state.applicants.clone();
    super::blocking(move || Ok(records.remove_session(&token_sha256)?)).await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        "",
        0,
        state.settings.served_over_https,
    ))
}

fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The form token of the request's cookie (kept valid across tabs) or a
/// new one, and the cookie to set.
pub fn form_token(state: &WebState, headers: &HeaderMap) -> (String, String) {
    let csrf = cookie(headers, FORM_COOKIE)
        .filter(|t| is_token(t))
        .map(str::to_string)
        .unwrap_or_else(random_token);
    let set = set_cookie(
        FORM_COOKIE,
        &csrf,
        FORM_SECONDS,
        state.settings.served_over_https,
    );
    (csrf, set)
}

/// A form posted before sign-in must repeat its cookie's token.
pub fn check_form_token(headers: &HeaderMap, sent: &str) -> Result<(), WebError> {
    let expected =
        cookie(headers, FORM_COOKIE).ok_or(WebError::Forbidden("form without its cookie"))?;
    if same_secret(expected, sent) {
        Ok(())
    } else {
        Err(WebError::Forbidden("form token missing or wrong"))
    }
}
