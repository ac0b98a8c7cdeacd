//! The outbox event as stored (format 1). Its seq is the key's; the dossier
//! it carries is stored as the dossier record is.

use super::dossier::{
    dossier, dossier_v1, line, line_v1, some_status, status_code, DossierV1, HistoryLineV1,
};
use super::{known, Record};
use crate::domain::feedback::{FeedbackAnswer, PublishedAnswer, Rating, Satisfaction};
use crate::domain::{CatalogPublished, Event, EventPayload, EventType, UnixMillis};

#[derive(Clone, PartialEq, prost::Message)]
pub struct EventV1 {
    #[prost(string, tag = "1")]
    pub event_id: String,
    /// The type's name (`dossier_received`), as the contract spells it.
    #[prost(string, tag = "2")]
    pub event_type: String,
    #[prost(int64, tag = "3")]
    pub occurred_at: i64,
    #[prost(string, tag = "4")]
    pub partner_id: String,
    #[prost(uint64, tag = "5")]
    pub dossier_id: u64,
    #[prost(string, tag = "6")]
    pub ma_ho_so: String,
    #[prost(uint64, tag = "7")]
    pub dossier_version: u64,
    #[prost(string, tag = "8")]
    pub agency_code: String,
    #[prost(string, tag = "9")]
    pub from_agency_code: String,
    #[prost(string, tag = "10")]
    pub procedure_code: String,
    #[prost(uint32, tag = "11")]
    pub from_status: u32,
    #[prost(uint32, tag = "12")]
    pub to_status: u32,
    #[prost(oneof = "PayloadV1", tags = "13, 14, 15, 16")]
    pub payload: Option<PayloadV1>,
}

