//! Unit tests of field validation: every rule refuses with the field's path
//! in the public contract, limits hold exactly at their bound, and a valid
//! command of every kind passes (so a refusal below is the rule under test,
//! not a neighbour).

use super::*;
use crate::fixtures::{doc, fee, new_dossier};
use crate::{DossierRef, ResultDelivery};

fn result_doc() -> ResultDocument {
    ResultDocument {
        code: "KQ01".into(),
        name: "Giấy khai sinh".into(),
        url: "https://files.example.vn/kq01.pdf".into(),
    }
}

fn submit(new: NewDossier) -> CommandEnvelope {
    CommandEnvelope {
        idempotency_key: "key-1".into(),
        expected_version: None,
        actor: "Nguyễn Văn An".into(),
        unit: "Bộ phận một cửa".into(),
        action: Action::Submit(Box::new(new)),
    }
}

/// A command on dossier id 7.
fn on_dossier(command: Command) -> CommandEnvelope {
    on(DossierRef::Id(7), command)
}

fn on(dossier: DossierRef, command: Command) -> CommandEnvelope {
    CommandEnvelope {
        action: Action::OnDossier { dossier, command },
        ..submit(new_dossier())
    }
}

/// A valid example of every command but `Submit`.
fn valid_commands() -> Vec<Command> {
    vec![
        Command::Receive { due_at: None },
        Command::Refuse {
            reason: "not this agency".into(),
        },
        Command::RequestSupplement {
            reason: "missing".into(),
            items: vec!["Giấy chứng sinh".into()],
        },
        Command::SubmitSupplement {
            documents: vec![doc()],
            new_due_at: None,
        },
        Command::StartProcessing {
            processing_unit: "Phòng Tư pháp".into(),
        },
        Command::RequestFinancialObligation {
            fees: vec![fee()],
            note: String::new(),
        },
        Command::RecordPayment {
            transaction_id: "GD-1".into(),
            reference: String::new(),
            amount_vnd: 1,
            paid_at: None,
        },
        Command::Stop {
            reason: "stopped".into(),
        },
        Command::Resume {
            note: String::new(),
        },
        Command::Withdraw {
            reason: "filed elsewhere".into(),
        },
        Command::Finish {
            results: vec![result_doc()],
        },
        Command::ReturnResult {
            delivery: Some(ResultDelivery::AtCounter),
        },
        Command::Reschedule {
            apology: "xin lỗi".into(),
            new_due_at: None,
        },
        Command::Forward {
            to_agency_code: "000.00.02.H22".into(),
            note: String::new(),
        },
        Command::RecordPartnerEvent {
            kind: "postal.picked_up".into(),
            occurred_at: None,
            reference: "PU-1".into(),
            note: String::new(),
        },
    ]
}

/// The field a refusal names, and its rule; fails the test if `env` passes.
fn refusal(env: &CommandEnvelope) -> (String, String) {
    match envelope(env) {
        Err(DomainError::InvalidField { field, rule }) => (field, rule),
        other => panic!("expected a field error, got {other:?} for {env:?}"),
    }
}

fn refused_field(env: &CommandEnvelope) -> String {
    refusal(env).0
}

/// Sets one field of a submission, for tables of cases.
type SetCode = fn(&mut NewDossier, &str);
type SetText = fn(&mut NewDossier, String);

fn submit_with(change: impl FnOnce(&mut NewDossier)) -> CommandEnvelope {
    let mut new = new_dossier();
    change(&mut new);
    submit(new)
}

#[test]
fn valid_commands_of_every_kind_pass() {
    assert_eq!(envelope(&submit(new_dossier())), Ok(()));
    for command in valid_commands() {
        let name = command.name();
        assert_eq!(envelope(&on_dossier(command)), Ok(()), "{name:?}");
    }
    let by_code = on(
        DossierRef::MaHoSo("000.00.01.H22-251122-00017".into()),
        Command::Receive { due_at: None },
    );
    assert_eq!(envelope(&by_code), Ok(()));
}

#[test]
fn the_idempotency_key_is_required_bounded_and_printable() {
    for bad in ["", "   "] {
        let env = CommandEnvelope {
            idempotency_key: bad.into(),
            ..submit(new_dossier())
        };
        assert_eq!(
            refusal(&env),
            ("idempotency_key".into(), "is required".into())
        );
    }
    let at_limit = CommandEnvelope {
        idempotency_key: "k".repeat(MAX_KEY_LEN),
        ..submit(new_dossier())
    };
    assert_eq!(envelope(&at_limit), Ok(()));
    for bad in ["k".repeat(MAX_KEY_LEN + 1), "key\u{7}1".into()] {
        let env = CommandEnvelope {
            idempotency_key: bad,
            ..submit(new_dossier())
        };
        let (field, rule) = refusal(&env);
        assert_eq!(field, "idempotency_key");
        assert!(rule.contains(&MAX_KEY_LEN.to_string()), "{rule}");
    }
}

