//! The dossier state machine, as one table.
//!
//! `TRANSITIONS` is the whole of DOMAIN.md §1–2 in data: for each command, the
//! statuses it may be sent in, where it leads and which event it emits. A
//! pause (supplement requested, financial obligation requested) remembers the
//! status it interrupted, and the command that lifts it returns there. Nothing
//! else in the hub decides legality; `apply` looks the command up here and
//! then fills in the fields that command changes. Which provisions the table
//! follows, and what the texts in force since 2025 change, is in `legal`
//! (`legal::command_basis`, printed by `lienthong legal`).
//!
//! `forward` (liên thông, DOMAIN.md §2 step 6) keeps the status and changes
//! the agency: the dossier is being processed, only by another agency of the
//! procedure's sequence, so the portal's status vocabulary has nothing new to
//! say. It is allowed while the dossier is with an agency and not waiting for
//! the applicant: received (the one-stop unit hands it on to the competent
//! agency) or processing (an agency hands its part on
//! to the next). Not while paused for a supplement or a fee (the agency that
//! asked must receive the answer), nor stopped, finished or closed. Whether
//! the target is next in the sequence is a catalogue fact, checked by the
//! engine against the procedures catalogue.
//!
//! `record_partner_event` keeps the status and adds only a history line with
//! what a partner reported (`partner_event`). It is allowed in every status,
//! closed ones included: the post may collect papers before the agency
//! receives them, and still carries (or returns) papers of a refused,
//! withdrawn or returned dossier — a fact the slip must show whatever the
//! status.

use super::command::{Command, CommandName, NewDossier};
use super::status::Status::{self, *};
use super::{
    DomainError, Dossier, EventType, HistoryEntry, PartnerEvent, PartnerEventKind, Payment,
    Reschedule, Supplement, UnixMillis,
};

/// Where a command leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    To(Status),
    /// Enter this (paused) status and remember the current one.
    Pause(Status),
    /// Return to the status remembered by the pause.
    Resume,
    /// Status unchanged (the dossier still changes, e.g. a new due date).
    Unchanged,
}

#[derive(Clone, Copy, Debug)]
pub struct Transition {
    pub command: CommandName,
    pub from: &'static [Status],
    pub to: Target,
    pub event: EventType,
}

/// Submission creates the dossier; it has no "from" status.
pub const SUBMISSION: (Status, EventType) = (Submitted, EventType::DossierSubmitted);

const ACTIVE: &[Status] = &[
    Received,
    Processing,
    SupplementRequested,
    FinancialObligation,
];

#[rustfmt::skip]
pub const TRANSITIONS: &[Transition] = &[
    Transition { command: CommandName::Receive, from: &[Submitted], to: Target::To(Received), event: EventType::DossierReceived },
    Transition { command: CommandName::Refuse, from: &[Submitted], to: Target::To(Refused), event: EventType::DossierRefused },
    Transition { command: CommandName::RequestSupplement, from: &[Submitted, Processing], to: Target::Pause(SupplementRequested), event: EventType::SupplementRequested },
    Transition { command: CommandName::SubmitSupplement, from: &[SupplementRequested], to: Target::Resume, event: EventType::SupplementSubmitted },
    Transition { command: CommandName::StartProcessing, from: &[Received], to: Target::To(Processing), event: EventType::ProcessingStarted },
    Transition { command: CommandName::RequestFinancialObligation, from: &[Submitted, Received, Processing], to: Target::Pause(FinancialObligation), event: EventType::FinancialObligationRequested },
    Transition { command: CommandName::RecordPayment, from: &[FinancialObligation], to: Target::Resume, event: EventType::PaymentRecorded },
    Transition { command: CommandName::Stop, from: ACTIVE, to: Target::To(Stopped), event: EventType::ProcessingStopped },
    Transition { command: CommandName::Resume, from: &[Stopped], to: Target::To(Processing), event: EventType::ProcessingResumed },
    Transition { command: CommandName::Withdraw, from: &[Submitted, Received, Processing, SupplementRequested, FinancialObligation, Stopped], to: Target::To(Withdrawn), event: EventType::DossierWithdrawn },
    Transition { command: CommandName::Finish, from: &[Processing], to: Target::To(Finished), event: EventType::ProcessingFinished },
    Transition { command: CommandName::ReturnResult, from: &[Finished], to: Target::To(ResultReturned), event: EventType::ResultReturned },
    Transition { command: CommandName::Reschedule, from: ACTIVE, to: Target::Unchanged, event: EventType::DossierRescheduled },
    Transition { command: CommandName::Forward, from: &[Received, Processing], to: Target::Unchanged, event: EventType::DossierForwarded },
    Transition { command: CommandName::RecordPartnerEvent, from: &Status::ALL, to: Target::Unchanged, event: EventType::PartnerEventRecorded },
];

/// The table entry for `command` in `status`, or the refusal naming both.
pub fn transition(
    command: CommandName,
    status: Status,
) -> Result<&'static Transition, DomainError> {
    TRANSITIONS
        .iter()
        .find(|t| t.command == command && t.from.contains(&status))
        .ok_or(DomainError::IllegalTransition { command, status })
}

