//! One HTTP client for the portal, holding the session.
//!
//! Every call carries the session, the unit (`madonvi`) and the operation's
//! service name, where and as the protocol profile says (one JSON body, or
//! the query with the data list as the body). The session is obtained by logging in (with the `dstcode` header) when there
//! is none, and again — once, transparently — when the portal says the
//! session is unknown or expired. Callers see operations, not sessions.

use crate::error::{PortalError, PARTNER};
use crate::profile::{Op, Placement, Profile};
use crate::protocol::{self, codes, LoginRequest, Reply, DSTCODE_HEADER};
use crate::settings::Settings;
use lienthong_adapter::http::{http_client, send_for_text};
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    profile: Arc<Profile>,
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
            endpoint: settings.endpoint.trim_end_matches('/').to_string(),
            profile: settings.profile.clone(),
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

    /// The protocol profile every call follows.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.endpoint, path.trim_start_matches('/'))
    }

    /// Calls one operation; `params` (by their wire names) go beside the
    /// session, the unit and the service, `data` as the profile places it.
    /// Returns the `result` list (empty when absent).
    pub async fn call(
        &self,
        op: Op,
        params: Map<String, Value>,
        data: Option<Vec<Value>>,
    ) -> Result<Vec<Value>, PortalError> {
        let service = self.profile.operation(op).service.clone();
        if service.is_empty() {
            return Err(PortalError::NotOffered {
                op: op.key().to_string(),
                profile: self.profile.label(),
            });
        }
        let op = (op, service.as_str());
        let params = (params, data);
        let session = self.session().await?;
        match self.call_once(op, &session, &params).await {
            Err(PortalError::Refused { code, message, .. })
                if protocol::is_session_error(&code, &message) =>
            {
                tracing::info!(
                    op = op.1,
                    "national portal session expired; logging in again"
                );
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
        (op, service): (Op, &str),
        session: &str,
        (params, data): &(Map<String, Value>, Option<Vec<Value>>),
    ) -> Result<Vec<Value>, PortalError> {
        let names = &self.profile.parameters;
        let operation = self.profile.operation(op);
        let mut envelope = Map::new();
        envelope.insert(names.session.clone(), Value::from(session));
        envelope.insert(names.unit.clone(), Value::from(self.madonvi.as_str()));
        envelope.insert(names.service.clone(), Value::from(service));
        envelope.extend(params.clone());
        let url = self.url(&operation.path);
        let request = match operation.params {
            Placement::Body => {
                if let Some(data) = data {
                    envelope.insert(names.data.clone(), Value::Array(data.clone()));
                }
                self.http.post(&url).json(&Value::Object(envelope))
            }
            Placement::Query => {
                let mut url = reqwest::Url::parse(&url).map_err(|e| PortalError::Malformed {
                    op: service.to_string(),
                    reason: format!("endpoint: {e}"),
                })?;
                for (name, value) in &envelope {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    url.query_pairs_mut().append_pair(name, &text);
                }
                let body = Value::Array(data.clone().unwrap_or_default());
                self.http.post(url).json(&body)
            }
        };
        let reply = self.post(service, request, false).await?;
        if reply.is_success() {
            Ok(reply.result.unwrap_or_default())
        } else {
            Err(PortalError::Refused {
                op: service.to_string(),
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
        let request = self
            .http
            .post(self.url(&self.profile.login_path))
            .json(&body)
            .header(DSTCODE_HEADER, &self.dstcode);
        let reply = self.post("login", request, true).await?;
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
        request: reqwest::RequestBuilder,
        login: bool,
    ) -> Result<Reply, PortalError> {
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
