//! The engine: the only writer of state.
//!
//! Callers hand commands to `Engine`; a single writer thread takes them off a
//! bounded queue in groups, applies each against the state (seeing the
//! earlier ones of its group), writes the whole group as one atomic batch,
//! flushes once, and only then answers every caller. This is group commit:
//! one flush serves many commands, so throughput grows with concurrency while
//! every answer still means "on disk". Every decision, accepted or refused,
//! is recorded in the audit log inside the same batch.

mod apply;
mod citizen;
mod error;
mod sites;
mod writer;

pub use citizen::CitizenSay;
pub use error::EngineError;

use crate::domain::catalog::Publication;
use crate::domain::{CommandEnvelope, Dossier, HistoryEntry};
use crate::partners::Partner;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

/// The answer to an accepted dossier command.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommandOutcome {
    pub dossier: Dossier,
    pub entry: HistoryEntry,
    pub event_seq: u64,
    pub event_id: String,
    pub replayed: bool,
}

/// The answer to a catalogue publication.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublicationOutcome {
    pub kind: String,
    pub version: u64,
    pub added: u32,
    pub changed: u32,
    pub removed: u32,
    /// The seq of the `catalog_published` event; 0 when nothing changed.
    pub event_seq: u64,
    pub replayed: bool,
}

/// The answer to a citizen's say written by the writer.
#[derive(Clone, Debug)]
pub struct CitizenOutcome {
    /// The seq of its event; 0 when it made none (an answer not published).
    pub event_seq: u64,
}

enum Job {
    Command {
        partner: Arc<Partner>,
        envelope: Box<CommandEnvelope>,
        /// `envelope.fingerprint()`, hashed by the caller's task before the
        /// command is queued: the writer thread orders every command, so
        /// what can be done before it is done in parallel, not in its turn.
        fingerprint: String,
        reply: oneshot::Sender<Result<CommandOutcome, EngineError>>,
    },
    Publish {
        partner: Arc<Partner>,
        publication: Box<Publication>,
        reply: oneshot::Sender<Result<PublicationOutcome, EngineError>>,
    },
    Citizen {
        partner: Arc<Partner>,
        say: Box<CitizenSay>,
        reply: oneshot::Sender<Result<CitizenOutcome, EngineError>>,
    },
    /// Terminal dossiers untouched since before `before` into the compact
    /// archive (`store/archive.rs`); answers how many moved.
    Archive {
        ids: Vec<u64>,
        before: crate::domain::UnixMillis,
        reply: oneshot::Sender<Result<usize, EngineError>>,
    },
    Site {
        handover: bool,
        transfer: Box<crate::domain::site::Transfer>,
        reply: oneshot::Sender<Result<SiteOutcome, EngineError>>,
    },
}

/// The answer to a transfer from another site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteOutcome {
    /// Written: the seq of the event it made here.
    Taken { event_seq: u64 },
    /// Already held: nothing was written; the sender is acknowledged.
    Duplicate,
    /// An earlier transfer of the dossier never arrived (this hub holds
    /// version `held`, the transfer's lines start at `first`): nothing was
    /// written and the sender is not acknowledged, so it sends again.
    Gap { held: u64, first: u64 },
}

#[derive(Clone, Debug)]
pub struct EngineSettings {
    /// How many commands one group (one batch, one flush) may hold.
    pub max_group_commands: usize,
    /// How many commands may wait for the writer before callers wait to enqueue.
    pub queue_capacity: usize,
    /// How large a dossier with its history may grow, as the hub sends it
    /// (`domain::size`); a command that would cross it is refused.
    pub max_dossier_bytes: usize,
    /// How many decoded dossiers the writer keeps in memory at most
    /// (`store::DossierCache`): `hub.writer_cache_dossiers`.
    pub cache_dossiers: usize,
    /// Bytes written after which the writer reopens the store between two
    /// groups to bound recovery after a crash
    /// (`hub.store_reopen_after_written_bytes`); 0: never.
    pub reopen_after_written_bytes: u64,
    /// Bytes written after which the writer starts an online compaction
    /// (`hub.store_compact_after_written_bytes`); 0: never on its own.
    pub compact_after_written_bytes: u64,
    /// This hub's site and its peers (`[site]`): a forward to a peer's
    /// agency hands the dossier over, and a dossier handed over is changed
    /// only at its authoritative site. `None`: a hub alone.
    pub sites: Option<std::sync::Arc<crate::domain::site::SiteMap>>,
}

/// The error code name of a refusal, for the audit entry the writer
/// records with every decision: the hub's one mapping, handed in (the
/// engine cannot name `HubError`).
pub type OutcomeCode = fn(&EngineError) -> &'static str;

#[derive(Clone)]
pub struct Engine {
    jobs: mpsc::Sender<Job>,
    committed: watch::Receiver<u64>,
}

