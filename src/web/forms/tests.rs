//! The rules of the dossier forms, by name: which role takes which action
//! in which status, and how each form is checked before anything is sent.

use super::*;
use crate::domain::{
    ApplicantType, Channel, Command, Document, Dossier, ResultDelivery, Status, UnixMillis,
};
use OfficerRole::{Administrator, Leader, Reception, Specialist};

const NOW: UnixMillis = UnixMillis(1_780_000_000_000);
const KEY: &str = "0123456789abcdef0123456789abcdef";

fn dossier(status: Status) -> Dossier {
    Dossier {
        id: 7,
        ma_ho_so: "000.00.01.H22-260528-00001".into(),
        version: 3,
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Cấp giấy phép xây dựng".into(),
        sector_code: String::new(),
        channel: Channel::Counter,
        owner_name: "Trần Thị Bình".into(),
        applicant_type: ApplicantType::Citizen,
        owner_id_number: String::new(),
        email: String::new(),
        phone: String::new(),
        summary: String::new(),
        submitted_at: UnixMillis(NOW.0 - 3_600_000),
        received_at: None,
        due_at: Some(UnixMillis(NOW.0 + 86_400_000)),
        returned_at: None,
        finished_at: None,
        status,
        paused_from: None,
        result_delivery: None,
        result_address: String::new(),
        applicant_address: None,
        processing_unit: String::new(),
        documents: vec![Document {
            component_code: "TP1".into(),
            name: "Đơn đề nghị".into(),
            url: String::new(),
        }],
        fees: vec![],
        supplements: vec![],
        results: vec![],
        payments: vec![],
        reschedules: vec![],
        status_reason: String::new(),
        updated_at: NOW,
        submitted_by: "national-portal".into(),
        history_bytes: 0,
        site: None,
    }
}

fn context(d: &Dossier) -> Context<'_> {
    Context {
        dossier: d,
        officer_unit: "Phòng Quản lý đô thị",
        now: NOW,
        appointment: Ok(UnixMillis(NOW.0 + 10 * 86_400_000)),
        restarted_due: Some(UnixMillis(NOW.0 + 5 * 86_400_000)),
        day_end_seconds: 17 * 3600,
        next_agency: Ok("000.00.02.H22".into()),
        current_since: d.version,
    }
}

fn form(pairs: &[(&str, &str)]) -> Fields {
    let mut all = vec![
        ("version".to_string(), "3".to_string()),
        ("key".into(), KEY.into()),
    ];
    all.extend(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    Fields(all)
}

/// `check` answers each (action, role, status) as its row says.
fn assert_checks(rows: &[(DossierAction, OfficerRole, Status, Result<(), NotAllowed>)]) {
    for (action, role, status, expected) in rows {
        assert_eq!(
            &check(*action, *role, *status),
            expected,
            "{action:?} by {role:?} in {status:?}"
        );
    }
}

/// What the form of `action` with `pairs` builds for `d`.
fn accepted(d: &Dossier, action: DossierAction, pairs: &[(&str, &str)]) -> build::Built {
    build(action, &form(pairs), &context(d)).expect("the form is accepted")
}

/// Why the form of `action` with `pairs` is refused for `d`.
fn refused(d: &Dossier, action: DossierAction, pairs: &[(&str, &str)]) -> Vec<FieldError> {
    build(action, &form(pairs), &context(d)).expect_err("the form is refused")
}

fn fields_of(errors: &[FieldError]) -> Vec<&'static str> {
    errors.iter().map(|e| e.field).collect()
}

#[test]
fn reception_receives_refuses_and_asks_for_supplements_only_at_reception() {
    assert_eq!(
        available(Reception, Status::Submitted),
        vec![
            DossierAction::Receive,
            DossierAction::RequestSupplement,
            DossierAction::Refuse,
            DossierAction::Withdraw
        ]
    );
    assert_eq!(available(Specialist, Status::Submitted), vec![]);
    assert_checks(&[
        (
            DossierAction::RequestSupplement,
            Reception,
            Status::Processing,
            Err(NotAllowed::Status(Status::Processing)),
        ),
        (
            DossierAction::RequestSupplement,
            Specialist,
            Status::Submitted,
            Err(NotAllowed::Status(Status::Submitted)),
        ),
        (
            DossierAction::RequestSupplement,
            Specialist,
            Status::Processing,
            Ok(()),
        ),
    ]);
}

