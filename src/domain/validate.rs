//! Field-by-field validation of a command, before it reaches the writer.
//!
//! Every rule names the field by its path in the public contract
//! (`submit.documents[2].url`), so a partner can fix the request without
//! reading our code. Validation is pure: it never looks at stored state.

use super::codes::{check_code, parse_ma_ho_so};
use super::command::{Action, Command, CommandEnvelope, DossierRef, NewDossier};
use super::{quoted, Document, DomainError, Fee, PartnerEventKind, ResultDocument};

pub const MAX_KEY_LEN: usize = 128;
pub const MAX_NAME_LEN: usize = 300;
pub const MAX_TEXT_LEN: usize = 4000;
pub const MAX_URL_LEN: usize = 2048;
/// A postal address for the result (DiaChiNhanKetQua).
pub const MAX_ADDRESS_LEN: usize = 1000;
pub const MAX_ITEMS: usize = 200;

pub fn envelope(env: &CommandEnvelope) -> Result<(), DomainError> {
    idempotency_key(&env.idempotency_key)?;
    text("actor", &env.actor, MAX_NAME_LEN)?;
    text("unit", &env.unit, MAX_NAME_LEN)?;
    match &env.action {
        Action::Submit(new) => submission(new),
        Action::OnDossier {
            dossier,
            command: c,
        } => {
            reference(dossier)?;
            command(c)
        }
    }
}

/// The idempotency key of any request that writes (a command, a catalogue
/// publication), whatever carried it: required, and a key (`key`).
pub fn idempotency_key(value: &str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::invalid("idempotency_key", "is required"));
    }
    key("idempotency_key", value)
}

/// A key a partner chooses (an idempotency key, a catalogue attribute's
/// name): at most 128 bytes, no control characters at all. A key that breaks
/// the rule is quoted short (`quoted`), never echoed whole.
pub fn key(field: &str, value: &str) -> Result<(), DomainError> {
    if value.len() > MAX_KEY_LEN || value.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            format!(
                "must be at most {MAX_KEY_LEN} bytes of printable characters (has {} bytes: {})",
                value.len(),
                quoted(value)
            ),
        ));
    }
    Ok(())
}

/// A dossier reference as a partner sent it, on any read or command path.
pub fn reference(dossier: &DossierRef) -> Result<(), DomainError> {
    match dossier {
        DossierRef::MaHoSo(code) => parse_ma_ho_so("dossier.ma_ho_so", code).map(drop),
        DossierRef::Id(0) => Err(DomainError::invalid("dossier.id", "must not be 0")),
        DossierRef::Id(_) => Ok(()),
    }
}

fn command(cmd: &Command) -> Result<(), DomainError> {
    match cmd {
        Command::Receive { .. } => Ok(()),
        Command::Refuse { reason } => required_text("refuse.reason", reason, MAX_TEXT_LEN),
        Command::RequestSupplement { reason, items } => {
            required_text("request_supplement.reason", reason, MAX_TEXT_LEN)?;
            if items.is_empty() {
                return Err(DomainError::invalid(
                    "request_supplement.items",
                    "must list at least one item to add (one request lists everything)",
                ));
            }
            bounded_list("request_supplement.items", items.len())?;
            for (i, item) in items.iter().enumerate() {
                required_text(
                    &format!("request_supplement.items[{i}]"),
                    item,
                    MAX_NAME_LEN,
                )?;
            }
            Ok(())
        }
        Command::SubmitSupplement { documents, .. } => {
            if documents.is_empty() {
                return Err(DomainError::invalid(
                    "submit_supplement.documents",
                    "must hold at least one document",
                ));
            }
            documents_ok("submit_supplement.documents", documents)
        }
        Command::StartProcessing { processing_unit } => required_text(
            "start_processing.processing_unit",
            processing_unit,
            MAX_NAME_LEN,
        ),
        Command::RequestFinancialObligation { fees, note } => {
            if fees.is_empty() {
                return Err(DomainError::invalid(
                    "request_financial_obligation.fees",
                    "must hold at least one fee",
                ));
            }
            fees_ok("request_financial_obligation.fees", fees)?;
            text("request_financial_obligation.note", note, MAX_TEXT_LEN)
        }
        Command::RecordPayment {
            transaction_id,
            reference,
            amount_vnd,
            ..
        } => {
            required_text(
                "record_payment.transaction_id",
                transaction_id,
                MAX_NAME_LEN,
            )?;
            text("record_payment.reference", reference, MAX_NAME_LEN)?;
            if *amount_vnd <= 0 {
                return Err(DomainError::invalid(
                    "record_payment.amount_vnd",
                    "must be positive",
                ));
            }
            Ok(())
        }
        Command::Stop { reason } => required_text("stop.reason", reason, MAX_TEXT_LEN),
        Command::Resume { note } => text("resume.note", note, MAX_TEXT_LEN),
        Command::Withdraw { reason } => required_text("withdraw.reason", reason, MAX_TEXT_LEN),
        Command::Finish { results } => {
            if results.is_empty() {
                return Err(DomainError::invalid(
                    "finish.results",
                    "must hold at least one result document",
                ));
            }
            results_ok("finish.results", results)
        }
        Command::ReturnResult { delivery } => match delivery {
            None => Err(DomainError::invalid(
                "return_result.delivery",
                "is required (at_counter, by_post or electronic)",
            )),
            Some(_) => Ok(()),
        },
        Command::Reschedule { apology, .. } => {
            required_text("reschedule.apology", apology, MAX_TEXT_LEN)
        }
        Command::Forward {
            to_agency_code,
            note,
        } => {
            check_code("forward.to_agency_code", to_agency_code)?;
            text("forward.note", note, MAX_TEXT_LEN)
        }
        // The time is checked by the machine (`partner_event`), which knows
        // the hub's clock.
        Command::RecordPartnerEvent {
            kind,
            reference,
            note,
            ..
        } => {
            required_text("record_partner_event.kind", kind, MAX_NAME_LEN)?;
            if PartnerEventKind::parse(kind).is_none() {
                return Err(DomainError::invalid(
                    "record_partner_event.kind",
                    format!(
                        "must be one of {} (is {})",
                        PartnerEventKind::names(),
                        quoted(kind)
                    ),
                ));
            }
            required_text("record_partner_event.reference", reference, MAX_NAME_LEN)?;
            text("record_partner_event.note", note, MAX_TEXT_LEN)
        }
    }
}

