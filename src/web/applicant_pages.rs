//! The signed-in applicant's pages on the portal (`/tai-khoan/…`): register
//! with an e-mail address and a password, sign in, sign out, and the
//! account's home — the dossiers the applicant filed online, each with its
//! status in Vietnamese.
//!
//! Sign-in follows the officers' rule (`signin`): a password is checked
//! only while the account is not locked, the failure that reaches
//! `[web] lockout_failures` locks it, and every refusal is one answer that
//! costs one argon2 verification, so the page tells nobody whether an
//! address has an account. Registration must say when an address is taken
//! (the applicant has to know); it is posted with a form token and is as
//! costly as a sign-in.

use super::applicant_session::{self as sessions, Applicant, SignedInApplicant};
use super::dossier_view::procedure;
use super::format;
use super::pages::html;
use super::{blocking, passwords, WebError, WebState};
use crate::domain::applicant::{normalise_email, ApplicantAccount};
use crate::domain::{DossierRef, UnixMillis};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const HOME: &str = "/tai-khoan/";
pub const REGISTER: &str = "/tai-khoan/dang-ky";
pub const SIGN_IN: &str = "/tai-khoan/dang-nhap";
pub const SIGN_OUT: &str = "/tai-khoan/dang-xuat";

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longer input is refused without hashing it (argon2 is costly by design).
const MAX_PASSWORD_BYTES: usize = 1024;
const MAX_NAME_CHARS: usize = 100;

/// The applicant's bar in the portal's header: name and the sign-out form.
pub struct AccountBar {
    pub name: String,
    /// None for an account made by single sign-on without an address.
    pub email: Option<String>,
    pub csrf: String,
}

impl AccountBar {
    pub fn of(applicant: &SignedInApplicant) -> AccountBar {
        AccountBar {
            name: applicant.account.name.clone(),
            email: applicant.account.contact_email().map(str::to_string),
            csrf: applicant.session.csrf_token.clone(),
        }
    }
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "ho-ten")]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default, rename = "mat-khau")]
    password: String,
    #[serde(default, rename = "nhap-lai")]
    repeat: String,
    /// The applicant's page to go back to (`applicant_session::return_path`).
    #[serde(default)]
    tiep: String,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default, rename = "mat-khau")]
    password: String,
    #[serde(default)]
    tiep: String,
}

/// `?tiep=`: the page a sign-in or registration goes back to.
#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    tiep: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Template)]
#[template(path = "applicant_register.html", config = "src/web/askama.toml")]
pub struct RegisterPage {
    pub section: &'static str,
    pub csrf: String,
    pub name: String,
    pub email: String,
    pub name_error: Option<&'static str>,
    pub email_error: Option<&'static str>,
    pub password_error: Option<&'static str>,
    pub repeat_error: Option<&'static str>,
    pub min_password_chars: usize,
    /// Where the applicant goes once registered (empty: their home).
    pub next: String,
}

impl RegisterPage {
    fn blank(csrf: String) -> RegisterPage {
        RegisterPage {
            section: "tai-khoan",
            csrf,
            name: String::new(),
            email: String::new(),
            name_error: None,
            email_error: None,
            password_error: None,
            repeat_error: None,
            min_password_chars: MIN_PASSWORD_CHARS,
            next: String::new(),
        }
    }

    fn has_errors(&self) -> bool {
        self.name_error.is_some()
            || self.email_error.is_some()
            || self.password_error.is_some()
            || self.repeat_error.is_some()
    }
}

#[derive(Template)]
#[template(path = "applicant_sign_in.html", config = "src/web/askama.toml")]
pub struct SignInPage {
    pub section: &'static str,
    pub csrf: String,
    pub email: String,
    pub refused: bool,
    pub max_failures: u32,
    pub lock_minutes: u64,
    /// The single sign-on button's label, when a provider is configured.
    pub single_sign_on: Option<String>,
    /// Where the applicant goes once signed in (empty: their home).
    pub next: String,
}

pub struct DossierLine {
    pub ma_ho_so: String,
    pub procedure: String,
    pub submitted: String,
    pub status: &'static str,
    pub due: String,
    /// Fees are requested and not paid: the line links to the payment page.
    pub owes: bool,
}