#[test]
fn each_role_gets_only_its_own_actions() {
    assert_checks(&[
        (
            DossierAction::Receive,
            Specialist,
            Status::Submitted,
            Err(NotAllowed::Role),
        ),
        (
            DossierAction::Finish,
            Reception,
            Status::Processing,
            Err(NotAllowed::Role),
        ),
        (DossierAction::Finish, Leader, Status::Processing, Ok(())),
        (
            DossierAction::ReturnResult,
            Reception,
            Status::Finished,
            Ok(()),
        ),
        (
            DossierAction::ReturnResult,
            Leader,
            Status::Finished,
            Err(NotAllowed::Role),
        ),
    ]);
    for status in Status::ALL {
        assert!(
            available(Administrator, status).is_empty(),
            "the administrator acts on no dossier ({status:?})"
        );
    }
}

#[test]
fn the_status_rule_is_the_hubs_transition_table() {
    // Finish only from processing; nothing from a terminal status.
    assert_eq!(
        check(DossierAction::Finish, Specialist, Status::Received),
        Err(NotAllowed::Status(Status::Received))
    );
    for status in [Status::Refused, Status::Withdrawn, Status::ResultReturned] {
        for role in OfficerRole::ALL {
            assert!(available(role, status).is_empty(), "{role:?} in {status:?}");
        }
    }
    assert_eq!(
        available(Specialist, Status::Processing),
        vec![
            DossierAction::RequestSupplement,
            DossierAction::Forward,
            DossierAction::RequestFee,
            DossierAction::Finish,
            DossierAction::Stop
        ]
    );
    assert_checks(&[
        (
            DossierAction::Reschedule,
            Specialist,
            Status::Processing,
            Err(NotAllowed::Role),
        ),
        (
            DossierAction::Reschedule,
            Leader,
            Status::Processing,
            Ok(()),
        ),
    ]);
    assert_eq!(
        available(Reception, Status::SupplementRequested),
        vec![DossierAction::RecordSupplement, DossierAction::Withdraw]
    );
    assert_eq!(
        available(Specialist, Status::Stopped),
        vec![DossierAction::Resume]
    );
}

#[test]
fn slugs_round_trip_and_are_distinct() {
    for action in DossierAction::ALL {
        assert_eq!(DossierAction::from_slug(action.slug()), Some(action));
    }
    assert_eq!(DossierAction::from_slug("xoa-ho-so"), None);
}

#[test]
fn receive_sends_the_computed_date_and_never_a_typed_one() {
    let d = dossier(Status::Submitted);
    let built = accepted(&d, DossierAction::Receive, &[("due_at", "20000101")]);
    assert_eq!(
        built.command,
        Command::Receive {
            due_at: Some(UnixMillis(NOW.0 + 10 * 86_400_000))
        }
    );
    assert_eq!(built.expected_version, 3);
    assert_eq!(built.idempotency_key, format!("mot-cua-{KEY}"));

    let mut without = context(&d);
    without.appointment = Err("thủ tục X chưa có thời hạn".into());
    let errors = build(DossierAction::Receive, &form(&[]), &without).unwrap_err();
    assert_eq!(fields_of(&errors), vec!["appointment"]);
    assert!(errors[0].message.contains("thủ tục X chưa có thời hạn"));
}

#[test]
fn a_refusal_needs_a_reason() {
    let d = dossier(Status::Submitted);
    let errors = refused(&d, DossierAction::Refuse, &[("reason", "   ")]);
    assert_eq!(fields_of(&errors), vec!["reason"]);
    assert_eq!(errors[0].message, "Lý do từ chối: bắt buộc nhập.");
    let built = accepted(
        &d,
        DossierAction::Refuse,
        &[("reason", "Không thuộc thẩm quyền")],
    );
    assert_eq!(
        built.command,
        Command::Refuse {
            reason: "Không thuộc thẩm quyền".into()
        }
    );
}

