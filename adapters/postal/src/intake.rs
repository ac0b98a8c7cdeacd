//! Inbound: one provider tracking event → tracking state and hub command.
//!
//! Shared by the webhook and the poller. The provider's code is mapped
//! through the settings (unmapped: refused, never guessed), the event is
//! recorded against its order, and a delivered result becomes `return_result`
//! with delivery by post, keyed by the provider's event id so a duplicate
//! changes nothing. Failed deliveries and returns to sender have no hub
//! command: they are recorded, logged as warnings and served by
//! `GET orders/{ma_ho_so}`.

use crate::error::PostalError;
use crate::protocol::TrackingEvent;
use crate::settings::Settings;
use crate::tracking::{HubOutcome, Tracking};
use crate::vocabulary::TrackingState;
use lienthong_adapter::pb::{self, command_request::Command, dossier_ref::Ref};
use lienthong_adapter::{ErrorCode, HubApi};
use serde::Serialize;
use std::sync::Arc;

/// What became of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    pub event_id: String,
    pub state: TrackingState,
    /// The order's state after this event.
    pub order_state: TrackingState,
    pub advanced: bool,
    pub duplicate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub: Option<HubOutcome>,
}

pub struct Intake {
    config: Arc<Settings>,
    tracking: Arc<Tracking>,
    hub: Arc<dyn HubApi>,
}

impl Intake {
    pub fn new(config: Arc<Settings>, tracking: Arc<Tracking>, hub: Arc<dyn HubApi>) -> Intake {
        Intake {
            config,
            tracking,
            hub,
        }
    }

    pub fn tracking(&self) -> &Tracking {
        &self.tracking
    }

    pub fn config(&self) -> &Settings {
        &self.config
    }

    /// Takes one event in. An `Err` means the event was not taken and must
    /// come again (after a fix of the settings for a non-retryable error).
    pub async fn take(&self, event: &TrackingEvent) -> Result<Taken, PostalError> {
        check(event)?;
        let state = self
            .config
            .event_map
            .lookup(event.service_type, &event.code)
            .ok_or_else(|| PostalError::Unmapped {
                code: event.code.clone(),
                service: event.service_type,
            })?;
        if state.flow() != event.service_type {
            return Err(PostalError::WrongFlow {
                code: event.code.clone(),
                state,
                service: event.service_type,
            });
        }
        let recorded = self.tracking.record(event, state);
        if !recorded.duplicate {
            log(event, state, recorded.advanced, recorded.state);
        }
        let hub = if state == TrackingState::Delivered && recorded.state == TrackingState::Delivered
        {
            let outcome = self.return_result(event).await?;
            self.tracking.hub_outcome(event, outcome.clone());
            Some(outcome)
        } else {
            None
        };
        Ok(Taken {
            event_id: event.event_id.clone(),
            state,
            order_state: recorded.state,
            advanced: recorded.advanced,
            duplicate: recorded.duplicate,
            hub,
        })
    }

    /// The result reached the applicant: status 10, channel post.
    async fn return_result(&self, event: &TrackingEvent) -> Result<HubOutcome, PostalError> {
        let request = pb::CommandRequest {
            idempotency_key: format!("postal-event:{}", event.event_id),
            expected_version: None,
            dossier: Some(pb::DossierRef {
                r#ref: Some(Ref::MaHoSo(event.order_number.clone())),
            }),
            actor: self.config.provider_name.clone(),
            unit: event.location.clone(),
            command: Some(Command::ReturnResult(pb::ReturnResult {
                delivery: pb::ResultDelivery::ByPost as i32,
            })),
        };
        match self.hub.execute(request).await {
            Ok(reply) => {
                let detail = if reply.replayed {
                    "result already returned for this event (replayed)".to_string()
                } else {
                    let version = reply.dossier.map(|d| d.version).unwrap_or_default();
                    format!("result returned by post (dossier version {version})")
                };
                tracing::info!(ma_ho_so = %event.order_number, event_id = %event.event_id, "{detail}");
                Ok(HubOutcome { ok: true, detail })
            }
            Err(e) if e.code == ErrorCode::AlreadyExists => Ok(HubOutcome {
                ok: true,
                detail: format!("already done: {e}"),
            }),
            Err(e) if e.is_retryable() => Err(PostalError::HubUnavailable(e.to_string())),
            Err(e) => {
                tracing::error!(
                    ma_ho_so = %event.order_number,
                    event_id = %event.event_id,
                    error = %e,
                    "the hub refused to record the postal delivery; the delivery stays recorded in the adapter"
                );
                Ok(HubOutcome {
                    ok: false,
                    detail: e.to_string(),
                })
            }
        }
    }
}

pub fn check(event: &TrackingEvent) -> Result<(), PostalError> {
    let required = [
        ("EventId", &event.event_id),
        ("OrderNumber", &event.order_number),
        ("Code", &event.code),
    ];
    for (field, value) in required {
        if value.trim().is_empty() {
            return Err(PostalError::BadEvent {
                field,
                problem: "is required".to_string(),
            });
        }
        if value.len() > 200 {
            return Err(PostalError::BadEvent {
                field,
                problem: "is longer than 200 bytes".to_string(),
            });
        }
    }
    Ok(())
}

fn log(event: &TrackingEvent, state: TrackingState, advanced: bool, now: TrackingState) {
    if state.is_trouble() {
        tracing::warn!(
            ma_ho_so = %event.order_number,
            order_id = %event.order_id,
            code = %event.code,
            state = %state,
            time = %event.time,
            // Not the location nor the note: they name the recipient, their
            // address or phone (personal data stays out of the log).
            "postal delivery trouble"
        );
    } else if !advanced {
        tracing::info!(
            ma_ho_so = %event.order_number,
            code = %event.code,
            state = %state,
            order_state = %now,
            "late postal event recorded; the order's state does not move back"
        );
    } else {
        tracing::debug!(ma_ho_so = %event.order_number, state = %state, "postal event");
    }
}
