//! Inbound: the simulated one-stop system reports status changes in its own
//! vocabulary to the adapter's route, served on loopback; a recording hub
//! stands in for the real one.

mod common;

use common::*;
use lienthong_adapter::pb;
use lienthong_adapter::testing::{refusal, serve_routes};
use lienthong_adapter::{AdapterKind, ErrorCode};
use lienthong_adapter_one_stop::protocol::{Document, Payment, StatusReport};
use lienthong_adapter_one_stop::simulator::{SimConfig, Simulator};
use lienthong_adapter_one_stop::OneStopKind;
use pb::command_request::Command;
use pb::DossierStatus as S;
use serde_json::Value;
use std::sync::Arc;

struct Setup {
    sim: Simulator,
    hub: Arc<FakeHub>,
    url: String,
    _server: tokio::sync::oneshot::Sender<()>,
}

async fn setup(hub: FakeHub) -> Setup {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let hub = Arc::new(hub);
    let adapter = OneStopKind
        .build("mot-cua-h22", &settings_table(&sim, ""), hub.clone())
        .unwrap();
    let (url, server) = serve_routes("mot-cua-h22", adapter.routes.unwrap()).await;
    sim.set_callback(&format!("{url}/status"), "x-onestop-secret", SECRET);
    Setup {
        sim,
        hub,
        url,
        _server: server,
    }
}

fn report(event_id: &str, ma: &str, status: &str) -> StatusReport {
    StatusReport {
        event_id: event_id.into(),
        ma_ho_so: ma.into(),
        status: status.into(),
        actor: "Phạm Thu Hà".into(),
        unit: "Bộ phận một cửa".into(),
        ..Default::default()
    }
}

async fn one(s: &Setup, r: StatusReport) -> (u16, Value) {
    s.sim.report(r).await.remove(0)
}

