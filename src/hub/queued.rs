//! A command handed to the writer without waiting for its answer, so that
//! a caller with many commands (`DossierService.ExecuteStream`) can keep
//! several in flight, in order, sharing group commits — under exactly the
//! rules, audit and metrics of `Hub::execute`, which is this followed by
//! waiting for the answer.

use super::{Hub, HubError};
use crate::domain::{validate, CommandEnvelope};
use crate::engine::{CommandOutcome, Queued};
use crate::partners::Partner;
use std::sync::Arc;
use std::time::Instant;

/// A command on its way: either already refused before the writer, or in
/// the writer's queue with its answer to come.
#[must_use = "the outcome says whether the command was applied"]
pub struct QueuedCommand {
    metrics: crate::metrics::Metrics,
    command: &'static str,
    arrived: Instant,
    state: State,
}

enum State {
    Refused(HubError),
    Queued(Queued<CommandOutcome>),
}

impl QueuedCommand {
    /// The command's outcome, once it is durable (or refused); counted in
    /// the metrics as `Hub::execute` counts it.
    pub async fn outcome(self) -> Result<CommandOutcome, HubError> {
        let decided = match self.state {
            State::Refused(e) => Err(e),
            State::Queued(queued) => queued.outcome().await.map_err(HubError::from),
        };
        let code = match &decided {
            Ok(_) => "OK",
            Err(e) => e.code().name(),
        };
        self.metrics
            .command(self.command, code, self.arrived.elapsed());
        decided
    }
}

impl Hub {
    /// Checks the partner's rights and the fields, then queues the command
    /// for the writer; returns once it is queued (waiting while the
    /// writer's queue is full). Commands queued one after the other are
    /// applied in that order. Refused before the writer: recorded in the
    /// audit log here; the writer records its own decisions in the
    /// command's batch.
    pub async fn queue_command(
        &self,
        partner: &Arc<Partner>,
        envelope: CommandEnvelope,
    ) -> QueuedCommand {
        let arrived = Instant::now();
        let command = envelope.name().as_str();
        let checked = partner
            .check_command(envelope.name())
            .map_err(HubError::from)
            .and_then(|_| Ok(validate::envelope(&envelope)?));
        let state = match checked {
            Err(e) => {
                let subject = envelope
                    .action
                    .dossier()
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "new".into());
                self.refused(&partner.id, command, subject, &envelope.idempotency_key, &e);
                State::Refused(e)
            }
            Ok(()) => match self.engine.queue(partner.clone(), envelope).await {
                Ok(queued) => State::Queued(queued),
                Err(e) => State::Refused(HubError::from(e)),
            },
        };
        QueuedCommand {
            metrics: self.metrics.clone(),
            command,
            arrived,
            state,
        }
    }
}
