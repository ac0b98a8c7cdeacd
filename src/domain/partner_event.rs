//! The vocabulary of partner events: what a partner may report about a
//! dossier without changing its status (`record_partner_event`).
//!
//! A partner that carries papers (the public postal service, Decision
//! 45/2016/QĐ-TTg) knows things the dossier's officers must see — the papers
//! were collected, handed over to the agency, the result failed to reach the
//! applicant — yet none of them is a step of the portal's status vocabulary.
//! They become history lines of the dossier (who, when, what), so the
//! process-control slip, the hosted pages and every subscriber see them.
//! The vocabulary is bounded (an unknown kind is refused, never stored) and
//! namespaced by the kind of partner (`postal.*`), so other partners' events
//! join it without renaming these.

use super::UnixMillis;
use serde::{Deserialize, Serialize};

/// One kind of partner event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartnerEventKind {
    #[serde(rename = "postal.pickup_requested")]
    PostalPickupRequested,
    #[serde(rename = "postal.pickup_cancelled")]
    PostalPickupCancelled,
    #[serde(rename = "postal.picked_up")]
    PostalPickedUp,
    #[serde(rename = "postal.handed_over_to_agency")]
    PostalHandedOverToAgency,
    #[serde(rename = "postal.delivery_requested")]
    PostalDeliveryRequested,
    #[serde(rename = "postal.in_transit")]
    PostalInTransit,
    #[serde(rename = "postal.delivered")]
    PostalDelivered,
    #[serde(rename = "postal.delivery_failed")]
    PostalDeliveryFailed,
    #[serde(rename = "postal.returned_to_sender")]
    PostalReturnedToSender,
}

impl PartnerEventKind {
    pub const ALL: [PartnerEventKind; 9] = [
        PartnerEventKind::PostalPickupRequested,
        PartnerEventKind::PostalPickupCancelled,
        PartnerEventKind::PostalPickedUp,
        PartnerEventKind::PostalHandedOverToAgency,
        PartnerEventKind::PostalDeliveryRequested,
        PartnerEventKind::PostalInTransit,
        PartnerEventKind::PostalDelivered,
        PartnerEventKind::PostalDeliveryFailed,
        PartnerEventKind::PostalReturnedToSender,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerEventKind::PostalPickupRequested => "postal.pickup_requested",
            PartnerEventKind::PostalPickupCancelled => "postal.pickup_cancelled",
            PartnerEventKind::PostalPickedUp => "postal.picked_up",
            PartnerEventKind::PostalHandedOverToAgency => "postal.handed_over_to_agency",
            PartnerEventKind::PostalDeliveryRequested => "postal.delivery_requested",
            PartnerEventKind::PostalInTransit => "postal.in_transit",
            PartnerEventKind::PostalDelivered => "postal.delivered",
            PartnerEventKind::PostalDeliveryFailed => "postal.delivery_failed",
            PartnerEventKind::PostalReturnedToSender => "postal.returned_to_sender",
        }
    }

    pub fn parse(text: &str) -> Option<PartnerEventKind> {
        PartnerEventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// The words of the process-control slip (Mẫu 05) and of the pages.
    pub fn label(self) -> &'static str {
        match self {
            PartnerEventKind::PostalPickupRequested => "Bưu chính: yêu cầu thu gom hồ sơ",
            PartnerEventKind::PostalPickupCancelled => "Bưu chính: huỷ thu gom hồ sơ",
            PartnerEventKind::PostalPickedUp => "Bưu chính: đã thu gom hồ sơ",
            PartnerEventKind::PostalHandedOverToAgency => "Bưu chính: đã chuyển hồ sơ đến cơ quan",
            PartnerEventKind::PostalDeliveryRequested => "Bưu chính: yêu cầu chuyển phát kết quả",
            PartnerEventKind::PostalInTransit => "Bưu chính: đang chuyển phát",
            PartnerEventKind::PostalDelivered => "Bưu chính: đã phát kết quả",
            PartnerEventKind::PostalDeliveryFailed => "Bưu chính: phát không thành công",
            PartnerEventKind::PostalReturnedToSender => "Bưu chính: chuyển hoàn",
        }
    }

    /// The names, for an error message that lists them.
    pub fn names() -> String {
        PartnerEventKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a partner reported, kept on its history line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerEvent {
    pub kind: PartnerEventKind,
    /// The partner's time of the event (the line's `at` is the hub's).
    pub occurred_at: UnixMillis,
    pub reference: String,
}

impl PartnerEvent {
    /// The history line's note, `<label>: <detail>` — readable wherever only
    /// the note is shown (a subscriber, the national portal's progress).
    pub fn note(&self, words: &str) -> String {
        format!("{}: {}", self.kind.label(), self.detail(words))
    }

    /// The reference, the partner's time (Vietnam, `HH:mm dd/MM/yyyy`) and
    /// the partner's words.
    pub fn detail(&self, words: &str) -> String {
        let at = self.occurred_at.portal_format();
        let when = match (
            at.get(0..4),
            at.get(4..6),
            at.get(6..8),
            at.get(8..10),
            at.get(10..12),
        ) {
            (Some(y), Some(mo), Some(d), Some(h), Some(mi)) => format!("{h}:{mi} {d}/{mo}/{y}"),
            _ => at.clone(),
        };
        let line = format!("mã {}, lúc {when}", self.reference);
        if words.trim().is_empty() {
            line
        } else {
            format!("{line} — {}", words.trim())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serialise_as_named() {
        for kind in PartnerEventKind::ALL {
            assert_eq!(PartnerEventKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(PartnerEventKind::parse("postal.lost"), None);
        assert_eq!(PartnerEventKind::parse("pickup_requested"), None);
    }

    #[test]
    fn the_note_says_what_which_reference_when_in_vietnam_and_the_words() {
        let event = PartnerEvent {
            kind: PartnerEventKind::PostalDelivered,
            // 2025-11-22 10:05 in Hà Nội.
            occurred_at: UnixMillis(1_763_780_700_000),
            reference: "EMS42".into(),
        };
        assert_eq!(
            event.note(""),
            "Bưu chính: đã phát kết quả: mã EMS42, lúc 10:05 22/11/2025"
        );
        assert_eq!(
            event.note(" ký nhận: Trần Bình "),
            "Bưu chính: đã phát kết quả: mã EMS42, lúc 10:05 22/11/2025 — ký nhận: Trần Bình"
        );
    }
}