#[derive(Template)]
#[template(path = "applicant_home.html", config = "src/web/askama.toml")]
pub struct HomePage {
    pub section: &'static str,
    pub bar: AccountBar,
    pub dossiers: Vec<DossierLine>,
}

fn sign_in_page(
    state: &WebState,
    csrf: String,
    email: String,
    refused: bool,
    next: String,
) -> SignInPage {
    SignInPage {
        next,
        section: "tai-khoan",
        csrf,
        email,
        refused,
        max_failures: state.settings.lockout.max_failures,
        lock_minutes: (state.settings.lockout.lock_millis / 60_000).max(1) as u64,
        single_sign_on: state
            .oidc
            .as_ref()
            .map(|c| c.settings().display_name.clone()),
    }
}

fn with_cookies(cookies: Vec<String>, answer: impl IntoResponse) -> Response {
    let headers: Vec<_> = cookies.into_iter().map(|c| (SET_COOKIE, c)).collect();
    (AppendHeaders(headers), answer).into_response()
}

/// The page to go to after sign-in: the one asked for, if it may be.
fn next_page(asked: &str) -> String {
    sessions::return_path(asked).unwrap_or_default()
}

pub async fn register_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = next_page(&query.tiep);
    if sessions::current(&state, &headers).await?.is_some() {
        return Ok(Redirect::to(or_home(&next)).into_response());
    }
    let (csrf, cookie) = sessions::form_token(&state, &headers);
    let page = RegisterPage {
        next,
        ..RegisterPage::blank(csrf)
    };
    Ok(with_cookies(vec![cookie], html(StatusCode::OK, &page)))
}

fn or_home(next: &str) -> &str {
    if next.is_empty() {
        HOME
    } else {
        next
    }
}

pub async fn register(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<RegisterForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not a registration form"))?;
    sessions::check_form_token(&headers, &form.csrf)?;
    let mut page = RegisterPage::blank(form.csrf.clone());
    page.next = next_page(&form.tiep);
    page.name = form.name.trim().to_string();
    page.email = form.email.trim().to_string();
    let name_chars = page.name.chars().count();
    if name_chars == 0 {
        page.name_error = Some("Nhập họ và tên.");
    } else if name_chars > MAX_NAME_CHARS {
        page.name_error = Some("Họ và tên dài quá 100 ký tự.");
    }
    let email = match normalise_email(&form.email) {
        Ok(email) => Some(email),
        Err(problem) => {
            page.email_error = Some(problem.vietnamese());
            None
        }
    };
    if form.password.chars().count() < MIN_PASSWORD_CHARS {
        page.password_error = Some("Mật khẩu cần ít nhất 10 ký tự.");
    } else if form.password.len() > MAX_PASSWORD_BYTES {
        page.password_error = Some("Mật khẩu dài quá 1024 byte.");
    } else if form.repeat != form.password {
        page.repeat_error = Some("Hai lần nhập mật khẩu không giống nhau.");
    }
    let (Some(email), false) = (email, page.has_errors()) else {
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let records = state.applicants.clone();
    let account_email = email.clone();
    let name = page.name.clone();
    let password = form.password;
    let created = blocking(move || {
        let account = ApplicantAccount {
            email: account_email,
            name,
            password_hash: Some(passwords::hash(&password)?),
            oidc: None,
            created_at: UnixMillis::now(),
        };
        Ok(records.create_account(&account)?)
    })
    .await?;
    if !created {
        page.email_error =
            Some("Địa chỉ này đã có tài khoản. Hãy đăng nhập, hoặc dùng địa chỉ khác.");
        return Ok(html(StatusCode::CONFLICT, &page));
    }
    tracing::info!("applicant registered");
    signed_in(&state, email, &page.next).await
}

/// Opens the applicant's session, drops the sign-in form's token cookie (it
/// guarded the anonymous form only) and sends them to the page they asked
/// for (`next`, checked by `applicant_session::return_path`) or their own.
async fn signed_in(state: &WebState, email: String, next: &str) -> Result<Response, WebError> {
    let session = sessions::begin(state, email).await?;
    let clear_form = super::session::set_cookie(
        sessions::FORM_COOKIE,
        "",
        0,
        state.settings.served_over_https,
    );
    let to = or_home(&next_page(next)).to_string();
    Ok(with_cookies(vec![session, clear_form], Redirect::to(&to)))
}

pub async fn sign_in_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = next_page(&query.tiep);
    if sessions::current(&state, &headers).await?.is_some() {
        return Ok(Redirect::to(or_home(&next)).into_response());
    }
    let (csrf, cookie) = sessions::form_token(&state, &headers);
    let page = sign_in_page(&state, csrf, String::new(), false, next);
    Ok(with_cookies(vec![cookie], html(StatusCode::OK, &page)))
}

