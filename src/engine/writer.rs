//! The writer thread's loop: take a group, apply, commit, flush, answer.
//!
//! It runs on its own OS thread because sled's writes and flush block; the
//! async side only ever waits on a channel. A catalogue publication reads the
//! committed catalogue in full, so it always starts a group of its own.

use super::{apply, EngineError, Job};
use crate::domain::UnixMillis;
use crate::store::{Store, Txn};
use tokio::sync::{mpsc, watch};

/// An answer that waits for the group's flush.
enum Pending {
    Command(
        tokio::sync::oneshot::Sender<Result<super::CommandOutcome, EngineError>>,
        Result<super::CommandOutcome, EngineError>,
    ),
    Publish(
        tokio::sync::oneshot::Sender<Result<super::PublicationOutcome, EngineError>>,
        Result<super::PublicationOutcome, EngineError>,
    ),
}

pub(super) fn run(
    store: Store,
    mut queue: mpsc::Receiver<Job>,
    committed: watch::Sender<u64>,
    max_group: usize,
) {
    let mut carried: Option<Job> = None;
    loop {
        let first = match carried.take() {
            Some(job) => job,
            None => match queue.blocking_recv() {
                Some(job) => job,
                None => break,
            },
        };
        let mut txn = store.begin();
        let mut pending = Vec::with_capacity(max_group);
        let mut last_seq = None;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            let is_publication = matches!(job, Job::Publish { .. });
            if is_publication && !pending.is_empty() {
                carried = Some(job);
                break;
            }
            pending.push(process(&mut txn, job, &mut last_seq));
            if is_publication || pending.len() >= max_group {
                break;
            }
            next = queue.try_recv().ok();
        }
        let kept = txn.commands();
        let result = txn.commit();
        match &result {
            Ok(()) => {
                if let Some(seq) = last_seq {
                    committed.send_replace(seq);
                }
                tracing::trace!(commands = pending.len(), kept, "group committed");
            }
            Err(e) => {
                tracing::error!(error = %e, commands = pending.len(), "group commit failed; nothing of it was written")
            }
        }
        for answer in pending {
            answer.send(result.as_ref().err().map(|e| e.to_string()));
        }
    }
    tracing::debug!("writer stopped: queue closed and drained");
}

fn process(txn: &mut Txn, job: Job, last_seq: &mut Option<u64>) -> Pending {
    let now = UnixMillis::now();
    match job {
        Job::Command {
            partner,
            envelope,
            reply,
        } => {
            let outcome = apply::command(txn, &partner, &envelope, now);
            keep_or_drop(txn, &outcome);
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
            if let Ok(o) = &outcome {
                if !o.replayed && o.event_seq > 0 {
                    *last_seq = Some(o.event_seq);
                }
            }
            Pending::Publish(reply, outcome)
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
    fn send(self, commit_failure: Option<String>) {
        let fail = |reason: &String| EngineError::CommitFailed {
            reason: reason.clone(),
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
        }
    }
}
