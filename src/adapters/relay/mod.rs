//! The delivery relay: events to a partner through its adapter's sink, or
//! to one of the hub's own outlets (the notification channels).
//!
//! One relay per partner with an adapter. It follows the outbox (the hub's
//! `Follower`) from its own durable cursor (`CursorId::Adapter`), keeping
//! what the partner's filter matches, and hands each event to the lane of
//! its dossier. A lane delivers its dossier's events one at a time, in order;
//! lanes of different dossiers run side by side (up to `[delivery]
//! concurrency`). So a slow or failing
//! dossier never holds the others back, while each dossier stays in order.
//!
//! A failure worth retrying is retried with backoff up to `max_attempts`; a
//! refusal, or running out of attempts, parks the event with its reason — and
//! the dossier's later events park behind it, to keep order — until an
//! operator re-drives them. The cursor moves over an event once it is
//! accepted or parked, and never past one still in a lane.
//!
//! The relay reaches the hub's state only through hub methods: the
//! `Follower` to read, a `CursorSaver` for its cursor, and `DeliveryRecords`
//! for what it parks, delivers and counts.

mod lane;
mod outlet;

pub use outlet::{AdapterOutlet, Outlet};

use crate::domain::Event;
use crate::hub::{CursorId, CursorSaver, DeliveryRecords, Hub, HubError, ParkedDelivery};
use crate::partners::SubscriptionFilter;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Semaphore};

/// Events handed to lanes and not yet settled, at most, per partner: the
/// relay reads no further until some settle.
const MAX_OUTSTANDING: usize = 4096;
/// Settled events between two cursor saves while lanes are busy.
const CURSOR_EVERY: u64 = 256;

#[derive(Clone, Copy, Debug)]
pub struct RelaySettings {
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub concurrency: usize,
}

/// Asks a running relay to deliver parked events again.
pub struct RedriveRequest {
    pub seqs: Option<Vec<u64>>,
    /// Who approved it: named in the audit entry of the re-drive.
    pub operator: String,
    pub answer: oneshot::Sender<Result<usize, HubError>>,
}

/// A handle on one partner's relay.
#[derive(Clone)]
pub struct RelayHandle {
    redrive: mpsc::Sender<RedriveRequest>,
}

impl RelayHandle {
    /// Re-drives parked events (all when `seqs` is None); returns how many.
    pub async fn redrive(&self, operator: &str, seqs: Option<Vec<u64>>) -> Result<usize, HubError> {
        let (answer, result) = oneshot::channel();
        let stopped = || HubError::Unavailable {
            what: "the delivery relay".into(),
            reason: "it is stopping".into(),
        };
        self.redrive
            .send(RedriveRequest {
                seqs,
                operator: operator.to_string(),
                answer,
            })
            .await
            .map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}

/// What a lane reports for an event.
pub(crate) struct Settled {
    seq: u64,
    dossier_id: u64,
    parked: bool,
    /// A re-driven event: it is behind the cursor already.
    redriven: bool,
}

pub struct Relay {
    pub partner: String,
    pub filter: SubscriptionFilter,
    pub outlet: Arc<dyn Outlet>,
    pub hub: Hub,
    pub settings: RelaySettings,
}

impl Relay {
    pub fn start(self) -> (RelayHandle, tokio::task::JoinHandle<()>) {
        let (redrive, requests) = mpsc::channel(8);
        let task = tokio::spawn(async move {
            let partner = self.partner.clone();
            if let Err(e) = self.run(requests).await {
                tracing::error!(partner = %partner, error = %e, "delivery relay stopped on a storage error");
            }
        });
        (RelayHandle { redrive }, task)
    }

    async fn run(self, requests: mpsc::Receiver<RedriveRequest>) -> Result<(), HubError> {
        let id = CursorId::Adapter(self.partner.clone());
        let start = self.hub.cursor(&id)?;
        let cursor = self.hub.cursor_saver(id, start);
        let result = self.relay(start, &cursor, requests).await;
        cursor.finish().await;
        result
    }

