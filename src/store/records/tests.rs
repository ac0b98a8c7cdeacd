//! Every field survives format 1; format 0 still reads; the bytes of
//! format 1 are pinned where a silent change would strand stored data.

use super::*;
use crate::domain::feedback::{FeedbackAnswer, PublishedAnswer, Rating, Satisfaction};
use crate::domain::{
    ApplicantType, CatalogPublished, Channel, Document, Dossier, Event, EventPayload, EventType,
    Fee, HistoryEntry, PartnerEvent, PartnerEventKind, Payment, PostalAddress, Reschedule,
    ResultDelivery, ResultDocument, Status, Supplement, UnixMillis,
};

/// A dossier with every field set to something other than its default.
pub(crate) fn full_dossier() -> Dossier {
    Dossier {
        id: 42,
        ma_ho_so: "000.00.01.H22-251122-00017".into(),
        version: 7,
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        sector_code: "G09".into(),
        channel: Channel::Postal,
        owner_name: "Trần Thị Bình".into(),
        applicant_type: ApplicantType::Enterprise,
        owner_id_number: "001190000001".into(),
        email: "binh@example.vn".into(),
        phone: "0912345678".into(),
        summary: "khai sinh".into(),
        submitted_at: UnixMillis(1_763_800_000_000),
        received_at: Some(UnixMillis(1_763_800_001_000)),
        due_at: Some(UnixMillis(1_764_800_000_000)),
        returned_at: Some(UnixMillis(1_764_000_000_000)),
        finished_at: Some(UnixMillis(1_763_900_000_000)),
        status: Status::Stopped,
        paused_from: Some(Status::Processing),
        result_delivery: Some(ResultDelivery::ByPost),
        result_address: "Số 12 Lê Thánh Tông".into(),
        applicant_address: Some(PostalAddress {
            province_code: "22".into(),
            commune_code: "07000".into(),
            street: "Số 12".into(),
            phone: "0912".into(),
            district_code: "193".into(),
        }),
        processing_unit: "Phòng Tư pháp".into(),
        documents: vec![Document {
            component_code: "TP01".into(),
            name: "Tờ khai".into(),
            url: "https://files.example.vn/tp01.pdf".into(),
        }],
        fees: vec![Fee {
            code: "LP01".into(),
            name: "Lệ phí".into(),
            amount_vnd: -8_000,
        }],
        supplements: vec![Supplement {
            requested_at: UnixMillis(5),
            reason: "thiếu".into(),
            items: vec!["a".into(), "b".into()],
            old_due_at: Some(UnixMillis(6)),
            submitted_at: None,
            documents: vec![Document {
                component_code: "TP02".into(),
                name: "Bổ sung".into(),
                url: "u".into(),
            }],
        }],
        results: vec![ResultDocument {
            code: "KQ1".into(),
            name: "Giấy khai sinh".into(),
            url: "k".into(),
        }],
        payments: vec![Payment {
            transaction_id: "GD-1".into(),
            reference: "TC-1".into(),
            amount_vnd: 8_000,
            paid_at: UnixMillis(9),
        }],
        reschedules: vec![Reschedule {
            at: UnixMillis(10),
            apology: "xin lỗi".into(),
            old_due_at: None,
            new_due_at: UnixMillis(11),
        }],
        status_reason: "chờ".into(),
        updated_at: UnixMillis(1_763_900_000_001),
        submitted_by: "dvcqg".into(),
        history_bytes: 1234,
        site: Some(crate::domain::site::SiteHold {
            authority: "BXD".into(),
            origin: "H22".into(),
            copies: vec!["H22".into()],
        }),
    }
}

fn line(version: u64) -> HistoryEntry {
    HistoryEntry {
        version,
        at: UnixMillis(1_763_800_000_000),
        partner_id: "postal".into(),
        actor: "Lê Văn C".into(),
        unit: "Bưu cục".into(),
        command: "record_partner_event".into(),
        from_status: Some(Status::Received),
        to_status: Status::Received,
        note: "đã thu gom".into(),
        partner_event: Some(PartnerEvent {
            kind: PartnerEventKind::PostalPickedUp,
            occurred_at: UnixMillis(3),
            reference: "VN123".into(),
        }),
    }
}

fn event(seq: u64, payload: EventPayload) -> Event {
    Event {
        event_id: "0b7e0a52-7f3c-4c1e-9d1a-3f0e6c2b9a11".into(),
        seq,
        event_type: EventType::DossierForwarded,
        occurred_at: UnixMillis(77),
        partner_id: "one-stop".into(),
        dossier_id: 42,
        ma_ho_so: "M".into(),
        dossier_version: 7,
        agency_code: "B".into(),
        from_agency_code: "A".into(),
        procedure_code: "P".into(),
        from_status: None,
        to_status: Some(Status::Processing),
        payload,
    }
}

fn round_trip<R: Record + PartialEq + std::fmt::Debug>(key: &[u8], record: &R) {
    let bytes = encode(record);
    assert_eq!(bytes[0], FORMAT_V1);
    assert_eq!(&decode::<R>(key, &bytes).unwrap(), record);
}

