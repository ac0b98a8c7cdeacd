//! Unit tests of the transition table and of `apply`, from the inside.
//!
//! The expected rows are written out again here, from DOMAIN.md §1–2, rather
//! than read from `TRANSITIONS`: a change to the table that nobody meant shows
//! up as a failing row. Every command is tried in every status, so a row that
//! appears or vanishes is caught as surely as one that leads elsewhere.

use super::*;
use crate::{ApplicantType, Channel, Document, Fee, ResultDelivery, ResultDocument};

/// 2025-11-22 00:00 in Hà Nội.
const NOW: UnixMillis = UnixMillis(1_763_744_400_000);
const DAY: i64 = 86_400_000;

fn days_from_now(days: i64) -> UnixMillis {
    UnixMillis(NOW.0 + days * DAY)
}

/// Where a legal command is expected to lead.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    To(Status),
    /// Enter this pause and remember the status it interrupted.
    Pause(Status),
    /// Back to the status the pause interrupted.
    Back,
    /// Same status, dossier changed.
    Same,
}

/// Every command that acts on an existing dossier.
const DOSSIER_COMMANDS: [CommandName; 15] = [
    CommandName::Receive,
    CommandName::Refuse,
    CommandName::RequestSupplement,
    CommandName::SubmitSupplement,
    CommandName::StartProcessing,
    CommandName::RequestFinancialObligation,
    CommandName::RecordPayment,
    CommandName::Stop,
    CommandName::Resume,
    CommandName::Withdraw,
    CommandName::Finish,
    CommandName::ReturnResult,
    CommandName::Reschedule,
    CommandName::Forward,
    CommandName::RecordPartnerEvent,
];

/// DOMAIN.md §1–2 as rows: `None` means the command is refused in `from`.
fn expected(command: CommandName, from: Status) -> Option<(Expect, EventType)> {
    use CommandName as C;
    use EventType as E;
    let (target, event) = match (command, from) {
        (C::Receive, Submitted) => (Expect::To(Received), E::DossierReceived),
        (C::Refuse, Submitted) => (Expect::To(Refused), E::DossierRefused),
        (C::RequestSupplement, Submitted | Processing) => {
            (Expect::Pause(SupplementRequested), E::SupplementRequested)
        }
        (C::SubmitSupplement, SupplementRequested) => (Expect::Back, E::SupplementSubmitted),
        (C::StartProcessing, Received) => (Expect::To(Processing), E::ProcessingStarted),
        (C::RequestFinancialObligation, Submitted | Received | Processing) => (
            Expect::Pause(FinancialObligation),
            E::FinancialObligationRequested,
        ),
        (C::RecordPayment, FinancialObligation) => (Expect::Back, E::PaymentRecorded),
        (C::Stop, Received | Processing | SupplementRequested | FinancialObligation) => {
            (Expect::To(Stopped), E::ProcessingStopped)
        }
        (C::Resume, Stopped) => (Expect::To(Processing), E::ProcessingResumed),
        (
            C::Withdraw,
            Submitted | Received | Processing | SupplementRequested | FinancialObligation | Stopped,
        ) => (Expect::To(Withdrawn), E::DossierWithdrawn),
        (C::Finish, Processing) => (Expect::To(Finished), E::ProcessingFinished),
        (C::ReturnResult, Finished) => (Expect::To(ResultReturned), E::ResultReturned),
        (C::Reschedule, Received | Processing | SupplementRequested | FinancialObligation) => {
            (Expect::Same, E::DossierRescheduled)
        }
        // Liên thông: with an agency and not waiting for the applicant.
        (C::Forward, Received | Processing) => (Expect::Same, E::DossierForwarded),
        // A partner's event (the post collected, delivered…): every status.
        (C::RecordPartnerEvent, _) => (Expect::Same, E::PartnerEventRecorded),
        _ => return None,
    };
    Some((target, event))
}

/// The statuses a pause may have interrupted, as the table allows them.
fn interrupted_by(pause: Status) -> Vec<Status> {
    DOSSIER_COMMANDS
        .into_iter()
        .flat_map(|command| Status::ALL.map(|from| (command, from)))
        .filter(|&(command, from)| {
            expected(command, from).is_some_and(|(target, _)| target == Expect::Pause(pause))
        })
        .map(|(_, from)| from)
        .collect()
}