#[test]
fn one_supplement_request_lists_ticked_and_typed_components() {
    let d = dossier(Status::Submitted);
    let errors = refused(
        &d,
        DossierAction::RequestSupplement,
        &[("reason", "Thiếu giấy tờ")],
    );
    assert_eq!(fields_of(&errors), vec!["items"]);
    let built = accepted(
        &d,
        DossierAction::RequestSupplement,
        &[
            ("items", "Đơn đề nghị"),
            (
                "other_items",
                "Bản vẽ thiết kế\n\n  Giấy chứng nhận quyền sử dụng đất  ",
            ),
            ("reason", "Đơn chưa ký; thiếu bản vẽ"),
        ],
    );
    assert_eq!(
        built.command,
        Command::RequestSupplement {
            reason: "Đơn chưa ký; thiếu bản vẽ".into(),
            items: vec![
                "Đơn đề nghị".into(),
                "Bản vẽ thiết kế".into(),
                "Giấy chứng nhận quyền sử dụng đất".into()
            ],
        }
    );
}

#[test]
fn recording_a_supplement_restarts_the_clock_with_the_computed_date() {
    let d = dossier(Status::SupplementRequested);
    let built = accepted(
        &d,
        DossierAction::RecordSupplement,
        &[("documents", "Bản vẽ thiết kế")],
    );
    let Command::SubmitSupplement {
        documents,
        new_due_at,
    } = built.command
    else {
        panic!("not a supplement")
    };
    assert_eq!(documents[0].name, "Bản vẽ thiết kế");
    assert_eq!(new_due_at, Some(UnixMillis(NOW.0 + 5 * 86_400_000)));
}

#[test]
fn amounts_take_vietnamese_thousands_separators_and_must_be_positive() {
    let d = dossier(Status::Processing);
    let built = accepted(
        &d,
        DossierAction::RequestFee,
        &[
            ("fee_code", "LP01"),
            ("fee_name", "Lệ phí cấp phép"),
            ("fee_amount", "1.500.000"),
        ],
    );
    let Command::RequestFinancialObligation { fees, .. } = built.command else {
        panic!("not a fee request")
    };
    assert_eq!(fees[0].amount_vnd, 1_500_000);
    for bad in ["", "0", "-5", "1,5 triệu"] {
        let errors = refused(
            &d,
            DossierAction::RequestFee,
            &[
                ("fee_code", "LP01"),
                ("fee_name", "Lệ phí"),
                ("fee_amount", bad),
            ],
        );
        assert_eq!(fields_of(&errors), vec!["fee_amount"], "{bad:?}");
        assert!(
            errors[0].message.starts_with("Số tiền:"),
            "{}",
            errors[0].message
        );
    }
}

#[test]
fn a_stale_or_missing_version_is_refused_naming_the_current_state() {
    let d = dossier(Status::Submitted);
    let mut stale = form(&[("reason", "Không thuộc thẩm quyền")]);
    stale.0[0].1 = "2".into();
    let errors = build(DossierAction::Refuse, &stale, &context(&d)).unwrap_err();
    assert_eq!(fields_of(&errors), vec!["version"]);
    assert!(errors[0].message.contains("phiên bản 2"));
    assert!(errors[0].message.contains("phiên bản 3"));
    assert!(errors[0].message.contains("Mới đăng ký"));
    let none = Fields(vec![
        ("key".into(), KEY.into()),
        ("reason".into(), "x".into()),
    ]);
    let errors = build(DossierAction::Refuse, &none, &context(&d)).unwrap_err();
    assert_eq!(fields_of(&errors), vec!["version"]);
    let no_key = Fields(vec![
        ("version".into(), "3".into()),
        ("reason".into(), "x".into()),
    ]);
    let errors = build(DossierAction::Refuse, &no_key, &context(&d)).unwrap_err();
    assert_eq!(fields_of(&errors), vec!["key"]);
}

