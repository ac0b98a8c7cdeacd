//! Sign-in through an OpenID Connect provider (the national single sign-on
//! works this way): the authorization code flow with PKCE (S256), as a
//! confidential client (client secret by HTTP Basic).
//!
//! [`OidcClient::start`] reads the provider's discovery document (once,
//! then kept), makes `state`, `nonce` and the PKCE verifier, keeps them in
//! memory under the digest of a random browser token (the page puts the
//! token in an HttpOnly cookie, so the sign-in is bound to the browser that
//! started it), and answers the authorization URL. [`OidcClient::finish`]
//! takes that pending sign-in out (once: a replayed redirect finds
//! nothing), compares `state`, exchanges the code with the verifier, and
//! checks the ID token ([`jwt`]) against the provider's JWKS, kept and
//! fetched again when a token names a `kid` it does not hold (keys rotate).
//! Only the token endpoint's answer, over the connection we opened, is
//! ever verified, so a refetch cannot be forced by a browser.
//!
//! Pending sign-ins live in memory, at most [`MAX_PENDING`] for at most
//! [`PENDING_SECONDS`]: a restart only asks the user to start again.
//! Nothing here writes an account; the page does, once this answered.

pub mod jwt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use jwt::{IdClaims, TokenProblem};

/// How long a started sign-in may take to come back.
pub const PENDING_SECONDS: i64 = 600;
/// Sign-ins started and not finished, at most.
pub const MAX_PENDING: usize = 10_000;
/// Where the provider sends the browser back (`redirect_url`'s path).
pub const CALLBACK_PATH: &str = "/tai-khoan/dang-nhap-mot-lan/ve";

/// `[web.oidc]`, checked.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_url: String,
    pub scopes: Vec<String>,
    /// The button says "Đăng nhập bằng <display_name>".
    pub display_name: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"…")
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Why a sign-in did not complete. The message (English) is for the log;
/// [`OidcError::vietnamese`] is what the page says.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("cannot read the provider's discovery document: {0}")]
    Discovery(String),
    #[error("cannot read the provider's JWKS: {0}")]
    Keys(String),
    #[error("no sign-in was started in this browser, or it expired or was used")]
    NotStarted,
    #[error("the state sent back is not this browser's")]
    State,
    #[error("the provider answered the authorization with `{error}`: {description}")]
    Provider { error: String, description: String },
    #[error("the provider sent back no code")]
    NoCode,
    #[error("the token request failed: {0}")]
    Token(String),
    #[error("ID token refused: {0}")]
    IdToken(#[from] TokenProblem),
    #[error("too many sign-ins in progress ({MAX_PENDING})")]
    Busy,
}

impl OidcError {
    /// What the applicant is told.
    pub fn vietnamese(&self) -> &'static str {
        match self {
            OidcError::Discovery(_) | OidcError::Keys(_) | OidcError::Token(_) => {
                "Hệ thống định danh không trả lời hoặc trả lời không đúng. Vui lòng thử lại sau ít phút."
            }
            OidcError::NotStarted | OidcError::State => {
                "Phiên đăng nhập đã hết hạn, đã được dùng, hoặc không được bắt đầu từ trình duyệt này. Hãy bắt đầu đăng nhập lại."
            }
            OidcError::Provider { error, .. } if error == "access_denied" => {
                "Bạn đã không đồng ý chia sẻ thông tin định danh, nên chưa đăng nhập."
            }
            OidcError::Provider { .. } | OidcError::NoCode => {
                "Hệ thống định danh không cho phép đăng nhập lần này. Hãy thử lại."
            }
            OidcError::IdToken(_) => {
                "Thông tin đăng nhập do hệ thống định danh gửi về không hợp lệ, nên không được chấp nhận. Hãy thử lại; nếu vẫn lỗi, hãy dùng tài khoản của cổng."
            }
            OidcError::Busy => "Hệ thống đang bận. Vui lòng thử lại sau ít phút.",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    started_at: i64,
}

/// A started sign-in: where to send the browser, and the token its cookie
/// must carry back.
pub struct Started {
    pub authorize_url: String,
    pub browser_token: String,
}

/// What the provider's redirect brought back (the query string).
#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// The relying party; one per web listener.
pub struct OidcClient {
    settings: OidcSettings,
    http: reqwest::Client,
    metadata: tokio::sync::Mutex<Option<Arc<Metadata>>>,
    keys: tokio::sync::Mutex<Vec<jwt::Jwk>>,
    pending: Mutex<HashMap<[u8; 32], Pending>>,
}

fn random(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buffer)
        .expect("the system's random source");
    URL_SAFE_NO_PAD.encode(buffer)
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Reads a 2xx answer's body (at most 1 MiB), or names what went wrong.
async fn body_of(response: reqwest::Response) -> Result<(u16, Vec<u8>), String> {
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if body.len() > 1024 * 1024 {
        return Err(format!("answer of {} bytes, more than 1 MiB", body.len()));
    }
    Ok((status, body.to_vec()))
}

impl OidcClient {
    pub fn new(settings: OidcSettings) -> Result<OidcClient, OidcError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        Ok(OidcClient {
            settings,
            http,
            metadata: tokio::sync::Mutex::new(None),
            keys: tokio::sync::Mutex::new(Vec::new()),
            pending: Mutex::new(HashMap::new()),
        })
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    async fn get_json(&self, url: &str) -> Result<Vec<u8>, String> {
        let response = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        match body_of(response).await? {
            (200, body) => Ok(body),
            (status, _) => Err(format!("HTTP {status} from {url}")),
        }
    }

