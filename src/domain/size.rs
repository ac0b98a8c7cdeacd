//! How many bytes a dossier takes when the hub sends it, bounded from above,
//! and the rule that keeps every dossier sendable.
//!
//! Everything the hub must send about a dossier — the `GetDossier` answer
//! (the dossier and its whole history), each event (the dossier and one
//! history line) and each command's answer — has to fit in one message
//! (`hub.max_message_bytes`). A dossier only grows (documents, supplements,
//! fees, payments, reschedules, history lines), so the engine refuses the
//! command that would take it past `hub.max_dossier_bytes`, before anything
//! is written: a dossier accepted is a dossier that can always be read and
//! delivered. The sizes here are counted on the core types (this crate
//! knows no protobuf) as an upper bound of the protobuf encoding: every
//! field is charged its text plus a generous 12 bytes of tag and length, and
//! `wire`'s tests check the bound against the real encoding.

use super::{
    Action, Command, Document, DomainError, Dossier, Fee, HistoryEntry, Payment, Reschedule,
    ResultDocument, Supplement,
};

/// Tag and length (or a whole varint) of one field, at most.
const FIELD: usize = 12;
/// A timestamp: its own tag and length, seconds and nanos.
const TIMESTAMP: usize = 3 * FIELD;

fn text(s: &str) -> usize {
    FIELD + s.len()
}

fn document(d: &Document) -> usize {
    FIELD + text(&d.component_code) + text(&d.name) + text(&d.url)
}

fn result(r: &ResultDocument) -> usize {
    FIELD + text(&r.code) + text(&r.name) + text(&r.url)
}

fn fee(f: &Fee) -> usize {
    2 * FIELD + text(&f.code) + text(&f.name)
}

fn supplement(s: &Supplement) -> usize {
    FIELD
        + 3 * TIMESTAMP
        + text(&s.reason)
        + s.items.iter().map(|i| text(i)).sum::<usize>()
        + s.documents.iter().map(document).sum::<usize>()
}

fn payment(p: &Payment) -> usize {
    2 * FIELD + TIMESTAMP + text(&p.transaction_id) + text(&p.reference)
}

fn address(a: &super::PostalAddress) -> usize {
    FIELD
        + [
            &a.province_code,
            &a.commune_code,
            &a.street,
            &a.phone,
            &a.district_code,
        ]
        .iter()
        .map(|t| text(t))
        .sum::<usize>()
}

fn reschedule(r: &Reschedule) -> usize {
    FIELD + 3 * TIMESTAMP + text(&r.apology)
}

/// The dossier alone, as one message or one element of a list.
pub fn dossier_bytes(d: &Dossier) -> usize {
    let texts = [
        &d.ma_ho_so,
        &d.agency_code,
        &d.procedure_code,
        &d.procedure_name,
        &d.sector_code,
        &d.owner_name,
        &d.owner_id_number,
        &d.email,
        &d.phone,
        &d.summary,
        &d.result_address,
        &d.processing_unit,
        &d.status_reason,
        &d.submitted_by,
    ];
    // Its own tag and length, six numbers and enums, six timestamps.
    FIELD
        + 6 * FIELD
        + 6 * TIMESTAMP
        + texts.iter().map(|t| text(t)).sum::<usize>()
        + d.applicant_address.as_ref().map_or(0, address)
        + d.site.as_ref().map_or(0, |h| {
            FIELD
                + text(&h.authority)
                + text(&h.origin)
                + h.copies.iter().map(|c| text(c)).sum::<usize>()
        })
        + d.documents.iter().map(document).sum::<usize>()
        + d.fees.iter().map(fee).sum::<usize>()
        + d.supplements.iter().map(supplement).sum::<usize>()
        + d.results.iter().map(result).sum::<usize>()
        + d.payments.iter().map(payment).sum::<usize>()
        + d.reschedules.iter().map(reschedule).sum::<usize>()
}

/// One history line, as one element of a list.
pub fn entry_bytes(e: &HistoryEntry) -> usize {
    // Its own tag and length, the version and two statuses, the time.
    FIELD
        + 3 * FIELD
        + TIMESTAMP
        + text(&e.partner_id)
        + text(&e.actor)
        + text(&e.unit)
        + text(&e.command)
        + text(&e.note)
        + e.partner_event.as_ref().map_or(0, |p| {
            FIELD + text(p.kind.as_str()) + TIMESTAMP + text(&p.reference)
        })
}

/// The dossier with its whole history: what `GetDossier` sends, and more
/// than any event or command answer about it carries.
pub fn total_bytes(d: &Dossier) -> usize {
    dossier_bytes(d).saturating_add(d.history_bytes as usize)
}

/// Refuses `next` (the dossier as a command would leave it) when it would
/// be larger than `limit`, naming the field of `action` that makes it grow,
/// the size it would reach, the limit and the size it has now (`before`, 0
/// for a submission).
pub fn check(
    action: &Action,
    before: usize,
    next: &Dossier,
    limit: usize,
) -> Result<(), DomainError> {
    let after = total_bytes(next);
    if after <= limit {
        return Ok(());
    }
    Err(DomainError::invalid(
        grown_by(action),
        format!(
            "would make the dossier {after} bytes with its history, over the limit of \
             {limit} bytes (hub.max_dossier_bytes); it is now {before} bytes"
        ),
    ))
}

/// The field a refused growth is laid at: what the command adds.
fn grown_by(action: &Action) -> &'static str {
    match action {
        Action::Submit(_) => "submit",
        Action::OnDossier { command, .. } => match command {
            Command::SubmitSupplement { .. } => "submit_supplement.documents",
            Command::RequestSupplement { .. } => "request_supplement.items",
            Command::RequestFinancialObligation { .. } => "request_financial_obligation.fees",
            Command::Finish { .. } => "finish.results",
            Command::RecordPayment { .. } => "record_payment",
            Command::Reschedule { .. } => "reschedule.apology",
            other => other.name().as_str(),
        },
    }
}
