//! One HTTP client for the portal, holding the session.
//!
//! Every call carries the session, `madonvi` and the operation name. The
//! session is obtained by logging in (with the `dstcode` header) when there
//! is none, and again — once, transparently — when the portal says the
//! session is unknown or expired. Callers see operations, not sessions.

use crate::error::{PortalError, PARTNER};
use crate::protocol::{self, codes, LoginRequest, Reply, DSTCODE_HEADER};
use crate::settings::Settings;
use lienthong_adapter::http::{http_client, send_for_text};
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

pub struct Client {
    http: reqwest::Client,
    login_url: String,
    service_url: String,
    username: String,
    password: String,
    dstcode: String,
    madonvi: String,
    session: Mutex<Option<String>>,
    logins: AtomicU64,
}

impl Client {
    pub fn new(settings: &Settings) -> Result<Client, String> {
        let http = http_client(
            Duration::from_secs(settings.timeout_seconds),
            Duration::from_secs(10),
        )?;
        Ok(Client {
            http,
            login_url: settings.url(&settings.login_path),
            service_url: settings.url(&settings.service_path),
            username: settings.username.clone(),
            password: settings.password.clone(),
            dstcode: settings.dstcode.clone(),
            madonvi: settings.madonvi.clone(),
            session: Mutex::new(None),
            logins: AtomicU64::new(0),
        })
    }

    /// How many logins this client made (visible in the sync summary).
    pub fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    pub fn madonvi(&self) -> &str {
        &self.madonvi
    }

    /// Calls one operation; `params` go beside `session`, `madonvi` and
    /// `service` in the body. Returns the `result` list (empty when absent).
    pub async fn call(
        &self,
        op: &str,
        params: Map<String, Value>,
    ) -> Result<Vec<Value>, PortalError> {
        let session = self.session().await?;
        match self.call_once(op, &session, &params).await {
            Err(PortalError::Refused { code, message, .. })
                if protocol::is_session_error(&code, &message) =>
            {
                tracing::info!(op, "national portal session expired; logging in again");
                self.forget(&session).await;
                let fresh = self.session().await?;
                match self.call_once(op, &fresh, &params).await {
                    Err(PortalError::Refused { code, message, .. })
                        if protocol::is_session_error(&code, &message) =>
                    {
                        Err(PortalError::Login { code, message })
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    async fn call_once(
        &self,
        op: &str,
        session: &str,
        params: &Map<String, Value>,
    ) -> Result<Vec<Value>, PortalError> {
        let mut body = params.clone();
        body.insert("session".into(), Value::from(session));
        body.insert("madonvi".into(), Value::from(self.madonvi.as_str()));
        body.insert("service".into(), Value::from(op));
        let reply = self
            .post(op, &self.service_url, &Value::Object(body), false)
            .await?;
        if reply.is_success() {
            Ok(reply.result.unwrap_or_default())
        } else {
            Err(PortalError::Refused {
                op: op.to_string(),
                code: reply.code(),
                message: reply.message().to_string(),
            })
        }
    }

    /// The current session, logging in when there is none.
    async fn session(&self) -> Result<String, PortalError> {
        let mut guard = self.session.lock().await;
        if let Some(session) = guard.as_ref() {
            return Ok(session.clone());
        }
        let body = serde_json::to_value(LoginRequest {
            username: self.username.clone(),
            password: self.password.clone(),
        })
        .map_err(|e| PortalError::Malformed {
            op: "login".into(),
            reason: e.to_string(),
        })?;
        let reply = self.post("login", &self.login_url, &body, true).await?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        match (reply.is_success(), reply.session.clone()) {
            (true, Some(session)) if !session.is_empty() => {
                *guard = Some(session.clone());
                Ok(session)
            }
            (true, _) => Err(PortalError::Malformed {
                op: "login".into(),
                reason: "success without a session".into(),
            }),
            (false, _) => Err(PortalError::Login {
                code: reply.code(),
                message: reply.message().to_string(),
            }),
        }
    }

    /// Drops `stale` unless another caller already replaced it.
    async fn forget(&self, stale: &str) {
        let mut guard = self.session.lock().await;
        if guard.as_deref() == Some(stale) {
            *guard = None;
        }
    }

    async fn post(
        &self,
        op: &str,
        url: &str,
        body: &Value,
        login: bool,
    ) -> Result<Reply, PortalError> {
        let mut request = self.http.post(url).json(body);
        if login {
            request = request.header(DSTCODE_HEADER, &self.dstcode);
        }
        let text = send_for_text(PARTNER, op, request).await?;
        let reply: Reply = serde_json::from_str(&text).map_err(|e| PortalError::Malformed {
            op: op.to_string(),
            reason: format!("{e}: {}", text.chars().take(200).collect::<String>()),
        })?;
        if reply.code().is_empty() {
            return Err(PortalError::Malformed {
                op: op.to_string(),
                reason: "no error_code".into(),
            });
        }
        if reply.code() == codes::LOGIN && !login {
            return Err(PortalError::Login {
                code: reply.code(),
                message: reply.message().to_string(),
            });
        }
        Ok(reply)
    }
}
