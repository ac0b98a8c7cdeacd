//! `lienthong.v1` messages → core types. Every decoding problem (a missing
//! oneof, an enum value out of range, a timestamp out of range) is an
//! INVALID_ARGUMENT that names the field.

use crate::domain::catalog::{CatalogEntry, Publication};
use crate::domain::{
    Action, ApplicantType, Channel, Command, CommandEnvelope, Document, DomainError, DossierRef,
    Fee, NewDossier, PostalAddress, ResultDelivery, ResultDocument, Status, UnixMillis,
};
use crate::wire::pb;

type Result<T> = std::result::Result<T, DomainError>;

/// The seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range
/// of `google.protobuf.Timestamp`. A date outside it is refused, since stock
/// clients cannot read a dossier that carries one.
const TIMESTAMP_SECONDS: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;

pub fn timestamp(field: &str, t: &prost_types::Timestamp) -> Result<UnixMillis> {
    if !(0..1_000_000_000).contains(&t.nanos) {
        return Err(DomainError::invalid(
            field,
            format!(
                "is not a valid timestamp (nanos {} is not 0 to 999999999)",
                t.nanos
            ),
        ));
    }
    if !TIMESTAMP_SECONDS.contains(&t.seconds) {
        return Err(DomainError::invalid(
            field,
            format!(
                "is outside the protobuf Timestamp range 0001-01-01T00:00:00Z to \
                 9999-12-31T23:59:59Z (seconds {})",
                t.seconds
            ),
        ));
    }
    Ok(UnixMillis(
        t.seconds * 1000 + i64::from(t.nanos / 1_000_000),
    ))
}

pub fn opt_timestamp(
    field: &str,
    t: &Option<prost_types::Timestamp>,
) -> Result<Option<UnixMillis>> {
    t.as_ref().map(|t| timestamp(field, t)).transpose()
}

pub fn status(field: &str, code: i32) -> Result<Option<Status>> {
    if code == 0 {
        return Ok(None);
    }
    u8::try_from(code)
        .ok()
        .and_then(Status::from_code)
        .map(Some)
        .ok_or_else(|| {
            DomainError::invalid(field, format!("{code} is not a dossier status (1 to 10)"))
        })
}

/// The proto enum `value` stands for, or an error naming `field` and what
/// the value should have been (`what`).
fn known<E: TryFrom<i32>>(field: &str, value: i32, what: &str) -> Result<E> {
    E::try_from(value).map_err(|_| DomainError::invalid(field, format!("{value} is not {what}")))
}

fn channel(field: &str, value: i32) -> Result<Option<Channel>> {
    Ok(match known(field, value, "a submission channel")? {
        pb::SubmissionChannel::Unspecified => None,
        pb::SubmissionChannel::Counter => Some(Channel::Counter),
        pb::SubmissionChannel::Online => Some(Channel::Online),
        pb::SubmissionChannel::Postal => Some(Channel::Postal),
    })
}

fn applicant_type(field: &str, value: i32) -> Result<Option<ApplicantType>> {
    Ok(match known(field, value, "an applicant type")? {
        pb::ApplicantType::Unspecified => None,
        pb::ApplicantType::Citizen => Some(ApplicantType::Citizen),
        pb::ApplicantType::Enterprise => Some(ApplicantType::Enterprise),
        pb::ApplicantType::StateAgency => Some(ApplicantType::StateAgency),
        pb::ApplicantType::Other => Some(ApplicantType::Other),
    })
}

fn delivery(field: &str, value: i32) -> Result<Option<ResultDelivery>> {
    Ok(match known(field, value, "a result delivery")? {
        pb::ResultDelivery::Unspecified => None,
        pb::ResultDelivery::AtCounter => Some(ResultDelivery::AtCounter),
        pb::ResultDelivery::ByPost => Some(ResultDelivery::ByPost),
        pb::ResultDelivery::Electronic => Some(ResultDelivery::Electronic),
    })
}

fn documents(docs: &[pb::Document]) -> Vec<Document> {
    docs.iter()
        .map(|d| Document {
            component_code: d.component_code.clone(),
            name: d.name.clone(),
            url: d.url.clone(),
        })
        .collect()
}

fn fees(fees: &[pb::Fee]) -> Vec<Fee> {
    fees.iter()
        .map(|f| Fee {
            code: f.code.clone(),
            name: f.name.clone(),
            amount_vnd: f.amount_vnd,
        })
        .collect()
}

pub fn dossier_ref(field: &str, r: &Option<pb::DossierRef>) -> Result<Option<DossierRef>> {
    Ok(match r.as_ref().and_then(|r| r.r#ref.as_ref()) {
        None => None,
        Some(pb::dossier_ref::Ref::Id(id)) => Some(DossierRef::Id(*id)),
        Some(pb::dossier_ref::Ref::MaHoSo(code)) => Some(DossierRef::MaHoSo(code.clone())),
    })
    .and_then(|r: Option<DossierRef>| match r {
        Some(DossierRef::MaHoSo(code)) if code.is_empty() => Err(DomainError::invalid(
            format!("{field}.ma_ho_so"),
            "is empty",
        )),
        other => Ok(other),
    })
}

/// A dossier reference the request must carry.
pub fn required_dossier_ref(field: &str, r: &Option<pb::DossierRef>) -> Result<DossierRef> {
    dossier_ref(field, r)?
        .ok_or_else(|| DomainError::invalid(field, "is required (id or ma_ho_so)"))
}

