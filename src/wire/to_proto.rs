//! Core types → `lienthong.v1` messages.

use crate::domain::catalog::{CatalogChange, CatalogEntry, ChangeKind};
use crate::domain::{
    ApplicantType, Channel, Document, Dossier, Event, EventPayload, EventType, HistoryEntry,
    ResultDelivery, Status, UnixMillis,
};
use crate::engine::{CommandOutcome, PublicationOutcome};
use crate::wire::pb;

pub fn timestamp(t: UnixMillis) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.0.div_euclid(1000),
        nanos: (t.0.rem_euclid(1000) * 1_000_000) as i32,
    }
}

fn opt_timestamp(t: Option<UnixMillis>) -> Option<prost_types::Timestamp> {
    t.map(timestamp)
}

pub fn status(s: Status) -> i32 {
    // The proto enum values are the portal's codes.
    i32::from(s.code())
}

fn opt_status(s: Option<Status>) -> i32 {
    s.map(status).unwrap_or(0)
}

fn channel(c: Channel) -> i32 {
    (match c {
        Channel::Counter => pb::SubmissionChannel::Counter,
        Channel::Online => pb::SubmissionChannel::Online,
        Channel::Postal => pb::SubmissionChannel::Postal,
    }) as i32
}

fn applicant_type(a: ApplicantType) -> i32 {
    (match a {
        ApplicantType::Citizen => pb::ApplicantType::Citizen,
        ApplicantType::Enterprise => pb::ApplicantType::Enterprise,
        ApplicantType::StateAgency => pb::ApplicantType::StateAgency,
        ApplicantType::Other => pb::ApplicantType::Other,
    }) as i32
}

fn delivery(d: Option<ResultDelivery>) -> i32 {
    (match d {
        None => pb::ResultDelivery::Unspecified,
        Some(ResultDelivery::AtCounter) => pb::ResultDelivery::AtCounter,
        Some(ResultDelivery::ByPost) => pb::ResultDelivery::ByPost,
        Some(ResultDelivery::Electronic) => pb::ResultDelivery::Electronic,
    }) as i32
}

fn documents(docs: Vec<Document>) -> Vec<pb::Document> {
    docs.into_iter()
        .map(|x| pb::Document {
            component_code: x.component_code,
            name: x.name,
            url: x.url,
        })
        .collect()
}

pub fn dossier(d: Dossier) -> pb::Dossier {
    pb::Dossier {
        id: d.id,
        ma_ho_so: d.ma_ho_so,
        version: d.version,
        agency_code: d.agency_code,
        procedure_code: d.procedure_code,
        procedure_name: d.procedure_name,
        sector_code: d.sector_code,
        channel: channel(d.channel),
        owner_name: d.owner_name,
        applicant_type: applicant_type(d.applicant_type),
        owner_id_number: d.owner_id_number,
        email: d.email,
        phone: d.phone,
        summary: d.summary,
        submitted_at: Some(timestamp(d.submitted_at)),
        received_at: opt_timestamp(d.received_at),
        due_at: opt_timestamp(d.due_at),
        returned_at: opt_timestamp(d.returned_at),
        finished_at: opt_timestamp(d.finished_at),
        status: status(d.status),
        result_delivery: delivery(d.result_delivery),
        result_address: d.result_address,
        applicant_address: d.applicant_address.map(|a| pb::PostalAddress {
            province_code: a.province_code,
            commune_code: a.commune_code,
            street: a.street,
            phone: a.phone,
            district_code: a.district_code,
        }),
        site: d.site.map(|h| pb::SiteHold {
            authoritative_site: h.authority,
            origin_site: h.origin,
            copy_sites: h.copies,
        }),
        processing_unit: d.processing_unit,
        documents: documents(d.documents),
        fees: d
            .fees
            .into_iter()
            .map(|f| pb::Fee {
                code: f.code,
                name: f.name,
                amount_vnd: f.amount_vnd,
            })
            .collect(),
        supplements: d
            .supplements
            .into_iter()
            .map(|s| pb::Supplement {
                requested_at: Some(timestamp(s.requested_at)),
                reason: s.reason,
                items: s.items,
                old_due_at: opt_timestamp(s.old_due_at),
                submitted_at: opt_timestamp(s.submitted_at),
                documents: documents(s.documents),
            })
            .collect(),
        results: d
            .results
            .into_iter()
            .map(|r| pb::ResultDocument {
                code: r.code,
                name: r.name,
                url: r.url,
            })
            .collect(),
        payments: d
            .payments
            .into_iter()
            .map(|p| pb::Payment {
                transaction_id: p.transaction_id,
                reference: p.reference,
                amount_vnd: p.amount_vnd,
                paid_at: Some(timestamp(p.paid_at)),
            })
            .collect(),
        reschedules: d
            .reschedules
            .into_iter()
            .map(|r| pb::Reschedule {
                at: Some(timestamp(r.at)),
                apology: r.apology,
                old_due_at: opt_timestamp(r.old_due_at),
                new_due_at: Some(timestamp(r.new_due_at)),
            })
            .collect(),
        status_reason: d.status_reason,
        updated_at: Some(timestamp(d.updated_at)),
        submitted_by: d.submitted_by,
    }
}