fn who() -> Actor<'static> {
    Actor {
        partner_id: "one-stop",
        actor: "Nguyễn Văn An",
        unit: "Bộ phận một cửa",
        now: NOW,
    }
}

fn new_dossier() -> NewDossier {
    NewDossier {
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Đăng ký khai sinh".into(),
        sector_code: String::new(),
        channel: Some(Channel::Counter),
        owner_name: "Trần Thị Bình".into(),
        applicant_type: Some(ApplicantType::Citizen),
        owner_id_number: String::new(),
        email: String::new(),
        phone: String::new(),
        summary: String::new(),
        result_delivery: None,
        documents: Vec::new(),
        fees: Vec::new(),
        ma_ho_so: String::new(),
        result_address: String::new(),
        applicant_address: None,
    }
}

/// A dossier in `status`, as the table could have left it: received ones
/// have an appointment date, paused ones remember `paused_from`.
fn dossier_in(status: Status, paused_from: Option<Status>) -> Dossier {
    let mut dossier = create(
        &new_dossier(),
        7,
        "000.00.01.H22-251122-00007".into(),
        &who(),
    )
    .dossier;
    dossier.status = status;
    dossier.version = 5;
    if status != Submitted {
        dossier.received_at = Some(NOW);
        dossier.due_at = Some(days_from_now(10));
    }
    dossier.paused_from = paused_from;
    dossier
}

fn document(name: &str) -> Document {
    Document {
        component_code: "TP01".into(),
        name: name.into(),
        url: "https://files.example.vn/tp01.pdf".into(),
    }
}

/// A valid command of each name.
fn sample(command: CommandName) -> Command {
    match command {
        CommandName::Receive => Command::Receive {
            due_at: Some(days_from_now(15)),
        },
        CommandName::Refuse => Command::Refuse {
            reason: "not this agency".into(),
        },
        CommandName::RequestSupplement => Command::RequestSupplement {
            reason: "the birth certificate is missing".into(),
            items: vec!["Giấy chứng sinh".into()],
        },
        CommandName::SubmitSupplement => Command::SubmitSupplement {
            documents: vec![document("Giấy chứng sinh")],
            new_due_at: None,
        },
        CommandName::StartProcessing => Command::StartProcessing {
            processing_unit: "Phòng Tư pháp".into(),
        },
        CommandName::RequestFinancialObligation => Command::RequestFinancialObligation {
            fees: vec![Fee {
                code: "LP01".into(),
                name: "Lệ phí".into(),
                amount_vnd: 50_000,
            }],
            note: "lệ phí đăng ký".into(),
        },
        CommandName::RecordPayment => Command::RecordPayment {
            transaction_id: "GD-0001".into(),
            reference: "TC-0001".into(),
            amount_vnd: 50_000,
            paid_at: None,
        },
        CommandName::Stop => Command::Stop {
            reason: "the applicant died".into(),
        },
        CommandName::Resume => Command::Resume {
            note: "court order lifted".into(),
        },
        CommandName::Withdraw => Command::Withdraw {
            reason: "filed elsewhere".into(),
        },
        CommandName::Finish => Command::Finish {
            results: vec![ResultDocument {
                code: "KQ01".into(),
                name: "Giấy khai sinh".into(),
                url: "https://files.example.vn/kq01.pdf".into(),
            }],
        },
        CommandName::ReturnResult => Command::ReturnResult {
            delivery: Some(ResultDelivery::ByPost),
        },
        CommandName::Reschedule => Command::Reschedule {
            apology: "xin lỗi: hẹn lại".into(),
            new_due_at: Some(days_from_now(20)),
        },
        CommandName::Forward => Command::Forward {
            to_agency_code: "000.00.02.H22".into(),
            note: "thẩm định phần việc của Sở".into(),
        },
        CommandName::RecordPartnerEvent => Command::RecordPartnerEvent {
            kind: "postal.picked_up".into(),
            occurred_at: Some(UnixMillis(NOW.0 - 3_600_000)),
            reference: "PU-0001".into(),
            note: String::new(),
        },
        CommandName::Submit | CommandName::PublishCatalog | CommandName::ManageParked => {
            unreachable!("not a command on an existing dossier: {command:?}")
        }
    }
}

