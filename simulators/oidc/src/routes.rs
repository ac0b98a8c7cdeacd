//! The provider's HTTP face: discovery, the authorization page and its
//! post, the token endpoint and the JWKS. Requests that break the protocol
//! get the protocol's errors (RFC 6749 §4.1.2.1 and §5.2): an unknown
//! client or redirect URI is shown on the page and never redirected to.

use super::{lock, random_id, Citizen, Grant, Pending, State, Switches};
use axum::extract::{Query, State as Shared};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize_page).post(authorize_choice))
        .route("/token", post(token))
        .route("/jwks", get(jwks))
        .with_state(state)
}

async fn discovery(Shared(state): Shared<Arc<State>>) -> Response {
    lock(&state.counts).discovery += 1;
    let issuer = &state.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "email"],
    }))
    .into_response()
}

async fn jwks(Shared(state): Shared<Arc<State>>) -> Response {
    lock(&state.counts).jwks += 1;
    Json(json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": state.key_id(),
            "n": URL_SAFE_NO_PAD.encode(state.key.modulus()),
            "e": URL_SAFE_NO_PAD.encode(state.key.exponent()),
        }]
    }))
    .into_response()
}

/// Checks an authorization request; the pending request, or the problem.
fn check_request(state: &State, q: &HashMap<String, String>) -> Result<Pending, String> {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != state.client.client_id {
        return Err(format!("unknown client_id `{}`", get("client_id")));
    }
    if get("redirect_uri") != state.client.redirect_uri {
        return Err(format!(
            "redirect_uri `{}` is not the one registered",
            get("redirect_uri")
        ));
    }
    if get("response_type") != "code" {
        return Err("response_type must be `code`".into());
    }
    if !get("scope").split(' ').any(|s| s == "openid") {
        return Err("scope must include `openid`".into());
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").len() != 43 {
        return Err("PKCE is required: code_challenge_method=S256 and a code_challenge".into());
    }
    if get("state").is_empty() || get("nonce").is_empty() {
        return Err("state and nonce are required".into());
    }
    Ok(Pending {
        state: get("state").into(),
        nonce: get("nonce").into(),
        code_challenge: get("code_challenge").into(),
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:sans-serif;max-width:34rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}}\
         fieldset{{border:1px solid #767676;padding:.5rem 1rem}}label{{display:block;padding:.4rem 0}}\
         button{{font-size:1rem;padding:.5rem 1rem;margin:.75rem .5rem 0 0}}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    )
}

async fn authorize_page(
    Shared(state): Shared<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let pending = match check_request(&state, &q) {
        Ok(pending) => pending,
        Err(problem) => {
            let body = format!(
                "<p role=\"alert\">Yêu cầu không hợp lệ: {}</p>",
                escape(&problem)
            );
            return (StatusCode::BAD_REQUEST, Html(page("Lỗi xác thực", &body))).into_response();
        }
    };
    let request = random_id();
    lock(&state.pending).insert(request.clone(), pending);
    let mut choices = String::new();
    for (i, citizen) in state.citizens.iter().enumerate() {
        let checked = if i == 0 { " checked" } else { "" };
        choices.push_str(&format!(
            "<label><input type=\"radio\" name=\"cong-dan\" value=\"{i}\"{checked}> {} (số định danh {})</label>",
            escape(&citizen.name),
            escape(&citizen.subject)
        ));
    }
    let body = format!(
        "<p>Hệ thống định danh (mô phỏng). Chọn công dân thử nghiệm để đăng nhập vào dịch vụ <strong>{}</strong>.</p>\
         <form method=\"post\" action=\"/authorize\"><input type=\"hidden\" name=\"yeu-cau\" value=\"{request}\">\
         <fieldset><legend>Công dân thử nghiệm</legend>{choices}</fieldset>\
         <button type=\"submit\" name=\"quyet-dinh\" value=\"dong-y\" id=\"dong-y\">Đồng ý đăng nhập</button>\
         <button type=\"submit\" name=\"quyet-dinh\" value=\"tu-choi\" id=\"tu-choi\">Từ chối</button></form>",
        escape(&state.client.client_id)
    );
    Html(page("Đăng nhập tài khoản định danh", &body)).into_response()
}

#[derive(Deserialize)]
struct Choice {
    #[serde(rename = "yeu-cau", default)]
    request: String,
    #[serde(rename = "cong-dan", default)]
    citizen: usize,
    #[serde(rename = "quyet-dinh", default)]
    decision: String,
}

fn redirect_back(state: &State, params: &[(&str, &str)]) -> String {
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{}?{query}", state.client.redirect_uri)
}

/// Percent-encodes a query value (RFC 3986 unreserved kept).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Hands out a code for `citizen` under a pending request; the redirect.
fn grant(state: &State, pending: Pending, citizen: usize) -> Result<String, String> {
    let Some(citizen) = state.citizens.get(citizen).cloned() else {
        return Err(format!("no test citizen {citizen}"));
    };
    let code = random_id();
    lock(&state.codes).insert(
        code.clone(),
        Grant {
            citizen,
            nonce: pending.nonce,
            code_challenge: pending.code_challenge,
        },
    );
    Ok(redirect_back(
        state,
        &[("code", &code), ("state", &pending.state)],
    ))
}

async fn authorize_choice(
    Shared(state): Shared<Arc<State>>,
    Form(choice): Form<Choice>,
) -> Response {
    let Some(pending) = lock(&state.pending).remove(&choice.request) else {
        let body = "<p role=\"alert\">Yêu cầu đăng nhập đã hết hạn hoặc đã dùng.</p>";
        return (StatusCode::BAD_REQUEST, Html(page("Lỗi xác thực", body))).into_response();
    };
    if choice.decision != "dong-y" {
        let url = redirect_back(
            &state,
            &[("error", "access_denied"), ("state", &pending.state)],
        );
        return Redirect::to(&url).into_response();
    }
    match grant(&state, pending, choice.citizen) {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(problem) => (
            StatusCode::BAD_REQUEST,
            Html(page("Lỗi xác thực", &escape(&problem))),
        )
            .into_response(),
    }
}

/// The page's work without a browser (`Provider::authorize_as`).
pub fn authorize_directly(state: &State, url: &str, citizen: usize) -> Result<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let q: HashMap<String, String> = serde_urlencoded_pairs(query);
    let pending = check_request(state, &q)?;
    grant(state, pending, citizen)
}