pub async fn sign_in(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not a sign-in form"))?;
    sessions::check_form_token(&headers, &form.csrf)?;
    let typed = form.email.trim().to_string();
    let next = next_page(&form.tiep);
    let accepted = match normalise_email(&form.email) {
        Ok(email) if form.password.len() <= MAX_PASSWORD_BYTES => {
            let records = state.applicants.clone();
            let policy = state.settings.lockout;
            let decoy = state.decoy_hash.clone();
            let password = form.password;
            blocking(move || attempt(&records, policy, &decoy, &email, &password)).await?
        }
        _ => None,
    };
    match accepted {
        Some(email) => {
            tracing::info!("applicant signed in");
            signed_in(&state, email, &next).await
        }
        None => Ok(html(
            StatusCode::OK,
            &sign_in_page(&state, form.csrf, typed, true, next),
        )),
    }
}

/// One sign-in attempt, recorded durably; the account's address when the
/// password is right and the account is not locked. Blocking.
fn attempt(
    records: &crate::hub::ApplicantRecords,
    policy: crate::domain::officer::LockoutPolicy,
    decoy_hash: &str,
    email: &str,
    password: &str,
) -> Result<Option<String>, WebError> {
    let now = UnixMillis::now();
    let hash = records.account(email)?.and_then(|a| a.password_hash);
    let Some(hash) = hash else {
        passwords::verify(decoy_hash, password);
        return Ok(None);
    };
    if records.login_failures(email)?.is_locked(now) {
        passwords::verify(decoy_hash, password);
        return Ok(None);
    }
    if passwords::verify(&hash, password) {
        records.clear_login_failures(email)?;
        Ok(Some(email.to_string()))
    } else {
        if records
            .record_login_failure(email, now, policy)?
            .is_locked(now)
        {
            tracing::warn!("applicant account locked after repeated failed sign-ins");
        }
        Ok(None)
    }
}

pub async fn sign_out(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not a form"))?;
    applicant.check_csrf(&form.csrf)?;
    let cookie = sessions::end(&state, applicant.token_sha256).await?;
    Ok(with_cookies(
        vec![cookie],
        Redirect::to(super::portal_pages::HOME),
    ))
}

pub async fn home(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
) -> Result<Response, WebError> {
    let records = state.applicants.clone();
    let module = state.module.clone();
    let email = applicant.account.email.clone();
    let dossiers = blocking(move || {
        let mut lines = Vec::new();
        // Newest first: a MaHoSo carries its receipt date.
        for ma_ho_so in records.dossiers(&email)?.into_iter().rev() {
            let reference = DossierRef::MaHoSo(ma_ho_so.clone());
            let (dossier, _) = module.hub().get_dossier(module.partner(), &reference)?;
            lines.push(DossierLine {
                ma_ho_so,
                procedure: procedure(&dossier),
                submitted: format::date(dossier.submitted_at),
                status: dossier.status.vietnamese(),
                due: dossier
                    .due_at
                    .map(format::date)
                    .unwrap_or_else(|| "—".into()),
                owes: dossier.status == crate::domain::Status::FinancialObligation,
            });
        }
        Ok(lines)
    })
    .await?;
    let page = HomePage {
        section: "tai-khoan",
        bar: AccountBar::of(&applicant),
        dossiers,
    };
    Ok(html(StatusCode::OK, &page))
}