fn run(dossier: &Dossier, command: Command) -> Result<Applied, DomainError> {
    apply(dossier, &command, &who())
}

#[test]
fn every_legal_row_leads_where_domain_md_says() {
    let mut rows = 0;
    for command in DOSSIER_COMMANDS {
        for from in Status::ALL {
            let Some((target, event)) = expected(command, from) else {
                continue;
            };
            // A resume is tried from every status its pause can interrupt.
            let remembered: Vec<Option<Status>> = match target {
                Expect::Back => interrupted_by(from).into_iter().map(Some).collect(),
                _ => vec![None],
            };
            assert!(!remembered.is_empty(), "{command:?} from {from:?}");
            for paused_from in remembered {
                rows += 1;
                let before = dossier_in(from, paused_from);
                let applied = run(&before, sample(command)).unwrap_or_else(|e| {
                    panic!("{command:?} in {from:?} (paused from {paused_from:?}): {e}")
                });
                let after = &applied.dossier;
                let want = match target {
                    Expect::To(status) | Expect::Pause(status) => status,
                    Expect::Back => paused_from.expect("a resume row has a remembered status"),
                    Expect::Same => from,
                };
                let row = format!("{command:?} in {from:?} (paused from {paused_from:?})");
                assert_eq!(after.status, want, "{row}");
                assert_eq!(applied.event, event, "{row}");
                assert_eq!(after.version, before.version + 1, "{row}");
                assert_eq!(applied.entry.version, after.version, "{row}");
                assert_eq!(applied.entry.command, command.as_str(), "{row}");
                assert_eq!(applied.entry.from_status, Some(from), "{row}");
                assert_eq!(applied.entry.to_status, want, "{row}");
                match target {
                    Expect::Pause(_) => assert_eq!(after.paused_from, Some(from), "{row}"),
                    Expect::Back => assert_eq!(after.paused_from, None, "{row}"),
                    Expect::To(_) | Expect::Same => {}
                }
                let rule = transition(command, from).unwrap();
                assert_eq!((rule.command, rule.event), (command, event), "{row}");
            }
        }
    }
    // 39 (command, status) pairs (forward in 2 and 4, record_partner_event
    // in all 10 among them); the two resumes are tried from the 2 and 3
    // statuses their pauses interrupt: 37 + 2 + 3.
    assert_eq!(rows, 42);
}

#[test]
fn every_other_combination_is_refused_naming_the_command_and_the_status() {
    let mut refused = 0;
    for command in DOSSIER_COMMANDS {
        for from in Status::ALL {
            if expected(command, from).is_some() {
                continue;
            }
            refused += 1;
            let want = DomainError::IllegalTransition {
                command,
                status: from,
            };
            assert_eq!(transition(command, from).unwrap_err(), want);
            let err = run(&dossier_in(from, Some(Processing)), sample(command)).unwrap_err();
            assert_eq!(err, want);
            let message = err.to_string();
            assert!(
                message.contains(&format!("`{}`", command.as_str())),
                "{message}"
            );
            assert!(
                message.contains(&format!("status {} ({})", from.code(), from.name())),
                "{message}"
            );
        }
    }
    assert_eq!(refused, 15 * 10 - 39);
}

#[test]
fn the_table_has_no_row_the_expectations_lack() {
    for rule in TRANSITIONS {
        for &from in rule.from {
            assert!(
                expected(rule.command, from).is_some(),
                "TRANSITIONS lets {:?} run in {from:?}, DOMAIN.md does not",
                rule.command
            );
        }
    }
}

#[test]
fn commands_that_are_not_about_an_existing_dossier_have_no_row() {
    for command in [
        CommandName::Submit,
        CommandName::PublishCatalog,
        CommandName::ManageParked,
    ] {
        for from in Status::ALL {
            assert_eq!(
                transition(command, from).unwrap_err(),
                DomainError::IllegalTransition {
                    command,
                    status: from
                }
            );
        }
    }
}