#[test]
fn actor_and_unit_are_optional_but_bounded() {
    let blank = CommandEnvelope {
        actor: String::new(),
        unit: String::new(),
        ..submit(new_dossier())
    };
    assert_eq!(envelope(&blank), Ok(()));
    let long_actor = CommandEnvelope {
        actor: "a".repeat(MAX_NAME_LEN + 1),
        ..submit(new_dossier())
    };
    assert_eq!(refused_field(&long_actor), "actor");
    let long_unit = CommandEnvelope {
        unit: "u".repeat(MAX_NAME_LEN + 1),
        ..submit(new_dossier())
    };
    assert_eq!(refused_field(&long_unit), "unit");
}

/// Whether a reference is present is the envelope's shape, checked where it
/// is built (`wire::from_proto`); here, what a present one must look like.
#[test]
fn the_dossier_reference_is_a_real_id_or_a_well_formed_ma_ho_so() {
    let zero = on(DossierRef::Id(0), Command::Receive { due_at: None });
    assert_eq!(refused_field(&zero), "dossier.id");

    for bad in [
        "",
        "000.00.01.H22",
        "000.00.01.H22-251122-17",
        "000.00.01.H22-251301-00017",
        "000..01.H22-251122-00017",
        "000.00.01.H22-251122-00000",
    ] {
        let env = on(
            DossierRef::MaHoSo(bad.into()),
            Command::Receive { due_at: None },
        );
        let (field, rule) = refusal(&env);
        assert_eq!(field, "dossier.ma_ho_so", "{bad}");
        assert!(rule.contains("<agency code>-<yyMMdd>-<NNNNN>"), "{rule}");
    }
}

#[test]
fn submission_codes_must_be_administrative_codes() {
    let codes: [(&str, SetCode); 3] = [
        ("submit.agency_code", |n, v| n.agency_code = v.into()),
        ("submit.procedure_code", |n, v| n.procedure_code = v.into()),
        ("submit.sector_code", |n, v| n.sector_code = v.into()),
    ];
    for (field, set) in codes {
        for bad in ["1..2", ".1", "1.", "1-2", "H 22", "mã.01"] {
            let (named, rule) = refusal(&submit_with(|n| set(n, bad)));
            assert_eq!(named, field, "{bad}");
            assert!(rule.contains(bad), "{rule}");
        }
        let too_long = "9".repeat(crate::codes::MAX_CODE_LEN + 1);
        assert_eq!(refused_field(&submit_with(|n| set(n, &too_long))), field);
        let at_limit = "9".repeat(crate::codes::MAX_CODE_LEN);
        assert_eq!(envelope(&submit_with(|n| set(n, &at_limit))), Ok(()));
    }
    let no_agency = submit_with(|n| n.agency_code.clear());
    assert_eq!(
        refusal(&no_agency),
        ("submit.agency_code".into(), "is required".into())
    );
    let no_procedure = submit_with(|n| n.procedure_code.clear());
    assert_eq!(refused_field(&no_procedure), "submit.procedure_code");
    // The sector is optional.
    assert_eq!(envelope(&submit_with(|n| n.sector_code.clear())), Ok(()));
}

#[test]
fn submission_requires_channel_applicant_type_and_owner() {
    let (field, rule) = refusal(&submit_with(|n| n.channel = None));
    assert_eq!(field, "submit.channel");
    assert!(rule.contains("COUNTER, ONLINE or POSTAL"), "{rule}");
    let (field, rule) = refusal(&submit_with(|n| n.applicant_type = None));
    assert_eq!(field, "submit.applicant_type");
    assert!(rule.contains("CITIZEN"), "{rule}");
    for blank in ["", " \t "] {
        assert_eq!(
            refusal(&submit_with(|n| n.owner_name = blank.into())),
            ("submit.owner_name".into(), "is required".into())
        );
    }
    // Result delivery may be chosen later (return_result carries it).
    assert_eq!(envelope(&submit_with(|n| n.result_delivery = None)), Ok(()));
}

