//! Retention: the outbox and the idempotency records must not grow without
//! bound. An event is removed once every subscriber whose filter matches it
//! has acknowledged it and it is older than the configured retention; an
//! idempotency record once it is older than its own retention. A terminal
//! dossier unchanged for `archive_after` moves into the compact archive
//! (`store/archive.rs`) through the writer.
//!
//! Events are removed from the oldest on and the pass stops at the first
//! that must stay, so it costs what is due. The idempotency records are
//! found the same way through their expiry index (`store/expiry.rs`), every
//! sweep. Two kinds have no such order on disk, so a pass reads every one of
//! them: the archive's candidates, and idempotency records a directory
//! holds from before the index existed. Those full passes run every 1/64
//! of their retention (never more often than the sweep): such a record
//! stays at most that much longer than its retention asks (7 days: 2.6
//! hours), and the store is read a few times a day instead of every
//! minute.

use super::{Destination, HubError};
use crate::domain::{Status, UnixMillis};
use crate::engine::Engine;
use crate::partners::{Delivery, PartnerRegistry};
use crate::store::{CursorId, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};
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
    let period = settings.sweep_interval.max(Duration::from_millis(100));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut idempotency_pass = FullPass::every(settings.idempotency_retention, period);
    // The archive's age with its pass; none when archiving is off.
    let mut archiving = settings
        .archive_after
        .map(|after| (after, FullPass::every(after, period)));
    loop {
        let now = tokio::select! {
            at = tick.tick() => at.into_std(),
            _ = stop.changed() => return,
        };
        let full_idempotency_pass = idempotency_pass.is_due(now);
        let reader = store.clone();
        let partners = partners.clone();
        let destinations = destinations.clone();
        let swept = tokio::task::spawn_blocking(move || {
            sweep_passes(
                &reader,
                &partners,
                &destinations,
                settings,
                full_idempotency_pass,
            )
        })
        .await;
        if full_idempotency_pass && matches!(swept, Ok(Ok(_))) {
            idempotency_pass.ran(now);
        }
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
        let Some((after, pass)) = archiving.as_mut() else {
            continue;
        };
        let after = *after;
        if pass.is_due(now) {
            let archived = archive(&engine, &store, after, &mut stop).await;
            if archived.is_ok() {
                pass.ran(now);
            }
            match archived {
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

/// A pass over every stored record of a kind, run at most every 1/64 of
/// that kind's retention and at least every sweep (module documentation).
#[derive(Debug)]
struct FullPass {
    every: Duration,
    last: Option<Instant>,
}

impl FullPass {
    fn every(retention: Duration, sweep_period: Duration) -> FullPass {
        FullPass {
            every: (retention / 64).max(sweep_period),
            last: None,
        }
    }

    /// Whether the pass runs at `now` (the sweep's tick). The first sweep
    /// runs it: a hub that was stopped for a while has the most to remove
    /// when it starts.
    fn is_due(&self, now: Instant) -> bool {
        self.last
            .is_none_or(|last| now.saturating_duration_since(last) >= self.every)
    }

    /// The pass ran to its end at `now`; one that failed is not counted,
    /// so the next sweep tries it again.
    fn ran(&mut self, now: Instant) {
        self.last = Some(now);
    }
}

/// One pass of everything; returns (events removed, idempotency records
/// removed). (The sweep task runs the full idempotency pass less often:
/// `FullPass`.)
pub fn sweep(
    store: &Store,
    partners: &PartnerRegistry,
    destinations: &[Destination],
    settings: RetentionSettings,
) -> Result<(usize, usize), crate::store::StoreError> {
    sweep_passes(store, partners, destinations, settings, true)
}

fn sweep_passes(
    store: &Store,
    partners: &PartnerRegistry,
    destinations: &[Destination],
    settings: RetentionSettings,
    full_idempotency_pass: bool,
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
    let records = store.expire_idempotency(
        cutoff(settings.idempotency_retention),
        full_idempotency_pass,
    )?;
    // Receipt lookups that outlived their idempotency record, in a
    // directory from before they expired together: a share per sweep.
    let lookups = store.remove_orphan_receipt_lookups()?;
    if lookups > 0 {
        tracing::debug!(lookups, "receipt lookups from before removed");
    }
    // Not retention: the audit chain keeps every entry; old ones are only
    // packed into sealed segments (`store/audit.rs`).
    let sealed = store.seal_audit()?;
    if sealed > 0 {
        tracing::debug!(entries = sealed, "audit entries sealed");
    }
    Ok((events, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_full_pass_runs_at_the_first_sweep_then_every_sixty_fourth_of_its_retention() {
        let week = Duration::from_secs(7 * 86_400);
        let mut pass = FullPass::every(week, MINUTE);
        assert_eq!(pass.every, week / 64, "7 days / 64 = 2 h 37 min 30 s");
        let start = Instant::now();
        assert!(pass.is_due(start), "the first sweep runs it");
        pass.ran(start);
        let mut ran = vec![];
        for n in 1..=400u32 {
            let now = start + MINUTE * n;
            if pass.is_due(now) {
                pass.ran(now);
                ran.push(n);
            }
        }
        // 157.5 minutes: at the 158th sweep, then the 316th.
        assert_eq!(ran, vec![158, 316]);
    }

    #[test]
    fn a_pass_that_failed_is_tried_again_at_the_next_sweep() {
        let mut pass = FullPass::every(Duration::from_secs(7 * 86_400), MINUTE);
        let start = Instant::now();
        assert!(pass.is_due(start));
        // It failed: not counted as run.
        assert!(pass.is_due(start + MINUTE), "tried again a sweep later");
        pass.ran(start + MINUTE);
        assert!(!pass.is_due(start + MINUTE * 2));
    }

    #[test]
    fn a_retention_shorter_than_64_sweeps_runs_its_pass_every_sweep() {
        for retention in [Duration::ZERO, Duration::from_secs(3600)] {
            let mut pass = FullPass::every(retention, MINUTE);
            assert_eq!(pass.every, MINUTE);
            let start = Instant::now();
            for n in 0..10u32 {
                let now = start + MINUTE * n;
                assert!(pass.is_due(now), "{retention:?}, sweep {n}");
                pass.ran(now);
            }
        }
    }
}
