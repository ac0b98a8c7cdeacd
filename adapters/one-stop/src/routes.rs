//! Inbound: `POST status` — the one-stop system reports a status change in
//! its own vocabulary.
//!
//! Order of checks, each with its own answer:
//! 1. the shared secret header (401 missing, 403 wrong);
//! 2. the body (400 naming the field: `event_id`, `ma_ho_so`, `status`);
//! 3. a report already answered (same `event_id`) gets the same answer;
//! 4. `status_map` (400 naming the unmapped code — never guessed);
//! 5. the dossier's current status from the hub (404 if unknown);
//! 6. the canonical command for target and current status (`commands`);
//! 7. the hub's decision: 200 applied (or already applied: a replayed
//!    idempotency key `onestop:<event_id>`), 409 with the hub's
//!    FAILED_PRECONDITION message for an illegal combination, 400 for an
//!    invalid field (named in the report's terms: a missing appointment
//!    date is `due_at`), 503 when the hub cannot decide now (try again).

use crate::commands::{self, Derived};
use crate::protocol::{ErrorAnswer, StatusAnswer, StatusReport};
use crate::settings::Settings;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lienthong_adapter::auth::{check_header_secret, Credential};
use lienthong_adapter::{pb, ErrorCode, HubApi, HubCallError};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// How many answered reports are remembered by event id.
const REMEMBERED: usize = 10_000;

#[derive(Clone)]
struct Ctx {
    hub: Arc<dyn HubApi>,
    settings: Arc<Settings>,
    answered: Arc<Mutex<Answered>>,
}

#[derive(Default)]
struct Answered {
    by_event: HashMap<String, StatusAnswer>,
    order: VecDeque<String>,
}

impl Answered {
    fn remember(&mut self, event_id: &str, answer: &StatusAnswer) {
        if self
            .by_event
            .insert(event_id.to_string(), answer.clone())
            .is_none()
        {
            self.order.push_back(event_id.to_string());
            if self.order.len() > REMEMBERED {
                if let Some(old) = self.order.pop_front() {
                    self.by_event.remove(&old);
                }
            }
        }
    }
}

pub fn router(hub: Arc<dyn HubApi>, settings: Arc<Settings>) -> Router {
    Router::new()
        .route("/status", post(report))
        .with_state(Ctx {
            hub,
            settings,
            answered: Arc::default(),
        })
}

fn refuse(status: StatusCode, field: &str, error: impl Into<String>) -> Response {
    (
        status,
        Json(ErrorAnswer {
            error: error.into(),
            field: field.to_string(),
        }),
    )
        .into_response()
}

async fn report(State(ctx): State<Ctx>, headers: HeaderMap, body: Bytes) -> Response {
    let header = ctx.settings.inbound_secret_header.as_str();
    match check_header_secret(&headers, header, &ctx.settings.inbound_secret) {
        Credential::Missing => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                header,
                format!("missing the shared secret header `{header}`"),
            )
        }
        Credential::Wrong => {
            return refuse(
                StatusCode::FORBIDDEN,
                header,
                format!("the `{header}` header does not carry the shared secret"),
            )
        }
        Credential::Valid => {}
    }
    let report: StatusReport = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "", format!("unreadable JSON: {e}")),
    };
    for (field, value) in [
        ("event_id", &report.event_id),
        ("ma_ho_so", &report.ma_ho_so),
        ("status", &report.status),
    ] {
        if value.trim().is_empty() {
            return refuse(
                StatusCode::BAD_REQUEST,
                field,
                format!("`{field}` is required"),
            );
        }
    }
    let remembered = ctx
        .answered
        .lock()
        .ok()
        .and_then(|a| a.by_event.get(&report.event_id).cloned());
    if let Some(mut answer) = remembered {
        if answer.outcome == "applied" {
            answer.outcome = "already_applied".into();
        }
        return Json(answer).into_response();
    }
    let Some(target) = ctx.settings.status_map.get(&report.status).copied() else {
        let known: Vec<&str> = ctx.settings.status_map.keys().map(String::as_str).collect();
        return refuse(
            StatusCode::BAD_REQUEST,
            "status",
            format!(
                "status `{}` is not in this partner's status_map (known: {}); it is not guessed",
                report.status,
                known.join(", ")
            ),
        );
    };
    match apply(&ctx, &report, target).await {
        Ok(answer) => {
            if let Ok(mut a) = ctx.answered.lock() {
                a.remember(&report.event_id, &answer);
            }
            Json(answer).into_response()
        }
        Err(refusal) => refusal,
    }
}

