//! The writer's two threads: one applies groups, one flushes them.
//!
//! The applier takes a group of queued commands, applies each against a
//! `Txn`, and writes the group to sled as one atomic batch (in memory, not yet
//! durable). It then hands the group's answers to the flusher and goes on with
//! the next group at once. The flusher takes every group handed over since its
//! last flush, makes them durable with ONE flush, and only then answers their
//! callers and advances the committed seq. So while one flush is on its way to
//! disk, the next groups are already being applied — this is what lets many
//! concurrent callers share a flush instead of queueing behind each other.
//!
//! A later group may read what an earlier, not yet flushed group wrote. That
//! is safe: sled's log is sequential, so a flush that makes the later group
//! durable makes the earlier one durable too, and no caller of either is
//! answered before that. A catalogue publication reads the catalogue whole,
//! so it always starts a group of its own. Every command's audit entry,
//! accepted or refused, is chained onto the log inside the group's batch
//! (`Txn::audit`), so the log adds no write and no flush of its own.
//!
//! Every `hub.store_reopen_after_written_bytes` the applier also reopens the
//! store between two groups (`reopen_if_due`): it waits until the flusher
//! has made everything applied durable and answered it, then closes and
//! opens the data directory, so that recovery after a crash replays at most
//! that much of sled's log. Commands queue meanwhile.

use super::{apply, EngineError, EngineSettings, Job, OutcomeCode, SiteOutcome};
use crate::audit::{Kind, Record, OK, REPLAYED};
use crate::domain::UnixMillis;
use crate::metrics::Metrics;
use crate::store::{AuditItem, PlannedReopen, Store, Txn};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Applied groups that may wait for the flusher before the applier waits.
const GROUPS_AWAITING_FLUSH: usize = 64;
/// How long a planned reopen waits for readers (a listing, a delivery
/// batch) to let go of the store before it gives up and tries later.
const REOPEN_DRAIN: Duration = Duration::from_secs(1);
/// How long after a reopen that could not drain the next one is tried.
const REOPEN_RETRY: Duration = Duration::from_secs(10);

/// An answer that waits for the group's flush. Short-lived and moved
/// once, so the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Pending {
    Command(
        tokio::sync::oneshot::Sender<Result<super::CommandOutcome, EngineError>>,
        Result<super::CommandOutcome, EngineError>,
    ),
    Publish(
        tokio::sync::oneshot::Sender<Result<super::PublicationOutcome, EngineError>>,
        Result<super::PublicationOutcome, EngineError>,
    ),
    Citizen(
        tokio::sync::oneshot::Sender<Result<super::CitizenOutcome, EngineError>>,
        Result<super::CitizenOutcome, EngineError>,
    ),
    Archive(
        tokio::sync::oneshot::Sender<Result<usize, EngineError>>,
        Result<usize, EngineError>,
    ),
    Site(
        tokio::sync::oneshot::Sender<Result<super::SiteOutcome, EngineError>>,
        Result<super::SiteOutcome, EngineError>,
    ),
}

/// What the applier hands the flusher, in order.
enum ToFlusher {
    Group(Applied),
    /// Answered once every group handed over before it is flushed and
    /// answered: nothing waits for the store's current handle any more.
    Drained(std_mpsc::SyncSender<()>),
}

/// A group applied to sled, waiting to be made durable.
struct Applied {
    answers: Vec<Pending>,
    last_seq: Option<u64>,
    /// The store handle it was applied to: only a flush of that same handle
    /// makes it durable (the store reopens after a failed write).
    generation: u64,
}

/// Starts the applier and the flusher; returns their join handles.
pub(super) fn spawn(
    store: Store,
    queue: mpsc::Receiver<Job>,
    committed: watch::Sender<u64>,
    settings: EngineSettings,
    outcome_code: OutcomeCode,
    metrics: Metrics,
) -> std::io::Result<Vec<std::thread::JoinHandle<()>>> {
    let (to_flusher, flushes) = std_mpsc::sync_channel::<ToFlusher>(GROUPS_AWAITING_FLUSH);
    let flush_store = store.clone();
    let flush_metrics = metrics.clone();
    let flusher = std::thread::Builder::new()
        .name("lienthong-flusher".into())
        .spawn(move || flush_loop(flush_store, flushes, committed, flush_metrics))?;
    let applier = std::thread::Builder::new()
        .name("lienthong-writer".into())
        .spawn(move || apply_loop(store, queue, to_flusher, settings, outcome_code, metrics))?;
    Ok(vec![applier, flusher])
}

