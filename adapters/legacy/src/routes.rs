//! Inbound HTTP: `POST updates` — the legacy system reports a status change.
//!
//! Mounted by the hub under `/partners/<partner id>/`. The shared secret
//! header is checked first (401 when absent, 403 when wrong), then the body
//! is read through `commands`, the dossier's current status is read from the
//! hub, and the planned command is executed with the version it was planned
//! against. When another writer moved the dossier on in between (ABORTED),
//! the dossier is read and the update planned again, up to
//! `PLANS_ON_CONFLICT` times; only then is it answered 409 and the legacy
//! system sends again. Answers are JSON: `{accepted, command, status, version,
//! replayed}` or `{error}`.

use crate::commands::{self, Plan};
use crate::error::LegacyError;
use crate::settings::{Inbound, Settings};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lienthong_adapter::auth::{check_header_secret, Credential};
use lienthong_adapter::pb::{self, dossier_ref::Ref};
use lienthong_adapter::{ErrorCode, HubApi};
use serde_json::{json, Value};
use std::sync::Arc;

/// How many times one update is planned when the hub answers that the
/// dossier moved on since it was read (ABORTED) before the update is
/// answered 409.
const PLANS_ON_CONFLICT: u32 = 3;

#[derive(Clone)]
struct Ctx {
    config: Arc<Settings>,
    hub: Arc<dyn HubApi>,
    partner_id: String,
}

/// The routes, or `None` when inbound is not configured.
pub fn router(config: Arc<Settings>, hub: Arc<dyn HubApi>, partner_id: &str) -> Option<Router> {
    config.inbound.as_ref()?;
    Some(
        Router::new()
            .route("/updates", post(update))
            .with_state(Ctx {
                config,
                hub,
                partner_id: partner_id.to_string(),
            }),
    )
}

fn check_secret(inbound: &Inbound, headers: &HeaderMap) -> Result<(), LegacyError> {
    let header = || inbound.secret_header.clone();
    match check_header_secret(headers, &inbound.secret_header, &inbound.secret) {
        Credential::Valid => Ok(()),
        Credential::Missing => Err(LegacyError::NoSecret(header())),
        Credential::Wrong => Err(LegacyError::WrongSecret(header())),
    }
}

fn answer(e: &LegacyError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_GATEWAY);
    (
        status,
        Json(json!({ "accepted": false, "error": e.to_string() })),
    )
        .into_response()
}

async fn update(State(ctx): State<Ctx>, headers: HeaderMap, body: Bytes) -> Response {
    match apply(&ctx, &headers, &body).await {
        Ok(done) => (StatusCode::OK, Json(done)).into_response(),
        Err(e) => {
            if matches!(e, LegacyError::NoSecret(_) | LegacyError::WrongSecret(_)) {
                tracing::warn!(partner = %ctx.partner_id, error = %e, "legacy update refused: not the partner");
            } else {
                tracing::info!(partner = %ctx.partner_id, error = %e, "legacy update refused");
            }
            answer(&e)
        }
    }
}

async fn apply(ctx: &Ctx, headers: &HeaderMap, body: &[u8]) -> Result<Value, LegacyError> {
    let Some(inbound) = &ctx.config.inbound else {
        return Err(LegacyError::NotMapped("inbound is not configured".into()));
    };
    check_secret(inbound, headers)?;
    let body: Value =
        serde_json::from_slice(body).map_err(|e| LegacyError::BadBody(e.to_string()))?;
    let update = commands::read(&body, &ctx.config, inbound)?;
    let dossier_ref = pb::DossierRef {
        r#ref: Some(Ref::MaHoSo(update.ma_ho_so.clone())),
    };
    let legacy_status = |code: i32| {
        ctx.config
            .status_out
            .get(&code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    // A command refused as ABORTED was planned against a version another
    // writer (an officer, the post, or this same update still in flight
    // from an earlier attempt the legacy system gave up on) has since moved
    // past: read the dossier again and plan again, a few times, before
    // answering 409. A repeated update then finds its target reached
    // (unchanged) or its request id's record (replayed).
    let mut attempt = 1;
    let (name, reply) = loop {
        let current = ctx
            .hub
            .get_dossier(dossier_ref.clone())
            .await
            .map_err(LegacyError::Hub)?
            .dossier
            .ok_or_else(|| LegacyError::Unsupported {
                ma_ho_so: update.ma_ho_so.clone(),
                problem: "the hub returned no dossier".into(),
            })?;
        let (name, command) = match commands::plan(&update, &current, inbound)? {
            Plan::Unchanged => {
                return Ok(json!({
                    "accepted": true,
                    "unchanged": true,
                    "ma_ho_so": update.ma_ho_so,
                    "status": legacy_status(current.status),
                    "version": current.version,
                }))
            }
            Plan::Execute { name, command } => (name, command),
        };
        let request = pb::CommandRequest {
            idempotency_key: commands::idempotency_key(&update, &current),
            expected_version: Some(current.version),
            dossier: Some(dossier_ref.clone()),
            actor: update.actor.clone(),
            unit: update.unit.clone(),
            command: Some(command),
        };
        match ctx.hub.execute(request).await {
            Ok(reply) => break (name, reply),
            Err(e) if e.code == ErrorCode::AlreadyExists => {
                return Ok(json!({
                    "accepted": true,
                    "ma_ho_so": update.ma_ho_so,
                    "command": name,
                    "replayed": true,
                }))
            }
            Err(e) if e.code == ErrorCode::Aborted && attempt < PLANS_ON_CONFLICT => {
                tracing::info!(
                    partner = %ctx.partner_id,
                    ma_ho_so = %update.ma_ho_so,
                    attempt,
                    error = %e.message,
                    "legacy update planned against an older version: reading the dossier again"
                );
                attempt += 1;
            }
            Err(e) => return Err(LegacyError::Hub(e)),
        }
    };
    let dossier = reply.dossier.unwrap_or_default();
    tracing::info!(
        partner = %ctx.partner_id,
        ma_ho_so = %update.ma_ho_so,
        command = name,
        legacy_status = %update.legacy_status,
        replayed = reply.replayed,
        "legacy update applied"
    );
    Ok(json!({
        "accepted": true,
        "ma_ho_so": update.ma_ho_so,
        "command": name,
        "status": legacy_status(dossier.status),
        "version": dossier.version,
        "replayed": reply.replayed,
    }))
}