async fn apply(ctx: &Ctx, report: &StatusReport, target: u8) -> Result<StatusAnswer, Response> {
    let current = ctx
        .hub
        .get_dossier(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(report.ma_ho_so.clone())),
        })
        .await
        .map_err(|e| hub_refusal(&e, "ma_ho_so"))?;
    let dossier = current.dossier.unwrap_or_default();
    let derived = commands::derive(target, &dossier, report).map_err(|bad| {
        refuse(
            StatusCode::BAD_REQUEST,
            bad.field,
            format!("`{}` {}", bad.field, bad.problem),
        )
    })?;
    let (name, command) = match derived {
        Derived::Unchanged => {
            return Ok(StatusAnswer {
                outcome: "unchanged".into(),
                command: String::new(),
                ma_ho_so: dossier.ma_ho_so,
                status: dossier.status,
                version: dossier.version,
            })
        }
        Derived::Unreachable(why) => return Err(refuse(StatusCode::CONFLICT, "status", why)),
        Derived::Command(name, command) => (name, command),
    };
    let request = pb::CommandRequest {
        idempotency_key: format!("onestop:{}", report.event_id),
        expected_version: None,
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(report.ma_ho_so.clone())),
        }),
        actor: report.actor.clone(),
        unit: report.unit.clone(),
        command: Some(*command),
    };
    match ctx.hub.execute(request).await {
        Ok(reply) => {
            let after = reply.dossier.unwrap_or_default();
            Ok(StatusAnswer {
                outcome: if reply.replayed {
                    "already_applied"
                } else {
                    "applied"
                }
                .into(),
                command: name.into(),
                ma_ho_so: report.ma_ho_so.clone(),
                status: after.status,
                version: after.version,
            })
        }
        Err(e) if e.code == ErrorCode::AlreadyExists => Ok(StatusAnswer {
            outcome: "already_applied".into(),
            command: name.into(),
            ma_ho_so: report.ma_ho_so.clone(),
            status: dossier.status,
            version: dossier.version,
        }),
        Err(e) => Err(hub_refusal(&e, "")),
    }
}

/// The hub's refusal as an HTTP answer the one-stop system can act on.
fn hub_refusal(e: &HubCallError, field: &str) -> Response {
    let status = match e.code {
        ErrorCode::FailedPrecondition | ErrorCode::Aborted => StatusCode::CONFLICT,
        ErrorCode::InvalidArgument | ErrorCode::OutOfRange => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::PermissionDenied | ErrorCode::Unauthenticated => StatusCode::FORBIDDEN,
        ErrorCode::AlreadyExists
        | ErrorCode::ResourceExhausted
        | ErrorCode::Unavailable
        | ErrorCode::Internal => StatusCode::SERVICE_UNAVAILABLE,
    };
    let field = if field.is_empty() && status == StatusCode::BAD_REQUEST {
        report_field(&e.message)
    } else {
        field
    };
    refuse(status, field, e.message.clone())
}

/// The report field behind a canonical field the hub names in its message
/// (``invalid field `receive.due_at`: …`` → `due_at`); empty when none.
fn report_field(message: &str) -> &'static str {
    let Some(named) = message.split('`').nth(1) else {
        return "";
    };
    let leaf = named.rsplit('.').next().unwrap_or(named);
    let leaf = leaf.split('[').next().unwrap_or(leaf);
    match (named.split('.').next().unwrap_or(""), leaf) {
        ("record_payment", _) => "payment",
        ("receive", "due_at")
        | ("submit_supplement", "new_due_at")
        | ("reschedule", "new_due_at") => "due_at",
        (_, "reason") | (_, "apology") | (_, "note") => "note",
        (_, "items") => "items",
        (_, "documents") => "documents",
        (_, "processing_unit") => "processing_unit",
        (_, "fees") => "fees",
        (_, "results") => "results",
        (_, "delivery") => "delivery",
        (_, "actor") => "actor",
        (_, "unit") => "unit",
        _ => "",
    }
}