fn submission(new: &NewDossier) -> Result<(), DomainError> {
    check_code("submit.agency_code", &new.agency_code)?;
    check_code("submit.procedure_code", &new.procedure_code)?;
    text("submit.procedure_name", &new.procedure_name, MAX_NAME_LEN)?;
    if !new.sector_code.is_empty() {
        check_code("submit.sector_code", &new.sector_code)?;
    }
    if new.channel.is_none() {
        return Err(DomainError::invalid(
            "submit.channel",
            "is required (COUNTER, ONLINE or POSTAL)",
        ));
    }
    if new.applicant_type.is_none() {
        return Err(DomainError::invalid(
            "submit.applicant_type",
            "is required (CITIZEN, ENTERPRISE, STATE_AGENCY or OTHER)",
        ));
    }
    required_text("submit.owner_name", &new.owner_name, MAX_NAME_LEN)?;
    text("submit.owner_id_number", &new.owner_id_number, 32)?;
    if !new.email.is_empty() {
        let well_formed = new.email.len() <= 254
            && new
                .email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        if !well_formed {
            return Err(DomainError::invalid(
                "submit.email",
                "is not an e-mail address",
            ));
        }
    }
    if !new.phone.is_empty() {
        let digits = new.phone.strip_prefix('+').unwrap_or(&new.phone);
        if digits.len() < 8 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::invalid(
                "submit.phone",
                "must be 8 to 15 digits, optionally after +",
            ));
        }
    }
    text("submit.summary", &new.summary, MAX_TEXT_LEN)?;
    text(
        "submit.result_address",
        &new.result_address,
        MAX_ADDRESS_LEN,
    )?;
    if let Some(address) = &new.applicant_address {
        address.check("submit.applicant_address")?;
    }
    documents_ok("submit.documents", &new.documents)?;
    fees_ok("submit.fees", &new.fees)?;
    if !new.ma_ho_so.is_empty() {
        let parsed = parse_ma_ho_so("submit.ma_ho_so", &new.ma_ho_so)?;
        if parsed.agency_code != new.agency_code {
            return Err(DomainError::invalid(
                "submit.ma_ho_so",
                format!(
                    "must start with the agency code {}",
                    quoted(&new.agency_code)
                ),
            ));
        }
    }
    Ok(())
}

fn documents_ok(field: &str, docs: &[Document]) -> Result<(), DomainError> {
    bounded_list(field, docs.len())?;
    for (i, doc) in docs.iter().enumerate() {
        text(
            &format!("{field}[{i}].component_code"),
            &doc.component_code,
            MAX_NAME_LEN,
        )?;
        required_text(&format!("{field}[{i}].name"), &doc.name, MAX_NAME_LEN)?;
        url(&format!("{field}[{i}].url"), &doc.url)?;
    }
    Ok(())
}

fn results_ok(field: &str, results: &[ResultDocument]) -> Result<(), DomainError> {
    bounded_list(field, results.len())?;
    for (i, doc) in results.iter().enumerate() {
        text(&format!("{field}[{i}].code"), &doc.code, MAX_NAME_LEN)?;
        required_text(&format!("{field}[{i}].name"), &doc.name, MAX_NAME_LEN)?;
        url(&format!("{field}[{i}].url"), &doc.url)?;
    }
    Ok(())
}

fn fees_ok(field: &str, fees: &[Fee]) -> Result<(), DomainError> {
    bounded_list(field, fees.len())?;
    for (i, fee) in fees.iter().enumerate() {
        required_text(&format!("{field}[{i}].code"), &fee.code, MAX_NAME_LEN)?;
        text(&format!("{field}[{i}].name"), &fee.name, MAX_NAME_LEN)?;
        if fee.amount_vnd < 0 {
            return Err(DomainError::invalid(
                format!("{field}[{i}].amount_vnd"),
                "must not be negative",
            ));
        }
    }
    Ok(())
}

fn bounded_list(field: &str, len: usize) -> Result<(), DomainError> {
    if len > MAX_ITEMS {
        return Err(DomainError::invalid(
            field,
            format!("must hold at most {MAX_ITEMS} items (has {len})"),
        ));
    }
    Ok(())
}

fn url(field: &str, value: &str) -> Result<(), DomainError> {
    text(field, value, MAX_URL_LEN)?;
    if !(value.is_empty() || value.starts_with("https://") || value.starts_with("http://")) {
        return Err(DomainError::invalid(field, "must be an http(s) URL"));
    }
    Ok(())
}

fn required_text(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    text(field, value, max)
}

/// Optional text: bounded, no control characters other than line breaks.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.len() > max {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {max} bytes (has {})", value.len()),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