    async fn relay(
        &self,
        start: u64,
        cursor: &CursorSaver,
        mut requests: mpsc::Receiver<RedriveRequest>,
    ) -> Result<(), HubError> {
        let records = self.hub.delivery_records(&self.partner);
        let mut outbox = self.hub.follow(start, self.filter.clone());
        let mut stopping = self.hub.stopping();
        // Events in a lane for the first time (re-driven ones are behind the
        // cursor already): the cursor stays below the oldest of them.
        let mut in_lanes: BTreeSet<u64> = BTreeSet::new();
        let mut saved = start;
        let mut blocked: HashSet<u64> = records.parked_dossiers()?;
        let mut lanes: HashMap<u64, (mpsc::UnboundedSender<lane::Work>, usize)> = HashMap::new();
        let (settle_tx, mut settle_rx) = mpsc::unbounded_channel::<Settled>();
        let permits = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        // Notification channels (`notify.email`, …) are relays too.
        let kind = if self.partner.starts_with("notify.") {
            crate::metrics::DestinationKind::Notification
        } else {
            crate::metrics::DestinationKind::Adapter
        };
        let context = Arc::new(lane::LaneContext {
            counted: self.hub.metrics().destination(kind, &self.partner),
            partner: self.partner.clone(),
            outlet: self.outlet.clone(),
            records,
            settings: self.settings,
            permits,
            stopping: stopping.clone(),
            settled: settle_tx,
        });
        tracing::info!(partner = %self.partner, from_seq = start + 1, "delivery relay started");
        loop {
            let settled = in_lanes
                .first()
                .map_or(outbox.position(), |oldest| oldest - 1);
            if settled >= saved + CURSOR_EVERY || (settled > saved && lanes.is_empty()) {
                cursor.advance(settled);
                saved = settled;
            }
            let room = MAX_OUTSTANDING.saturating_sub(in_lanes.len());
            tokio::select! {
                batch = outbox.next(room), if room > 0 => {
                    let Some(batch) = batch? else { break };
                    for event in batch.events {
                        if blocked.contains(&event.dossier_id) && !lanes.contains_key(&event.dossier_id) {
                            let behind = format!(
                                "waiting behind an earlier parked event of dossier {}",
                                event.ma_ho_so
                            );
                            park_behind(&context.records, event, behind)?;
                        } else {
                            in_lanes.insert(event.seq);
                            dispatch(&mut lanes, &context, lane::Work { event, redriven: false });
                        }
                    }
                }
                Some(done) = settle_rx.recv() => {
                    let mut next = Some(done);
                    while let Some(done) = next.take() {
                        if done.parked {
                            blocked.insert(done.dossier_id);
                        }
                        if !done.redriven {
                            in_lanes.remove(&done.seq);
                        }
                        if let Some((_, pending)) = lanes.get_mut(&done.dossier_id) {
                            *pending -= 1;
                            if *pending == 0 {
                                lanes.remove(&done.dossier_id);
                            }
                        }
                        next = settle_rx.try_recv().ok();
                    }
                }
                Some(request) = requests.recv() => {
                    let result = self.redrive(&request.operator, request.seqs.as_deref(), &mut blocked, &mut lanes, &context);
                    let _ = request.answer.send(result);
                }
                _ = stopping.changed() => break,
            }
        }
        let settled = in_lanes
            .first()
            .map_or(outbox.position(), |oldest| oldest - 1);
        cursor.advance(settled);
        tracing::info!(partner = %self.partner, cursor = settled, "delivery relay stopped");
        Ok(())
    }

    fn redrive(
        &self,
        operator: &str,
        seqs: Option<&[u64]>,
        blocked: &mut HashSet<u64>,
        lanes: &mut HashMap<u64, (mpsc::UnboundedSender<lane::Work>, usize)>,
        context: &Arc<lane::LaneContext>,
    ) -> Result<usize, HubError> {
        let taken = context.records.take_parked(operator, seqs)?;
        let still_parked = context.records.parked_dossiers()?;
        blocked.retain(|d| still_parked.contains(d));
        for parked in &taken {
            dispatch(
                lanes,
                context,
                lane::Work {
                    event: parked.event.clone(),
                    redriven: true,
                },
            );
        }
        tracing::info!(partner = %self.partner, count = taken.len(), "parked deliveries re-driven");
        Ok(taken.len())
    }
}

/// Parks an event of a dossier that has a parked one already, without
/// trying it: order within a dossier comes first.
fn park_behind(records: &DeliveryRecords, event: Event, reason: String) -> Result<(), HubError> {
    tracing::warn!(partner = %records.partner(), seq = event.seq, dossier = %event.ma_ho_so, reason = %reason, "delivery parked");
    records.park(&ParkedDelivery {
        event,
        reason,
        attempts: 0,
        parked_at: crate::domain::UnixMillis::now(),
    })
}

fn dispatch(
    lanes: &mut HashMap<u64, (mpsc::UnboundedSender<lane::Work>, usize)>,
    context: &Arc<lane::LaneContext>,
    work: lane::Work,
) {
    let dossier = work.event.dossier_id;
    let (sender, pending) = lanes
        .entry(dossier)
        .or_insert_with(|| (lane::spawn(context.clone()), 0));
    *pending += 1;
    // The lane task lives as long as its sender; it cannot be gone here.
    let _ = sender.send(work);
}