/// The post's tracking lines since the page was opened change nothing a form
/// decides on: the form acts on the dossier as it is now. Anything older
/// than those lines is still stale.
#[test]
fn a_page_opened_before_partner_event_lines_only_is_still_current() {
    let d = dossier(Status::Submitted);
    let mut seen_before = form(&[("reason", "Không thuộc thẩm quyền")]);
    seen_before.0[0].1 = "1".into();
    let quiet = Context {
        current_since: 1,
        ..context(&d)
    };
    let built = build(DossierAction::Refuse, &seen_before, &quiet).expect("current");
    assert_eq!(built.expected_version, 3, "acts on the dossier as it is");
    let older = Context {
        current_since: 2,
        ..context(&d)
    };
    let errors = build(DossierAction::Refuse, &seen_before, &older).unwrap_err();
    assert_eq!(fields_of(&errors), vec!["version"]);
}

#[test]
fn the_apology_date_must_follow_the_current_appointment() {
    let d = dossier(Status::Processing);
    let errors = refused(
        &d,
        DossierAction::Reschedule,
        &[("apology", "Cần xác minh thêm"), ("new_date", "01/01/2020")],
    );
    assert_eq!(fields_of(&errors), vec!["new_date"]);
    assert!(
        errors[0].message.contains("phải sau ngày hẹn hiện tại"),
        "{}",
        errors[0].message
    );
    let errors = refused(
        &d,
        DossierAction::Reschedule,
        &[("apology", ""), ("new_date", "31/02/2030")],
    );
    assert_eq!(fields_of(&errors), vec!["apology", "new_date"]);
    let built = accepted(
        &d,
        DossierAction::Reschedule,
        &[("apology", "Cần xác minh thêm"), ("new_date", "2030-06-14")],
    );
    let Command::Reschedule { new_due_at, .. } = built.command else {
        panic!("not a reschedule")
    };
    // 14/06/2030 17:00 in Hanoi is 10:00 UTC.
    assert_eq!(new_due_at, Some(UnixMillis(1_907_661_600_000)));
}

#[test]
fn return_needs_a_delivery() {
    let d = dossier(Status::Finished);
    let errors = refused(&d, DossierAction::ReturnResult, &[]);
    assert_eq!(fields_of(&errors), vec!["delivery"]);
    let built = accepted(&d, DossierAction::ReturnResult, &[("delivery", "by_post")]);
    assert_eq!(
        built.command,
        Command::ReturnResult {
            delivery: Some(ResultDelivery::ByPost)
        }
    );
}

#[test]
fn forwarding_is_receptions_once_received_and_the_departments_while_processing() {
    assert_checks(&[
        (DossierAction::Forward, Reception, Status::Received, Ok(())),
        (
            DossierAction::Forward,
            Specialist,
            Status::Received,
            Err(NotAllowed::Status(Status::Received)),
        ),
        (DossierAction::Forward, Leader, Status::Processing, Ok(())),
        (
            DossierAction::Forward,
            Reception,
            Status::Processing,
            Err(NotAllowed::Status(Status::Processing)),
        ),
        (
            DossierAction::Forward,
            Specialist,
            Status::SupplementRequested,
            Err(NotAllowed::Status(Status::SupplementRequested)),
        ),
    ]);
    let d = dossier(Status::Received);
    let built = accepted(
        &d,
        DossierAction::Forward,
        &[("note", "Chuyển Sở Tư pháp thẩm định")],
    );
    assert_eq!(
        built.command,
        Command::Forward {
            to_agency_code: "000.00.02.H22".into(),
            note: "Chuyển Sở Tư pháp thẩm định".into()
        }
    );
    let mut last = context(&d);
    last.next_agency = Err("cơ quan hiện tại là cơ quan cuối của quy trình".into());
    let errors = build(DossierAction::Forward, &form(&[]), &last).unwrap_err();
    assert_eq!(fields_of(&errors), vec!["status"]);
    assert!(
        errors[0].message.contains("cơ quan cuối"),
        "{}",
        errors[0].message
    );
}