fn apply_loop(
    store: Store,
    mut queue: mpsc::Receiver<Job>,
    to_flusher: std_mpsc::SyncSender<ToFlusher>,
    settings: EngineSettings,
    outcome_code: OutcomeCode,
    metrics: Metrics,
) {
    let max_group = settings.max_group_commands.max(1);
    let mut carried: Option<Job> = None;
    let mut cache = crate::store::DossierCache::new(settings.cache_dossiers);
    let mut reopen = ReopenSchedule::new(settings.reopen_after_written_bytes);
    loop {
        if reopen.due(&store) && !reopen_when_drained(&store, &to_flusher, &metrics, &mut reopen) {
            return;
        }
        // Runs beside the writer; only its switch makes commands wait.
        store.start_compaction_if_due(settings.compact_after_written_bytes);
        let first = match carried.take() {
            Some(job) => job,
            None => match queue.blocking_recv() {
                Some(job) => job,
                None => break,
            },
        };
        let mut txn = store.begin(&mut cache);
        let mut answers = Vec::with_capacity(max_group);
        let mut last_seq = None;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            let is_publication = matches!(job, Job::Publish { .. });
            if is_publication && !answers.is_empty() {
                carried = Some(job);
                break;
            }
            answers.push(process(
                &mut txn,
                job,
                &settings,
                outcome_code,
                &mut last_seq,
            ));
            if is_publication || answers.len() >= max_group {
                break;
            }
            next = queue.try_recv().ok();
        }
        metrics.group(answers.len());
        match txn.apply() {
            Ok(generation) => {
                let applied = Applied {
                    answers,
                    last_seq,
                    generation,
                };
                if to_flusher.send(ToFlusher::Group(applied)).is_err() {
                    tracing::error!("the flusher stopped; stopping the writer");
                    return;
                }
            }
            Err(e) => {
                if e.is_unavailable() {
                    // The store said why once, when the fault began.
                    tracing::debug!(error = %e, commands = answers.len(), "group refused: storage refuses writes");
                } else {
                    tracing::error!(error = %e, commands = answers.len(), "applying a group failed; nothing of it was written");
                }
                let reason = e.to_string();
                for answer in answers {
                    answer.send(Some(&reason));
                }
            }
        }
    }
    tracing::debug!("writer stopped: queue closed and drained");
}

/// When the applier reopens the store next.
struct ReopenSchedule {
    /// `hub.store_reopen_after_written_bytes`; 0: never.
    after_bytes: u64,
    /// Not before this (after a reopen that could not drain).
    not_before: Option<Instant>,
}

impl ReopenSchedule {
    fn new(after_bytes: u64) -> ReopenSchedule {
        ReopenSchedule {
            after_bytes,
            not_before: None,
        }
    }

    fn due(&self, store: &Store) -> bool {
        self.after_bytes != 0
            && store.write_stats().bytes_since_open() >= self.after_bytes
            && self.not_before.is_none_or(|at| Instant::now() >= at)
    }
}

/// Waits for the flusher to answer everything applied so far, then reopens
/// the store. False: the flusher stopped (the writer stops too).
fn reopen_when_drained(
    store: &Store,
    to_flusher: &std_mpsc::SyncSender<ToFlusher>,
    metrics: &Metrics,
    schedule: &mut ReopenSchedule,
) -> bool {
    let (drained, wait) = std_mpsc::sync_channel(1);
    if to_flusher.send(ToFlusher::Drained(drained)).is_err() || wait.recv().is_err() {
        tracing::error!("the flusher stopped; stopping the writer");
        return false;
    }
    let written = store.write_stats().bytes_since_open();
    match store.reopen_planned(REOPEN_DRAIN) {
        Ok(PlannedReopen::Reopened { paused }) => {
            schedule.not_before = None;
            metrics.store_reopened(paused);
            tracing::info!(
                written_bytes = written,
                paused_ms = paused.as_millis() as u64,
                "store reopened: recovery after a crash now replays only what is written from here"
            );
        }
        Ok(PlannedReopen::Busy) => {
            schedule.not_before = Some(Instant::now() + REOPEN_RETRY);
            tracing::debug!("store reopen put off: a reader held the store past the drain");
        }
        Ok(PlannedReopen::NotNow) => {
            schedule.not_before = Some(Instant::now() + REOPEN_RETRY);
        }
        Err(e) => {
            // The store is in its fault now and recovers on its own; the
            // groups that follow are refused until it has.
            schedule.not_before = Some(Instant::now() + REOPEN_RETRY);
            tracing::error!(error = %e, "reopening the store failed");
        }
    }
    true
}

