//! A small OpenID Connect provider for lienthong's tests and `lienthong
//! demo`, standing in for the national single sign-on, which cannot run
//! here. It speaks the real protocol over real HTTP on a loopback port:
//! discovery (`/.well-known/openid-configuration`), the authorization
//! endpoint with a page where the user chooses a test citizen, the token
//! endpoint (authorization code, PKCE S256 checked, each code used once,
//! client secret by HTTP Basic or in the form) and the JWKS with an RSA key
//! made at start ([`rsa`]); ID tokens are RS256 JWTs.
//!
//! Misbehaviour switches ([`Switches`]) make it hand out ID tokens the
//! relying party must refuse: a wrong signature, a wrong audience, an
//! expired token, a wrong nonce, a wrong issuer; `rotate_key_id` publishes
//! the key under a new `kid`, so a client must fetch the JWKS again.
//!
//! It is not an adapter (no events, no commands), so it is a crate of its
//! own that depends on nothing of lienthong; the hub's library never names
//! it. It stops when dropped.

mod routes;
pub mod rsa;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// A test citizen the authorization page offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citizen {
    /// `sub`: the provider's stable identifier of the person.
    pub subject: String,
    pub name: String,
    /// `email` (verified), when the citizen has one.
    pub email: Option<String>,
}

/// The citizens every provider offers unless told otherwise.
pub fn test_citizens() -> Vec<Citizen> {
    vec![
        Citizen {
            subject: "079203001234".into(),
            name: "Nguyễn Thị Mai".into(),
            email: Some("nguyenthimai@example.vn".into()),
        },
        Citizen {
            subject: "001085004321".into(),
            name: "Trần Văn Bình".into(),
            email: None,
        },
        Citizen {
            subject: "036190007788".into(),
            name: "Lê Hoàng Yến".into(),
            email: Some("lehoangyen@example.vn".into()),
        },
    ]
}

/// The one relying party the provider knows.
#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub client_secret: String,
    /// The exact redirect URI authorization requests must name.
    pub redirect_uri: String,
}

/// Misbehaviour switches; all start off and stay on until turned off.
#[derive(Debug, Default)]
pub struct Switches {
    wrong_signature: AtomicBool,
    wrong_audience: AtomicBool,
    expired: AtomicBool,
    wrong_nonce: AtomicBool,
    wrong_issuer: AtomicBool,
    key_generation: AtomicU32,
}

impl Switches {
    /// ID tokens carry a signature that does not verify.
    pub fn set_wrong_signature(&self, on: bool) {
        self.wrong_signature.store(on, Ordering::SeqCst);
    }
    /// ID tokens name another client in `aud`.
    pub fn set_wrong_audience(&self, on: bool) {
        self.wrong_audience.store(on, Ordering::SeqCst);
    }
    /// ID tokens expired an hour ago.
    pub fn set_expired(&self, on: bool) {
        self.expired.store(on, Ordering::SeqCst);
    }
    /// ID tokens carry a nonce other than the one the request sent.
    pub fn set_wrong_nonce(&self, on: bool) {
        self.wrong_nonce.store(on, Ordering::SeqCst);
    }
    /// ID tokens name another issuer in `iss`.
    pub fn set_wrong_issuer(&self, on: bool) {
        self.wrong_issuer.store(on, Ordering::SeqCst);
    }
    /// From now on the key is published (and tokens signed) under a new
    /// `kid`.
    pub fn rotate_key_id(&self) {
        self.key_generation.fetch_add(1, Ordering::SeqCst);
    }

    fn on(flag: &AtomicBool) -> bool {
        flag.load(Ordering::SeqCst)
    }
}

/// What the provider counted, for tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub discovery: u32,
    pub jwks: u32,
    pub tokens_issued: u32,
    /// Token requests refused (bad client, PKCE, a used or unknown code).
    pub tokens_refused: u32,
}

/// An authorization request waiting for the user's choice.
#[derive(Clone, Debug)]
struct Pending {
    state: String,
    nonce: String,
    code_challenge: String,
}

/// A code handed out, until it is exchanged (once).
#[derive(Clone, Debug)]
struct Grant {
    citizen: Citizen,
    nonce: String,
    code_challenge: String,
}

struct State {
    issuer: String,
    client: Client,
    citizens: Vec<Citizen>,
    key: rsa::RsaKey,
    switches: Switches,
    pending: Mutex<HashMap<String, Pending>>,
    codes: Mutex<HashMap<String, Grant>>,
    /// Codes already exchanged: a second use is refused as such.
    used: Mutex<Vec<String>>,
    counts: Mutex<Counts>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn random_id() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 24];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A running provider; stops when dropped.
pub struct Provider {
    state: Arc<State>,
    _stop: oneshot::Sender<()>,
}

impl Provider {
    /// Starts a provider on a free loopback port for `client`, offering
    /// [`test_citizens`]. Making its RSA key takes a moment.
    pub async fn start(client: Client) -> std::io::Result<Provider> {
        Provider::start_with(client, test_citizens()).await
    }

    pub async fn start_with(client: Client, citizens: Vec<Citizen>) -> std::io::Result<Provider> {
        let key = tokio::task::spawn_blocking(rsa::RsaKey::generate)
            .await
            .map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let issuer = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(State {
            issuer,
            client,
            citizens,
            key,
            switches: Switches::default(),
            pending: Mutex::default(),
            codes: Mutex::default(),
            used: Mutex::default(),
            counts: Mutex::default(),
        });
        let app = routes::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let stopped = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::warn!(error = %e, "OIDC provider simulator stopped with an error");
            }
        });
        Ok(Provider { state, _stop: stop })
    }

    /// `http://127.0.0.1:<port>`: the issuer, and the base of every endpoint.
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    pub fn switches(&self) -> &Switches {
        &self.state.switches
    }

    pub fn citizens(&self) -> &[Citizen] {
        &self.state.citizens
    }

    pub fn counts(&self) -> Counts {
        lock(&self.state.counts).clone()
    }

    /// The key's current `kid`.
    pub fn key_id(&self) -> String {
        self.state.key_id()
    }

    /// Authorizes as the user would on the page, without a browser: for
    /// `citizen` (index into [`Provider::citizens`]), answers the redirect
    /// URI with `code` and `state` for the authorization request URL
    /// `authorize_url`.
    pub async fn authorize_as(
        &self,
        authorize_url: &str,
        citizen: usize,
    ) -> Result<String, String> {
        routes::authorize_directly(&self.state, authorize_url, citizen)
    }
}

impl State {
    fn key_id(&self) -> String {
        format!(
            "sim-key-{}",
            self.switches.key_generation.load(Ordering::SeqCst)
        )
    }
}
