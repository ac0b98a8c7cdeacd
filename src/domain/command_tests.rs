//! The idempotency fingerprint must never drift: a stored idempotency record
//! holds the fingerprint of the first request, and a replay is recognised by
//! computing it again. These values were computed by the envelope as it was
//! before it became a typed submission-or-command (a plain struct serialised
//! whole); any change in how a request is hashed fails here.

use super::*;
use crate::{Document, ResultDelivery, UnixMillis};

/// The shared valid submission, with the fields the pinned fingerprints
/// were computed over.
fn submission() -> NewDossier {
    NewDossier {
        phone: "0912345678".into(),
        summary: "khai sinh cho con".into(),
        result_delivery: Some(ResultDelivery::ByPost),
        documents: vec![Document {
            name: "Giấy chứng sinh".into(),
            ..crate::fixtures::doc()
        }],
        ma_ho_so: "000.00.01.H22-251122-00017".into(),
        ..crate::fixtures::new_dossier()
    }
}

fn submit() -> CommandEnvelope {
    CommandEnvelope {
        idempotency_key: "dvcqg:submit:000.00.01.H22-251122-00017".into(),
        expected_version: None,
        actor: "Nguyễn Văn An".into(),
        unit: "Bộ phận một cửa".into(),
        action: Action::Submit(Box::new(submission())),
    }
}

fn record_payment() -> CommandEnvelope {
    CommandEnvelope {
        idempotency_key: "paygov:GD-0001".into(),
        expected_version: Some(4),
        actor: String::new(),
        unit: "Kho bạc".into(),
        action: Action::OnDossier {
            dossier: DossierRef::MaHoSo("000.00.01.H22-251122-00017".into()),
            command: Command::RecordPayment {
                transaction_id: "GD-0001".into(),
                reference: "TC-0001".into(),
                amount_vnd: 8_000,
                paid_at: Some(UnixMillis(1_763_800_000_000)),
            },
        },
    }
}

fn receive() -> CommandEnvelope {
    CommandEnvelope {
        idempotency_key: "k-1".into(),
        expected_version: None,
        actor: String::new(),
        unit: String::new(),
        action: Action::OnDossier {
            dossier: DossierRef::Id(7),
            command: Command::Receive { due_at: None },
        },
    }
}

/// The text the fingerprint hashes: the envelope as the partner sent it.
fn canonical(env: &CommandEnvelope) -> String {
    String::from_utf8(env.as_asked()).expect("JSON is UTF-8")
}

#[test]
fn fingerprints_are_those_stored_records_hold() {
    assert_eq!(
        submit().fingerprint(),
        "88a967910392a5884b2c19c0a8d071e6e0ef74bc8a01ba9b34cbadc12d6b628d"
    );
    assert_eq!(
        record_payment().fingerprint(),
        "648c244a944b71a510fb7b7bbd3d1b68eb508029ddd028b77b3a1609bd6538c1"
    );
    assert_eq!(
        receive().fingerprint(),
        "b977d54499da7229ea0d45b680cc8dc37aeab59f6963f49703b454b463e4829e"
    );
}

#[test]
fn the_hashed_text_is_the_request_as_sent() {
    assert_eq!(
        canonical(&receive()),
        r#"{"idempotency_key":"k-1","expected_version":null,"dossier":{"id":7},"actor":"","unit":"","command":{"command":"receive","due_at":null}}"#
    );
    assert_eq!(
        canonical(&record_payment()),
        r#"{"idempotency_key":"paygov:GD-0001","expected_version":4,"dossier":{"ma_ho_so":"000.00.01.H22-251122-00017"},"actor":"","unit":"Kho bạc","command":{"command":"record_payment","transaction_id":"GD-0001","reference":"TC-0001","amount_vnd":8000,"paid_at":1763800000000}}"#
    );
    assert!(
        canonical(&submit()).starts_with(
            r#"{"idempotency_key":"dvcqg:submit:000.00.01.H22-251122-00017","expected_version":null,"dossier":null,"actor":"Nguyễn Văn An","unit":"Bộ phận một cửa","command":{"command":"submit","agency_code":"000.00.01.H22","#
        ),
        "{}",
        canonical(&submit())
    );
}

#[test]
fn any_change_to_the_request_changes_the_fingerprint() {
    let mut other_key = receive();
    other_key.idempotency_key = "k-2".into();
    let mut other_version = receive();
    other_version.expected_version = Some(1);
    let base = receive().fingerprint();
    assert_ne!(other_key.fingerprint(), base);
    assert_ne!(other_version.fingerprint(), base);
    assert_eq!(receive().fingerprint(), base);
}

#[test]
fn a_result_address_counts_only_when_given() {
    // Without one the submission hashes as it always did (the pinned
    // fingerprint above); with one it is the request's last field.
    let mut with_address = submit();
    let Action::Submit(new) = &mut with_address.action else {
        unreachable!("a submission")
    };
    new.result_address = "Số 12 phố Lê Thánh Tông, TP Hạ Long".into();
    assert_ne!(with_address.fingerprint(), submit().fingerprint());
    assert!(
        canonical(&with_address)
            .ends_with(r#""result_address":"Số 12 phố Lê Thánh Tông, TP Hạ Long"}}"#),
        "{}",
        canonical(&with_address)
    );
    assert!(!canonical(&submit()).contains("result_address"));
}

#[test]
fn a_dossier_without_a_result_address_keeps_its_stored_bytes() {
    let new = submission();
    let who = crate::machine::Actor {
        partner_id: "dvcqg",
        actor: "",
        unit: "",
        now: UnixMillis(1),
    };
    let mut dossier = crate::machine::create(&new, 1, new.ma_ho_so.clone(), &who).dossier;
    let stored = serde_json::to_string(&dossier).unwrap();
    assert!(!stored.contains("result_address"), "{stored}");
    dossier.result_address = "Số 12 phố Lê Thánh Tông".into();
    let stored = serde_json::to_string(&dossier).unwrap();
    let read: crate::Dossier = serde_json::from_str(&stored).unwrap();
    assert_eq!(read.result_address, "Số 12 phố Lê Thánh Tông");
}
