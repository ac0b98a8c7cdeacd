//! The task that keeps the read model up to date: it follows the outbox
//! from the read model's own position, applies each batch of events to the
//! rows, stores the rows with the new position in one flushed batch, and
//! only then moves its cursor (which holds retention back) and tells the
//! pages how far it got.
//!
//! A failed write is retried from the stored position after a pause: the
//! follower is started afresh there, and applying is idempotent, so
//! nothing is lost or applied twice.

use super::row;
use crate::domain::workspace::DossierRow;
use crate::domain::{Event, EventPayload};
use crate::hub::{CursorId, Hub, HubError, WorkspaceRecords};
use crate::partners::{Partner, SubscriptionFilter};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Events read in one go.
const BATCH: usize = 512;
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub(super) async fn run(
    hub: Hub,
    records: WorkspaceRecords,
    partner: Arc<Partner>,
    mut through: u64,
    applied: watch::Sender<u64>,
) {
    let cursor = CursorId::Workspace(partner.id.clone());
    let saved = hub.cursor(&cursor).unwrap_or(0);
    let saver = hub.cursor_saver(cursor, saved);
    saver.advance(through);
    let mut follower = hub.follow(through, SubscriptionFilter::default());
    let kind = crate::metrics::DestinationKind::Workspace;
    let counted = hub.metrics().destination(kind, &partner.id);
    loop {
        let batch = match follower.next(BATCH).await {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "the workspace could not read the outbox; retrying");
                tokio::time::sleep(RETRY_AFTER).await;
                follower = hub.follow(through, SubscriptionFilter::default());
                continue;
            }
        };
        let (events, to) = (batch.events, batch.through);
        let count = events.len() as u64;
        let (writing, partner) = (records.clone(), partner.clone());
        let stored =
            tokio::task::spawn_blocking(move || store_batch(&writing, &partner, &events, to)).await;
        match stored {
            Ok(Ok(())) => {
                counted.delivered(count);
                through = to;
                saver.advance(through);
                applied.send_replace(through);
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, through, "the workspace could not store its rows; retrying");
                counted.retried();
                tokio::time::sleep(RETRY_AFTER).await;
                follower = hub.follow(through, SubscriptionFilter::default());
            }
            Err(e) => {
                tracing::error!(error = %e, "the workspace's writer failed; retrying");
                tokio::time::sleep(RETRY_AFTER).await;
                follower = hub.follow(through, SubscriptionFilter::default());
            }
        }
    }
    saver.finish().await;
}

/// Applies `events` (in seq order) to the stored rows and stores the
/// changed rows with the position `through`, in one batch.
fn store_batch(
    records: &WorkspaceRecords,
    partner: &Partner,
    events: &[Event],
    through: u64,
) -> Result<(), HubError> {
    let mut changed: HashMap<(String, String), DossierRow> = HashMap::new();
    for event in events {
        let EventPayload::DossierChanged { dossier, entry } = &event.payload else {
            continue;
        };
        // The module keeps only the agencies it may act for.
        if partner.check_agency(&dossier.agency_code).is_err() {
            continue;
        }
        let key = (dossier.agency_code.clone(), dossier.ma_ho_so.clone());
        let previous = match changed.get(&key) {
            Some(row) => Some(row.clone()),
            None => records.row(&key.0, &key.1)?,
        };
        if let Some(row) = row::apply(previous.as_ref(), dossier, entry) {
            changed.insert(key, row);
        }
    }
    let rows: Vec<DossierRow> = changed.into_values().collect();
    records.put_rows(&rows, through)
}
