//! The canonical paths a legacy field can be mapped to, and their values.
//!
//! `fields` in the settings maps each legacy field name to one of these
//! paths. Paths read the hub event (`event.*`), the dossier after the change
//! (`dossier.*`) and the history line the change added (`entry.*`). Codes
//! that the legacy system names its own way go through the settings: the
//! dossier status through `status_map`, the event type through
//! `event_names`. Dates use the configured `date_format`; an absent value is
//! JSON `null`.

use crate::dates::DateFormat;
use lienthong_adapter::pb;
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    EventId,
    EventSeq,
    EventType,
    EventOccurredAt,
    EventFromStatus,
    EventToStatus,
    EventPartnerId,
    MaHoSo,
    DossierVersion,
    AgencyCode,
    ProcedureCode,
    ProcedureName,
    SectorCode,
    Channel,
    OwnerName,
    ApplicantType,
    OwnerIdNumber,
    Email,
    Phone,
    Summary,
    SubmittedAt,
    ReceivedAt,
    DueAt,
    ReturnedAt,
    FinishedAt,
    Status,
    StatusCode,
    ResultDelivery,
    ProcessingUnit,
    StatusReason,
    SubmittedBy,
    FeesTotal,
    Documents,
    Fees,
    Results,
    EntryNote,
    EntryActor,
    EntryUnit,
    EntryCommand,
    EntryPartnerId,
}

/// Every path by its name in the settings.
pub const PATHS: &[(&str, Path)] = &[
    ("event.event_id", Path::EventId),
    ("event.seq", Path::EventSeq),
    ("event.type", Path::EventType),
    ("event.occurred_at", Path::EventOccurredAt),
    ("event.from_status", Path::EventFromStatus),
    ("event.to_status", Path::EventToStatus),
    ("event.partner_id", Path::EventPartnerId),
    ("dossier.ma_ho_so", Path::MaHoSo),
    ("dossier.version", Path::DossierVersion),
    ("dossier.agency_code", Path::AgencyCode),
    ("dossier.procedure_code", Path::ProcedureCode),
    ("dossier.procedure_name", Path::ProcedureName),
    ("dossier.sector_code", Path::SectorCode),
    ("dossier.channel", Path::Channel),
    ("dossier.owner_name", Path::OwnerName),
    ("dossier.applicant_type", Path::ApplicantType),
    ("dossier.owner_id_number", Path::OwnerIdNumber),
    ("dossier.email", Path::Email),
    ("dossier.phone", Path::Phone),
    ("dossier.summary", Path::Summary),
    ("dossier.submitted_at", Path::SubmittedAt),
    ("dossier.received_at", Path::ReceivedAt),
    ("dossier.due_at", Path::DueAt),
    ("dossier.returned_at", Path::ReturnedAt),
    ("dossier.finished_at", Path::FinishedAt),
    ("dossier.status", Path::Status),
    ("dossier.status_code", Path::StatusCode),
    ("dossier.result_delivery", Path::ResultDelivery),
    ("dossier.processing_unit", Path::ProcessingUnit),
    ("dossier.status_reason", Path::StatusReason),
    ("dossier.submitted_by", Path::SubmittedBy),
    ("dossier.fees_total_vnd", Path::FeesTotal),
    ("dossier.documents", Path::Documents),
    ("dossier.fees", Path::Fees),
    ("dossier.results", Path::Results),
    ("entry.note", Path::EntryNote),
    ("entry.actor", Path::EntryActor),
    ("entry.unit", Path::EntryUnit),
    ("entry.command", Path::EntryCommand),
    ("entry.partner_id", Path::EntryPartnerId),
];

impl Path {
    pub fn parse(name: &str) -> Option<Path> {
        PATHS.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }

    pub fn known() -> String {
        PATHS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    }
}

/// What a value is read from.
pub struct Source<'a> {
    pub event: &'a pb::Event,
    pub dossier: Option<&'a pb::Dossier>,
    pub entry: Option<&'a pb::HistoryEntry>,
}

/// The codes and formats of this legacy system.
pub struct Codes<'a> {
    /// Canonical status code → legacy code.
    pub status_out: &'a HashMap<i32, String>,
    /// Canonical event type name → legacy name.
    pub event_names: &'a HashMap<String, String>,
    pub date_format: DateFormat,
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