/// A submission on an existing dossier cannot be built (see `Action`); the
/// table agrees that no status takes one.
#[test]
fn no_status_takes_a_submission() {
    for from in Status::ALL {
        assert_eq!(
            transition(CommandName::Submit, from).unwrap_err(),
            DomainError::IllegalTransition {
                command: CommandName::Submit,
                status: from
            }
        );
    }
}

/// A partner's event is the one line a closed dossier still takes: it
/// changes nothing of the dossier's course (the post returning the papers of
/// a refused dossier, a late delivery report).
#[test]
fn terminal_statuses_accept_nothing_and_the_others_accept_something() {
    for from in Status::ALL {
        assert!(transition(CommandName::RecordPartnerEvent, from).is_ok());
        let legal = DOSSIER_COMMANDS
            .into_iter()
            .filter(|&command| command != CommandName::RecordPartnerEvent)
            .filter(|&command| transition(command, from).is_ok())
            .count();
        if from.is_terminal() {
            assert_eq!(legal, 0, "{from:?} is terminal");
        } else {
            assert!(legal > 0, "{from:?} is not terminal but nothing leaves it");
        }
    }
}

#[test]
fn a_pause_returns_to_the_status_it_interrupted() {
    let round_trips = [
        (
            Submitted,
            CommandName::RequestSupplement,
            SupplementRequested,
            CommandName::SubmitSupplement,
        ),
        (
            Processing,
            CommandName::RequestSupplement,
            SupplementRequested,
            CommandName::SubmitSupplement,
        ),
        (
            Submitted,
            CommandName::RequestFinancialObligation,
            FinancialObligation,
            CommandName::RecordPayment,
        ),
        (
            Received,
            CommandName::RequestFinancialObligation,
            FinancialObligation,
            CommandName::RecordPayment,
        ),
        (
            Processing,
            CommandName::RequestFinancialObligation,
            FinancialObligation,
            CommandName::RecordPayment,
        ),
    ];
    for (from, pause, paused, lift) in round_trips {
        let start = dossier_in(from, None);
        let paused_dossier = run(&start, sample(pause)).unwrap().dossier;
        assert_eq!(paused_dossier.status, paused);
        assert_eq!(paused_dossier.paused_from, Some(from));
        let back = run(&paused_dossier, sample(lift)).unwrap().dossier;
        assert_eq!(back.status, from, "{pause:?} then {lift:?} from {from:?}");
        assert_eq!(back.paused_from, None);
        assert_eq!(back.version, start.version + 2);
    }
}

#[test]
fn a_pause_does_not_nest_in_another_pause() {
    for (paused, other_pause) in [
        (SupplementRequested, CommandName::RequestFinancialObligation),
        (SupplementRequested, CommandName::RequestSupplement),
        (FinancialObligation, CommandName::RequestSupplement),
        (FinancialObligation, CommandName::RequestFinancialObligation),
    ] {
        let dossier = dossier_in(paused, Some(Processing));
        assert_eq!(
            run(&dossier, sample(other_pause)).unwrap_err(),
            DomainError::IllegalTransition {
                command: other_pause,
                status: paused
            }
        );
    }
}

#[test]
fn a_pause_without_a_remembered_status_returns_to_processing() {
    // Records written before `paused_from` existed read it as None.
    for (paused, lift) in [
        (SupplementRequested, CommandName::SubmitSupplement),
        (FinancialObligation, CommandName::RecordPayment),
    ] {
        let back = run(&dossier_in(paused, None), sample(lift))
            .unwrap()
            .dossier;
        assert_eq!(back.status, Processing, "{lift:?}");
    }
}

#[test]
fn a_stop_during_a_pause_is_resumed_into_processing() {
    let paused = dossier_in(SupplementRequested, Some(Submitted));
    let stopped = run(&paused, sample(CommandName::Stop)).unwrap().dossier;
    assert_eq!(stopped.status, Stopped);
    let resumed = run(&stopped, sample(CommandName::Resume)).unwrap().dossier;
    assert_eq!(resumed.status, Processing);
}