#[test]
fn submission_texts_are_bounded() {
    let cases: [(&str, usize, SetText); 4] = [
        ("submit.procedure_name", MAX_NAME_LEN, |n, v| {
            n.procedure_name = v
        }),
        ("submit.owner_name", MAX_NAME_LEN, |n, v| n.owner_name = v),
        ("submit.owner_id_number", 32, |n, v| n.owner_id_number = v),
        ("submit.summary", MAX_TEXT_LEN, |n, v| n.summary = v),
    ];
    for (field, max, set) in cases {
        let at_limit = submit_with(|n| set(n, "x".repeat(max)));
        assert_eq!(envelope(&at_limit), Ok(()), "{field} at {max}");
        let over = submit_with(|n| set(n, "x".repeat(max + 1)));
        let (named, rule) = refusal(&over);
        assert_eq!(named, field);
        assert_eq!(
            rule,
            format!("must be at most {max} bytes (has {})", max + 1)
        );
    }
}

#[test]
fn limits_count_bytes_not_characters() {
    // "ệ" is three bytes in UTF-8.
    let chars = MAX_NAME_LEN / 3 + 1;
    let (field, rule) = refusal(&submit_with(|n| n.owner_name = "ệ".repeat(chars)));
    assert_eq!(field, "submit.owner_name");
    assert!(rule.contains(&format!("(has {})", chars * 3)), "{rule}");
}

#[test]
fn e_mail_and_phone_are_checked_when_given() {
    for bad in ["binh", "@example.vn", "binh@localhost", "binh@"] {
        assert_eq!(
            refusal(&submit_with(|n| n.email = bad.into())),
            ("submit.email".into(), "is not an e-mail address".into()),
            "{bad}"
        );
    }
    let long_email = format!("{}@example.vn", "b".repeat(254));
    assert_eq!(
        refused_field(&submit_with(|n| n.email = long_email)),
        "submit.email"
    );
    for bad in [
        "0912345",
        "0912-345-678",
        "+84 912345678",
        "1234567890123456",
        "+",
    ] {
        assert_eq!(
            refused_field(&submit_with(|n| n.phone = bad.into())),
            "submit.phone",
            "{bad}"
        );
    }
    for good in ["09123456", "+84912345678", "123456789012345"] {
        assert_eq!(envelope(&submit_with(|n| n.phone = good.into())), Ok(()));
    }
    let neither = submit_with(|n| {
        n.email.clear();
        n.phone.clear();
    });
    assert_eq!(envelope(&neither), Ok(()));
}

#[test]
fn a_ma_ho_so_given_at_submission_is_well_formed_and_of_this_agency() {
    let ours = submit_with(|n| n.ma_ho_so = "000.00.01.H22-251122-00017".into());
    assert_eq!(envelope(&ours), Ok(()));
    let (field, rule) = refusal(&submit_with(|n| {
        n.ma_ho_so = "000.00.02.H22-251122-00017".into()
    }));
    assert_eq!(field, "submit.ma_ho_so");
    assert!(rule.contains("`000.00.01.H22`"), "{rule}");
    let malformed = submit_with(|n| n.ma_ho_so = "000.00.01.H22-250230-00017".into());
    assert_eq!(refused_field(&malformed), "submit.ma_ho_so");
}

#[test]
fn documents_are_named_by_their_index() {
    let second_unnamed = submit_with(|n| {
        n.documents = vec![
            doc(),
            Document {
                name: " ".into(),
                ..doc()
            },
        ]
    });
    assert_eq!(
        refusal(&second_unnamed),
        ("submit.documents[1].name".into(), "is required".into())
    );
    for bad_url in ["ftp://files.example.vn/a.pdf", "files.example.vn/a.pdf"] {
        let env = submit_with(|n| {
            n.documents = vec![Document {
                url: bad_url.into(),
                ..doc()
            }]
        });
        assert_eq!(
            refusal(&env),
            (
                "submit.documents[0].url".into(),
                "must be an http(s) URL".into()
            )
        );
    }
    let long_url = format!("https://x.vn/{}", "a".repeat(MAX_URL_LEN));
    let env = submit_with(|n| {
        n.documents = vec![Document {
            url: long_url,
            ..doc()
        }]
    });
    assert_eq!(refused_field(&env), "submit.documents[0].url");
    // A document without a link yet, or over plain http, is allowed.
    for url in ["", "http://files.example.vn/a.pdf"] {
        let env = submit_with(|n| {
            n.documents = vec![Document {
                url: url.into(),
                ..doc()
            }]
        });
        assert_eq!(envelope(&env), Ok(()), "{url:?}");
    }
    let long_component = submit_with(|n| {
        n.documents = vec![Document {
            component_code: "c".repeat(MAX_NAME_LEN + 1),
            ..doc()
        }]
    });
    assert_eq!(
        refused_field(&long_component),
        "submit.documents[0].component_code"
    );
}

