//! Inbound: one provider tracking event → tracking state and hub commands.
//!
//! Shared by the webhook and the poller. The provider's code is mapped
//! through the settings (unmapped: refused, never guessed), the event is
//! recorded against its order, and every event becomes one history line of
//! the dossier (`record_partner_event`: the canonical state as the hub's
//! `postal.*` kind, the provider's time, the order as reference, the
//! provider's note), keyed by the provider's event id so that a duplicate —
//! or a redelivery after the adapter restarted — writes nothing twice. A
//! delivered result then also becomes `return_result` with delivery by post.
//!
//! Events are taken one at a time (`order`), so the lines reach the hub in
//! the order the events reached the adapter; an event the provider sends
//! late is still recorded, with its own time, and never moves the order's
//! state backwards. A line the hub could not take now (unavailable) makes
//! the event fail, so the provider sends it again; a line the hub refuses
//! (an order number that is no dossier of this partner) is logged and kept
//! with the event, served by `GET orders/{ma_ho_so}`.

use crate::error::PostalError;
use crate::protocol::TrackingEvent;
use crate::settings::Settings;
use crate::tracking::{HubOutcome, Tracking};
use crate::vocabulary::TrackingState;
use lienthong_adapter::pb::{self, command_request::Command, dossier_ref::Ref};
use lienthong_adapter::{vietnam_time, ErrorCode, HubApi};
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
    /// What the hub did with the event's history line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<HubOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub: Option<HubOutcome>,
}

pub struct Intake {
    config: Arc<Settings>,
    tracking: Arc<Tracking>,
    hub: Arc<dyn HubApi>,
    /// Held while one event is taken: the webhook's concurrent calls and
    /// the poller reach the hub one event at a time, in arrival order.
    order: tokio::sync::Mutex<()>,
}

impl Intake {
    pub fn new(config: Arc<Settings>, tracking: Arc<Tracking>, hub: Arc<dyn HubApi>) -> Intake {
        Intake {
            config,
            tracking,
            hub,
            order: tokio::sync::Mutex::new(()),
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
        let _in_order = self.order.lock().await;
        // The order of steps is what keeps a restart from losing or
        // doubling anything: the event is in the store before the hub is
        // asked, each of the hub's answers is stored before the next step,
        // and the provider hears "taken" only after the last one. A crash
        // anywhere in between leaves an event the provider sends again,
        // found as a duplicate here, whose missing steps are done again
        // under the same idempotency keys — so the hub writes each once.
        let recorded = self.tracking.record(event, state).await?;
        if !recorded.duplicate {
            log(event, state, recorded.advanced, recorded.state);
        }
        // Once per event: a duplicate whose line the hub took is dropped
        // here; one whose line failed is tried again.
        let line = match self.tracking.line_outcome(event).await? {
            Some(done) => Some(done),
            None => {
                let outcome = self.record_line(event, state).await?;
                self.tracking.line(event, outcome.clone()).await?;
                Some(outcome)
            }
        };
        let hub = if state == TrackingState::Delivered && recorded.state == TrackingState::Delivered
        {
            let outcome = self.return_result(event).await?;
            self.tracking.hub_outcome(event, outcome.clone()).await?;
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
            line,
            hub,
        })
    }

    /// The event as a history line of the dossier, status unchanged.
    async fn record_line(
        &self,
        event: &TrackingEvent,
        state: TrackingState,
    ) -> Result<HubOutcome, PostalError> {
        let reference = if event.order_id.trim().is_empty() {
            event.order_number.clone()
        } else {
            event.order_id.clone()
        };
        let request = pb::CommandRequest {
            idempotency_key: format!("postal-line:{}", event.event_id),
            expected_version: None,
            dossier: Some(pb::DossierRef {
                r#ref: Some(Ref::MaHoSo(event.order_number.clone())),
            }),
            actor: self.config.provider_name.clone(),
            unit: event.location.clone(),
            command: Some(Command::RecordPartnerEvent(pb::RecordPartnerEvent {
                kind: state.partner_event_kind().to_string(),
                occurred_at: vietnam_time::parse_ts(&event.time),
                reference,
                note: event.note.clone(),
            })),
        };
        match self.hub.execute(request).await {
            Ok(reply) => {
                let version = reply.dossier.map(|d| d.version).unwrap_or_default();
                let detail = if reply.replayed {
                    format!("{state} already on the dossier's history (replayed)")
                } else {
                    format!("{state} on the dossier's history (dossier version {version})")
                };
                Ok(HubOutcome { ok: true, detail })
            }
            Err(e) => not_taken(event, e, "the history line"),
        }
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
            Err(e) => not_taken(event, e, "the delivery"),
        }
    }
}

/// A command for `event` the hub did not take: later (an outage, so the
/// provider sends the event again), or never (a refusal, recorded in the
/// adapter with the hub's reason; `what` names what was refused).
fn not_taken(
    event: &TrackingEvent,
    e: lienthong_adapter::HubCallError,
    what: &str,
) -> Result<HubOutcome, PostalError> {
    if e.is_retryable() {
        return Err(PostalError::HubUnavailable(e.to_string()));
    }
    tracing::error!(
        ma_ho_so = %event.order_number,
        event_id = %event.event_id,
        error = %e,
        "the hub refused {what} of a postal event; the event stays recorded in the adapter"
    );
    Ok(HubOutcome {
        ok: false,
        detail: e.to_string(),
    })
}

pub fn check(event: &TrackingEvent) -> Result<(), PostalError> {
    let required = [
        ("EventId", &event.event_id),
        ("OrderNumber", &event.order_number),
        ("Code", &event.code),
        ("Time", &event.time),
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
    // Kept with the event in the dossier's tracking record, which the
    // adapter state bounds (`tracking::MAX_EVENTS_PER_ORDER` of these).
    for (field, value) in [
        ("OrderId", &event.order_id),
        ("Location", &event.location),
        ("Note", &event.note),
    ] {
        if value.len() > 200 {
            return Err(PostalError::BadEvent {
                field,
                problem: "is longer than 200 bytes".to_string(),
            });
        }
    }
    // The history line says when it happened: a time the adapter cannot
    // read is refused, never replaced by the time it arrived.
    if vietnam_time::parse_ts(&event.time).is_none() {
        return Err(PostalError::BadEvent {
            field: "Time",
            problem: format!(
                "{:?} is not a yyyyMMddHHmmss date-time (Vietnam)",
                event.time
            ),
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::ServiceType;

    fn event(time: &str) -> TrackingEvent {
        TrackingEvent {
            event_id: "E1".into(),
            seq: 1,
            order_id: "DL1".into(),
            order_number: "000.00.01.H22-251122-00017".into(),
            service_type: ServiceType::Delivery,
            code: "DELIVERED".into(),
            time: time.into(),
            location: String::new(),
            note: String::new(),
        }
    }

    #[test]
    fn an_event_without_a_readable_time_is_refused_naming_the_field() {
        assert!(check(&event("20251122100000")).is_ok());
        for bad in ["", "2025-11-22 10:00", "20251322100000"] {
            match check(&event(bad)) {
                Err(PostalError::BadEvent { field, .. }) => assert_eq!(field, "Time", "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
