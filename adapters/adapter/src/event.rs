//! The dossier of an event, as every sink reads it, and the name of its
//! type as partners see it.
//!
//! A dossier event carries the dossier as it is after the change, and the
//! history line the change added; a catalogue publication carries neither.
//! A dossier event without its dossier is the hub's mistake, not the
//! partner's: a sink refuses it (the hub parks it, with this reason) rather
//! than sending the partner half a message.

use crate::{pb, DeliveryError};

/// What a dossier event carries.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The dossier after the change.
    pub dossier: &'a pb::Dossier,
    /// The history line the change added, when the event has it.
    pub entry: Option<&'a pb::HistoryEntry>,
}

/// The change an event carries; `Ok(None)` for an event that is not about a
/// dossier (a catalogue publication).
pub fn change(event: &pb::Event) -> Result<Option<Change<'_>>, DeliveryError> {
    let Some(pb::event::Payload::DossierChanged(changed)) = &event.payload else {
        return Ok(None);
    };
    let dossier = changed.dossier.as_ref().ok_or_else(|| {
        DeliveryError::reject(format!(
            "event {} is a dossier event without its dossier",
            event.event_id
        ))
    })?;
    Ok(Some(Change {
        dossier,
        entry: changed.entry.as_ref(),
    }))
}

/// The dossier an event carries, for a sink that acts on dossier events
/// only: anything else is refused with the reason.
pub fn dossier(event: &pb::Event) -> Result<&pb::Dossier, DeliveryError> {
    change(event)?.map(|c| c.dossier).ok_or_else(|| {
        DeliveryError::reject(format!(
            "event {} ({}) carries no dossier",
            event.event_id,
            event.r#type().as_str_name()
        ))
    })
}

/// The name of an event type as partners see it: `dossier_submitted`,
/// `processing_finished`, … (the contract's name, lower case, unprefixed).
pub fn type_name(event_type: pb::EventType) -> String {
    event_type
        .as_str_name()
        .trim_start_matches("EVENT_TYPE_")
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(payload: Option<pb::event::Payload>) -> pb::Event {
        pb::Event {
            event_id: "ev-1".into(),
            r#type: pb::EventType::DossierReceived as i32,
            payload,
            ..Default::default()
        }
    }

    #[test]
    fn a_dossier_event_gives_its_dossier_and_entry() {
        let e = event(Some(pb::event::Payload::DossierChanged(
            pb::DossierChanged {
                dossier: Some(pb::Dossier {
                    ma_ho_so: "A".into(),
                    ..Default::default()
                }),
                entry: Some(pb::HistoryEntry::default()),
            },
        )));
        let c = change(&e).unwrap().expect("a change");
        assert_eq!(c.dossier.ma_ho_so, "A");
        assert!(c.entry.is_some());
        assert_eq!(dossier(&e).unwrap().ma_ho_so, "A");
    }

    #[test]
    fn type_names_are_the_contracts_in_lower_case() {
        assert_eq!(
            type_name(pb::EventType::DossierSubmitted),
            "dossier_submitted"
        );
        assert_eq!(
            type_name(pb::EventType::FinancialObligationRequested),
            "financial_obligation_requested"
        );
        assert_eq!(type_name(pb::EventType::Unspecified), "unspecified");
    }

    #[test]
    fn other_events_carry_none_and_a_missing_dossier_is_refused() {
        let catalogue = event(Some(pb::event::Payload::CatalogPublished(
            pb::CatalogPublished::default(),
        )));
        assert!(change(&catalogue).unwrap().is_none());
        let e = dossier(&catalogue).unwrap_err();
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("ev-1"), "{e}");
        let empty = event(Some(pb::event::Payload::DossierChanged(
            pb::DossierChanged::default(),
        )));
        let e = change(&empty).unwrap_err();
        assert!(e.to_string().contains("without its dossier"), "{e}");
    }
}