impl Codes<'_> {
    fn date(&self, seconds: Option<i64>) -> Value {
        match seconds {
            Some(s) => Value::String(self.date_format.format(s)),
            None => Value::Null,
        }
    }

    fn status(&self, code: i32) -> Result<Value, String> {
        if code == 0 {
            return Ok(Value::Null);
        }
        self.status_out
            .get(&code)
            .map(|c| text(c))
            .ok_or_else(|| format!("canonical status {code} has no legacy code in `status_map`"))
    }

    /// The value of `path` for this event.
    pub fn value(&self, path: Path, src: &Source) -> Result<Value, String> {
        let e = src.event;
        let d = src.dossier;
        let h = src.entry;
        let ds = |f: fn(&pb::Dossier) -> &str| d.map(|d| text(f(d))).unwrap_or(Value::Null);
        let hs = |f: fn(&pb::HistoryEntry) -> &str| h.map(|h| text(f(h))).unwrap_or(Value::Null);
        // A value of the dossier; null for an event that carries none.
        let dv = |f: fn(&pb::Dossier) -> Value| d.map(f).unwrap_or(Value::Null);
        Ok(match path {
            Path::EventId => text(&e.event_id),
            Path::EventSeq => json!(e.seq),
            Path::EventType => {
                let name = lienthong_adapter::event::type_name(e.r#type());
                text(self.event_names.get(&name).unwrap_or(&name))
            }
            Path::EventOccurredAt => self.date(e.occurred_at.as_ref().map(|t| t.seconds)),
            Path::EventFromStatus => self.status(e.from_status)?,
            Path::EventToStatus => self.status(e.to_status)?,
            Path::EventPartnerId => text(&e.partner_id),
            Path::MaHoSo => text(&e.ma_ho_so),
            Path::DossierVersion => json!(e.dossier_version),
            Path::AgencyCode => text(&e.agency_code),
            Path::ProcedureCode => text(&e.procedure_code),
            Path::ProcedureName => ds(|d| &d.procedure_name),
            Path::SectorCode => ds(|d| &d.sector_code),
            Path::Channel => match d.map(|d| d.channel) {
                Some(c) if c > 0 => json!(c),
                _ => Value::Null,
            },
            Path::OwnerName => ds(|d| &d.owner_name),
            Path::ApplicantType => match d.map(|d| d.applicant_type) {
                Some(t) if t > 0 => json!(t),
                _ => Value::Null,
            },
            Path::OwnerIdNumber => ds(|d| &d.owner_id_number),
            Path::Email => ds(|d| &d.email),
            Path::Phone => ds(|d| &d.phone),
            Path::Summary => ds(|d| &d.summary),
            Path::SubmittedAt => {
                self.date(d.and_then(|d| d.submitted_at.as_ref()).map(|t| t.seconds))
            }
            Path::ReceivedAt => {
                self.date(d.and_then(|d| d.received_at.as_ref()).map(|t| t.seconds))
            }
            Path::DueAt => self.date(d.and_then(|d| d.due_at.as_ref()).map(|t| t.seconds)),
            Path::ReturnedAt => {
                self.date(d.and_then(|d| d.returned_at.as_ref()).map(|t| t.seconds))
            }
            Path::FinishedAt => {
                self.date(d.and_then(|d| d.finished_at.as_ref()).map(|t| t.seconds))
            }
            Path::Status => match d {
                Some(d) => self.status(d.status)?,
                None => self.status(e.to_status)?,
            },
            Path::StatusCode => match d.map(|d| d.status).unwrap_or(e.to_status) {
                0 => Value::Null,
                code => json!(code),
            },
            Path::ResultDelivery => match d.map(|d| d.result_delivery()) {
                Some(pb::ResultDelivery::AtCounter) => text("at_counter"),
                Some(pb::ResultDelivery::ByPost) => text("by_post"),
                Some(pb::ResultDelivery::Electronic) => text("electronic"),
                _ => Value::Null,
            },
            Path::ProcessingUnit => ds(|d| &d.processing_unit),
            Path::StatusReason => ds(|d| &d.status_reason),
            Path::SubmittedBy => ds(|d| &d.submitted_by),
            Path::FeesTotal => dv(|d| {
                json!(d
                    .fees
                    .iter()
                    .map(|f| f.amount_vnd)
                    .fold(0i64, i64::saturating_add))
            }),
            Path::Documents => dv(|d| {
                d.documents
                    .iter()
                    .map(|x| json!({"component_code": x.component_code, "name": x.name, "url": x.url}))
                    .collect()
            }),
            Path::Fees => dv(|d| {
                d.fees
                    .iter()
                    .map(|f| json!({"code": f.code, "name": f.name, "amount_vnd": f.amount_vnd}))
                    .collect()
            }),
            Path::Results => dv(|d| {
                d.results
                    .iter()
                    .map(|r| json!({"code": r.code, "name": r.name, "url": r.url}))
                    .collect()
            }),
            Path::EntryNote => hs(|h| &h.note),
            Path::EntryActor => hs(|h| &h.actor),
            Path::EntryUnit => hs(|h| &h.unit),
            Path::EntryCommand => hs(|h| &h.command),
            Path::EntryPartnerId => hs(|h| &h.partner_id),
        })
    }
}
