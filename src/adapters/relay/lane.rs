//! One dossier's lane: its events, one at a time, in order, with retries.
//! Once one of them is parked, the lane parks the rest behind it.

use super::Outlet;
use super::{RelaySettings, Settled};
use crate::domain::{Event, UnixMillis};
use crate::hub::{DeliveryRecords, DeliveryState, ParkedDelivery};
use lienthong_adapter::DeliveryError;
use std::sync::Arc;
use tokio::sync::{mpsc, watch, Semaphore};

pub(super) struct Work {
    pub event: Event,
    pub redriven: bool,
}

pub(super) struct LaneContext {
    /// Deliveries, retries and parked events, for the hub's metrics.
    pub counted: crate::metrics::DestinationMetrics,
    pub partner: String,
    pub outlet: Arc<dyn Outlet>,
    pub records: DeliveryRecords,
    pub settings: RelaySettings,
    /// Deliveries in progress at once across this partner's lanes.
    pub permits: Arc<Semaphore>,
    pub stopping: watch::Receiver<bool>,
    pub settled: mpsc::UnboundedSender<Settled>,
}

pub(super) fn spawn(context: Arc<LaneContext>) -> mpsc::UnboundedSender<Work> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(context, rx));
    tx
}

async fn run(context: Arc<LaneContext>, mut work: mpsc::UnboundedReceiver<Work>) {
    let mut parked_behind: Option<u64> = None;
    while let Some(Work { event, redriven }) = work.recv().await {
        let (seq, dossier_id) = (event.seq, event.dossier_id);
        let parked = match parked_behind {
            Some(first) => park(
                &context,
                event,
                format!("waiting behind parked event seq {first} of the same dossier"),
                0,
            ),
            None => deliver(&context, event).await,
        };
        match parked {
            Ok(true) => parked_behind = parked_behind.or(Some(seq)),
            Ok(false) => {}
            Err(()) => return, // stopping, or storage failed: the cursor did not move, it will be sent again
        }
        let _ = context.settled.send(Settled {
            seq,
            dossier_id,
            parked: parked == Ok(true),
            redriven,
        });
    }
}

/// Ok(true): parked; Ok(false): accepted; Err: stopped before settling.
async fn deliver(context: &LaneContext, event: Event) -> Result<bool, ()> {
    let mut backoff = context.settings.initial_backoff;
    let mut stopping = context.stopping.clone();
    for attempt in 1..=context.settings.max_attempts {
        let result = {
            let _permit = context.permits.acquire().await.map_err(|_| ())?;
            context.outlet.deliver(&event).await
        };
        match result {
            Ok(accepted) => {
                let state = DeliveryState {
                    dossier_id: event.dossier_id,
                    ma_ho_so: event.ma_ho_so.clone(),
                    last_seq: event.seq,
                    last_version: event.dossier_version,
                    occurred_at: event.occurred_at,
                    accepted_at: UnixMillis::now(),
                    partner_reference: accepted.partner_reference,
                    attempts: attempt,
                };
                if let Err(e) = context.records.accepted(&state, event.event_type) {
                    tracing::error!(error = %e, "could not record an accepted delivery");
                    return Err(());
                }
                context.counted.delivered(1);
                return Ok(false);
            }
            Err(DeliveryError::Reject { reason }) => {
                return park(
                    context,
                    event,
                    format!("rejected by the partner: {reason}"),
                    attempt,
                );
            }
            Err(DeliveryError::Retry { reason }) if attempt == context.settings.max_attempts => {
                return park(
                    context,
                    event,
                    format!("gave up after {attempt} attempts: {reason}"),
                    attempt,
                );
            }
            Err(DeliveryError::Retry { reason }) => {
                tracing::info!(partner = %context.partner, seq = event.seq, attempt, reason = %reason, "delivery failed; retrying");
                let _ = context.records.retried();
                context.counted.retried();
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stopping.changed() => return Err(()),
                }
                backoff = (backoff * 2).min(context.settings.max_backoff);
            }
        }
    }
    park(
        context,
        event,
        "no attempt allowed (delivery.max_attempts)".into(),
        0,
    )
}

fn park(context: &LaneContext, event: Event, reason: String, attempts: u32) -> Result<bool, ()> {
    tracing::warn!(partner = %context.partner, seq = event.seq, dossier = %event.ma_ho_so, reason = %reason, "delivery parked");
    let parked = ParkedDelivery {
        event,
        reason,
        attempts,
        parked_at: UnixMillis::now(),
    };
    match context.records.park(&parked) {
        Ok(()) => {
            context.counted.parked();
            Ok(true)
        }
        Err(e) => {
            tracing::error!(error = %e, "could not park a delivery");
            Err(())
        }
    }
}
