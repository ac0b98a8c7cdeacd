//! Which events tell the applicant something, and what each may say.
//!
//! Six moments of a dossier reach the applicant (Decree 61/2018 and
//! Circular 01/2018: receipt, supplement request, fee request, apology with
//! a new date, result ready, refusal). Each has its template key in
//! `[notifications.templates]` and its own set of placeholders: a template
//! naming a value its moment does not have is refused at load.

use super::format;
use crate::domain::{Dossier, Event, EventPayload, EventType, HistoryEntry};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Trigger {
    Received,
    SupplementRequested,
    FeeRequested,
    Rescheduled,
    ResultReady,
    Refused,
}

/// Placeholders every trigger has.
const COMMON: [&str; 4] = ["ma_ho_so", "ten_thu_tuc", "ho_ten", "ngay_nop"];

impl Trigger {
    pub const ALL: [Trigger; 6] = [
        Trigger::Received,
        Trigger::SupplementRequested,
        Trigger::FeeRequested,
        Trigger::Rescheduled,
        Trigger::ResultReady,
        Trigger::Refused,
    ];

    /// Its key under `[notifications.templates]`.
    pub fn key(self) -> &'static str {
        match self {
            Trigger::Received => "received",
            Trigger::SupplementRequested => "supplement_requested",
            Trigger::FeeRequested => "fee_requested",
            Trigger::Rescheduled => "rescheduled",
            Trigger::ResultReady => "result_ready",
            Trigger::Refused => "refused",
        }
    }

    pub fn event_type(self) -> EventType {
        match self {
            Trigger::Received => EventType::DossierReceived,
            Trigger::SupplementRequested => EventType::SupplementRequested,
            Trigger::FeeRequested => EventType::FinancialObligationRequested,
            Trigger::Rescheduled => EventType::DossierRescheduled,
            Trigger::ResultReady => EventType::ProcessingFinished,
            Trigger::Refused => EventType::DossierRefused,
        }
    }

    pub fn of(event_type: EventType) -> Option<Trigger> {
        Trigger::ALL
            .into_iter()
            .find(|t| t.event_type() == event_type)
    }

    /// The placeholders only this trigger has.
    fn own(self) -> &'static [&'static str] {
        match self {
            Trigger::Received => &["ngay_tiep_nhan", "ngay_hen_tra"],
            Trigger::SupplementRequested => &["danh_sach_bo_sung", "ly_do"],
            Trigger::FeeRequested => &["so_tien", "ghi_chu"],
            Trigger::Rescheduled => &["ngay_hen_cu", "ngay_hen_tra", "ly_do"],
            Trigger::ResultReady => &["ngay_co_ket_qua", "ngay_hen_tra"],
            Trigger::Refused => &["ly_do"],
        }
    }

    /// Every placeholder a template of this trigger may name.
    pub fn placeholders(self) -> Vec<&'static str> {
        COMMON.iter().chain(self.own()).copied().collect()
    }
}

/// The values of one event's placeholders.
pub fn values(
    trigger: Trigger,
    event: &Event,
    dossier: &Dossier,
    entry: &HistoryEntry,
) -> HashMap<&'static str, String> {
    let date = |at: Option<crate::domain::UnixMillis>| at.map(format::date).unwrap_or_default();
    let mut values = HashMap::from([
        ("ma_ho_so", dossier.ma_ho_so.clone()),
        ("ten_thu_tuc", dossier.procedure_name.clone()),
        ("ho_ten", dossier.owner_name.clone()),
        ("ngay_nop", date(Some(dossier.submitted_at))),
    ]);
    let own: Vec<(&'static str, String)> = match trigger {
        Trigger::Received => vec![
            ("ngay_tiep_nhan", date(dossier.received_at)),
            ("ngay_hen_tra", date(dossier.due_at)),
        ],
        Trigger::SupplementRequested => {
            let items = dossier
                .supplements
                .last()
                .map(|s| s.items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>())
                .unwrap_or_default();
            vec![
                ("danh_sach_bo_sung", items.join("\n")),
                ("ly_do", entry.note.clone()),
            ]
        }
        Trigger::FeeRequested => {
            // What is still to pay: every fee asked for, less what was paid.
            let asked: i64 = dossier.fees.iter().map(|f| f.amount_vnd).sum();
            let paid: i64 = dossier.payments.iter().map(|p| p.amount_vnd).sum();
            vec![
                ("so_tien", format::money((asked - paid).max(0))),
                ("ghi_chu", entry.note.clone()),
            ]
        }
        Trigger::Rescheduled => {
            let last = dossier.reschedules.last();
            vec![
                ("ngay_hen_cu", date(last.and_then(|r| r.old_due_at))),
                ("ngay_hen_tra", date(dossier.due_at)),
                ("ly_do", entry.note.clone()),
            ]
        }
        Trigger::ResultReady => vec![
            ("ngay_co_ket_qua", date(Some(event.occurred_at))),
            ("ngay_hen_tra", date(dossier.due_at)),
        ],
        Trigger::Refused => vec![("ly_do", entry.note.clone())],
    };
    values.extend(own);
    values
}

/// The dossier and history line an event carries, when it is a dossier event.
pub fn dossier_of(event: &Event) -> Option<(&Dossier, &HistoryEntry)> {
    match &event.payload {
        EventPayload::DossierChanged { dossier, entry } => Some((dossier, entry)),
        EventPayload::CatalogPublished(_)
        | EventPayload::DossierRated(_)
        | EventPayload::AnswerPublished(_) => None,
    }
}
