//! The outbox event: what every subscriber receives about a change.
//!
//! An event is written in the same storage transaction as the change it
//! describes and gets a global, gap-free `seq`; its `event_id` never changes,
//! so a partner that receives it twice can tell.

use super::feedback::{PublishedAnswer, Rating};
use super::{Dossier, HistoryEntry, Status, UnixMillis};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    DossierSubmitted,
    DossierReceived,
    DossierRefused,
    SupplementRequested,
    SupplementSubmitted,
    ProcessingStarted,
    FinancialObligationRequested,
    PaymentRecorded,
    ProcessingStopped,
    ProcessingResumed,
    DossierWithdrawn,
    ProcessingFinished,
    ResultReturned,
    DossierRescheduled,
    CatalogPublished,
    DossierForwarded,
    /// The applicant rated the dossier on the hosted portal (no change to
    /// the dossier itself). Received only by a partner that asks for the
    /// portal's feedback (`SubscriptionFilter::citizen_feedback`).
    DossierRated,
    /// An officer's answer to a feedback was published (about no dossier).
    /// Received only by a partner that asks for the portal's feedback.
    AnswerPublished,
    /// A partner's event on a dossier (`record_partner_event`): a history
    /// line, status unchanged.
    PartnerEventRecorded,
}

impl EventType {
    pub const ALL: [EventType; 19] = [
        EventType::DossierSubmitted,
        EventType::DossierReceived,
        EventType::DossierRefused,
        EventType::SupplementRequested,
        EventType::SupplementSubmitted,
        EventType::ProcessingStarted,
        EventType::FinancialObligationRequested,
        EventType::PaymentRecorded,
        EventType::ProcessingStopped,
        EventType::ProcessingResumed,
        EventType::DossierWithdrawn,
        EventType::ProcessingFinished,
        EventType::ResultReturned,
        EventType::DossierRescheduled,
        EventType::CatalogPublished,
        EventType::DossierForwarded,
        EventType::DossierRated,
        EventType::AnswerPublished,
        EventType::PartnerEventRecorded,
    ];

    /// What citizens said on the hosted portal, not a change of a dossier
    /// or a catalogue: a partner receives these only when it asks for them,
    /// so partners subscribed to "everything" before they existed are not
    /// handed events they cannot read.
    pub fn is_citizen_feedback(self) -> bool {
        matches!(self, EventType::DossierRated | EventType::AnswerPublished)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::DossierSubmitted => "dossier_submitted",
            EventType::DossierReceived => "dossier_received",
            EventType::DossierRefused => "dossier_refused",
            EventType::SupplementRequested => "supplement_requested",
            EventType::SupplementSubmitted => "supplement_submitted",
            EventType::ProcessingStarted => "processing_started",
            EventType::FinancialObligationRequested => "financial_obligation_requested",
            EventType::PaymentRecorded => "payment_recorded",
            EventType::ProcessingStopped => "processing_stopped",
            EventType::ProcessingResumed => "processing_resumed",
            EventType::DossierWithdrawn => "dossier_withdrawn",
            EventType::ProcessingFinished => "processing_finished",
            EventType::ResultReturned => "result_returned",
            EventType::DossierRescheduled => "dossier_rescheduled",
            EventType::CatalogPublished => "catalog_published",
            EventType::DossierForwarded => "dossier_forwarded",
            EventType::DossierRated => "dossier_rated",
            EventType::AnswerPublished => "answer_published",
            EventType::PartnerEventRecorded => "partner_event_recorded",
        }
    }

    pub fn parse(text: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPublished {
    pub kind: String,
    pub version: u64,
    pub added: u32,
    pub changed: u32,
    pub removed: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventPayload {
    DossierChanged {
        dossier: Box<Dossier>,
        entry: HistoryEntry,
    },
    CatalogPublished(CatalogPublished),
    /// `dossier_rated`: the rating as given.
    DossierRated(Rating),
    /// `answer_published`: the question and its public answer.
    AnswerPublished(PublishedAnswer),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub event_id: String,
    pub seq: u64,
    pub event_type: EventType,
    pub occurred_at: UnixMillis,
    pub partner_id: String,
    pub dossier_id: u64,
    pub ma_ho_so: String,
    pub dossier_version: u64,
    /// The dossier's agency after the change.
    pub agency_code: String,
    /// The agency a forwarded dossier left (`dossier_forwarded` only; empty
    /// otherwise): its subscribers hear of the forward too.
    /// Not written when empty: every other event's record stays as it was.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from_agency_code: String,
    pub procedure_code: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub payload: EventPayload,
}

impl Event {
    /// Whether the event is about `agency`'s dossiers: its agency, or the
    /// agency a forwarded dossier left (the sender must learn it left).
    pub fn concerns_agency(&self, agency: &str) -> bool {
        self.agency_code == agency
            || (!self.from_agency_code.is_empty() && self.from_agency_code == agency)
    }
}