fn serde_urlencoded_pairs(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Deserialize)]
struct TokenRequest {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    code_verifier: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
}

fn token_error(state: &State, status: StatusCode, error: &str, description: &str) -> Response {
    lock(&state.counts).tokens_refused += 1;
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// The client's credentials: HTTP Basic, else the form's.
fn client_credentials(headers: &HeaderMap, form: &TokenRequest) -> (String, String) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    match basic.as_deref().and_then(|b| b.split_once(':')) {
        Some((id, secret)) => (decode(id), decode(secret)),
        None => (form.client_id.clone(), form.client_secret.clone()),
    }
}

async fn token(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    Form(form): Form<TokenRequest>,
) -> Response {
    let (client_id, secret) = client_credentials(&headers, &form);
    if client_id != state.client.client_id || secret != state.client.client_secret {
        return token_error(
            &state,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    if form.grant_type != "authorization_code" {
        return token_error(
            &state,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only authorization_code",
        );
    }
    if lock(&state.used).contains(&form.code) {
        return token_error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the code was used already",
        );
    }
    let Some(grant) = lock(&state.codes).remove(&form.code) else {
        return token_error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "unknown code",
        );
    };
    lock(&state.used).push(form.code.clone());
    if form.redirect_uri != state.client.redirect_uri {
        return token_error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri differs from the authorization request's",
        );
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    if form.code_verifier.len() < 43 || challenge != grant.code_challenge {
        return token_error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed",
        );
    }
    let id_token = id_token(&state, &grant.citizen, &grant.nonce);
    lock(&state.counts).tokens_issued += 1;
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": random_id(),
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "openid profile email",
            "id_token": id_token,
        })),
    )
        .into_response()
}

/// The signed ID token, spoilt as the switches say.
fn id_token(state: &State, citizen: &Citizen, nonce: &str) -> String {
    let switches: &Switches = &state.switches;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (iat, exp) = if Switches::on(&switches.expired) {
        (now - 7200, now - 3600)
    } else {
        (now, now + 300)
    };
    let mut claims = json!({
        "iss": if Switches::on(&switches.wrong_issuer) { format!("{}/khac", state.issuer) } else { state.issuer.clone() },
        "sub": citizen.subject,
        "aud": if Switches::on(&switches.wrong_audience) { "ung-dung-khac".to_string() } else { state.client.client_id.clone() },
        "iat": iat,
        "exp": exp,
        "auth_time": iat,
        "nonce": if Switches::on(&switches.wrong_nonce) { format!("{nonce}-khac") } else { nonce.to_string() },
        "name": citizen.name,
    });
    if let Some(email) = &citizen.email {
        claims["email"] = json!(email);
        claims["email_verified"] = json!(true);
    }
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": state.key_id() });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = state.key.sign(signing_input.as_bytes());
    if Switches::on(&switches.wrong_signature) {
        signature[10] ^= 0x01;
    }
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}
