//! The requests that made the fixture `tests/fixtures/format0-data.tar.gz`,
//! with fixed times, so that the test can send each one again and expect
//! the answer the hub gave then (a replay). Shared with the program that
//! wrote the fixture (`tests/fixtures/make_format0_fixture.rs`).

use lienthong::grpc::pb::{self, command_request::Command as C};

pub const ONE_STOP: &str = "dev-one-stop-token";
pub const POSTAL: &str = "dev-postal-token-0001";
pub const PORTAL: &str = "dev-national-portal-token";
pub const AGENCY: &str = "000.00.01.H22";
pub const PROCEDURE: &str = "1.000948.H38";

/// One request of the script, as one partner sends it.
#[allow(clippy::large_enum_variant)]
pub enum Step {
    Command {
        token: &'static str,
        request: pb::CommandRequest,
    },
    Publish {
        token: &'static str,
        request: pb::PublishCatalogRequest,
    },
}

/// 2030-01-01T00:00:00Z plus `days`: a due date, in the future of the
/// fixture and of the test for years.
fn day(days: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: 1_893_456_000 + days * 86_400,
        nanos: 0,
    }
}

/// 2026-09-21T22:13:20Z: when a partner says something happened, before
/// the fixture was made.
fn past() -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: 1_790_000_000,
        nanos: 0,
    }
}

fn submission(n: u64) -> pb::SubmitDossier {
    pb::SubmitDossier {
        agency_code: AGENCY.into(),
        procedure_code: PROCEDURE.into(),
        procedure_name: "Cấp giấy phép xây dựng".into(),
        sector_code: "G12".into(),
        channel: if n % 2 == 0 {
            pb::SubmissionChannel::Online
        } else {
            pb::SubmissionChannel::Counter
        } as i32,
        owner_name: format!("Trần Thị Bình {n}"),
        applicant_type: pb::ApplicantType::Citizen as i32,
        owner_id_number: format!("00119000000{n}"),
        email: "binh.tran@example.vn".into(),
        phone: "0987654321".into(),
        summary: "Đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
        result_delivery: pb::ResultDelivery::ByPost as i32,
        result_address: if n == 1 {
            "Số 12 phố Lê Thánh Tông, TP Hạ Long".into()
        } else {
            String::new()
        },
        documents: vec![pb::Document {
            component_code: "TP1".into(),
            name: "Đơn đề nghị".into(),
            url: format!("https://files.example.vn/don-{n}.pdf"),
        }],
        fees: vec![pb::Fee {
            code: "LP1".into(),
            name: "Lệ phí".into(),
            amount_vnd: 75_000,
        }],
        ..Default::default()
    }
}

fn on(id: u64, key: &str, command: C) -> Step {
    Step::Command {
        token: ONE_STOP,
        request: pb::CommandRequest {
            idempotency_key: format!("fixture-{id}-{key}"),
            dossier: Some(pb::DossierRef {
                r#ref: Some(pb::dossier_ref::Ref::Id(id)),
            }),
            actor: "Nguyễn Văn Cường".into(),
            unit: "Phòng Quản lý đô thị".into(),
            command: Some(command),
            ..Default::default()
        },
    }
}

fn receive(id: u64) -> Step {
    on(
        id,
        "receive",
        C::Receive(pb::ReceiveDossier {
            due_at: Some(day(10)),
        }),
    )
}

fn start(id: u64) -> Step {
    on(
        id,
        "start",
        C::StartProcessing(pb::StartProcessing {
            processing_unit: "Phòng Quản lý đô thị".into(),
        }),
    )
}

