//! Retention: the outbox and the idempotency records must not grow without
//! bound. An event is removed once every subscriber whose filter matches it
//! has acknowledged it and it is older than the configured retention; an
//! idempotency record once it is older than its own retention.

use super::Destination;
use crate::domain::UnixMillis;
use crate::partners::{Delivery, PartnerRegistry};
use crate::store::{CursorId, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone, Copy, Debug)]
pub struct RetentionSettings {
    /// How long a delivered event stays for replay (`after_seq`).
    pub delivered_event_retention: Duration,
    pub idempotency_retention: Duration,
    pub sweep_interval: Duration,
}

pub(super) async fn run(
    store: Store,
    partners: Arc<PartnerRegistry>,
    destinations: Arc<Vec<Destination>>,
    settings: RetentionSettings,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(settings.sweep_interval.max(Duration::from_millis(100)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let store = store.clone();
        let partners = partners.clone();
        let destinations = destinations.clone();
        let swept =
            tokio::task::spawn_blocking(move || sweep(&store, &partners, &destinations, settings))
                .await;
        match swept {
            Ok(Ok((events, records))) if events + records > 0 => {
                tracing::debug!(
                    events,
                    idempotency_records = records,
                    "retention removed delivered data"
                )
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "retention sweep failed; will retry"),
            Err(e) => tracing::warn!(error = %e, "retention sweep panicked"),
        }
    }
}

/// One pass; returns (events removed, idempotency records removed).
pub fn sweep(
    store: &Store,
    partners: &PartnerRegistry,
    destinations: &[Destination],
    settings: RetentionSettings,
) -> Result<(usize, usize), crate::store::StoreError> {
    let now = UnixMillis::now();
    let cutoff = |d: Duration| UnixMillis(now.0 - d.as_millis() as i64);
    let mut cursors = Vec::new();
    for (id, filter) in partners.subscribers(Delivery::Grpc) {
        cursors.push((store.cursor(&CursorId::Partner(id.to_string()))?, filter));
    }
    for destination in destinations {
        cursors.push((store.cursor(&destination.cursor)?, &destination.filter));
    }
    let event_cutoff = cutoff(settings.delivered_event_retention);
    let events = store.remove_events_while(|event| {
        event.occurred_at < event_cutoff
            && cursors
                .iter()
                .all(|(cursor, filter)| *cursor >= event.seq || !filter.matches(event))
    })?;
    let records = store.remove_idempotency_before(cutoff(settings.idempotency_retention))?;
    Ok((events, records))
}