/// What an accepted command produced.
#[derive(Debug, Clone)]
pub struct Applied {
    pub dossier: Dossier,
    pub entry: HistoryEntry,
    pub event: EventType,
}

/// Who is acting and when, for the history line.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub partner_id: &'a str,
    pub actor: &'a str,
    pub unit: &'a str,
    pub now: UnixMillis,
}

/// Builds a new dossier from a validated submission. Identity (`id`,
/// `ma_ho_so`) is assigned by the caller, which owns the counters.
pub fn create(new: &NewDossier, id: u64, ma_ho_so: String, who: &Actor) -> Applied {
    let (status, event) = SUBMISSION;
    let mut dossier = Dossier {
        id,
        ma_ho_so,
        version: 1,
        agency_code: new.agency_code.clone(),
        procedure_code: new.procedure_code.clone(),
        procedure_name: new.procedure_name.clone(),
        sector_code: new.sector_code.clone(),
        channel: new.channel.unwrap_or(super::Channel::Online),
        owner_name: new.owner_name.clone(),
        applicant_type: new.applicant_type.unwrap_or(super::ApplicantType::Citizen),
        owner_id_number: new.owner_id_number.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        summary: new.summary.clone(),
        submitted_at: who.now,
        received_at: None,
        due_at: None,
        returned_at: None,
        finished_at: None,
        status,
        paused_from: None,
        result_delivery: new.result_delivery,
        result_address: new.result_address.clone(),
        applicant_address: new.applicant_address.clone(),
        processing_unit: String::new(),
        documents: new.documents.clone(),
        fees: new.fees.clone(),
        supplements: Vec::new(),
        results: Vec::new(),
        payments: Vec::new(),
        reschedules: Vec::new(),
        status_reason: String::new(),
        updated_at: who.now,
        submitted_by: who.partner_id.to_string(),
        history_bytes: 0,
        site: None,
    };
    let entry = history_entry(&dossier, CommandName::Submit, None, who, String::new());
    dossier.history_bytes = super::size::entry_bytes(&entry) as u64;
    Applied {
        dossier,
        entry,
        event,
    }
}

/// Applies a (validated) command to the current dossier.
pub fn apply(current: &Dossier, command: &Command, who: &Actor) -> Result<Applied, DomainError> {
    let name = command.name();
    let rule = transition(name, current.status)?;
    let mut next = current.clone();
    let reported = partner_event(command, who.now)?;
    let note = match &reported {
        Some((event, words)) => event.note(words),
        None => fill(&mut next, command, who.now)?,
    };
    next.status = match rule.to {
        Target::To(status) => status,
        Target::Pause(status) => {
            next.paused_from = Some(current.status);
            status
        }
        Target::Resume => next.paused_from.take().unwrap_or(Processing),
        Target::Unchanged => current.status,
    };
    next.version = current.version + 1;
    next.updated_at = who.now;
    let mut entry = history_entry(&next, name, Some(current.status), who, note);
    entry.partner_event = reported.map(|(event, _)| event);
    next.history_bytes = current.history_bytes + super::size::entry_bytes(&entry) as u64;
    Ok(Applied {
        dossier: next,
        entry,
        event: rule.event,
    })
}

fn history_entry(
    d: &Dossier,
    command: CommandName,
    from: Option<Status>,
    who: &Actor,
    note: String,
) -> HistoryEntry {
    HistoryEntry {
        version: d.version,
        at: who.now,
        partner_id: who.partner_id.to_string(),
        actor: who.actor.to_string(),
        unit: who.unit.to_string(),
        command: command.as_str().to_string(),
        from_status: from,
        to_status: d.status,
        note,
        partner_event: None,
    }
}

/// How far ahead of the hub's clock a partner's event time may be: clocks
/// drift, events do not come from the future.
pub const MAX_PARTNER_EVENT_AHEAD_MILLIS: i64 = 3600 * 1000;

/// A `record_partner_event`'s event and words, checked against `now`; none
/// for every other command.
fn partner_event(
    command: &Command,
    now: UnixMillis,
) -> Result<Option<(PartnerEvent, String)>, DomainError> {
    let Command::RecordPartnerEvent {
        kind,
        occurred_at,
        reference,
        note,
    } = command
    else {
        return Ok(None);
    };
    let kind = PartnerEventKind::parse(kind).ok_or_else(|| {
        DomainError::invalid(
            "record_partner_event.kind",
            format!(
                "must be one of {} (is {})",
                PartnerEventKind::names(),
                super::quoted(kind)
            ),
        )
    })?;
    let at = occurred_at
        .ok_or_else(|| DomainError::invalid("record_partner_event.occurred_at", "is required"))?;
    let latest = UnixMillis(now.0.saturating_add(MAX_PARTNER_EVENT_AHEAD_MILLIS));
    if at > latest {
        return Err(DomainError::invalid(
            "record_partner_event.occurred_at",
            format!(
                "must not be more than one hour ahead of the hub's clock (is {}, now is {})",
                at.portal_format(),
                now.portal_format()
            ),
        ));
    }
    let event = PartnerEvent {
        kind,
        occurred_at: at,
        reference: reference.clone(),
    };
    Ok(Some((event, note.clone())))
}