fn flush_loop(
    store: Store,
    flushes: std_mpsc::Receiver<ToFlusher>,
    committed: watch::Sender<u64>,
    metrics: Metrics,
) {
    let mut received = Vec::new();
    while let Ok(first) = flushes.recv() {
        received.push(first);
        received.extend(flushes.try_iter());
        let mut groups = Vec::with_capacity(received.len());
        let mut drained = Vec::new();
        for item in received.drain(..) {
            match item {
                ToFlusher::Group(group) => groups.push(group),
                ToFlusher::Drained(reply) => drained.push(reply),
            }
        }
        // The applier sends nothing after a `Drained` until it is answered,
        // so every group here came before it.
        if !groups.is_empty() {
            flush_groups(&store, groups, &committed, &metrics);
        }
        for reply in drained {
            let _ = reply.send(());
        }
    }
    tracing::debug!("flusher stopped");
}

/// Flushes once and answers every group in `groups`.
fn flush_groups(
    store: &Store,
    groups: Vec<Applied>,
    committed: &watch::Sender<u64>,
    metrics: &Metrics,
) {
    let started = Instant::now();
    let flushed = store.flush_generation();
    metrics.flush(started.elapsed());
    if let Err(e) = &flushed {
        if !e.is_unavailable() {
            tracing::error!(error = %e, groups = groups.len(), "flush failed; answering with an error");
        }
    }
    // Only groups applied to the handle that was flushed are durable.
    let failure_of = |group: &Applied| match &flushed {
        Ok(generation) if *generation == group.generation => None,
        Ok(_) => Some(
            "the data directory was reopened after a write failure before this group was flushed"
                .to_string(),
        ),
        Err(e) => Some(e.to_string()),
    };
    let durable_seq = groups
        .iter()
        .filter(|g| failure_of(g).is_none())
        .filter_map(|g| g.last_seq)
        .max();
    if let Some(seq) = durable_seq {
        committed.send_replace(seq);
    }
    for group in groups {
        let failure = failure_of(&group);
        for answer in group.answers {
            answer.send(failure.as_deref());
        }
    }
}

