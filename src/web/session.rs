//! Officers' sessions and the tokens that guard every form.
//!
//! A session is a random token in an HttpOnly, SameSite=Strict cookie
//! (Secure when the pages are served over HTTPS); the server keeps it, under
//! the token's SHA-256, with its expiry and its CSRF token. Before sign-in
//! there is no session, so the sign-in form is guarded by a double-submit
//! token: a random value in its own cookie that the form must repeat.

use super::{WebError, WebState};
use crate::domain::officer::{OfficerAccount, OfficerSession};
use crate::domain::UnixMillis;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "lienthong_can_bo";
pub const SIGN_IN_CSRF_COOKIE: &str = "lienthong_dang_nhap";

/// 256 random bits, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of cookie `name` in the request, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value; `max_age_seconds` 0 removes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: u64, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Strict{secure}")
}

/// A signed-in officer, with the session the request carried.
pub struct SignedIn {
    pub account: OfficerAccount,
    pub session: OfficerSession,
    pub token_sha256: [u8; 32],
}

/// The officer whose live session cookie the request carries, if any. An
/// expired session is removed on the way.
pub async fn current(state: &WebState, headers: &HeaderMap) -> Result<Option<SignedIn>, WebError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_sha256 = digest(token);
    let officers = state.officers.clone();
    super::blocking(move || {
        let Some(session) = officers.session(&token_sha256)? else {
            return Ok(None);
        };
        if !session.is_live(UnixMillis::now()) {
            officers.remove_session(&token_sha256)?;
            return Ok(None);
        }
        // A session outlives neither its account nor a change of login.
        Ok(officers.account(&session.login)?.map(|account| SignedIn {
            account,
            session,
            token_sha256,
        }))
    })
    .await
}

/// The signed-in officer a workspace page is for, taken from the request's
/// live session; without one the page answers with the sign-in page.
pub struct Officer(pub SignedIn);

#[axum::async_trait]
impl FromRequestParts<WebState> for Officer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        match current(state, &parts.headers).await {
            Ok(Some(signed_in)) => Ok(Officer(signed_in)),
            Ok(None) => Err(Redirect::to(super::officer_pages::SIGN_IN).into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Starts a session for `login`; returns its token (for the cookie).
pub async fn begin(state: &WebState, login: String) -> Result<String, WebError> {
    let token = random_token();
    let now = UnixMillis::now();
    let session = OfficerSession {
        login,
        csrf_token: random_token(),
        created_at: now,
        expires_at: UnixMillis(now.0 + state.settings.session_ttl.as_millis() as i64),
    };
    let officers = state.officers.clone();
    let token_sha256 = digest(&token);
    super::blocking(move || Ok(officers.put_session(&token_sha256, &session)?)).await?;
    Ok(token)
}

pub async fn end(state: &WebState, token_sha256: [u8; 32]) -> Result<(), WebError> {
    let officers = state.officers.clone();
    super::blocking(move || Ok(officers.remove_session(&token_sha256)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "a_lienthong_can_bo=x; lienthong_can_bo=abc; other=1"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, SIGN_IN_CSRF_COOKIE), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn cookies_are_http_only_and_strict_and_secure_under_https() {
        let plain = set_cookie("n", "v", 60, false);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        assert!(set_cookie("n", "v", 60, true).ends_with("; Secure"));
    }
}