#[tokio::test]
async fn a_reception_becomes_receive_with_the_appointment_date() {
    let ma = ma(1);
    let s = setup(hub_with(&ma, S::Submitted)).await;
    let mut r = report("MC-EV-1", &ma, "DA_TIEP_NHAN");
    r.due_at = "20251205170000".into();
    let (status, answer) = one(&s, r).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"], "applied");
    assert_eq!(answer["command"], "receive");
    assert_eq!(answer["status"], 2);
    let request = s.hub.applied()[0].clone();
    assert_eq!(request.idempotency_key, "onestop:MC-EV-1");
    assert_eq!(request.actor, "Phạm Thu Hà");
    assert_eq!(request.unit, "Bộ phận một cửa");
    match request.command.unwrap() {
        Command::Receive(c) => assert_eq!(
            c.due_at.unwrap().seconds,
            lienthong_adapter::vietnam_time::parse("20251205170000").unwrap()
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_whole_life_in_the_systems_own_words() {
    let ma = ma(2);
    let s = setup(hub_with(&ma, S::Submitted)).await;
    let steps: Vec<(&str, StatusReport)> = vec![
        ("receive", report("e1", &ma, "DA_TIEP_NHAN")),
        (
            "start_processing",
            StatusReport {
                processing_unit: "Phòng Hộ tịch".into(),
                ..report("e2", &ma, "DANG_XU_LY")
            },
        ),
        (
            "request_supplement",
            StatusReport {
                note: "thiếu bản sao".into(),
                items: vec!["Bản sao CCCD".into()],
                ..report("e3", &ma, "CHO_BO_SUNG")
            },
        ),
        (
            "submit_supplement",
            StatusReport {
                documents: vec![Document {
                    ma: "TP02".into(),
                    ten: "Bản sao CCCD".into(),
                    url: "https://files.example.vn/cccd.pdf".into(),
                }],
                due_at: "20251210170000".into(),
                ..report("e4", &ma, "DANG_XU_LY")
            },
        ),
        (
            "request_financial_obligation",
            StatusReport {
                fees: vec![lienthong_adapter_one_stop::protocol::Fee {
                    ma: "LP01".into(),
                    ten: "Lệ phí".into(),
                    so_tien: 100_000,
                }],
                ..report("e5", &ma, "CHO_NOP_PHI")
            },
        ),
        (
            "record_payment",
            StatusReport {
                payment: Some(Payment {
                    transaction_id: "GD123".into(),
                    reference: "TC1".into(),
                    amount_vnd: 100_000,
                    paid_at: "20251206090000".into(),
                }),
                ..report("e6", &ma, "DANG_XU_LY")
            },
        ),
        (
            "stop",
            StatusReport {
                note: "chờ ý kiến liên ngành".into(),
                ..report("e7", &ma, "DUNG_XU_LY")
            },
        ),
        ("resume", report("e8", &ma, "DANG_XU_LY")),
        (
            "finish",
            StatusReport {
                results: vec![Document {
                    ma: "KQ01".into(),
                    ten: "Giấy khai sinh".into(),
                    url: String::new(),
                }],
                ..report("e9", &ma, "DA_CO_KET_QUA")
            },
        ),
        (
            "return_result",
            StatusReport {
                delivery: "post".into(),
                ..report("e10", &ma, "DA_TRA_KET_QUA")
            },
        ),
    ];
    for (expected, r) in steps {
        let (status, answer) = one(&s, r).await;
        assert_eq!(status, 200, "{expected}: {answer}");
        assert_eq!(answer["command"], expected, "{answer}");
    }
    assert_eq!(s.hub.status(&ma), 10);
    match &s.hub.commands()[5] {
        Command::RecordPayment(p) => assert_eq!(
            (p.transaction_id.as_str(), p.amount_vnd),
            ("GD123", 100_000)
        ),
        other => panic!("{other:?}"),
    }
    match s.hub.commands().last().unwrap() {
        Command::ReturnResult(c) => assert_eq!(c.delivery, pb::ResultDelivery::ByPost as i32),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn duplicate_callbacks_change_nothing() {
    let ma = ma(3);
    let s = setup(hub_with(&ma, S::Received)).await;
    s.sim.set_duplicate_callbacks(true);
    let answers = s.sim.report(report("dup-1", &ma, "DANG_XU_LY")).await;
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].1["outcome"], "applied");
    assert_eq!(answers[1].0, 200);
    assert_eq!(answers[1].1["outcome"], "already_applied");
    assert_eq!(s.hub.applied().len(), 1);
    // A duplicate arriving after the dossier moved on gets the same answer.
    s.sim.set_duplicate_callbacks(false);
    one(&s, report("dup-2", &ma, "DUNG_XU_LY")).await;
    let (status, answer) = one(&s, report("dup-1", &ma, "DANG_XU_LY")).await;
    assert_eq!(
        (status, answer["command"].as_str()),
        (200, Some("start_processing"))
    );
    assert_eq!(s.hub.applied().len(), 2);
}

#[tokio::test]
async fn a_wrong_or_missing_secret_is_refused() {
    let ma = ma(4);
    let s = setup(hub_with(&ma, S::Submitted)).await;
    s.sim.set_wrong_secret(true);
    let (status, answer) = one(&s, report("w1", &ma, "DA_TIEP_NHAN")).await;
    assert_eq!(status, 403);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("x-onestop-secret"),
        "{answer}"
    );
    let missing = reqwest::Client::new()
        .post(format!("{}/status", s.url))
        .json(&report("w2", &ma, "DA_TIEP_NHAN"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert!(s.hub.applied().is_empty());
}

#[tokio::test]
async fn an_unmapped_status_is_refused_by_name() {
    let ma = ma(5);
    let s = setup(hub_with(&ma, S::Submitted)).await;
    let (status, answer) = one(&s, report("u1", &ma, "TAM_DUNG")).await;
    assert_eq!(status, 400);
    assert_eq!(answer["field"], "status");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("`TAM_DUNG`") && error.contains("status_map"),
        "{error}"
    );
    assert!(s.hub.applied().is_empty());
}

#[tokio::test]
async fn an_illegal_combination_is_the_hubs_409() {
    let ma = ma(6);
    let s = setup(hub_with(&ma, S::Submitted)).await;
    s.hub.refuse_next(
        1,
        refusal(
            ErrorCode::FailedPrecondition,
            "command finish is not allowed in status 1 (SUBMITTED)",
        ),
    );
    let mut r = report("i1", &ma, "DA_CO_KET_QUA");
    r.results = vec![Document {
        ma: "KQ".into(),
        ten: "Kết quả".into(),
        url: String::new(),
    }];
    let (status, answer) = one(&s, r).await;
    assert_eq!(status, 409);
    assert_eq!(
        answer["error"],
        "command finish is not allowed in status 1 (SUBMITTED)"
    );
    // Back to 1 is not a command at all.
    s.hub.add(dossier_at(&ma, S::Received));
    let (status, answer) = one(&s, report("i2", &ma, "CHO_TIEP_NHAN")).await;
    assert_eq!(status, 409, "{answer}");
}

#[tokio::test]
async fn bad_reports_name_the_field() {
    let ma = ma(7);
    let s = setup(hub_with(&ma, S::Submitted)).await;
    let (status, answer) = one(&s, report("", &ma, "DA_TIEP_NHAN")).await;
    assert_eq!((status, answer["field"].as_str()), (400, Some("event_id")));
    let mut r = report("b1", &ma, "DA_TIEP_NHAN");
    r.due_at = "05/12/2025".into();
    let (status, answer) = one(&s, r).await;
    assert_eq!((status, answer["field"].as_str()), (400, Some("due_at")));
    let (status, _) = one(
        &s,
        report("b2", "000.00.09.H22-251122-99999", "DA_TIEP_NHAN"),
    )
    .await;
    assert_eq!(status, 404);
    s.hub.refuse_next(
        1,
        refusal(ErrorCode::InvalidArgument, "refuse.reason is required"),
    );
    let (status, answer) = one(&s, report("b3", &ma, "KHONG_TIEP_NHAN")).await;
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().contains("refuse.reason"));
    let garbage = reqwest::Client::new()
        .post(format!("{}/status", s.url))
        .header("x-onestop-secret", SECRET)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
}

#[tokio::test]
async fn a_busy_hub_asks_the_system_to_try_again() {
    let ma = ma(8);
    let s = setup(hub_with(&ma, S::Submitted)).await;
    s.hub
        .refuse_next(1, refusal(ErrorCode::Unavailable, "the hub is stopping"));
    let (status, _) = one(&s, report("t1", &ma, "DA_TIEP_NHAN")).await;
    assert_eq!(status, 503);
    let (status, answer) = one(&s, report("t1", &ma, "DA_TIEP_NHAN")).await;
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("applied")));
}

#[tokio::test]
async fn the_same_status_is_unchanged_unless_it_brings_a_new_date() {
    let ma = ma(9);
    let s = setup(hub_with(&ma, S::Processing)).await;
    let (status, answer) = one(&s, report("s1", &ma, "DANG_XU_LY")).await;
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (200, Some("unchanged"))
    );
    let mut r = report("s2", &ma, "DANG_XU_LY");
    r.due_at = "20251220170000".into();
    r.note = "Xin lỗi vì trễ hẹn".into();
    let (_, answer) = one(&s, r).await;
    assert_eq!(answer["command"], "reschedule");
    match &s.hub.commands()[0] {
        Command::Reschedule(c) => assert_eq!(c.apology, "Xin lỗi vì trễ hẹn"),
        other => panic!("{other:?}"),
    }
}