// Decoded one at a time and converted at once: the size of the rare
// variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum PayloadV1 {
    #[prost(message, tag = "13")]
    DossierChanged(ChangeV1),
    #[prost(message, tag = "14")]
    CatalogPublished(CatalogV1),
    #[prost(message, tag = "15")]
    DossierRated(RatingV1),
    #[prost(message, tag = "16")]
    AnswerPublished(AnswerV1),
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ChangeV1 {
    #[prost(message, optional, tag = "1")]
    pub dossier: Option<DossierV1>,
    /// With its version (it is not in the event's key).
    #[prost(message, optional, tag = "2")]
    pub entry: Option<HistoryLineV1>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct CatalogV1 {
    #[prost(string, tag = "1")]
    pub kind: String,
    #[prost(uint64, tag = "2")]
    pub version: u64,
    #[prost(uint32, tag = "3")]
    pub added: u32,
    #[prost(uint32, tag = "4")]
    pub changed: u32,
    #[prost(uint32, tag = "5")]
    pub removed: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct RatingV1 {
    #[prost(string, tag = "1")]
    pub ma_ho_so: String,
    #[prost(string, tag = "2")]
    pub agency_code: String,
    #[prost(string, tag = "3")]
    pub procedure_code: String,
    /// 1 very satisfied, 2 satisfied, 3 unsatisfied.
    #[prost(uint32, tag = "4")]
    pub level: u32,
    #[prost(string, tag = "5")]
    pub comment: String,
    #[prost(int64, tag = "6")]
    pub rated_at: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct AnswerV1 {
    #[prost(string, tag = "1")]
    pub code: String,
    #[prost(string, tag = "2")]
    pub subject: String,
    #[prost(string, tag = "3")]
    pub question: String,
    #[prost(string, tag = "4")]
    pub ma_ho_so: String,
    #[prost(string, tag = "5")]
    pub agency_code: String,
    #[prost(string, tag = "6")]
    pub agency_name: String,
    #[prost(string, tag = "7")]
    pub text: String,
    #[prost(string, tag = "8")]
    pub officer: String,
    #[prost(string, tag = "9")]
    pub unit: String,
    #[prost(int64, tag = "10")]
    pub answered_at: i64,
    #[prost(bool, tag = "11")]
    pub public: bool,
}

fn level_code(level: Satisfaction) -> u32 {
    match level {
        Satisfaction::VerySatisfied => 1,
        Satisfaction::Satisfied => 2,
        Satisfaction::Unsatisfied => 3,
    }
}

fn level(code: u32) -> Result<Satisfaction, String> {
    let found = match code {
        1 => Some(Satisfaction::VerySatisfied),
        2 => Some(Satisfaction::Satisfied),
        3 => Some(Satisfaction::Unsatisfied),
        _ => None,
    };
    known("satisfaction", code, found)
}

fn payload_v1(payload: &EventPayload) -> PayloadV1 {
    match payload {
        EventPayload::DossierChanged { dossier, entry } => PayloadV1::DossierChanged(ChangeV1 {
            dossier: Some(dossier_v1(dossier)),
            entry: Some(line_v1(entry, true)),
        }),
        EventPayload::CatalogPublished(c) => PayloadV1::CatalogPublished(CatalogV1 {
            kind: c.kind.clone(),
            version: c.version,
            added: c.added,
            changed: c.changed,
            removed: c.removed,
        }),
        EventPayload::DossierRated(r) => PayloadV1::DossierRated(RatingV1 {
            ma_ho_so: r.ma_ho_so.clone(),
            agency_code: r.agency_code.clone(),
            procedure_code: r.procedure_code.clone(),
            level: level_code(r.level),
            comment: r.comment.clone(),
            rated_at: r.rated_at.0,
        }),
        EventPayload::AnswerPublished(a) => PayloadV1::AnswerPublished(AnswerV1 {
            code: a.code.clone(),
            subject: a.subject.clone(),
            question: a.question.clone(),
            ma_ho_so: a.ma_ho_so.clone(),
            agency_code: a.agency_code.clone(),
            agency_name: a.agency_name.clone(),
            text: a.answer.text.clone(),
            officer: a.answer.officer.clone(),
            unit: a.answer.unit.clone(),
            answered_at: a.answer.answered_at.0,
            public: a.answer.public,
        }),
    }
}

fn payload(payload: PayloadV1) -> Result<EventPayload, String> {
    Ok(match payload {
        PayloadV1::DossierChanged(c) => {
            let d = c.dossier.ok_or("a dossier change carries its dossier")?;
            let e = c.entry.ok_or("a dossier change carries its history line")?;
            EventPayload::DossierChanged {
                dossier: Box::new(dossier(d)?),
                entry: line(e.version, e)?,
            }
        }
        PayloadV1::CatalogPublished(c) => EventPayload::CatalogPublished(CatalogPublished {
            kind: c.kind,
            version: c.version,
            added: c.added,
            changed: c.changed,
            removed: c.removed,
        }),
        PayloadV1::DossierRated(r) => EventPayload::DossierRated(Rating {
            ma_ho_so: r.ma_ho_so,
            agency_code: r.agency_code,
            procedure_code: r.procedure_code,
            level: level(r.level)?,
            comment: r.comment,
            rated_at: UnixMillis(r.rated_at),
        }),
        PayloadV1::AnswerPublished(a) => EventPayload::AnswerPublished(PublishedAnswer {
            code: a.code,
            subject: a.subject,
            question: a.question,
            ma_ho_so: a.ma_ho_so,
            agency_code: a.agency_code,
            agency_name: a.agency_name,
            answer: FeedbackAnswer {
                text: a.text,
                officer: a.officer,
                unit: a.unit,
                answered_at: UnixMillis(a.answered_at),
                public: a.public,
            },
        }),
    })
}

impl Record for Event {
    type V1 = EventV1;
    type Json = Event;

    fn to_v1(&self) -> EventV1 {
        EventV1 {
            event_id: self.event_id.clone(),
            event_type: self.event_type.as_str().to_string(),
            occurred_at: self.occurred_at.0,
            partner_id: self.partner_id.clone(),
            dossier_id: self.dossier_id,
            ma_ho_so: self.ma_ho_so.clone(),
            dossier_version: self.dossier_version,
            agency_code: self.agency_code.clone(),
            from_agency_code: self.from_agency_code.clone(),
            procedure_code: self.procedure_code.clone(),
            from_status: self.from_status.map_or(0, status_code),
            to_status: self.to_status.map_or(0, status_code),
            payload: Some(payload_v1(&self.payload)),
        }
    }

    /// The seq is the key's last eight bytes (`keys::event`).
    fn from_v1(key: &[u8], v1: EventV1) -> Result<Event, String> {
        let seq = crate::store::keys::trailing_u64(key).ok_or("an event key ends with its seq")?;
        let event_type = EventType::parse(&v1.event_type)
            .ok_or_else(|| format!("unknown event type {:?}", v1.event_type))?;
        Ok(Event {
            event_id: v1.event_id,
            seq,
            event_type,
            occurred_at: UnixMillis(v1.occurred_at),
            partner_id: v1.partner_id,
            dossier_id: v1.dossier_id,
            ma_ho_so: v1.ma_ho_so,
            dossier_version: v1.dossier_version,
            agency_code: v1.agency_code,
            from_agency_code: v1.from_agency_code,
            procedure_code: v1.procedure_code,
            from_status: some_status(v1.from_status)?,
            to_status: some_status(v1.to_status)?,
            payload: payload(v1.payload.ok_or("an event carries its payload")?)?,
        })
    }

    fn from_json(json: Event) -> Event {
        json
    }
}
