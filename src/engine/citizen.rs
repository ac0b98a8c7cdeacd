//! What citizens say on the hosted portal, decided by the writer: a rating
//! of a dossier and an officer's answer to a feedback.
//!
//! Both are written here, not beside the engine, because the national
//! portal must hear of them (`DongBoDanhGia`, `DongBoHoiDap`): the record,
//! its outbox event and its audit entry go in one batch, so the adapter
//! relay delivers them like any event — durable cursor, retries, parking,
//! re-drive — and nothing is recorded that is not sent, or sent that is not
//! recorded. The writer being the only writer makes "once" exact: a
//! dossier keeps its first rating, a feedback its first answer.
//!
//! A rating is an event of its dossier (its id, MaHoSo, version, agency and
//! procedure), so it travels in the dossier's lane after the event that
//! returned the result. A published answer belongs to no dossier (the
//! MaHoSo a sender typed is not checked), so, like a catalogue publication,
//! it has dossier id 0. An answer not marked public is stored with no event.

use super::{CitizenOutcome, EngineError};
use crate::domain::feedback::{FeedbackAnswer, PublishedAnswer, Rating};
use crate::domain::{DossierRef, Event, EventPayload, EventType, Status, UnixMillis};
use crate::partners::Partner;
use crate::store::Txn;

/// One thing a citizen's page asks the writer to record.
#[derive(Clone, Debug)]
pub enum CitizenSay {
    /// The dossier's rating (its agency and procedure are taken from the
    /// dossier as the writer reads it).
    Rate(Rating),
    /// An answer to feedback `code`; `published` is what the portal shows
    /// of it, when the officer marked it public.
    Answer {
        code: String,
        answer: FeedbackAnswer,
        published: Option<Box<PublishedAnswer>>,
    },
}

impl CitizenSay {
    /// The audit entry's command name.
    pub fn name(&self) -> &'static str {
        match self {
            CitizenSay::Rate(_) => "rate_dossier",
            CitizenSay::Answer { .. } => "answer_feedback",
        }
    }

    /// What the audit entry is about: the MaHoSo or the tracking code.
    pub fn subject(&self) -> &str {
        match self {
            CitizenSay::Rate(r) => &r.ma_ho_so,
            CitizenSay::Answer { code, .. } => code,
        }
    }

    /// The audit entry's detail.
    pub fn detail(&self) -> String {
        match self {
            CitizenSay::Rate(r) => format!("level {}", r.level.code()),
            CitizenSay::Answer { published, .. } => if published.is_some() {
                "published"
            } else {
                "not published"
            }
            .into(),
        }
    }
}

pub fn record(
    txn: &mut Txn,
    partner: &Partner,
    say: &CitizenSay,
    now: UnixMillis,
) -> Result<(CitizenOutcome, String), EngineError> {
    match say {
        CitizenSay::Rate(rating) => rate(txn, partner, rating, now),
        CitizenSay::Answer {
            code,
            answer,
            published,
        } => {
            if txn.feedback_answer(code)?.is_some() {
                return Err(EngineError::AlreadyExists {
                    what: format!("an answer to feedback {code}"),
                });
            }
            txn.put_feedback_answer(code, answer);
            let Some(published) = published else {
                return Ok((CitizenOutcome { event_seq: 0 }, String::new()));
            };
            let seq = txn.next_seq()?;
            let event = Event {
                event_id: uuid::Uuid::new_v4().to_string(),
                seq,
                event_type: EventType::AnswerPublished,
                occurred_at: now,
                partner_id: partner.id.clone(),
                dossier_id: 0,
                ma_ho_so: String::new(),
                dossier_version: 0,
                agency_code: published.agency_code.clone(),
                from_agency_code: String::new(),
                procedure_code: String::new(),
                from_status: None,
                to_status: None,
                payload: EventPayload::AnswerPublished((**published).clone()),
            };
            txn.put_event(&event);
            Ok((CitizenOutcome { event_seq: seq }, event.event_id))
        }
    }
}

fn rate(
    txn: &mut Txn,
    partner: &Partner,
    rating: &Rating,
    now: UnixMillis,
) -> Result<(CitizenOutcome, String), EngineError> {
    let reference = DossierRef::MaHoSo(rating.ma_ho_so.clone());
    let dossier = txn
        .dossier(&reference)?
        .filter(|d| partner.agencies.allows(&d.agency_code))
        .ok_or_else(|| EngineError::DossierNotFound {
            reference: rating.ma_ho_so.clone(),
        })?;
    if txn.rating(&dossier.ma_ho_so)?.is_some() {
        return Err(EngineError::AlreadyExists {
            what: format!("a rating of dossier {}", dossier.ma_ho_so),
        });
    }
    if dossier.status != Status::ResultReturned {
        return Err(EngineError::NotRatable {
            ma_ho_so: dossier.ma_ho_so.clone(),
            status: dossier.status,
        });
    }
    let rating = Rating {
        ma_ho_so: dossier.ma_ho_so.clone(),
        agency_code: dossier.agency_code.clone(),
        procedure_code: dossier.procedure_code.clone(),
        ..rating.clone()
    };
    txn.put_rating(&rating);
    let seq = txn.next_seq()?;
    let event = Event {
        event_id: uuid::Uuid::new_v4().to_string(),
        seq,
        event_type: EventType::DossierRated,
        occurred_at: now,
        partner_id: partner.id.clone(),
        dossier_id: dossier.id,
        ma_ho_so: dossier.ma_ho_so.clone(),
        dossier_version: dossier.version,
        agency_code: dossier.agency_code.clone(),
        from_agency_code: String::new(),
        procedure_code: dossier.procedure_code.clone(),
        from_status: None,
        to_status: None,
        payload: EventPayload::DossierRated(rating),
    };
    txn.put_event(&event);
    Ok((CitizenOutcome { event_seq: seq }, event.event_id))
}
