//! Retention: the outbox and the idempotency records must not grow without
//! bound. An event is removed once every subscriber whose filter matches it
//! has acknowledged it and it is older than the configured retention; an
//! idempotency record once it is older than its own retention. A terminal
//! dossier unchanged for `archive_after` moves into the compact archive
//! (`store/archive.rs`) through the writer.

use super::{Destination, HubError};
use crate::domain::{Status, UnixMillis};
use crate::engine::Engine;
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
    /// How long a terminal dossier stays unchanged before it is archived;
    /// `None`: never.
    pub archive_after: Option<Duration>,
}

/// Terminal dossiers read per archive job (one writer job each).
const ARCHIVE_BATCH: usize = 256;

pub(super) async fn run(
    engine: Engine,
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
        let reader = store.clone();
        let partners = partners.clone();
        let destinations = destinations.clone();
        let swept =
            tokio::task::spawn_blocking(move || sweep(&reader, &partners, &destinations, settings))
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
        if let Some(after) = settings.archive_after {
            match archive(&engine, &store, after, &mut stop).await {
                Ok(0) => {}
                Ok(moved) => tracing::debug!(dossiers = moved, "terminal dossiers archived"),
                // A full disk is said once by the store; the next sweep retries.
                Err(HubError::Storage(e)) if e.is_unavailable() => {
                    tracing::debug!(error = %e, "archiving waits for storage")
                }
                Err(e) => tracing::warn!(error = %e, "archiving failed; will retry"),
            }
        }
    }
}

impl super::Hub {
    /// Archives now every terminal dossier unchanged for `after`: what the
    /// retention sweep does with `[retention] archive_after_days`. Returns
    /// how many moved.
    pub async fn archive_terminal(&self, after: Duration) -> Result<usize, HubError> {
        let (_keep, mut never) = watch::channel(false);
        archive(&self.engine, &self.store, after, &mut never).await
    }
}

/// Moves every terminal dossier unchanged since before `now - after` into
/// the archive: candidates from the terminal statuses' listing indexes,
/// moved by the writer in jobs of `ARCHIVE_BATCH` (it checks again, so a
/// command that reached a candidate meanwhile keeps it live). Returns how
/// many moved; stops early when the hub stops.
pub async fn archive(
    engine: &Engine,
    store: &Store,
    after: Duration,
    stop: &mut watch::Receiver<bool>,
) -> Result<usize, HubError> {
    let before = UnixMillis(UnixMillis::now().0 - after.as_millis() as i64);
    let mut moved = 0;
    for status in Status::ALL.into_iter().filter(|s| s.is_terminal()) {
        let mut after_id = 0;
        loop {
            if *stop.borrow() {
                return Ok(moved);
            }
            let reader = store.clone();
            let candidates = tokio::task::spawn_blocking(move || {
                reader.dossiers_with_status(status, after_id, ARCHIVE_BATCH)
            })
            .await
            .map_err(|e| HubError::TaskFailed {
                what: "reading the archive's candidates".into(),
                reason: e.to_string(),
            })??;
            let Some(last) = candidates.last() else { break };
            after_id = last.id;
            let ids: Vec<u64> = candidates
                .iter()
                .filter(|d| d.updated_at < before)
                .map(|d| d.id)
                .collect();
            if !ids.is_empty() {
                moved += engine.archive(ids, before).await?;
            }
        }
    }
    Ok(moved)
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
    // Not retention: the audit chain keeps every entry; old ones are only
    // packed into sealed segments (`store/audit.rs`).
    let sealed = store.seal_audit()?;
    if sealed > 0 {
        tracing::debug!(entries = sealed, "audit entries sealed");
    }
    Ok((events, records))
}