#[test]
fn every_field_of_every_record_survives_format_1() {
    let dossier = full_dossier();
    round_trip(&keys::dossier(42), &dossier);
    round_trip(&keys::history(42, 7), &line(7));
    let payloads = [
        EventPayload::DossierChanged {
            dossier: Box::new(dossier.clone()),
            entry: line(7),
        },
        EventPayload::CatalogPublished(CatalogPublished {
            kind: "procedures".into(),
            version: 3,
            added: 1,
            changed: 2,
            removed: 4,
        }),
        EventPayload::DossierRated(Rating {
            ma_ho_so: "M".into(),
            agency_code: "A".into(),
            procedure_code: "P".into(),
            level: Satisfaction::Unsatisfied,
            comment: "chậm".into(),
            rated_at: UnixMillis(8),
        }),
        EventPayload::AnswerPublished(PublishedAnswer {
            code: "PAKN-1".into(),
            subject: "s".into(),
            question: "q".into(),
            ma_ho_so: "M".into(),
            agency_code: "A".into(),
            agency_name: "Sở".into(),
            answer: FeedbackAnswer {
                text: "t".into(),
                officer: "o".into(),
                unit: "u".into(),
                answered_at: UnixMillis(9),
                public: true,
            },
        }),
    ];
    for payload in payloads {
        round_trip(&keys::event(99), &event(99, payload));
    }
    for reply in [
        StoredAnswer::Command {
            dossier_id: 42,
            dossier_version: 7,
            entry: line(7),
            event_seq: 99,
            event_id: "e".into(),
        },
        StoredAnswer::Publication {
            kind: "procedures".into(),
            version: 3,
            added: 1,
            changed: 2,
            removed: 4,
            event_seq: 5,
        },
    ] {
        let record = IdempotencyRecord {
            fingerprint: "88a967910392a5884b2c19c0a8d071e6e0ef74bc8a01ba9b34cbadc12d6b628d".into(),
            created_at: UnixMillis(12),
            reply,
        };
        round_trip(&keys::idempotency("p", "k"), &record);
    }
}

#[test]
fn format_1_is_a_fraction_of_the_json_it_replaces() {
    let dossier = full_dossier();
    let json = serde_json::to_vec(&dossier).unwrap().len();
    let v1 = encode(&dossier).len();
    assert!(v1 * 2 < json, "format 1 {v1} bytes, JSON {json} bytes");
}

#[test]
fn format_0_records_still_read() {
    let dossier = full_dossier();
    let json = serde_json::to_vec(&dossier).unwrap();
    assert!(is_json(&json));
    assert_eq!(
        decode::<Dossier>(&keys::dossier(42), &json).unwrap(),
        dossier
    );
    let entry = line(7);
    let json = serde_json::to_vec(&entry).unwrap();
    assert_eq!(
        decode::<HistoryEntry>(&keys::history(42, 7), &json).unwrap(),
        entry
    );
    // An idempotency record as the engine wrote it: the reply was its
    // answer's JSON, a command's or a publication's (with `replayed`).
    let json = serde_json::json!({
        "fingerprint": "ab",
        "created_at": 12,
        "reply": {"kind": "procedures", "version": 3, "added": 1, "changed": 0,
                  "removed": 0, "event_seq": 5, "replayed": false},
    });
    let record: IdempotencyRecord = decode(b"ip\0k", &serde_json::to_vec(&json).unwrap()).unwrap();
    assert_eq!(record.fingerprint, "ab");
    assert!(matches!(
        record.reply,
        StoredAnswer::Publication { version: 3, .. }
    ));
}

#[test]
fn an_unknown_format_or_code_is_named_not_guessed() {
    let err = decode::<Dossier>(&keys::dossier(1), &[9, 1, 2]).unwrap_err();
    assert!(err.to_string().contains("unknown record format 9"), "{err}");
    let mut v1 = dossier::dossier_v1(&full_dossier());
    v1.status = 11;
    let mut bytes = vec![FORMAT_V1];
    prost::Message::encode(&v1, &mut bytes).unwrap();
    let err = decode::<Dossier>(&keys::dossier(1), &bytes).unwrap_err();
    assert!(err.to_string().contains("unknown status code 11"), "{err}");
}

#[test]
fn the_migration_rewrites_format_0_once_and_keeps_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::open(dir.path()).unwrap();
    let dossier = full_dossier();
    db.insert(keys::dossier(42), serde_json::to_vec(&dossier).unwrap())
        .unwrap();
    db.insert(keys::history(42, 7), serde_json::to_vec(&line(7)).unwrap())
        .unwrap();
    // Already format 1: left as is.
    db.insert(keys::history(42, 8), encode(&line(8))).unwrap();
    assert_eq!(migrate::run(&db).unwrap(), 2);
    let stored = db.get(keys::dossier(42)).unwrap().unwrap();
    assert_eq!(stored[0], FORMAT_V1);
    assert_eq!(
        decode::<Dossier>(&keys::dossier(42), &stored).unwrap(),
        dossier
    );
    assert_eq!(
        db.get(migrate::MARKER).unwrap().as_deref(),
        Some(&[FORMAT_V1][..])
    );
    // The marker spares the next open the scan, even of a JSON record.
    db.insert(keys::dossier(43), serde_json::to_vec(&dossier).unwrap())
        .unwrap();
    assert_eq!(migrate::run(&db).unwrap(), 0);
}