#[test]
fn lists_hold_at_most_max_items() {
    let full = submit_with(|n| n.documents = vec![doc(); MAX_ITEMS]);
    assert_eq!(envelope(&full), Ok(()));
    let over = submit_with(|n| n.documents = vec![doc(); MAX_ITEMS + 1]);
    assert_eq!(
        refusal(&over),
        (
            "submit.documents".into(),
            format!(
                "must hold at most {MAX_ITEMS} items (has {})",
                MAX_ITEMS + 1
            )
        )
    );
    let too_many_fees = submit_with(|n| n.fees = vec![fee(); MAX_ITEMS + 1]);
    assert_eq!(refused_field(&too_many_fees), "submit.fees");
    let too_many_items = on_dossier(Command::RequestSupplement {
        reason: "missing".into(),
        items: vec!["x".into(); MAX_ITEMS + 1],
    });
    assert_eq!(refused_field(&too_many_items), "request_supplement.items");
    let too_many_results = on_dossier(Command::Finish {
        results: vec![result_doc(); MAX_ITEMS + 1],
    });
    assert_eq!(refused_field(&too_many_results), "finish.results");
}

#[test]
fn fees_need_a_code_and_a_non_negative_amount() {
    let negative = submit_with(|n| {
        n.fees = vec![
            fee(),
            Fee {
                amount_vnd: -1,
                ..fee()
            },
        ]
    });
    assert_eq!(
        refusal(&negative),
        (
            "submit.fees[1].amount_vnd".into(),
            "must not be negative".into()
        )
    );
    let free = submit_with(|n| {
        n.fees = vec![Fee {
            amount_vnd: 0,
            ..fee()
        }]
    });
    assert_eq!(envelope(&free), Ok(()));
    let no_code = on_dossier(Command::RequestFinancialObligation {
        fees: vec![Fee {
            code: String::new(),
            ..fee()
        }],
        note: String::new(),
    });
    assert_eq!(
        refused_field(&no_code),
        "request_financial_obligation.fees[0].code"
    );
}

#[test]
fn each_command_names_its_own_required_fields() {
    let cases = [
        (Command::Refuse { reason: " ".into() }, "refuse.reason"),
        (
            Command::RequestSupplement {
                reason: String::new(),
                items: vec!["x".into()],
            },
            "request_supplement.reason",
        ),
        (
            Command::RequestSupplement {
                reason: "missing".into(),
                items: Vec::new(),
            },
            "request_supplement.items",
        ),
        (
            Command::RequestSupplement {
                reason: "missing".into(),
                items: vec!["x".into(), String::new()],
            },
            "request_supplement.items[1]",
        ),
        (
            Command::SubmitSupplement {
                documents: Vec::new(),
                new_due_at: None,
            },
            "submit_supplement.documents",
        ),
        (
            Command::SubmitSupplement {
                documents: vec![Document {
                    name: String::new(),
                    ..doc()
                }],
                new_due_at: None,
            },
            "submit_supplement.documents[0].name",
        ),
        (
            Command::StartProcessing {
                processing_unit: String::new(),
            },
            "start_processing.processing_unit",
        ),
        (
            Command::RequestFinancialObligation {
                fees: Vec::new(),
                note: String::new(),
            },
            "request_financial_obligation.fees",
        ),
        (
            Command::RecordPayment {
                transaction_id: String::new(),
                reference: String::new(),
                amount_vnd: 1,
                paid_at: None,
            },
            "record_payment.transaction_id",
        ),
        (
            Command::RecordPayment {
                transaction_id: "GD-1".into(),
                reference: String::new(),
                amount_vnd: 0,
                paid_at: None,
            },
            "record_payment.amount_vnd",
        ),
        (
            Command::RecordPayment {
                transaction_id: "GD-1".into(),
                reference: String::new(),
                amount_vnd: -5,
                paid_at: None,
            },
            "record_payment.amount_vnd",
        ),
        (
            Command::Stop {
                reason: String::new(),
            },
            "stop.reason",
        ),
        (
            Command::Withdraw {
                reason: String::new(),
            },
            "withdraw.reason",
        ),
        (
            Command::Finish {
                results: Vec::new(),
            },
            "finish.results",
        ),
        (
            Command::Finish {
                results: vec![ResultDocument {
                    url: "file:///tmp/kq.pdf".into(),
                    ..result_doc()
                }],
            },
            "finish.results[0].url",
        ),
        (
            Command::ReturnResult { delivery: None },
            "return_result.delivery",
        ),
        (
            Command::Reschedule {
                apology: String::new(),
                new_due_at: None,
            },
            "reschedule.apology",
        ),
    ];
    for (command, field) in cases {
        assert_eq!(refused_field(&on_dossier(command)), field);
    }
}

