//! Applicants' sign-in through the configured OpenID Connect provider
//! (`[web.oidc]`; the rules in `portal::oidc`).
//!
//! `GET /tai-khoan/dang-nhap-mot-lan` (a link on the sign-in page, not a
//! form: the content policy lets forms post only here, and a form's
//! redirect to the provider would be blocked) starts the sign-in and binds
//! it to the browser with a cookie of its own — HttpOnly, SameSite=Lax so
//! that it comes back with the provider's redirect, limited to the sign-in
//! path. `GET …/ve` finishes it: the provider's identity (`iss`, `sub`)
//! finds the applicant's account through its identity link, or creates one
//! with the link in the same atomic write (`hub::ApplicantRecords`), and
//! the applicant's session opens as with a password. The session cookie is
//! SameSite=Strict, which a browser holds back on a redirect chain another
//! site started, so the last step is a page that moves on by itself to
//! the account (meta refresh) instead of a redirect.
//!
//! Every refusal is a page in Vietnamese saying what to do; the log names
//! the reason in English. Nothing is written before the ID token verified.

use super::applicant_pages::HOME;
use super::applicant_session::{self as sessions, FORM_COOKIE};
use super::pages::html;
use super::session::{cookie, set_cookie};
use super::{blocking, WebError, WebState};
use crate::domain::applicant::{
    normalise_email, single_sign_on_key, ApplicantAccount, OidcIdentity,
};
use crate::domain::UnixMillis;
use crate::portal::oidc::{Callback, IdClaims, OidcError, PENDING_SECONDS};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};

pub const START: &str = "/tai-khoan/dang-nhap-mot-lan";
pub const CALLBACK: &str = crate::portal::oidc::CALLBACK_PATH;
/// The cookie that binds a started sign-in to its browser.
pub const BINDING_COOKIE: &str = "lienthong_dinh_danh";
const MAX_NAME_CHARS: usize = 100;

#[derive(Template)]
#[template(path = "oidc_error.html", config = "src/web/askama.toml")]
pub struct ErrorPage {
    pub section: &'static str,
    pub provider: String,
    pub message: &'static str,
}

#[derive(Template)]
#[template(path = "oidc_done.html", config = "src/web/askama.toml")]
pub struct DonePage {
    pub section: &'static str,
    pub name: String,
}

fn binding_cookie(value: &str, max_age: u64, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{BINDING_COOKIE}={value}; Path={START}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    )
}

fn refused(state: &WebState, provider: &str, error: &OidcError) -> Response {
    let status = match error {
        OidcError::Discovery(_) | OidcError::Keys(_) | OidcError::Token(_) => {
            tracing::warn!(reason = %error, "single sign-on failed at the provider");
            StatusCode::BAD_GATEWAY
        }
        OidcError::Busy => {
            tracing::warn!(reason = %error, "single sign-on refused");
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => {
            tracing::warn!(reason = %error, "single sign-on refused");
            StatusCode::BAD_REQUEST
        }
    };
    let page = ErrorPage {
        section: "tai-khoan",
        provider: provider.to_string(),
        message: error.vietnamese(),
    };
    let clear = binding_cookie("", 0, state.settings.served_over_https);
    (AppendHeaders([(SET_COOKIE, clear)]), html(status, &page)).into_response()
}

pub async fn start(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let Some(client) = state.oidc.clone() else {
        return Ok(super::not_found().await);
    };
    if sessions::current(&state, &headers).await?.is_some() {
        return Ok(Redirect::to(HOME).into_response());
    }
    match client.start().await {
        Ok(started) => {
            let cookie = binding_cookie(
                &started.browser_token,
                PENDING_SECONDS as u64,
                state.settings.served_over_https,
            );
            Ok((
                AppendHeaders([(SET_COOKIE, cookie)]),
                Redirect::to(&started.authorize_url),
            )
                .into_response())
        }
        Err(e) => Ok(refused(&state, &client.settings().display_name, &e)),
    }
}

pub async fn finish(
    State(state): State<WebState>,
    headers: HeaderMap,
    query: Result<Query<Callback>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let Some(client) = state.oidc.clone() else {
        return Ok(super::not_found().await);
    };
    let provider = client.settings().display_name.clone();
    let callback = query.map(|Query(c)| c).unwrap_or_default();
    let claims = match client
        .finish(cookie(&headers, BINDING_COOKIE), &callback)
        .await
    {
        Ok(claims) => claims,
        Err(e) => return Ok(refused(&state, &provider, &e)),
    };
    let records = state.applicants.clone();
    let (email, name) = blocking(move || account_for(&records, &claims)).await?;
    tracing::info!("applicant signed in through single sign-on");
    let session = sessions::begin(&state, email).await?;
    let https = state.settings.served_over_https;
    let cookies = [
        (SET_COOKIE, session),
        (SET_COOKIE, binding_cookie("", 0, https)),
        (SET_COOKIE, set_cookie(FORM_COOKIE, "", 0, https)),
    ];
    let page = DonePage {
        section: "tai-khoan",
        name,
    };
    Ok((AppendHeaders(cookies), html(StatusCode::OK, &page)).into_response())
}

/// The account the verified identity is linked to, made (with its link, in
/// one write) on the first sign-in: under the provider's verified e-mail
/// address when it has one that no account holds yet, else under a key
/// made of the identity. An existing account with that address is never
/// linked on its own: its holder never proved the address (no mail is
/// sent at registration), so linking would hand a stranger's password
/// account the citizen's identity. Blocking.
fn account_for(
    records: &crate::hub::ApplicantRecords,
    claims: &IdClaims,
) -> Result<(String, String), WebError> {
    let identity = OidcIdentity {
        issuer: claims.issuer.clone(),
        subject: claims.subject.clone(),
    };
    let linked = |records: &crate::hub::ApplicantRecords| -> Result<_, WebError> {
        Ok(match records.by_identity(&identity)? {
            Some(email) => records.account(&email)?.map(|a| (a.email, a.name)),
            None => None,
        })
    };
    if let Some(found) = linked(records)? {
        return Ok(found);
    }
    let name: String = claims
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or("Công dân")
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    let keys = [
        claims
            .email
            .as_deref()
            .and_then(|e| normalise_email(e).ok()),
        Some(single_sign_on_key(&identity)),
    ];
    for key in keys.into_iter().flatten() {
        let account = ApplicantAccount {
            email: key.clone(),
            name: name.clone(),
            password_hash: None,
            oidc: Some(identity.clone()),
            created_at: UnixMillis::now(),
        };
        if records.create_account(&account)? {
            tracing::info!("applicant account created by single sign-on");
            return Ok((key, name));
        }
        // Taken: by the same identity signing in at this moment, or (the
        // e-mail) by another account.
        if let Some(found) = linked(records)? {
            return Ok(found);
        }
    }
    Err(WebError::Forbidden(
        "the single sign-on key is held by an account of another identity",
    ))
}
