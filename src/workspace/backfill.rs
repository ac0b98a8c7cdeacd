//! Rebuilding the read model from the dossiers themselves when the events
//! it never applied are gone.
//!
//! The workspace's cursor holds retention back, so in normal running every
//! event the read model has not applied is still in the outbox. But a read
//! model that was lost (its trees dropped, restored from an older backup)
//! after retention removed delivered events cannot be caught up from the
//! event stream alone: the rows of dossiers whose events are gone would be
//! missing from every queue and statistic. At start, when the first event
//! the read model needs is no longer retained, every dossier the module may
//! act for is read with its history and its row rebuilt
//! (`row::from_history`); the read model then stands just before the
//! oldest retained event, which the follower applies as usual (applying is
//! idempotent by version, so an event older than a rebuilt row changes
//! nothing). Pages are stored as they are read with the old position, and
//! the new position only at the end, so a crash in the middle starts the
//! rebuild again.

use super::row;
use crate::domain::workspace::DossierRow;
use crate::hub::{HubError, WorkspaceRecords};
use crate::partners::Partner;

/// Dossiers read (with their histories) per stored page.
const PAGE: usize = 256;

/// Rebuilds the rows when events the read model needs are gone; answers
/// the position the follower starts after.
pub(super) fn if_events_are_gone(
    records: &WorkspaceRecords,
    partner: &Partner,
) -> Result<u64, HubError> {
    let through = records.through()?;
    let (oldest, last) = records.retained_events()?;
    let position = match oldest {
        Some(oldest) if oldest > through + 1 => oldest - 1,
        None if last > through => last,
        _ => return Ok(through),
    };
    tracing::warn!(
        through,
        position,
        "the workspace's read model needs events retention has removed; rebuilding its rows from the dossiers"
    );
    let (mut after, mut rebuilt) = (0, 0usize);
    loop {
        let page = records.dossiers_with_history(after, PAGE)?;
        let Some((last_read, _)) = page.last() else {
            break;
        };
        after = last_read.id;
        let rows: Vec<DossierRow> = page
            .iter()
            .filter(|(d, _)| partner.check_agency(&d.agency_code).is_ok())
            .filter_map(|(d, history)| row::from_history(d, history))
            .collect();
        rebuilt += rows.len();
        records.put_rows(&rows, through)?;
    }
    records.put_rows(&[], position)?;
    tracing::info!(
        rows = rebuilt,
        position,
        "the workspace's read model was rebuilt from the dossiers"
    );
    Ok(position)
}
