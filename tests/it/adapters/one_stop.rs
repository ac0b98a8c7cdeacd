//! End to end: the real hub, the one-stop adapter (`one_stop_rest`) and the
//! simulated one-stop system. Dossiers routed to its agency are posted to it
//! through the hub's delivery relay (faults retried, refusals parked); it
//! reports status changes in its own vocabulary to the adapter's route, and
//! they become canonical commands — or clear refusals.

use super::{inbound_url, partner, settled, start_hub};
use crate::common::{self, status, submission, submit_request, TestHub};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb;
use lienthong_adapter_one_stop::commands::granted;
use lienthong_adapter_one_stop::protocol::{Document, StatusReport};
use lienthong_adapter_one_stop::simulator::{SimConfig, Simulator};

const PARTNER: &str = "motcua-sim";
const TOKEN: &str = "motcua-sim-token-0001";
const SECRET: &str = "bi-mat-chung-motcua-0001";

async fn hub_with_one_stop() -> (TestHub, Simulator) {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let mut adapter = sim.adapter_settings(SECRET);
    adapter.insert("kind".into(), "one_stop_rest".into());
    let hub = start_hub(vec![partner(
        PARTNER,
        TOKEN,
        &granted(),
        Some(SubscriptionSection {
            agencies: vec![common::AGENCY.into()],
            ..Default::default()
        }),
        adapter,
    )])
    .await;
    sim.set_callback(
        &format!("{}/status", inbound_url(&hub, PARTNER)),
        "x-onestop-secret",
        SECRET,
    );
    (hub, sim)
}

async fn submit(hub: &TestHub, key: &str) -> pb::Dossier {
    let mut client = hub.client(common::ONE_STOP).await;
    client
        .exec(submit_request(key, submission()))
        .await
        .unwrap()
        .dossier
        .unwrap()
}

async fn current(hub: &TestHub, id: u64) -> pb::GetDossierReply {
    hub.client(common::PORTAL).await.get(id).await.unwrap()
}

fn report(event_id: &str, ma: &str, code: &str) -> StatusReport {
    StatusReport {
        event_id: event_id.into(),
        ma_ho_so: ma.into(),
        status: code.into(),
        actor: "Phạm Thu Hà".into(),
        unit: "Bộ phận một cửa".into(),
        ..Default::default()
    }
}

async fn one(sim: &Simulator, r: StatusReport) -> (u16, serde_json::Value) {
    sim.report(r).await.remove(0)
}

#[tokio::test]
async fn a_routed_dossier_lives_through_the_systems_own_statuses() {
    let (mut hub, sim) = hub_with_one_stop().await;
    sim.fail_next(2); // the first posts meet 500s, and are retried
    let dossier = submit(&hub, "os-e2e-1").await;
    let ma = dossier.ma_ho_so.clone();
    let delivery = settled(&hub, PARTNER).await;
    assert_eq!((delivery.parked, delivery.accepted), (0, 1), "{delivery:?}");
    assert!(delivery.retried >= 2);
    let held = sim.held(&ma).expect("routed to the one-stop system");
    assert_eq!(held.record.ma_tthc, common::PROCEDURE);
    assert_eq!(held.record.trang_thai, "CHO_TIEP_NHAN");

    let docs = vec![Document {
        ma: "TP2".into(),
        ten: "Bản vẽ".into(),
        url: "https://files.example.vn/ban-ve.pdf".into(),
    }];
    let steps = [
        (
            StatusReport {
                due_at: "20351205170000".into(),
                ..report("e1", &ma, "DA_TIEP_NHAN")
            },
            status::RECEIVED,
        ),
        (
            StatusReport {
                processing_unit: "Phòng Quản lý đô thị".into(),
                ..report("e2", &ma, "DANG_XU_LY")
            },
            status::PROCESSING,
        ),
        (
            StatusReport {
                note: "Thiếu bản vẽ".into(),
                items: vec!["Bản vẽ thiết kế".into()],
                ..report("e3", &ma, "CHO_BO_SUNG")
            },
            status::SUPPLEMENT_REQUESTED,
        ),
        (
            StatusReport {
                documents: docs.clone(),
                ..report("e4", &ma, "DANG_XU_LY")
            },
            status::PROCESSING,
        ),
        (
            StatusReport {
                due_at: "20351215170000".into(),
                note: "Xin lỗi vì trễ hẹn".into(),
                ..report("e5", &ma, "DANG_XU_LY")
            },
            status::PROCESSING,
        ),
        (
            StatusReport {
                results: docs,
                ..report("e6", &ma, "DA_CO_KET_QUA")
            },
            status::FINISHED,
        ),
        (
            StatusReport {
                delivery: "post".into(),
                ..report("e7", &ma, "DA_TRA_KET_QUA")
            },
            status::RESULT_RETURNED,
        ),
    ];
    for (r, expected) in steps {
        let (code, answer) = one(&sim, r).await;
        assert_eq!(code, 200, "{answer}");
        assert_eq!(answer["status"], expected, "{answer}");
    }
    let now = current(&hub, dossier.id).await;
    let commands: Vec<&str> = now.history.iter().map(|h| h.command.as_str()).collect();
    assert_eq!(
        commands,
        [
            "submit",
            "receive",
            "start_processing",
            "request_supplement",
            "submit_supplement",
            "reschedule",
            "finish",
            "return_result"
        ]
    );
    let d = now.dossier.unwrap();
    assert_eq!(d.result_delivery, pb::ResultDelivery::ByPost as i32);
    assert_eq!(d.reschedules.len(), 1);
    assert_eq!(now.history[1].partner_id, PARTNER);
    assert_eq!(now.history[1].actor, "Phạm Thu Hà");
    // Its own reports are not echoed back to it.
    let delivery = settled(&hub, PARTNER).await;
    assert_eq!(delivery.parked, 0);
    assert!(sim.versions(&ma).is_empty(), "{:?}", sim.versions(&ma));
    hub.stop().await;
}