#[test]
fn create_starts_a_dossier_in_submitted_at_version_one() {
    let mut new = new_dossier();
    new.channel = None;
    new.applicant_type = None;
    let applied = create(&new, 42, "000.00.01.H22-251122-00042".into(), &who());
    let dossier = &applied.dossier;
    assert_eq!((dossier.status, applied.event), SUBMISSION);
    assert_eq!((dossier.id, dossier.version), (42, 1));
    assert_eq!(dossier.ma_ho_so, "000.00.01.H22-251122-00042");
    assert_eq!(dossier.channel, Channel::Online);
    assert_eq!(dossier.applicant_type, ApplicantType::Citizen);
    assert_eq!((dossier.submitted_at, dossier.updated_at), (NOW, NOW));
    assert_eq!(dossier.submitted_by, "one-stop");
    assert_eq!(dossier.paused_from, None);
    assert_eq!(dossier.due_at, None);
    let entry = &applied.entry;
    assert_eq!(entry.command, "submit");
    assert_eq!((entry.from_status, entry.to_status), (None, Submitted));
    assert_eq!(
        (
            entry.partner_id.as_str(),
            entry.actor.as_str(),
            entry.unit.as_str()
        ),
        ("one-stop", "Nguyễn Văn An", "Bộ phận một cửa")
    );
}

#[test]
fn receive_sets_the_appointment_date_which_must_be_in_the_future() {
    let submitted = dossier_in(Submitted, None);
    let received = run(&submitted, sample(CommandName::Receive))
        .unwrap()
        .dossier;
    assert_eq!(received.received_at, Some(NOW));
    assert_eq!(received.due_at, Some(days_from_now(15)));

    let missing = run(&submitted, Command::Receive { due_at: None }).unwrap_err();
    assert_eq!(
        missing,
        DomainError::invalid("receive.due_at", "is required")
    );
    for past in [NOW, days_from_now(-1)] {
        let err = run(&submitted, Command::Receive { due_at: Some(past) }).unwrap_err();
        let DomainError::InvalidField { field, rule } = err else {
            panic!("expected a field error, got {err:?}");
        };
        assert_eq!(field, "receive.due_at");
        assert!(rule.contains("must be in the future"), "{rule}");
        assert!(rule.contains(&NOW.portal_format()), "{rule}");
    }
}

// issue 10 defect 11
#[test]
fn appointment_dates_more_than_ten_years_ahead_are_refused() {
    let submitted = dossier_in(Submitted, None);
    let processing = dossier_in(Processing, None);
    let latest = UnixMillis(NOW.0 + MAX_APPOINTMENT_AHEAD_MILLIS);
    let beyond = UnixMillis(latest.0 + 1);
    let cases = [
        (
            &submitted,
            Command::Receive {
                due_at: Some(beyond),
            },
            "receive.due_at",
        ),
        (
            &processing,
            Command::Reschedule {
                apology: "xin lỗi".into(),
                new_due_at: Some(beyond),
            },
            "reschedule.new_due_at",
        ),
    ];
    for (dossier, command, named) in cases {
        let err = run(dossier, command).unwrap_err();
        let DomainError::InvalidField { field, rule } = err else {
            panic!("expected a field error, got {err:?}");
        };
        assert_eq!(field, named);
        assert!(rule.contains("at most 10 years ahead"), "{rule}");
    }
    let at_the_edge = Command::Receive {
        due_at: Some(latest),
    };
    assert!(run(&submitted, at_the_edge).is_ok());
}

