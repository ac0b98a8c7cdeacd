//! The hosted one-stop workspace's room: its own read model of its
//! agencies' dossiers, the queues and statistics computed on it, and the
//! assignments of dossiers to departments and specialists.
//!
//! Why a room of its own: the workspace is a consumer of the hub like any
//! partner. It follows the outbox from its own durable cursor
//! (`CursorId::Workspace`), in-process, and keeps what the queues need in
//! its own trees (`hub::WorkspaceRecords`, stored in `store/workspace.rs`):
//! a row per dossier, derived from the events alone, so a lost read model
//! is rebuilt from the event stream (and from the dossiers themselves when
//! retention already removed the events it needs: `backfill`). Assignments are the module's own
//! decisions, in no event: they are stored durably (flushed before an
//! officer is answered) and never rebuilt. The pages (`web/`) only render
//! what this room computes; the rules here (`deadline`, `queues`, `fold`,
//! `statistics`, `handover`) need no web server to be tested.

mod backfill;
mod deadline;
mod error;
mod fold;
mod follow;
mod handover;
mod queues;
mod row;
mod statistics;

#[cfg(test)]
mod tests;

pub use deadline::{deadline, Deadline};
pub use error::WorkspaceError;
pub use fold::fold;
pub use handover::{allowed, decide, Allowed, Decision, HandOverRequest, Refusal, ONE_STOP_UNIT};
pub use queues::{
    department_of, list, Listing, Queue, QueueFilter, QueueItem, QueueRequest, PAGE_SIZE,
};
pub use row::{apply, is_pause};
pub use statistics::{buckets, statistics, Counts, Period, StatFilter, StatLine};

use crate::domain::working_time::{HolidayCalendar, WorkingRules, WorkingTime};
use crate::hub::{CursorId, Destination, Hub, WorkspaceRecords};
use crate::partners::SubscriptionFilter;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a page waits for the read model to catch up with what was
/// committed when it was asked for, before it shows what it has.
const CATCH_UP_WAIT: Duration = Duration::from_secs(5);

/// The workspace's read side, shared by the pages.
#[derive(Clone)]
pub struct Workspace {
    records: WorkspaceRecords,
    applied: watch::Receiver<u64>,
    committed: watch::Receiver<u64>,
    /// The `[calendar]` the deadlines are counted with.
    working_time: Arc<WorkingTime>,
}

/// The task that keeps the read model up to date; ends when the hub stops.
pub struct WorkspaceTask {
    task: JoinHandle<()>,
}

impl WorkspaceTask {
    pub async fn join(self) {
        let _ = self.task.await;
    }
}

/// The workspace's cursor holds retention back like a partner's, so the
/// events it has not applied yet stay in the outbox.
pub fn destination(partner_id: &str) -> Destination {
    Destination {
        cursor: CursorId::Workspace(partner_id.to_string()),
        filter: SubscriptionFilter::default(),
    }
}

/// Starts following the outbox for the module partner `partner_id` from
/// where the read model stands (from the start when it is empty);
/// deadlines are counted with `working_time` (the configuration's
/// `[calendar]`).
pub async fn start(
    hub: &Hub,
    partner_id: &str,
    working_time: Arc<WorkingTime>,
) -> Result<(Workspace, WorkspaceTask), WorkspaceError> {
    let partner = hub
        .partners()
        .get(partner_id)
        .cloned()
        .ok_or_else(|| WorkspaceError::UnknownPartner(partner_id.to_string()))?;
    let records = hub.workspace_records();
    let (reading, rights) = (records.clone(), partner.clone());
    let through =
        tokio::task::spawn_blocking(move || backfill::if_events_are_gone(&reading, &rights))
            .await
            .map_err(|e| WorkspaceError::Task(e.to_string()))??;
    let (applied_tx, applied) = watch::channel(through);
    let task = tokio::spawn(follow::run(
        hub.clone(),
        records.clone(),
        partner,
        through,
        applied_tx,
    ));
    Ok((
        Workspace {
            records,
            applied,
            committed: hub.committed(),
            working_time,
        },
        WorkspaceTask { task },
    ))
}

impl Workspace {
    pub fn records(&self) -> &WorkspaceRecords {
        &self.records
    }

    pub fn calendar(&self) -> &HolidayCalendar {
        self.working_time.calendar()
    }

    pub fn rules(&self) -> &WorkingRules {
        self.working_time.rules()
    }

    /// Every hand-over of a dossier inside its agency, oldest first: the
    /// lines the process-control sheet (Mẫu 05) adds to the history.
    pub fn hand_overs(
        &self,
        agency: &str,
        ma_ho_so: &str,
    ) -> Result<Vec<crate::domain::workspace::HandOver>, WorkspaceError> {
        Ok(self
            .records
            .assignment(agency, ma_ho_so)?
            .map(|a| a.lines)
            .unwrap_or_default())
    }

    /// The seq the read model has applied every event through.
    pub fn applied(&self) -> u64 {
        *self.applied.borrow()
    }

    /// Waits until the read model holds every event committed before this
    /// call (an officer sees what they, or a partner, just did), or until
    /// `CATCH_UP_WAIT` passes. True when caught up.
    pub async fn catch_up(&self) -> bool {
        let committed = *self.committed.borrow();
        self.catch_up_to(committed).await
    }

    /// Waits until the read model has applied `seq` (see `catch_up`).
    pub async fn catch_up_to(&self, seq: u64) -> bool {
        let mut applied = self.applied.clone();
        // The borrow `wait_for` answers with is not Send: drop it at once.
        let reached = async move { applied.wait_for(|through| *through >= seq).await.is_ok() };
        tokio::time::timeout(CATCH_UP_WAIT, reached)
            .await
            .unwrap_or(false)
    }
}