    /// The discovery document, read once and kept.
    async fn metadata(&self) -> Result<Arc<Metadata>, OidcError> {
        let mut kept = self.metadata.lock().await;
        if let Some(metadata) = kept.as_ref() {
            return Ok(metadata.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let body = self.get_json(&url).await.map_err(OidcError::Discovery)?;
        let metadata: Metadata = serde_json::from_slice(&body)
            .map_err(|e| OidcError::Discovery(format!("not a discovery document: {e}")))?;
        if metadata.issuer != self.settings.issuer {
            return Err(OidcError::Discovery(format!(
                "the document names issuer `{}`, not the configured `{}`",
                metadata.issuer, self.settings.issuer
            )));
        }
        let metadata = Arc::new(metadata);
        *kept = Some(metadata.clone());
        Ok(metadata)
    }

    /// The provider's keys; fetched again when `refresh`.
    async fn keys(&self, refresh: bool) -> Result<Vec<jwt::Jwk>, OidcError> {
        let mut kept = self.keys.lock().await;
        if !kept.is_empty() && !refresh {
            return Ok(kept.clone());
        }
        let metadata = self.metadata().await?;
        let body = self
            .get_json(&metadata.jwks_uri)
            .await
            .map_err(OidcError::Keys)?;
        *kept = jwt::parse_jwks(&body).map_err(OidcError::Keys)?;
        Ok(kept.clone())
    }

    /// Starts a sign-in: the provider's authorization URL, and the token
    /// the browser's cookie must bring back.
    pub async fn start(&self) -> Result<Started, OidcError> {
        let metadata = self.metadata().await?;
        let browser_token = random(32);
        let pending = Pending {
            state: random(32),
            nonce: random(32),
            verifier: random(32),
            started_at: now_seconds(),
        };
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", self.settings.client_id.as_str()),
            ("redirect_uri", self.settings.redirect_url.as_str()),
            ("scope", &self.settings.scopes.join(" ")),
            ("state", &pending.state),
            ("nonce", &pending.nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .map_err(|e| OidcError::Discovery(e.to_string()))?;
        let joiner = if metadata.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        let authorize_url = format!("{}{joiner}{query}", metadata.authorization_endpoint);
        {
            let mut all = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            let now = pending.started_at;
            all.retain(|_, p| now - p.started_at < PENDING_SECONDS);
            if all.len() >= MAX_PENDING {
                return Err(OidcError::Busy);
            }
            all.insert(digest(&browser_token), pending);
        }
        Ok(Started {
            authorize_url,
            browser_token,
        })
    }

    /// Finishes the sign-in the browser's token names, with what the
    /// provider sent back: the verified identity.
    pub async fn finish(
        &self,
        browser_token: Option<&str>,
        callback: &Callback,
    ) -> Result<IdClaims, OidcError> {
        let pending = browser_token.and_then(|token| {
            self.pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&digest(token))
        });
        let Some(pending) = pending else {
            return Err(OidcError::NotStarted);
        };
        if now_seconds() - pending.started_at >= PENDING_SECONDS {
            return Err(OidcError::NotStarted);
        }
        let state_ok = callback
            .state
            .as_deref()
            .is_some_and(|s| jwt_same(s, &pending.state));
        if !state_ok {
            return Err(OidcError::State);
        }
        if let Some(error) = &callback.error {
            return Err(OidcError::Provider {
                error: error.chars().take(64).collect(),
                description: callback
                    .error_description
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(200)
                    .collect(),
            });
        }
        let code = callback
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or(OidcError::NoCode)?;
        let id_token = self.exchange(code, &pending.verifier).await?;
        let unverified = jwt::split(&id_token)?;
        let expected = jwt::Expected {
            issuer: &self.settings.issuer,
            client_id: &self.settings.client_id,
            nonce: &pending.nonce,
        };
        let keys = self.keys(false).await?;
        match jwt::verify(&unverified, &keys, &expected, now_seconds()) {
            Err(TokenProblem::UnknownKey(kid)) => {
                tracing::info!(%kid, "ID token names a key not held: fetching the provider's JWKS again");
                let keys = self.keys(true).await?;
                Ok(jwt::verify(&unverified, &keys, &expected, now_seconds())?)
            }
            other => Ok(other?),
        }
    }

    /// The token request: the ID token for `code`.
    async fn exchange(&self, code: &str, verifier: &str) -> Result<String, OidcError> {
        let metadata = self.metadata().await?;
        let form = serde_urlencoded::to_string([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.settings.redirect_url.as_str()),
            ("code_verifier", verifier),
            ("client_id", self.settings.client_id.as_str()),
        ])
        .map_err(|e| OidcError::Token(e.to_string()))?;
        // RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
        let encode = |s: &str| {
            serde_urlencoded::to_string([("", s)])
                .map(|p| p.trim_start_matches('=').to_string())
                .unwrap_or_default()
        };
        let response = self
            .http
            .post(&metadata.token_endpoint)
            .basic_auth(
                encode(&self.settings.client_id),
                Some(encode(&self.settings.client_secret)),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| OidcError::Token(e.to_string()))?;
        let (status, body) = body_of(response).await.map_err(OidcError::Token)?;
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            id_token: Option<String>,
            #[serde(default)]
            error: Option<String>,
            #[serde(default)]
            error_description: Option<String>,
        }
        let answer: Answer = serde_json::from_slice(&body)
            .map_err(|_| OidcError::Token(format!("HTTP {status}, not a JSON token answer")))?;
        match (status, answer) {
            (
                200,
                Answer {
                    id_token: Some(token),
                    ..
                },
            ) => Ok(token),
            (200, _) => Err(OidcError::Token("the answer has no id_token".into())),
            (status, answer) => Err(OidcError::Token(format!(
                "HTTP {status}: {} {}",
                answer.error.unwrap_or_default(),
                answer.error_description.unwrap_or_default()
            ))),
        }
    }
}

fn jwt_same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