#[test]
fn reschedule_needs_a_later_date_than_the_current_appointment() {
    let processing = dossier_in(Processing, None);
    let current = processing.due_at.unwrap();
    let applied = run(&processing, sample(CommandName::Reschedule)).unwrap();
    let moved = &applied.dossier;
    assert_eq!(moved.due_at, Some(days_from_now(20)));
    let record = moved.reschedules.last().unwrap();
    assert_eq!(record.old_due_at, Some(current));
    assert_eq!(record.new_due_at, days_from_now(20));
    assert_eq!(applied.entry.note, "xin lỗi: hẹn lại");

    for not_later in [current, days_from_now(5)] {
        let reschedule = Command::Reschedule {
            apology: "xin lỗi".into(),
            new_due_at: Some(not_later),
        };
        let err = run(&processing, reschedule).unwrap_err();
        let DomainError::InvalidField { field, rule } = err else {
            panic!("expected a field error, got {err:?}");
        };
        assert_eq!(field, "reschedule.new_due_at");
        assert!(rule.contains(&current.portal_format()), "{rule}");
    }
    let in_past = Command::Reschedule {
        apology: "xin lỗi".into(),
        new_due_at: Some(days_from_now(-1)),
    };
    assert!(matches!(
        run(&processing, in_past).unwrap_err(),
        DomainError::InvalidField { field, .. } if field == "reschedule.new_due_at"
    ));

    let mut never_received = dossier_in(Processing, None);
    never_received.due_at = None;
    let err = run(&never_received, sample(CommandName::Reschedule)).unwrap_err();
    assert!(
        matches!(&err, DomainError::InvalidField { field, .. } if field == "reschedule"),
        "{err:?}"
    );
}

#[test]
fn a_supplement_is_recorded_open_then_closed_with_its_documents() {
    let processing = dossier_in(Processing, None);
    let due = processing.due_at;
    let requested = run(&processing, sample(CommandName::RequestSupplement))
        .unwrap()
        .dossier;
    let open = requested.supplements.last().unwrap();
    assert_eq!(open.items, vec!["Giấy chứng sinh".to_string()]);
    assert_eq!(open.old_due_at, due);
    assert_eq!(open.submitted_at, None);

    let new_due = days_from_now(30);
    let answer = Command::SubmitSupplement {
        documents: vec![document("Giấy chứng sinh")],
        new_due_at: Some(new_due),
    };
    let submitted = run(&requested, answer).unwrap().dossier;
    let closed = submitted.supplements.last().unwrap();
    assert_eq!(closed.submitted_at, Some(NOW));
    assert_eq!(closed.documents, vec![document("Giấy chứng sinh")]);
    assert_eq!(
        submitted.documents.last(),
        Some(&document("Giấy chứng sinh"))
    );
    assert_eq!(submitted.due_at, Some(new_due));

    let late = Command::SubmitSupplement {
        documents: vec![document("x")],
        new_due_at: Some(days_from_now(-2)),
    };
    assert!(matches!(
        run(&requested, late).unwrap_err(),
        DomainError::InvalidField { field, .. } if field == "submit_supplement.new_due_at"
    ));
}

#[test]
fn commands_fill_the_fields_they_carry() {
    let submitted = dossier_in(Submitted, None);
    let refused = run(&submitted, sample(CommandName::Refuse)).unwrap();
    assert_eq!(refused.dossier.status_reason, "not this agency");
    assert_eq!(refused.entry.note, "not this agency");

    let received = dossier_in(Received, None);
    let started = run(&received, sample(CommandName::StartProcessing))
        .unwrap()
        .dossier;
    assert_eq!(started.processing_unit, "Phòng Tư pháp");

    let obliged = run(&received, sample(CommandName::RequestFinancialObligation))
        .unwrap()
        .dossier;
    assert_eq!(obliged.fees.len(), 1);
    let paid = run(&obliged, sample(CommandName::RecordPayment)).unwrap();
    let payment = paid.dossier.payments.last().unwrap();
    assert_eq!(payment.paid_at, NOW, "paid_at defaults to now");
    assert_eq!(payment.amount_vnd, 50_000);
    assert_eq!(paid.entry.note, "payment GD-0001: 50000 VND");

    let finished = run(&dossier_in(Processing, None), sample(CommandName::Finish))
        .unwrap()
        .dossier;
    assert_eq!(finished.results.len(), 1);
    assert_eq!(finished.finished_at, Some(NOW), "finish stores when");
    let returned = run(&finished, sample(CommandName::ReturnResult))
        .unwrap()
        .dossier;
    assert_eq!(returned.result_delivery, Some(ResultDelivery::ByPost));
    assert_eq!(returned.returned_at, Some(NOW));
    assert_eq!(returned.updated_at, NOW);
}