/// Changes the fields a command carries; returns the history note. Rules that
/// depend on the dossier (dates after the current due date) are checked here.
fn fill(d: &mut Dossier, command: &Command, now: UnixMillis) -> Result<String, DomainError> {
    Ok(match command {
        Command::Receive { due_at } => {
            let due = required_future(*due_at, "receive.due_at", now)?;
            d.received_at = Some(now);
            d.due_at = Some(due);
            String::new()
        }
        Command::Refuse { reason } | Command::Stop { reason } | Command::Withdraw { reason } => {
            d.status_reason = reason.clone();
            reason.clone()
        }
        Command::RequestSupplement { reason, items } => {
            d.supplements.push(Supplement {
                requested_at: now,
                reason: reason.clone(),
                items: items.clone(),
                old_due_at: d.due_at,
                submitted_at: None,
                documents: Vec::new(),
            });
            reason.clone()
        }
        Command::SubmitSupplement {
            documents,
            new_due_at,
        } => {
            if let Some(due) = new_due_at {
                d.due_at = Some(required_future(
                    Some(*due),
                    "submit_supplement.new_due_at",
                    now,
                )?);
            }
            if let Some(open) = d
                .supplements
                .iter_mut()
                .rev()
                .find(|s| s.submitted_at.is_none())
            {
                open.submitted_at = Some(now);
                open.documents = documents.clone();
            }
            d.documents.extend(documents.iter().cloned());
            String::new()
        }
        Command::StartProcessing { processing_unit } => {
            d.processing_unit = processing_unit.clone();
            processing_unit.clone()
        }
        Command::RequestFinancialObligation { fees, note } => {
            d.fees.extend(fees.iter().cloned());
            note.clone()
        }
        Command::RecordPayment {
            transaction_id,
            reference,
            amount_vnd,
            paid_at,
        } => {
            d.payments.push(Payment {
                transaction_id: transaction_id.clone(),
                reference: reference.clone(),
                amount_vnd: *amount_vnd,
                paid_at: paid_at.unwrap_or(now),
            });
            format!("payment {transaction_id}: {amount_vnd} VND")
        }
        Command::Resume { note } => note.clone(),
        Command::Finish { results } => {
            d.results = results.clone();
            d.finished_at = Some(now);
            String::new()
        }
        Command::ReturnResult { delivery } => {
            d.result_delivery = *delivery;
            d.returned_at = Some(now);
            String::new()
        }
        Command::Forward {
            to_agency_code,
            note,
        } => {
            let from = std::mem::replace(&mut d.agency_code, to_agency_code.clone());
            // The unit was the sender's; the receiving agency assigns its own.
            d.processing_unit.clear();
            // The line reads with the command's label ("Chuyển liên thông:
            // từ A đến B"), as the process-control slip shows it.
            let line = format!("từ {from} đến {to_agency_code}");
            if note.trim().is_empty() {
                line
            } else {
                format!("{line}: {note}")
            }
        }
        // Filled by `partner_event`: nothing of the dossier changes.
        Command::RecordPartnerEvent { note, .. } => note.clone(),
        Command::Reschedule {
            apology,
            new_due_at,
        } => {
            let new_due = required_future(*new_due_at, "reschedule.new_due_at", now)?;
            let Some(old) = d.due_at else {
                return Err(DomainError::invalid(
                    "reschedule",
                    "the dossier has no appointment date yet: it was never received",
                ));
            };
            if new_due <= old {
                return Err(DomainError::invalid(
                    "reschedule.new_due_at",
                    format!(
                        "must be later than the current appointment date ({})",
                        old.portal_format()
                    ),
                ));
            }
            d.reschedules.push(Reschedule {
                at: now,
                apology: apology.clone(),
                old_due_at: d.due_at,
                new_due_at: new_due,
            });
            d.due_at = Some(new_due);
            apology.clone()
        }
    })
}

/// How far ahead an appointment date may be: ten years (with their leap
/// days). Beyond it a date is a typo or an attack, never a procedure's term.
pub const MAX_APPOINTMENT_AHEAD_MILLIS: i64 = 3653 * 24 * 3600 * 1000;

/// An appointment date (ngày hẹn trả): required, in the future, and at most
/// ten years ahead.
fn required_future(
    at: Option<UnixMillis>,
    field: &str,
    now: UnixMillis,
) -> Result<UnixMillis, DomainError> {
    let at = at.ok_or_else(|| DomainError::invalid(field, "is required"))?;
    if at <= now {
        return Err(DomainError::invalid(
            field,
            format!("must be in the future (now is {})", now.portal_format()),
        ));
    }
    let latest = UnixMillis(now.0.saturating_add(MAX_APPOINTMENT_AHEAD_MILLIS));
    if at > latest {
        return Err(DomainError::invalid(
            field,
            format!(
                "must be at most 10 years ahead, by {} (now is {})",
                latest.portal_format(),
                now.portal_format()
            ),
        ));
    }
    Ok(at)
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
