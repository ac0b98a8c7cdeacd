//! The hub's HTTP side: partners' webhooks and callbacks, served by their
//! adapters under `/partners/<partner id>/`, and the in-process `HubApi`
//! through which an adapter acts — always as its own partner, with that
//! partner's rights, exactly as if it had called over gRPC.

use crate::hub::{Hub, HubError};
use crate::partners::Partner;
use crate::wire::{from_proto, pb, to_proto};
use lienthong_adapter::state::{self, StateError};
use lienthong_adapter::{HubApi, HubCallError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

/// `HubApi` for an adapter running inside the hub.
pub struct InProcessHub {
    pub hub: Hub,
    pub partner: Arc<Partner>,
    /// The partner's own state space: the only one this adapter reaches.
    pub state: crate::hub::AdapterState,
}

/// A store failure as the adapter sees it: retry later (the store keeps
/// bytes as they came, so there is nothing it could find unreadable; a put
/// that failed left nothing half-written).
fn state_error(error: HubError) -> StateError {
    StateError::Unavailable(error.to_string())
}

fn call_error(error: HubError) -> HubCallError {
    HubCallError {
        code: error.code(),
        message: error.to_string(),
    }
}

#[async_trait::async_trait]
impl HubApi for InProcessHub {
    async fn execute(&self, request: pb::CommandRequest) -> Result<pb::CommandReply, HubCallError> {
        let envelope = from_proto::command_request(request).map_err(|e| call_error(e.into()))?;
        let outcome = self
            .hub
            .execute(&self.partner, envelope)
            .await
            .map_err(call_error)?;
        Ok(to_proto::command_reply(outcome))
    }

    async fn publish_catalog(
        &self,
        request: pb::PublishCatalogRequest,
    ) -> Result<pb::PublishCatalogReply, HubCallError> {
        let outcome = self
            .hub
            .publish_catalog(&self.partner, from_proto::publication(request))
            .await
            .map_err(call_error)?;
        Ok(to_proto::publication_reply(&outcome))
    }

    async fn get_dossier(
        &self,
        dossier: pb::DossierRef,
    ) -> Result<pb::GetDossierReply, HubCallError> {
        let reference = from_proto::required_dossier_ref("dossier", &Some(dossier))
            .map_err(|e| call_error(e.into()))?;
        let (dossier, history) = self
            .hub
            .get_dossier(&self.partner, &reference)
            .map_err(call_error)?;
        Ok(pb::GetDossierReply {
            dossier: Some(to_proto::dossier(dossier)),
            history: history.into_iter().map(to_proto::history_entry).collect(),
        })
    }

    // Adapter state is written on its own, never in the batch of a command
    // it relates to: what it records is the PARTNER's side (an order the
    // provider created, what the portal accepted, a payment the gateway
    // holds), which no hub batch can make atomic with the partner's call
    // anyway. Adapters keep it safe by order instead: state that says what
    // to do again is written before the partner is answered (or the hub's
    // command sent), and every command carries an idempotency key, so a
    // crash between the two repeats a step and never loses or doubles one.

    async fn state_get(&self, key: &str) -> Result<Option<Vec<u8>>, StateError> {
        state::check_key(key)?;
        self.state.get(key).await.map_err(state_error)
    }

    async fn state_put(&self, key: &str, value: Vec<u8>) -> Result<(), StateError> {
        state::check_key(key)?;
        state::check_value(key, &value)?;
        self.state.put(key, value).await.map_err(state_error)
    }

    async fn state_delete(&self, key: &str) -> Result<(), StateError> {
        state::check_key(key)?;
        self.state.delete(key).await.map_err(state_error)
    }

    async fn state_scan(
        &self,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StateError> {
        state::check_prefix(prefix)?;
        state::check_prefix(after)?;
        let limit = limit.clamp(1, state::MAX_SCAN_ENTRIES);
        self.state
            .scan(prefix, after, limit)
            .await
            .map_err(state_error)
    }
}

/// `router` (a partner's adapter routes) with every request admitted under
/// that partner's limits first: over one, 429 with the reason as JSON, and
/// the adapter never sees the request. Counted by the route's partner,
/// before the adapter checks the caller's credential, so a flood on one
/// partner's routes spends only that partner's allowance.
pub fn limited(router: axum::Router, hub: Hub, partner: Arc<Partner>) -> axum::Router {
    router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let admitted = hub.admit(&partner);
            async move {
                match admitted {
                    Ok(admission) => {
                        let response = next.run(request).await;
                        drop(admission);
                        response
                    }
                    Err(e) => too_many(&e),
                }
            }
        },
    ))
}

/// `router` (a partner's adapter routes) behind the partner's client
/// certificate: a request whose connection presented a certificate naming
/// another partner, or — for a partner configured with a certificate — no
/// certificate of its own, is answered 401 and never reaches the adapter.
/// The adapter's own credential check (token, signature) still follows.
pub fn certified(router: axum::Router, hub: Hub, partner: Arc<Partner>) -> axum::Router {
    router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let certificate = request
                .extensions()
                .get::<crate::tls::Peer>()
                .and_then(|peer| peer.client_certificate.clone());
            let refusal = certificate_refusal(&hub, &partner, certificate.as_deref());
            async move {
                match refusal {
                    None => next.run(request).await,
                    Some(reason) => {
                        use axum::response::IntoResponse;
                        let body = axum::Json(serde_json::json!({ "error": reason }));
                        (axum::http::StatusCode::UNAUTHORIZED, body).into_response()
                    }
                }
            }
        },
    ))
}

fn certificate_refusal(
    hub: &Hub,
    partner: &Partner,
    certificate: Option<&crate::partners::ClientCertificate>,
) -> Option<&'static str> {
    if let Some(certificate) = certificate {
        if let Some(named) = hub.partners().by_certificate(certificate) {
            if named.id != partner.id {
                return Some("the client certificate belongs to another partner");
            }
        }
    }
    match (&partner.certificate, certificate) {
        (Some(identity), Some(certificate)) if identity.matches(certificate) => None,
        (Some(_), _) => Some("this partner must present its client certificate"),
        (None, _) => None,
    }
}

/// 429 with the reason, and `Retry-After` when the limiter says how long
/// (a well-behaved partner client waits that long before sending again).
fn too_many(error: &HubError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = axum::Json(serde_json::json!({ "error": error.to_string() }));
    let mut response = (axum::http::StatusCode::TOO_MANY_REQUESTS, body).into_response();
    if let HubError::Limited(limit) = error {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(limit.retry_after_seconds()),
        );
    }
    response
}

/// Serves the adapters' routes until `shutdown` completes: over TLS (mutual,
/// when a client CA is set) unless `tls` is `None` — only when the
/// configuration names the listener in `tls.plaintext_listeners`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    routes: Vec<(String, axum::Router)>,
    tls: Option<crate::tls::ServerTls>,
    metrics: crate::metrics::Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut app = axum::Router::new().route("/health", axum::routing::get(|| async { "ok" }));
    for (partner, router) in routes {
        app = app.nest(&format!("/partners/{partner}"), router);
    }
    // Counted by route template: partner ids are configuration, bounded.
    let app = crate::metrics::http::counted(app, metrics, "http");
    if let Some(tls) = tls {
        let which = crate::tls::Listener::Http;
        return crate::tls::http::serve(listener, app, tls, which, shutdown).await;
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds the HTTP listener (port 0 picks a free one).
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}