/// Joins the writer threads once every `Engine` handle is dropped.
pub struct WriterHandle(Vec<std::thread::JoinHandle<()>>);

impl WriterHandle {
    /// Waits until the writer has answered everything queued and stopped.
    pub fn join(self) {
        for thread in self.0 {
            if thread.join().is_err() {
                tracing::error!("a writer thread panicked");
            }
        }
    }
}

impl Engine {
    pub fn start(
        store: Store,
        settings: EngineSettings,
        outcome_code: OutcomeCode,
        metrics: crate::metrics::Metrics,
    ) -> Result<(Engine, WriterHandle), EngineError> {
        let (jobs, queue) = mpsc::channel(settings.queue_capacity.max(1));
        let (committed_tx, committed) = watch::channel(store.last_seq()?);
        let threads = writer::spawn(store, queue, committed_tx, settings, outcome_code, metrics)
            .map_err(|e| EngineError::CommitFailed {
                reason: format!("cannot start the writer threads: {e}"),
            })?;
        Ok((Engine { jobs, committed }, WriterHandle(threads)))
    }

    /// The seq of the newest event known to be on disk; changes whenever a
    /// group is committed.
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }

    /// Applies a validated command. Returns once it is durable.
    pub async fn execute(
        &self,
        partner: Arc<Partner>,
        envelope: CommandEnvelope,
    ) -> Result<CommandOutcome, EngineError> {
        self.queue(partner, envelope).await?.outcome().await
    }

    /// Queues a validated command for the writer and returns as soon as it
    /// is in the queue (waiting while the queue is full), with its answer
    /// to come. Commands queued one after the other are applied in that
    /// order, so a caller that queues without awaiting each answer (a
    /// command stream) keeps its order and still shares group commits.
    pub async fn queue(
        &self,
        partner: Arc<Partner>,
        envelope: CommandEnvelope,
    ) -> Result<Queued<CommandOutcome>, EngineError> {
        let fingerprint = envelope.fingerprint();
        self.enqueue(|reply| Job::Command {
            partner,
            envelope: Box::new(envelope),
            fingerprint,
            reply,
        })
        .await
    }

    /// Publishes a validated catalogue. Returns once it is durable.
    pub async fn publish(
        &self,
        partner: Arc<Partner>,
        publication: Publication,
    ) -> Result<PublicationOutcome, EngineError> {
        self.ask(|reply| Job::Publish {
            partner,
            publication: Box::new(publication),
            reply,
        })
        .await
    }

    /// Records a rating or a feedback's answer with its event. Returns once
    /// it is durable.
    pub async fn record_citizen_say(
        &self,
        partner: Arc<Partner>,
        say: CitizenSay,
    ) -> Result<CitizenOutcome, EngineError> {
        self.ask(|reply| Job::Citizen {
            partner,
            say: Box::new(say),
            reply,
        })
        .await
    }

    /// Moves those of dossiers `ids` that are terminal and were last changed
    /// before `before` into the compact archive (`store/archive.rs`), in the
    /// writer's order with the commands (so a command queued earlier on one
    /// of them is seen). Returns how many moved, once durable.
    pub async fn archive(
        &self,
        ids: Vec<u64>,
        before: crate::domain::UnixMillis,
    ) -> Result<usize, EngineError> {
        self.ask(|reply| Job::Archive { ids, before, reply }).await
    }

    /// Takes a dossier handed over by another site (`handover`) or a change
    /// of a dossier another site decides about. Returns once it is durable.
    pub async fn receive_from_site(
        &self,
        handover: bool,
        transfer: crate::domain::site::Transfer,
    ) -> Result<SiteOutcome, EngineError> {
        self.ask(|reply| Job::Site {
            handover,
            transfer: Box::new(transfer),
            reply,
        })
        .await
    }

    /// Queues the job `job` builds around a reply channel and waits for the
    /// writer's answer; a closed queue or a dropped reply means the writer
    /// is stopping.
    async fn ask<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, EngineError>>) -> Job,
    ) -> Result<T, EngineError> {
        self.enqueue(job).await?.outcome().await
    }

    async fn enqueue<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, EngineError>>) -> Job,
    ) -> Result<Queued<T>, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(job(reply))
            .await
            .map_err(|_| EngineError::ShuttingDown)?;
        Ok(Queued(answer))
    }
}

/// A job in the writer's queue: its answer comes once it is durable (or
/// refused). Dropping it does not withdraw the job; the writer applies it
/// all the same and nobody hears the answer.
#[must_use = "the answer says whether the job was applied"]
pub struct Queued<T>(oneshot::Receiver<Result<T, EngineError>>);

impl<T> Queued<T> {
    /// Waits for the writer's answer; a dropped reply means it is stopping.
    pub async fn outcome(self) -> Result<T, EngineError> {
        self.0.await.map_err(|_| EngineError::ShuttingDown)?
    }
}
