//! The construction department's officers at work in the hosted one-stop
//! workspace (`/mot-cua/`), driven over HTTP as a browser drives it: sign in
//! through the sign-in form (its CSRF cookie and token), open the dossier's
//! page, take the action's form as the page renders it (hidden CSRF token,
//! the version shown, the idempotency key), fill what an officer would type
//! and post it. A form the page does not offer, or an answer that is not
//! the redirect of an accepted action, ends the step with the page's own
//! error text — the demo sees exactly what an officer would.

use super::page::{client, cookies_of, form_posting_to, page_errors};
use super::DemoError;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::Duration;

/// Who does what in the department (the development officers' roles).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Reception,
    Specialist,
    Leader,
}

/// A signed-in officer: the session cookie the sign-in set.
struct Session {
    cookie: String,
}

pub struct Workspace {
    base: String,
    http: reqwest::Client,
    reception: Session,
    specialist: Session,
    leader: Session,
}

fn failed(what: &str, reason: impl std::fmt::Display) -> DemoError {
    DemoError::web(what, reason)
}

impl Workspace {
    /// Signs the three officers in (`officers`: login, role, password as
    /// configured; the first of each role is taken).
    pub async fn sign_in(
        web: SocketAddr,
        officers: &[(String, String, String)],
    ) -> Result<Workspace, DemoError> {
        let http = client().map_err(|e| failed("building the workspace's HTTP client", e))?;
        let base = format!("http://{web}");
        let mut sessions = Vec::new();
        for role in ["reception", "specialist", "leader"] {
            let (login, _, password) = officers
                .iter()
                .find(|(_, r, _)| r == role)
                .ok_or_else(|| failed("signing in", format!("no `{role}` officer in [web]")))?;
            sessions.push(sign_in(&http, &base, login, password).await?);
        }
        let [reception, specialist, leader] = <[Session; 3]>::try_from(sessions)
            .map_err(|_| failed("signing in", "three sessions"))?;
        Ok(Workspace {
            reception,
            specialist,
            leader,
            base,
            http,
        })
    }

    /// Takes the action `slug` on the dossier's page as `role`, with the
    /// form's own values and `typed` written over them. The page is read
    /// again when another change to the dossier landed in between (the form
    /// carries the version it showed, and the hub refuses a stale one).
    pub async fn act(
        &self,
        role: Role,
        ma_ho_so: &str,
        slug: &str,
        typed: &[(&str, String)],
    ) -> Result<(), DemoError> {
        let session = match role {
            Role::Reception => &self.reception,
            Role::Specialist => &self.specialist,
            Role::Leader => &self.leader,
        };
        let what = format!("{slug} of {ma_ho_so} in the workspace");
        let page = format!("{}/mot-cua/ho-so/{ma_ho_so}", self.base);
        let mut last = String::new();
        for _ in 0..20 {
            let html = self.get(&page, session, &what).await?;
            let Some(form) = form_posting_to(&html, &format!("/mot-cua/ho-so/{ma_ho_so}/{slug}"))
            else {
                return Err(failed(&what, "the page offers no such form"));
            };
            let mut fields: Vec<(String, String)> = form
                .into_iter()
                .filter(|(name, _)| !typed.iter().any(|(t, _)| t == name))
                .collect();
            fields.extend(typed.iter().map(|(n, v)| (n.to_string(), v.clone())));
            let body = serde_urlencoded::to_string(&fields).map_err(|e| failed(&what, e))?;
            let answer = self
                .http
                .post(format!("{page}/{slug}"))
                .header(COOKIE, &session.cookie)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .map_err(|e| failed(&what, e))?;
            let status = answer.status();
            if status.is_redirection() {
                return Ok(());
            }
            let text = answer.text().await.unwrap_or_default();
            last = format!("HTTP {status}: {}", page_errors(&text));
            // 409: the dossier moved on since the page was read (a payment,
            // a partner's report); read it again and retry.
            if status != StatusCode::CONFLICT {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(failed(&what, last))
    }

    /// The reception officer answers feedback `code` on its page in the
    /// workspace (`/mot-cua/phan-anh/<code>`) and publishes the answer.
    pub async fn answer_feedback(&self, code: &str, text: &str) -> Result<(), DemoError> {
        let what = format!("answering feedback {code} in the workspace");
        let path = format!("/mot-cua/phan-anh/{code}");
        let html = self
            .get(&format!("{}{path}", self.base), &self.reception, &what)
            .await?;
        let form = form_posting_to(&html, &path)
            .ok_or_else(|| failed(&what, "the page offers no answer form"))?;
        let mut fields: Vec<(String, String)> =
            form.into_iter().filter(|(n, _)| n == "csrf").collect();
        fields.push(("tra-loi".into(), text.into()));
        fields.push(("cong-khai".into(), "1".into()));
        let body = serde_urlencoded::to_string(&fields).map_err(|e| failed(&what, e))?;
        let answer = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.reception.cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| failed(&what, e))?;
        if !answer.status().is_redirection() {
            let status = answer.status();
            let text = answer.text().await.unwrap_or_default();
            return Err(failed(
                &what,
                format!("HTTP {status}: {}", page_errors(&text)),
            ));
        }
        Ok(())
    }

    async fn get(&self, url: &str, session: &Session, what: &str) -> Result<String, DemoError> {
        let answer = self
            .http
            .get(url)
            .header(COOKIE, &session.cookie)
            .send()
            .await
            .map_err(|e| failed(what, e))?;
        if answer.status() != StatusCode::OK {
            return Err(failed(what, format!("GET {url}: HTTP {}", answer.status())));
        }
        answer.text().await.map_err(|e| failed(what, e))
    }
}

/// The sign-in form, then its post; the session cookie from the answer.
async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    login: &str,
    password: &str,
) -> Result<Session, DemoError> {
    let what = format!("signing {login} in to the workspace");
    let url = format!("{base}/mot-cua/dang-nhap");
    let page = http.get(&url).send().await.map_err(|e| failed(&what, e))?;
    let cookies = cookies_of(page.headers());
    let html = page.text().await.map_err(|e| failed(&what, e))?;
    let form = form_posting_to(&html, "/mot-cua/dang-nhap")
        .ok_or_else(|| failed(&what, "no sign-in form"))?;
    let csrf = form
        .iter()
        .find(|(n, _)| n == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("login", login),
        ("password", password),
    ])
    .map_err(|e| failed(&what, e))?;
    let answer = http
        .post(&url)
        .header(COOKIE, cookies)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| failed(&what, e))?;
    let signed_in = answer.status().is_redirection()
        && answer.headers().get(LOCATION).and_then(|l| l.to_str().ok()) == Some("/mot-cua/");
    if !signed_in {
        return Err(failed(&what, format!("HTTP {}", answer.status())));
    }
    let cookie = cookies_of(answer.headers());
    if !cookie.contains("lienthong_can_bo=") {
        return Err(failed(&what, "no session cookie"));
    }
    Ok(Session { cookie })
}
