//! The officers' pages of the one-stop workspace: sign-in, sign-out, and
//! the session's forms (the home page is the officer's first queue, in
//! `workspace_pages`).

use super::pages::{html, SignInPage};
use super::session::{self, SignedIn, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE};
use super::signin::{self, SignIn};
use super::{blocking, WebError, WebState};
use crate::domain::UnixMillis;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const HOME: &str = "/mot-cua/";
pub const SIGN_IN: &str = "/mot-cua/dang-nhap";
pub const SIGN_OUT: &str = "/mot-cua/dang-xuat";

/// How long an unused sign-in form stays valid.
const SIGN_IN_FORM_SECONDS: u64 = 3600;
/// Longer input is refused without hashing it (argon2 is costly by design).
const MAX_LOGIN_CHARS: usize = 64;
const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn sign_in_form(state: &WebState, csrf: String, login: String, refused: bool) -> SignInPage {
    SignInPage {
        csrf,
        login,
        refused,
        max_failures: state.settings.lockout.max_failures,
        lock_minutes: (state.settings.lockout.lock_millis / 60_000).max(1) as u64,
    }
}

pub async fn sign_in_page(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if session::current(&state, &headers).await?.is_some() {
        return Ok(Redirect::to(HOME).into_response());
    }
    // Keep the token of a form already open in another tab valid.
    let csrf = session::cookie(&headers, SIGN_IN_CSRF_COOKIE)
        .filter(|t| is_token(t))
        .map(str::to_string)
        .unwrap_or_else(session::random_token);
    let cookie = session::set_cookie(
        SIGN_IN_CSRF_COOKIE,
        &csrf,
        SIGN_IN_FORM_SECONDS,
        state.settings.served_over_https,
    );
    let page = sign_in_form(&state, csrf, String::new(), false);
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        html(StatusCode::OK, &page),
    )
        .into_response())
}

pub async fn sign_in(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not a sign-in form"))?;
    let expected = session::cookie(&headers, SIGN_IN_CSRF_COOKIE)
        .ok_or(WebError::Forbidden("sign-in without the sign-in cookie"))?;
    if !session::same_secret(expected, &form.csrf) {
        return Err(WebError::Forbidden("sign-in token missing or wrong"));
    }
    let login = form.login.trim().to_string();
    let outcome = if login.is_empty()
        || login.chars().count() > MAX_LOGIN_CHARS
        || form.password.len() > MAX_PASSWORD_BYTES
    {
        SignIn::Refused
    } else {
        let officers = state.officers.clone();
        let policy = state.settings.lockout;
        let decoy = state.decoy_hash.clone();
        let (login, password) = (login.clone(), form.password);
        blocking(move || {
            signin::attempt(
                &officers,
                policy,
                &decoy,
                &login,
                &password,
                UnixMillis::now(),
            )
        })
        .await?
    };
    let https = state.settings.served_over_https;
    match outcome {
        SignIn::Accepted(account) => {
            tracing::info!(login = %account.login, "officer signed in");
            let token = session::begin(&state, account.login).await?;
            let ttl = state.settings.session_ttl.as_secs();
            Ok((
                AppendHeaders([
                    (
                        SET_COOKIE,
                        session::set_cookie(SESSION_COOKIE, &token, ttl, https),
                    ),
                    (
                        SET_COOKIE,
                        session::set_cookie(SIGN_IN_CSRF_COOKIE, "", 0, https),
                    ),
                ]),
                Redirect::to(HOME),
            )
                .into_response())
        }
        SignIn::Refused => {
            let page = sign_in_form(&state, form.csrf, login, true);
            Ok(html(StatusCode::OK, &page))
        }
    }
}

pub async fn sign_out(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not a form"))?;
    let signed_in = session::current(&state, &headers)
        .await?
        .ok_or(WebError::Forbidden("sign-out without a live session"))?;
    check_csrf(&signed_in, &form.csrf)?;
    session::end(&state, signed_in.token_sha256).await?;
    tracing::info!(login = %signed_in.account.login, "officer signed out");
    let cookie = session::set_cookie(SESSION_COOKIE, "", 0, state.settings.served_over_https);
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to(SIGN_IN)).into_response())
}

/// Every form of a session carries the session's token.
fn check_csrf(signed_in: &SignedIn, sent: &str) -> Result<(), WebError> {
    if session::same_secret(&signed_in.session.csrf_token, sent) {
        Ok(())
    } else {
        Err(WebError::Forbidden("form token missing or wrong"))
    }
}