/// Six dossiers (ids 1 to 6, in submission order on a fresh directory)
/// along different paths, a postal event on a returned one, and a
/// catalogue publication.
pub fn script() -> Vec<Step> {
    let mut steps: Vec<Step> = (1..=6)
        .map(|n| Step::Command {
            token: ONE_STOP,
            request: pb::CommandRequest {
                idempotency_key: format!("fixture-submit-{n}"),
                actor: "Cán bộ một cửa".into(),
                unit: "Bộ phận tiếp nhận".into(),
                command: Some(C::Submit(submission(n))),
                ..Default::default()
            },
        })
        .collect();
    // 1: through its whole life, then a postal event.
    steps.extend([receive(1), start(1)]);
    steps.push(on(
        1,
        "finish",
        C::Finish(pb::FinishProcessing {
            results: vec![pb::ResultDocument {
                code: "KQ1".into(),
                name: "Giấy phép xây dựng".into(),
                url: "https://files.example.vn/kq-1.pdf".into(),
            }],
        }),
    ));
    steps.push(on(
        1,
        "return",
        C::ReturnResult(pb::ReturnResult {
            delivery: pb::ResultDelivery::ByPost as i32,
        }),
    ));
    steps.push(Step::Command {
        token: POSTAL,
        request: pb::CommandRequest {
            idempotency_key: "fixture-1-delivered".into(),
            dossier: Some(pb::DossierRef {
                r#ref: Some(pb::dossier_ref::Ref::Id(1)),
            }),
            actor: "Bưu tá".into(),
            unit: "Bưu cục Hạ Long".into(),
            command: Some(C::RecordPartnerEvent(pb::RecordPartnerEvent {
                kind: "postal.delivered".into(),
                occurred_at: Some(past()),
                reference: "VN0001".into(),
                note: "Đã phát".into(),
            })),
            ..Default::default()
        },
    });
    // 2: a supplement requested and given.
    steps.extend([receive(2), start(2)]);
    steps.push(on(
        2,
        "supplement",
        C::RequestSupplement(pb::RequestSupplement {
            reason: "Thiếu bản vẽ".into(),
            items: vec!["Bản vẽ thiết kế".into(), "Sổ đỏ".into()],
        }),
    ));
    steps.push(on(
        2,
        "supplemented",
        C::SubmitSupplement(pb::SubmitSupplement {
            documents: vec![pb::Document {
                component_code: "TP2".into(),
                name: "Bản vẽ".into(),
                url: "https://files.example.vn/ban-ve.pdf".into(),
            }],
            new_due_at: Some(day(20)),
        }),
    ));
    // 3: refused.
    steps.push(on(
        3,
        "refuse",
        C::Refuse(pb::RefuseDossier {
            reason: "Không thuộc thẩm quyền".into(),
        }),
    ));
    // 4: a fee requested and paid.
    steps.extend([receive(4), start(4)]);
    steps.push(on(
        4,
        "fee",
        C::RequestFinancialObligation(pb::RequestFinancialObligation {
            fees: vec![pb::Fee {
                code: "LP2".into(),
                name: "Lệ phí cấp phép".into(),
                amount_vnd: 150_000,
            }],
            note: "Nộp trong 5 ngày".into(),
        }),
    ));
    steps.push(on(
        4,
        "paid",
        C::RecordPayment(pb::RecordPayment {
            transaction_id: "GD0001".into(),
            reference: "TC0001".into(),
            amount_vnd: 150_000,
            paid_at: Some(past()),
        }),
    ));
    // 5: stopped, resumed, rescheduled.
    steps.extend([receive(5), start(5)]);
    steps.push(on(
        5,
        "stop",
        C::Stop(pb::StopProcessing {
            reason: "Chờ ý kiến cơ quan khác".into(),
        }),
    ));
    steps.push(on(
        5,
        "resume",
        C::Resume(pb::ResumeProcessing {
            note: "Đã có ý kiến".into(),
        }),
    ));
    steps.push(on(
        5,
        "reschedule",
        C::Reschedule(pb::RescheduleDossier {
            apology: "Xin lỗi vì trễ hẹn".into(),
            new_due_at: Some(day(40)),
        }),
    ));
    // 6: withdrawn.
    steps.push(on(
        6,
        "withdraw",
        C::Withdraw(pb::WithdrawDossier {
            reason: "Công dân rút hồ sơ".into(),
        }),
    ));
    let mut entry = pb::CatalogEntry {
        code: "G12".into(),
        name: "Xây dựng".into(),
        parent_code: String::new(),
        attributes: Default::default(),
    };
    entry.attributes.insert("note".into(), "lĩnh vực".into());
    steps.push(Step::Publish {
        token: PORTAL,
        request: pb::PublishCatalogRequest {
            idempotency_key: "fixture-sectors".into(),
            kind: "sectors".into(),
            entries: vec![entry],
            expected_version: None,
        },
    });
    steps
}