/// The one place where a command meets its dossier reference: a submission
/// names none (the hub assigns the dossier), every other command names one.
/// Past here an envelope can only hold one of those two shapes. The
/// command's fields are decoded before the reference is looked at, so a
/// malformed field is reported first, as it always was.
pub fn command_request(req: pb::CommandRequest) -> Result<CommandEnvelope> {
    let asked = req.command.ok_or_else(|| {
        DomainError::invalid("command", "is required: set one of submit, receive, …")
    })?;
    let action = match command(asked)? {
        Decoded::Submit(new) => match dossier_ref("dossier", &req.dossier)? {
            Some(_) => {
                return Err(DomainError::invalid(
                    "dossier",
                    "must be empty for submit: the hub assigns the dossier",
                ))
            }
            None => Action::Submit(new),
        },
        Decoded::OnDossier(command) => Action::OnDossier {
            dossier: required_dossier_ref("dossier", &req.dossier)?,
            command,
        },
    };
    Ok(CommandEnvelope {
        idempotency_key: req.idempotency_key,
        expected_version: req.expected_version,
        actor: req.actor,
        unit: req.unit,
        action,
    })
}

/// A command's fields, decoded, before its dossier reference is checked.
enum Decoded {
    Submit(Box<NewDossier>),
    OnDossier(Command),
}

fn command(asked: pb::command_request::Command) -> Result<Decoded> {
    use pb::command_request::Command as C;
    let command = match asked {
        C::Submit(s) => {
            return Ok(Decoded::Submit(Box::new(NewDossier {
                channel: channel("submit.channel", s.channel)?,
                applicant_type: applicant_type("submit.applicant_type", s.applicant_type)?,
                result_delivery: delivery("submit.result_delivery", s.result_delivery)?,
                documents: documents(&s.documents),
                fees: fees(&s.fees),
                agency_code: s.agency_code,
                procedure_code: s.procedure_code,
                procedure_name: s.procedure_name,
                sector_code: s.sector_code,
                owner_name: s.owner_name,
                owner_id_number: s.owner_id_number,
                email: s.email,
                phone: s.phone,
                summary: s.summary,
                ma_ho_so: s.ma_ho_so,
                result_address: s.result_address,
                // An empty message is no address, as an absent one.
                applicant_address: s
                    .applicant_address
                    .map(|a| PostalAddress {
                        province_code: a.province_code,
                        commune_code: a.commune_code,
                        street: a.street,
                        phone: a.phone,
                        district_code: a.district_code,
                    })
                    .filter(|a| !a.is_empty()),
            })));
        }
        C::Receive(r) => Command::Receive {
            due_at: opt_timestamp("receive.due_at", &r.due_at)?,
        },
        C::Refuse(r) => Command::Refuse { reason: r.reason },
        C::RequestSupplement(r) => Command::RequestSupplement {
            reason: r.reason,
            items: r.items,
        },
        C::SubmitSupplement(s) => Command::SubmitSupplement {
            documents: documents(&s.documents),
            new_due_at: opt_timestamp("submit_supplement.new_due_at", &s.new_due_at)?,
        },
        C::StartProcessing(s) => Command::StartProcessing {
            processing_unit: s.processing_unit,
        },
        C::RequestFinancialObligation(r) => Command::RequestFinancialObligation {
            fees: fees(&r.fees),
            note: r.note,
        },
        C::RecordPayment(p) => Command::RecordPayment {
            paid_at: opt_timestamp("record_payment.paid_at", &p.paid_at)?,
            transaction_id: p.transaction_id,
            reference: p.reference,
            amount_vnd: p.amount_vnd,
        },
        C::Stop(s) => Command::Stop { reason: s.reason },
        C::Resume(r) => Command::Resume { note: r.note },
        C::Withdraw(w) => Command::Withdraw { reason: w.reason },
        C::Finish(f) => Command::Finish {
            results: f
                .results
                .iter()
                .map(|r| ResultDocument {
                    code: r.code.clone(),
                    name: r.name.clone(),
                    url: r.url.clone(),
                })
                .collect(),
        },
        C::ReturnResult(r) => Command::ReturnResult {
            delivery: delivery("return_result.delivery", r.delivery)?,
        },
        C::Reschedule(r) => Command::Reschedule {
            new_due_at: opt_timestamp("reschedule.new_due_at", &r.new_due_at)?,
            apology: r.apology,
        },
        C::Forward(f) => Command::Forward {
            to_agency_code: f.to_agency_code,
            note: f.note,
        },
        C::RecordPartnerEvent(r) => Command::RecordPartnerEvent {
            occurred_at: opt_timestamp("record_partner_event.occurred_at", &r.occurred_at)?,
            kind: r.kind,
            reference: r.reference,
            note: r.note,
        },
    };
    Ok(Decoded::OnDossier(command))
}

pub fn publication(req: pb::PublishCatalogRequest) -> Publication {
    Publication {
        idempotency_key: req.idempotency_key,
        kind: req.kind,
        expected_version: req.expected_version,
        entries: req
            .entries
            .into_iter()
            .map(|e| CatalogEntry {
                code: e.code,
                name: e.name,
                parent_code: e.parent_code,
                attributes: e.attributes.into_iter().collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
#[path = "from_proto_tests.rs"]
mod tests;
