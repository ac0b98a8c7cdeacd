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

/// Every command and every optional part of a submission, over the
/// envelopes above.
fn every_shape() -> Vec<CommandEnvelope> {
    use crate::{ApplicantType, Fee, PostalAddress, ResultDocument};
    let mut envs = vec![submit(), receive(), record_payment()];
    let mut with = submit();
    if let Action::Submit(new) = &mut with.action {
        new.result_address = "addr \"q\" \n".into();
        new.channel = None;
        new.applicant_type = Some(ApplicantType::StateAgency);
        new.applicant_address = Some(PostalAddress {
            province_code: "22".into(),
            commune_code: "1".into(),
            street: "s".into(),
            phone: "p".into(),
            district_code: String::new(),
        });
    }
    envs.push(with.clone());
    if let Action::Submit(new) = &mut with.action {
        if let Some(address) = new.applicant_address.as_mut() {
            address.district_code = "d".into();
        }
        new.result_delivery = None;
    }
    envs.push(with);
    let commands = vec![
        Command::Receive {
            due_at: Some(UnixMillis(5)),
        },
        Command::Refuse { reason: "r".into() },
        Command::RequestSupplement {
            reason: "r".into(),
            items: vec!["a".into(), "b\u{1}".into()],
        },
        Command::SubmitSupplement {
            documents: vec![crate::fixtures::doc()],
            new_due_at: None,
        },
        Command::StartProcessing {
            processing_unit: "u".into(),
        },
        Command::RequestFinancialObligation {
            fees: vec![Fee {
                code: "c".into(),
                name: "n".into(),
                amount_vnd: -3,
            }],
            note: "n".into(),
        },
        Command::RecordPayment {
            transaction_id: "t".into(),
            reference: "r".into(),
            amount_vnd: 9,
            paid_at: None,
        },
        Command::Stop { reason: "s".into() },
        Command::Resume { note: "n".into() },
        Command::Withdraw { reason: "w".into() },
        Command::Finish {
            results: vec![ResultDocument {
                code: "k".into(),
                name: "n".into(),
                url: "u".into(),
            }],
        },
        Command::ReturnResult {
            delivery: Some(ResultDelivery::AtCounter),
        },
        Command::ReturnResult { delivery: None },
        Command::Reschedule {
            apology: "a".into(),
            new_due_at: Some(UnixMillis(-7)),
        },
        Command::Forward {
            to_agency_code: "x".into(),
            note: "n".into(),
        },
        Command::RecordPartnerEvent {
            kind: "postal.delivered".into(),
            occurred_at: None,
            reference: "r".into(),
            note: "".into(),
        },
    ];
    for (i, command) in commands.into_iter().enumerate() {
        envs.push(CommandEnvelope {
            idempotency_key: format!("k{i}"),
            expected_version: Some(i as u64),
            actor: "a".into(),
            unit: "u".into(),
            action: Action::OnDossier {
                dossier: DossierRef::MaHoSo("M".into()),
                command,
            },
        });
    }
    envs
}

/// The canonical form is written out field by field (`canonical.rs`), no
/// longer derived from these structs: these fingerprints were computed by
/// the derived serialisation it replaced (equal, text for text, for every
/// shape here), so renaming a field of `Command` or `NewDossier` cannot
/// strand a stored idempotency record.
#[test]
fn every_command_shape_keeps_the_fingerprint_the_derived_form_gave() {
    let pinned = [
        "88a967910392a5884b2c19c0a8d071e6e0ef74bc8a01ba9b34cbadc12d6b628d",
        "b977d54499da7229ea0d45b680cc8dc37aeab59f6963f49703b454b463e4829e",
        "648c244a944b71a510fb7b7bbd3d1b68eb508029ddd028b77b3a1609bd6538c1",
        "2cd19c0181cbea0c147bf139f03d4e52c698260e5f4be7ff73fcdf70e4f89d78",
        "1ae1272d989533f86358985553bd58d9296d3622aabedabbc42365ee0c0fc5bf",
        "e01916318825f5adc68544f66c857732aec57f3cd99ab18405d9f645c80556f4",
        "dfc5cce58131c00a9b29013d6bc0d9801db105bba489f569d53c9058dcbda786",
        "3486514161ad43ced568313a6129e472a87c28539d4908ceff91bea61b3c6612",
        "c44621df0431bbabb4559f14e1f93c59b0a4c2abf3682c7ccaee9cd8be9f730f",
        "dd930ef495d26655f90f6ddc10dd63be798af692c70551fd4dbdea8d988b9c64",
        "a53e63aa94cc7efb47c1e7015e4bad40559d19b8640385ac6050eda90600d24e",
        "ed51d83acaac3ca38d01b0c1921558188339ada4dffa43b03c99de21d2157090",
        "1d143dcd84aa04fb7fdc413357480919c57444985e98caed9bff7e4bd79dac4b",
        "812c08ab13be0c8ceb60de93c06685a58208dd8d8b74adec61b36424631dc8c7",
        "fb49bf187e3c9ad07f7a0aa38b51d0abbea692425ce8f346a69449c5745225b4",
        "df5be5d07bc0222e091f713ad1af83f6d92fa171b7aa3cf4dd612854a64d8b89",
        "d0b8f317fed55b3195244e578b5c33759be27383dc961665006e509e958b134f",
        "5320c57586dbc77a5cf1bae31418306000db092e78c62cdd000998abb14974f6",
        "a18277c666bae53eb3d67fc4c11dd57798c6de905c002ea12d4dad92479b69a7",
        "881a260a7048675bd172be3f341e8b3c3f44d519ec147050fb61a9a995977770",
        "933994689fceb9599364fa612e2e9225c05065b32a3d22202b2dce22f3e3038e",
    ];
    let envs = every_shape();
    assert_eq!(envs.len(), pinned.len());
    for (env, fingerprint) in envs.iter().zip(pinned) {
        assert_eq!(env.fingerprint(), fingerprint, "{}", canonical(env));
    }
}

#[test]
fn a_publication_keeps_the_fingerprint_the_derived_form_gave() {
    let mut attributes = std::collections::BTreeMap::new();
    attributes.insert("b".to_string(), "2".to_string());
    attributes.insert("a".to_string(), "1\"".to_string());
    let publication = crate::catalog::Publication {
        idempotency_key: "k".into(),
        kind: "sectors".into(),
        entries: vec![crate::catalog::CatalogEntry {
            code: "c".into(),
            name: "n".into(),
            parent_code: "".into(),
            attributes,
        }],
        expected_version: Some(3),
    };
    assert_eq!(
        publication.fingerprint(),
        "9da4cd7bfa9c55984034be279d9abbab303616675290d36cbef3f1d98826214c"
    );
}