#[test]
fn a_forward_changes_the_agency_keeps_the_status_and_names_both_agencies() {
    let mut processing = dossier_in(Processing, None);
    processing.processing_unit = "Phòng Tư pháp".into();
    let from = processing.agency_code.clone();
    let forwarded = run(&processing, sample(CommandName::Forward)).unwrap();
    assert_eq!(forwarded.dossier.agency_code, "000.00.02.H22");
    assert_eq!(forwarded.dossier.status, Processing);
    assert_eq!(forwarded.event, EventType::DossierForwarded);
    assert_eq!(
        forwarded.dossier.processing_unit, "",
        "the sender's unit does not follow the dossier"
    );
    assert_eq!(
        forwarded.entry.note,
        format!("từ {from} đến 000.00.02.H22: thẩm định phần việc của Sở")
    );
    assert_eq!(forwarded.entry.command, "forward");
}

fn partner_event(kind: &str, occurred_at: Option<UnixMillis>, note: &str) -> Command {
    Command::RecordPartnerEvent {
        kind: kind.into(),
        occurred_at,
        reference: "EMS-VN-0042".into(),
        note: note.into(),
    }
}

#[test]
fn a_partner_event_adds_a_line_naming_who_when_what_and_changes_nothing_else() {
    for status in Status::ALL {
        let before = dossier_in(status, Some(Processing));
        let at = UnixMillis(NOW.0 - 2 * 3_600_000);
        let applied = run(
            &before,
            partner_event("postal.delivery_failed", Some(at), "không có người nhận"),
        )
        .unwrap_or_else(|e| panic!("in {status:?}: {e}"));
        let mut expected = before.clone();
        expected.version += 1;
        expected.updated_at = NOW;
        expected.history_bytes = applied.dossier.history_bytes;
        assert_eq!(
            applied.dossier, expected,
            "only the version moves, in {status:?}"
        );
        assert_eq!(applied.event, EventType::PartnerEventRecorded);
        let entry = &applied.entry;
        assert_eq!(entry.command, "record_partner_event");
        assert_eq!((entry.from_status, entry.to_status), (Some(status), status));
        assert_eq!(
            (entry.partner_id.as_str(), entry.actor.as_str()),
            ("one-stop", "Nguyễn Văn An")
        );
        assert_eq!(entry.at, NOW, "the line's own time is the hub's");
        let reported = entry.partner_event.as_ref().expect("the partner's event");
        assert_eq!(reported.kind, PartnerEventKind::PostalDeliveryFailed);
        assert_eq!(reported.occurred_at, at);
        assert_eq!(reported.reference, "EMS-VN-0042");
        assert_eq!(entry.note, reported.note("không có người nhận"));
        assert!(
            entry
                .note
                .starts_with("Bưu chính: phát không thành công: mã EMS-VN-0042, lúc ")
                && entry.note.ends_with(" — không có người nhận"),
            "{}",
            entry.note
        );
    }
}

#[test]
fn a_partner_event_from_the_future_or_without_a_time_is_refused_naming_the_field() {
    let dossier = dossier_in(Processing, None);
    let field = |e: DomainError| match e {
        DomainError::InvalidField { field, rule } => (field, rule),
        other => panic!("{other}"),
    };
    let (name, rule) =
        field(run(&dossier, partner_event("postal.delivered", None, "")).unwrap_err());
    assert_eq!(
        (name.as_str(), rule.as_str()),
        ("record_partner_event.occurred_at", "is required")
    );
    let ahead = UnixMillis(NOW.0 + MAX_PARTNER_EVENT_AHEAD_MILLIS + 1);
    let (name, rule) =
        field(run(&dossier, partner_event("postal.delivered", Some(ahead), "")).unwrap_err());
    assert_eq!(name, "record_partner_event.occurred_at");
    assert!(rule.contains("one hour ahead"), "{rule}");
    // Within the allowance for clocks that drift: accepted.
    let close = UnixMillis(NOW.0 + MAX_PARTNER_EVENT_AHEAD_MILLIS);
    assert!(run(&dossier, partner_event("postal.delivered", Some(close), "")).is_ok());
    let (name, _) = field(run(&dossier, partner_event("postal.lost", Some(NOW), "")).unwrap_err());
    assert_eq!(name, "record_partner_event.kind");
}