fn process(
    txn: &mut Txn,
    job: Job,
    settings: &EngineSettings,
    outcome_code: OutcomeCode,
    last_seq: &mut Option<u64>,
) -> Pending {
    let now = UnixMillis::now();
    match job {
        Job::Command {
            partner,
            envelope,
            fingerprint,
            reply,
        } => {
            let outcome = apply::command(txn, &partner, &envelope, fingerprint, now, settings);
            keep_or_drop(txn, &outcome);
            let mut record = Record::new(
                now.0,
                Kind::Command,
                &partner.id,
                envelope.name().as_str(),
                OK,
            );
            record.request = envelope.idempotency_key.clone();
            let receipt = match &outcome {
                Ok(o) => {
                    record.subject = o.dossier.ma_ho_so.clone();
                    record.event_id = o.event_id.clone();
                    record.seq = o.event_seq;
                    record.detail = if o.replayed {
                        REPLAYED.into()
                    } else {
                        format!("version {}", o.entry.version)
                    };
                    !o.replayed
                }
                Err(e) => {
                    record.outcome = outcome_code(e).into();
                    record.subject = envelope
                        .action
                        .dossier()
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "new".into());
                    false
                }
            };
            txn.audit(AuditItem { record, receipt });
            if let Ok(o) = &outcome {
                if !o.replayed {
                    *last_seq = Some(o.event_seq);
                }
            }
            Pending::Command(reply, outcome)
        }
        Job::Publish {
            partner,
            publication,
            reply,
        } => {
            let outcome = apply::publication(txn, &partner, &publication, now);
            keep_or_drop(txn, &outcome);
            let mut record =
                Record::new(now.0, Kind::Publication, &partner.id, "publish_catalog", OK);
            record.subject = publication.kind.clone();
            record.request = publication.idempotency_key.clone();
            let receipt = match &outcome {
                Ok(o) => {
                    record.seq = o.event_seq;
                    record.detail = format!(
                        "version {}: {} added, {} changed, {} removed{}{}",
                        o.version,
                        o.added,
                        o.changed,
                        o.removed,
                        if o.replayed { ", " } else { "" },
                        if o.replayed { REPLAYED } else { "" }
                    );
                    !o.replayed
                }
                Err(e) => {
                    record.outcome = outcome_code(e).into();
                    false
                }
            };
            txn.audit(AuditItem { record, receipt });
            if let Ok(o) = &outcome {
                if !o.replayed && o.event_seq > 0 {
                    *last_seq = Some(o.event_seq);
                }
            }
            Pending::Publish(reply, outcome)
        }
        Job::Citizen {
            partner,
            say,
            reply,
        } => {
            let outcome = super::citizen::record(txn, &partner, &say, now);
            keep_or_drop(txn, &outcome);
            let mut record = Record::new(now.0, Kind::Command, &partner.id, say.name(), OK);
            record.subject = say.subject().to_string();
            record.detail = say.detail();
            match &outcome {
                Ok((o, event_id)) => {
                    record.event_id = event_id.clone();
                    record.seq = o.event_seq;
                    if o.event_seq > 0 {
                        *last_seq = Some(o.event_seq);
                    }
                }
                Err(e) => record.outcome = outcome_code(e).into(),
            }
            txn.audit(AuditItem::plain(record));
            Pending::Citizen(reply, outcome.map(|(o, _)| o))
        }
        Job::Archive { ids, before, reply } => {
            // Not audited: archiving changes no dossier, it moves its bytes
            // (`store/archive.rs`).
            let outcome = apply::archive(txn, &ids, before);
            keep_or_drop(txn, &outcome);
            Pending::Archive(reply, outcome)
        }
        Job::Site {
            handover,
            transfer,
            reply,
        } => {
            let outcome = super::sites::receive(txn, settings, handover, &transfer, now);
            keep_or_drop(txn, &outcome);
            let partner = crate::domain::site::site_partner(&transfer.from_site);
            let name = if handover {
                "site_handover"
            } else {
                "site_change"
            };
            let mut record = Record::new(now.0, Kind::Command, &partner, name, OK);
            record.subject = transfer.dossier.ma_ho_so.clone();
            record.request = transfer.event_id.clone();
            match &outcome {
                Ok(SiteOutcome::Taken { event_seq }) => {
                    record.seq = *event_seq;
                    record.detail = format!("version {}", transfer.dossier.version);
                    *last_seq = Some(*event_seq);
                }
                Ok(SiteOutcome::Duplicate) => record.detail = REPLAYED.into(),
                Ok(SiteOutcome::Gap { held, first }) => {
                    record.detail = format!(
                        "not taken: version {held} is held and the transfer starts at {first}; the sender sends again"
                    );
                }
                Err(e) => record.outcome = outcome_code(e).into(),
            }
            txn.audit(AuditItem::plain(record));
            Pending::Site(reply, outcome)
        }
    }
}

fn keep_or_drop<T>(txn: &mut Txn, outcome: &Result<T, EngineError>) {
    match outcome {
        Ok(_) => txn.keep_command(),
        Err(_) => txn.drop_command(),
    }
}

impl Pending {
    /// Answers the caller; a failed commit turns every success into an error.
    fn send(self, commit_failure: Option<&str>) {
        let fail = |reason: &&str| EngineError::CommitFailed {
            reason: reason.to_string(),
        };
        // A caller that gave up (disconnected) no longer listens; that is fine.
        match self {
            Pending::Command(reply, outcome) => {
                let _ = reply.send(match (&commit_failure, outcome) {
                    (Some(reason), Ok(_)) => Err(fail(reason)),
                    (_, outcome) => outcome,
                });
            }
            Pending::Publish(reply, outcome) => {
                let _ = reply.send(match (&commit_failure, outcome) {
                    (Some(reason), Ok(_)) => Err(fail(reason)),
                    (_, outcome) => outcome,
                });
            }
            Pending::Citizen(reply, outcome) => {
                let _ = reply.send(match (&commit_failure, outcome) {
                    (Some(reason), Ok(_)) => Err(fail(reason)),
                    (_, outcome) => outcome,
                });
            }
            Pending::Archive(reply, outcome) => {
                let _ = reply.send(match (&commit_failure, outcome) {
                    (Some(reason), Ok(_)) => Err(fail(reason)),
                    (_, outcome) => outcome,
                });
            }
            Pending::Site(reply, outcome) => {
                let _ = reply.send(match (&commit_failure, outcome) {
                    (Some(reason), Ok(_)) => Err(fail(reason)),
                    (_, outcome) => outcome,
                });
            }
        }
    }
}