pub fn history_entry(h: HistoryEntry) -> pb::HistoryEntry {
    pb::HistoryEntry {
        version: h.version,
        at: Some(timestamp(h.at)),
        partner_id: h.partner_id,
        actor: h.actor,
        unit: h.unit,
        command: h.command,
        from_status: opt_status(h.from_status),
        to_status: status(h.to_status),
        note: h.note,
        partner_event: h.partner_event.map(|p| pb::PartnerEvent {
            kind: p.kind.as_str().to_string(),
            occurred_at: Some(timestamp(p.occurred_at)),
            reference: p.reference,
        }),
    }
}

pub fn command_reply(o: CommandOutcome) -> pb::CommandReply {
    pb::CommandReply {
        dossier: Some(dossier(o.dossier)),
        entry: Some(history_entry(o.entry)),
        event_seq: o.event_seq,
        event_id: o.event_id,
        replayed: o.replayed,
    }
}

pub fn publication_reply(o: &PublicationOutcome) -> pb::PublishCatalogReply {
    pb::PublishCatalogReply {
        kind: o.kind.clone(),
        version: o.version,
        added: o.added,
        changed: o.changed,
        removed: o.removed,
        replayed: o.replayed,
    }
}

pub fn event_type(t: EventType) -> i32 {
    use pb::EventType as P;
    (match t {
        EventType::DossierSubmitted => P::DossierSubmitted,
        EventType::DossierReceived => P::DossierReceived,
        EventType::DossierRefused => P::DossierRefused,
        EventType::SupplementRequested => P::SupplementRequested,
        EventType::SupplementSubmitted => P::SupplementSubmitted,
        EventType::ProcessingStarted => P::ProcessingStarted,
        EventType::FinancialObligationRequested => P::FinancialObligationRequested,
        EventType::PaymentRecorded => P::PaymentRecorded,
        EventType::ProcessingStopped => P::ProcessingStopped,
        EventType::ProcessingResumed => P::ProcessingResumed,
        EventType::DossierWithdrawn => P::DossierWithdrawn,
        EventType::ProcessingFinished => P::ProcessingFinished,
        EventType::ResultReturned => P::ResultReturned,
        EventType::DossierRescheduled => P::DossierRescheduled,
        EventType::CatalogPublished => P::CatalogPublished,
        EventType::DossierForwarded => P::DossierForwarded,
        EventType::DossierRated => P::DossierRated,
        EventType::AnswerPublished => P::AnswerPublished,
        EventType::PartnerEventRecorded => P::PartnerEventRecorded,
    }) as i32
}

pub fn event(e: Event) -> pb::Event {
    let payload = match e.payload {
        EventPayload::DossierChanged { dossier: d, entry } => {
            pb::event::Payload::DossierChanged(pb::DossierChanged {
                dossier: Some(dossier(*d)),
                entry: Some(history_entry(entry)),
            })
        }
        EventPayload::CatalogPublished(c) => {
            pb::event::Payload::CatalogPublished(pb::CatalogPublished {
                kind: c.kind,
                version: c.version,
                added: c.added,
                changed: c.changed,
                removed: c.removed,
            })
        }
        EventPayload::DossierRated(r) => pb::event::Payload::DossierRated(pb::DossierRated {
            ma_ho_so: r.ma_ho_so,
            agency_code: r.agency_code,
            procedure_code: r.procedure_code,
            level: u32::from(r.level.code()),
            comment: r.comment,
            rated_at: Some(timestamp(r.rated_at)),
        }),
        EventPayload::AnswerPublished(a) => {
            pb::event::Payload::AnswerPublished(pb::AnswerPublished {
                code: a.code,
                subject: a.subject,
                question: a.question,
                ma_ho_so: a.ma_ho_so,
                agency_code: a.agency_code,
                answer: a.answer.text,
                officer: a.answer.officer,
                unit: a.answer.unit,
                answered_at: Some(timestamp(a.answer.answered_at)),
                agency_name: a.agency_name,
            })
        }
    };
    pb::Event {
        event_id: e.event_id,
        seq: e.seq,
        r#type: event_type(e.event_type),
        occurred_at: Some(timestamp(e.occurred_at)),
        partner_id: e.partner_id,
        dossier_id: e.dossier_id,
        ma_ho_so: e.ma_ho_so,
        dossier_version: e.dossier_version,
        agency_code: e.agency_code,
        from_agency_code: e.from_agency_code,
        procedure_code: e.procedure_code,
        from_status: opt_status(e.from_status),
        to_status: opt_status(e.to_status),
        payload: Some(payload),
    }
}

pub fn catalog_entry(e: &CatalogEntry) -> pb::CatalogEntry {
    pb::CatalogEntry {
        code: e.code.clone(),
        name: e.name.clone(),
        parent_code: e.parent_code.clone(),
        attributes: e
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

pub fn catalog_change(c: &CatalogChange) -> pb::CatalogChange {
    let kind = match c.kind {
        ChangeKind::Added => pb::catalog_change::Kind::Added,
        ChangeKind::Changed => pb::catalog_change::Kind::Changed,
        ChangeKind::Removed => pb::catalog_change::Kind::Removed,
    };
    pb::CatalogChange {
        version: c.version,
        kind: kind as i32,
        entry: Some(catalog_entry(&c.entry)),
    }
}

#[cfg(test)]
#[path = "size_tests.rs"]
mod size_tests;
