//! `domain::size` counts a dossier's size on the core types; these tests
//! hold it to the real protobuf encoding: it must never count less.

use super::*;
use crate::domain::machine::{self, Actor};
use crate::domain::{
    size, Action, CommandEnvelope, DossierRef, Fee, NewDossier, Payment, Reschedule,
    ResultDocument, Supplement,
};
use prost::Message;

/// A string of about `n` bytes of three-byte characters, as Vietnamese text has.
fn long(n: usize) -> String {
    "ệ".repeat(n / 3)
}

/// The far end of every number, so each varint takes its longest form.
fn far() -> UnixMillis {
    UnixMillis(253_402_300_799_999)
}

fn full_dossier() -> (Dossier, Vec<HistoryEntry>) {
    let doc = || Document {
        component_code: long(300),
        name: long(300),
        url: format!("https://{}", long(2000)),
    };
    let new = NewDossier {
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: long(300),
        sector_code: "G09".into(),
        channel: Some(Channel::Postal),
        owner_name: long(300),
        applicant_type: Some(ApplicantType::Other),
        owner_id_number: long(32),
        email: long(254),
        phone: "+841234567890123".into(),
        summary: long(4000),
        result_delivery: Some(ResultDelivery::Electronic),
        documents: (0..20).map(|_| doc()).collect(),
        fees: (0..20)
            .map(|_| Fee {
                code: long(300),
                name: long(300),
                amount_vnd: i64::MIN,
            })
            .collect(),
        ma_ho_so: String::new(),
        result_address: long(1000),
        applicant_address: Some(crate::domain::PostalAddress {
            province_code: "22".into(),
            commune_code: "06658".into(),
            street: long(1000),
            phone: "+841234567890123".into(),
            district_code: "193".into(),
        }),
    };
    let who = Actor {
        partner_id: "national-portal",
        actor: &long(300),
        unit: &long(300),
        now: far(),
    };
    let applied = machine::create(&new, u64::MAX, long(90), &who);
    let mut d = applied.dossier;
    d.version = u64::MAX;
    (d.received_at, d.due_at, d.returned_at, d.finished_at) =
        (Some(far()), Some(far()), Some(far()), Some(far()));
    d.processing_unit = long(300);
    d.status_reason = long(4000);
    d.supplements = (0..5)
        .map(|_| Supplement {
            requested_at: far(),
            reason: long(4000),
            items: (0..20).map(|_| long(300)).collect(),
            old_due_at: Some(far()),
            submitted_at: Some(far()),
            documents: (0..20).map(|_| doc()).collect(),
        })
        .collect();
    d.results = (0..20)
        .map(|_| ResultDocument {
            code: long(300),
            name: long(300),
            url: long(2048),
        })
        .collect();
    d.payments = (0..5)
        .map(|_| Payment {
            transaction_id: long(300),
            reference: long(300),
            amount_vnd: i64::MIN,
            paid_at: far(),
        })
        .collect();
    d.reschedules = (0..5)
        .map(|_| Reschedule {
            at: far(),
            apology: long(4000),
            old_due_at: Some(far()),
            new_due_at: far(),
        })
        .collect();
    let mut entry = applied.entry;
    entry.version = u64::MAX;
    entry.note = long(4000);
    entry.from_status = Some(crate::domain::Status::ResultReturned);
    entry.partner_event = Some(crate::domain::PartnerEvent {
        kind: crate::domain::PartnerEventKind::PostalHandedOverToAgency,
        occurred_at: far(),
        reference: long(300),
    });
    let history: Vec<HistoryEntry> = (0..30).map(|_| entry.clone()).collect();
    d.history_bytes = history.iter().map(|e| size::entry_bytes(e) as u64).sum();
    (d, history)
}

#[test]
fn the_counted_size_is_never_below_the_encoded_size() {
    let (d, history) = full_dossier();
    // The dossier as one element of a list (ListDossiers).
    let encoded = dossier(d.clone()).encoded_len();
    assert!(size::dossier_bytes(&d) >= encoded + 1 + prost::length_delimiter_len(encoded));
    // The GetDossier answer.
    let reply = pb::GetDossierReply {
        dossier: Some(dossier(d.clone())),
        history: history.into_iter().map(history_entry).collect(),
    };
    assert!(
        size::total_bytes(&d) >= reply.encoded_len(),
        "{} < {}",
        size::total_bytes(&d),
        reply.encoded_len()
    );
}

#[test]
fn a_growth_past_the_limit_is_refused_naming_the_field_and_the_sizes() {
    let (d, _) = full_dossier();
    let limit = size::total_bytes(&d) - 1;
    let action = Action::OnDossier {
        dossier: DossierRef::Id(1),
        command: crate::domain::Command::SubmitSupplement {
            documents: Vec::new(),
            new_due_at: None,
        },
    };
    let envelope = CommandEnvelope {
        idempotency_key: "k".into(),
        expected_version: None,
        actor: String::new(),
        unit: String::new(),
        action,
    };
    let error = size::check(&envelope.action, 1234, &d, limit)
        .unwrap_err()
        .to_string();
    for needle in [
        "submit_supplement.documents",
        &format!("limit of {limit} bytes"),
        "it is now 1234 bytes",
    ] {
        assert!(error.contains(needle), "`{needle}` in: {error}");
    }
    assert!(size::check(&envelope.action, 0, &d, limit + 1).is_ok());
}
