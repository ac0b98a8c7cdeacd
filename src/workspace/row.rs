//! One dossier's row of the read model, moved on by one of its events.
//!
//! Every event carries the whole dossier after the change and the history
//! line of the change, so a row is the dossier's searchable and countable
//! fields plus the times only the history tells: when processing finished,
//! when the dossier was refused or withdrawn, when its current pause began.
//! The time of each is the event's own (`entry.at`). Applying is
//! idempotent: an event older than the row (a replay) changes nothing.

use crate::domain::workspace::DossierRow;
use crate::domain::{CommandName, Dossier, HistoryEntry, Status};

/// Statuses in which the dossier waits on someone else (supplement, fee) or
/// was stopped: its clock does not run.
pub fn is_pause(status: Status) -> bool {
    matches!(
        status,
        Status::SupplementRequested | Status::FinancialObligation | Status::Stopped
    )
}

/// The row after `entry`, or `None` when the row already holds this
/// version or a newer one.
pub fn apply(
    previous: Option<&DossierRow>,
    dossier: &Dossier,
    entry: &HistoryEntry,
) -> Option<DossierRow> {
    if previous.is_some_and(|row| row.version >= dossier.version) {
        return None;
    }
    let at = entry.at;
    let entered = |status: Status| entry.to_status == status && entry.from_status != Some(status);
    let kept =
        |field: fn(&DossierRow) -> Option<crate::domain::UnixMillis>| previous.and_then(field);
    let finished_at = if entered(Status::Finished) {
        Some(at)
    } else {
        kept(|r| r.finished_at)
    };
    let closed_at = if entered(Status::Refused) || entered(Status::Withdrawn) {
        Some(at)
    } else {
        kept(|r| r.closed_at)
    };
    let was_paused = entry.from_status.is_some_and(is_pause);
    let (paused_since, overdue_when_paused) = if !is_pause(dossier.status) {
        (None, false)
    } else if was_paused && previous.is_some_and(|r| r.paused_since.is_some()) {
        // A pause inside a pause (stopped while waiting for a fee) keeps
        // the first start.
        let row = previous.expect("checked above");
        (row.paused_since, row.overdue_when_paused)
    } else {
        (Some(at), dossier.due_at.is_some_and(|due| due < at))
    };
    Some(DossierRow {
        ma_ho_so: dossier.ma_ho_so.clone(),
        dossier_id: dossier.id,
        version: dossier.version,
        agency_code: dossier.agency_code.clone(),
        procedure_code: dossier.procedure_code.clone(),
        procedure_name: dossier.procedure_name.clone(),
        channel: dossier.channel,
        owner_name: dossier.owner_name.clone(),
        owner_id_number: dossier.owner_id_number.clone(),
        status: dossier.status,
        submitted_at: dossier.submitted_at,
        received_at: dossier.received_at,
        due_at: dossier.due_at,
        finished_at,
        returned_at: dossier.returned_at,
        closed_at,
        paused_since,
        overdue_when_paused,
        rescheduled: previous.is_some_and(|r| r.rescheduled)
            || entry.command == CommandName::Reschedule.as_str(),
        processing_unit: dossier.processing_unit.clone(),
        updated_at: dossier.updated_at,
    })
}

/// The row of a dossier read whole from the store (the dossier as it is
/// now and its history), as the events would have built it: each history
/// line applied in order to the dossier at that line's version and status.
/// Fields only the dossier carries (the appointment date, the unit) are
/// the current ones, which is what the last event would have left.
pub fn from_history(dossier: &Dossier, history: &[HistoryEntry]) -> Option<DossierRow> {
    let mut row: Option<DossierRow> = None;
    for entry in history {
        let mut then = dossier.clone();
        then.version = entry.version;
        then.status = entry.to_status;
        if let Some(next) = apply(row.as_ref(), &then, entry) {
            row = Some(next);
        }
    }
    row
}