#[tokio::test]
async fn changes_by_others_reach_it_in_order_and_refusals_are_parked() {
    let (mut hub, sim) = hub_with_one_stop().await;
    let dossier = submit(&hub, "os-e2e-2").await;
    let mut portal = hub.client(common::ONE_STOP).await;
    for (i, name) in ["receive", "start_processing", "finish"]
        .into_iter()
        .enumerate()
    {
        portal
            .exec(common::command(
                &format!("os-e2e-2-{i}"),
                dossier.id,
                common::command_named(name),
            ))
            .await
            .unwrap();
    }
    settled(&hub, PARTNER).await;
    assert_eq!(sim.versions(&dossier.ma_ho_so), [2, 3, 4]);
    assert!(sim.order_violations().is_empty());

    sim.reject_next(1);
    let refused = submit(&hub, "os-e2e-3").await;
    let delivery = settled(&hub, PARTNER).await;
    assert_eq!(delivery.parked, 1, "{delivery:?}");
    assert!(sim.held(&refused.ma_ho_so).is_none());
    hub.stop().await;
}

#[tokio::test]
async fn bad_reports_are_refused_clearly_and_duplicates_absorbed() {
    let (mut hub, sim) = hub_with_one_stop().await;
    let dossier = submit(&hub, "os-e2e-4").await;
    let ma = dossier.ma_ho_so.clone();

    let (code, answer) = one(&sim, report("b1", &ma, "TAM_DUNG")).await;
    assert_eq!(code, 400);
    assert_eq!(answer["field"], "status");
    assert!(answer["error"].as_str().unwrap().contains("TAM_DUNG"));

    let (code, answer) = one(
        &sim,
        StatusReport {
            delivery: "post".into(),
            ..report("b2", &ma, "DA_TRA_KET_QUA")
        },
    )
    .await;
    assert_eq!(code, 409, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("return_result"),
        "{answer}"
    );

    sim.set_wrong_secret(true);
    let (code, _) = one(&sim, report("b3", &ma, "DA_TIEP_NHAN")).await;
    assert_eq!(code, 403);
    sim.set_wrong_secret(false);

    // The hub needs the appointment date of a reception: named as the
    // report's own field.
    let (code, answer) = one(&sim, report("b4", &ma, "DA_TIEP_NHAN")).await;
    assert_eq!(
        (code, answer["field"].as_str()),
        (400, Some("due_at")),
        "{answer}"
    );

    sim.set_duplicate_callbacks(true);
    let answers = sim
        .report(StatusReport {
            due_at: "20351205170000".into(),
            ..report("b5", &ma, "DA_TIEP_NHAN")
        })
        .await;
    assert_eq!(
        answers.iter().map(|a| a.0).collect::<Vec<_>>(),
        [200, 200],
        "{answers:?}"
    );
    assert_eq!(answers[0].1["outcome"], "applied");
    assert_eq!(answers[1].1["outcome"], "already_applied");
    let now = current(&hub, dossier.id).await;
    assert_eq!(now.history.len(), 2, "one reception, not two");
    assert_eq!(now.dossier.unwrap().status, status::RECEIVED);
    hub.stop().await;
}
