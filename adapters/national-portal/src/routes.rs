//! Inbound HTTP: the sync status, per dossier and in summary.
//!
//! `GET sync/{ma_ho_so}` answers one dossier's record (last version seen and
//! synced, when, lag, last error); `GET sync` the counts, the largest lag,
//! the catalogue pulls and the push-down poller. The hub mounts these under
//! `/partners/<partner id>/`. When `sync_status_token` is set, callers must
//! send it as a bearer token.

use crate::client::Client;
use crate::sync_state::SyncState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lienthong_adapter::auth::{check_bearer, Credential};
use serde_json::json;
use std::sync::Arc;

#[derive(Clone)]
struct Ctx {
    state: Arc<SyncState>,
    client: Arc<Client>,
    token: Option<String>,
}

pub fn router(state: Arc<SyncState>, client: Arc<Client>, token: Option<String>) -> Router {
    Router::new()
        .route("/sync", get(summary))
        .route("/sync/:ma_ho_so", get(one))
        .with_state(Ctx {
            state,
            client,
            token,
        })
}

/// `None` when the caller may read; otherwise the refusal to send.
fn refusal(ctx: &Ctx, headers: &HeaderMap) -> Option<Response> {
    let expected = ctx.token.as_ref()?;
    match check_bearer(headers, expected) {
        Credential::Valid => None,
        Credential::Wrong => Some(error(
            StatusCode::FORBIDDEN,
            "the bearer token is not the sync status token",
        )),
        Credential::Missing => Some(error(
            StatusCode::UNAUTHORIZED,
            "missing `Authorization: Bearer <sync_status_token>`",
        )),
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// The stored records, read back after a start, before any is shown.
async fn loaded(ctx: &Ctx) -> Option<Response> {
    let e = ctx.state.load().await.err()?;
    Some(error(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("the sync records are not read back yet: {e}"),
    ))
}

async fn summary(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(&ctx, &headers) {
        return refused;
    }
    if let Some(unavailable) = loaded(&ctx).await {
        return unavailable;
    }
    let mut summary = ctx.state.summary(ctx.client.logins());
    summary.profile = ctx.client.profile().label();
    Json(summary).into_response()
}

async fn one(State(ctx): State<Ctx>, headers: HeaderMap, Path(ma_ho_so): Path<String>) -> Response {
    if let Some(refused) = refusal(&ctx, &headers) {
        return refused;
    }
    if let Some(unavailable) = loaded(&ctx).await {
        return unavailable;
    }
    match ctx.state.dossier(&ma_ho_so) {
        Some(record) => Json(record).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            &format!(
                "no sync record for MaHoSo `{ma_ho_so}` (no event of it reached this adapter)"
            ),
        ),
    }
}