#[test]
fn optional_command_texts_are_bounded() {
    let cases = [
        (
            Command::Resume {
                note: "n".repeat(MAX_TEXT_LEN + 1),
            },
            "resume.note",
        ),
        (
            Command::RequestFinancialObligation {
                fees: vec![fee()],
                note: "n".repeat(MAX_TEXT_LEN + 1),
            },
            "request_financial_obligation.note",
        ),
        (
            Command::RecordPayment {
                transaction_id: "GD-1".into(),
                reference: "r".repeat(MAX_NAME_LEN + 1),
                amount_vnd: 1,
                paid_at: None,
            },
            "record_payment.reference",
        ),
        (
            Command::Refuse {
                reason: "r".repeat(MAX_TEXT_LEN + 1),
            },
            "refuse.reason",
        ),
    ];
    for (command, field) in cases {
        let (named, rule) = refusal(&on_dossier(command));
        assert_eq!(named, field);
        assert!(rule.starts_with("must be at most"), "{rule}");
    }
}

#[test]
fn control_characters_are_refused_but_line_breaks_and_tabs_are_text() {
    assert_eq!(text("f", "dòng 1\r\ndòng 2\tcột", 100), Ok(()));
    for bad in ["a\u{0}b", "a\u{1b}[31m", "a\u{7f}", "a\u{85}b"] {
        assert_eq!(
            text("submit.summary", bad, 100),
            Err(DomainError::invalid(
                "submit.summary",
                "must not contain control characters"
            )),
            "{bad:?}"
        );
    }
    let env = submit_with(|n| n.summary = "tóm tắt\u{8}".into());
    assert_eq!(refused_field(&env), "submit.summary");
}

#[test]
fn validation_stops_at_the_first_broken_rule_in_contract_order() {
    // Both the envelope and the command are wrong: the envelope is named.
    let env = CommandEnvelope {
        idempotency_key: String::new(),
        ..on_dossier(Command::Stop {
            reason: String::new(),
        })
    };
    assert_eq!(refused_field(&env), "idempotency_key");
    // Within a submission, the agency code comes before the owner.
    let env = submit_with(|n| {
        n.agency_code.clear();
        n.owner_name.clear();
    });
    assert_eq!(refused_field(&env), "submit.agency_code");
}

#[test]
fn a_forward_names_a_well_formed_agency() {
    for bad in ["", "000..02.H22", "Sở Xây dựng"] {
        let env = on_dossier(Command::Forward {
            to_agency_code: bad.into(),
            note: String::new(),
        });
        assert_eq!(refused_field(&env), "forward.to_agency_code", "{bad:?}");
    }
}

#[test]
fn a_partner_event_names_a_known_kind_and_a_reference() {
    let event = |kind: &str, reference: &str, note: &str| {
        on_dossier(Command::RecordPartnerEvent {
            kind: kind.into(),
            occurred_at: None,
            reference: reference.into(),
            note: note.into(),
        })
    };
    let (field, rule) = refusal(&event("postal.lost", "PU-1", ""));
    assert_eq!(field, "record_partner_event.kind");
    assert!(
        rule.contains("postal.delivered") && rule.contains("postal.lost"),
        "{rule}"
    );
    assert_eq!(
        refused_field(&event("", "PU-1", "")),
        "record_partner_event.kind"
    );
    assert_eq!(
        refused_field(&event("postal.delivered", " ", "")),
        "record_partner_event.reference"
    );
    assert_eq!(
        refused_field(&event(
            "postal.delivered",
            "PU-1",
            &"x".repeat(MAX_TEXT_LEN + 1)
        )),
        "record_partner_event.note"
    );
    for kind in crate::PartnerEventKind::ALL {
        assert_eq!(
            envelope(&event(kind.as_str(), "PU-1", "")),
            Ok(()),
            "{kind:?}"
        );
    }
}
