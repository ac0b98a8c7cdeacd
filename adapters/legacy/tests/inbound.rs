//! Inbound over real HTTP: the simulated legacy system posts status updates
//! in its own terms to the adapter's route, which commands a stand-in hub.

mod common;

use common::{dossier, ma_ho_so, Rig};
use lienthong_adapter::pb::{self, command_request::Command, DossierStatus};
use lienthong_adapter::{ErrorCode, HubCallError};
use lienthong_adapter_legacy::simulator::LegacyUpdate;

fn update(n: u32, status: &str) -> LegacyUpdate {
    LegacyUpdate {
        ma_ho_so: ma_ho_so(n),
        status: status.into(),
        officer: "Lê Văn Cường".into(),
        unit: "Phòng Cấp phép".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_dossier_walks_through_its_statuses_in_legacy_codes() {
    let rig = Rig::start().await;
    rig.hub.add(dossier(1, DossierStatus::Submitted));
    let steps: Vec<(LegacyUpdate, &str, &str)> = vec![
        (
            LegacyUpdate {
                due_date: Some("20991231170000".into()),
                ..update(1, "DA_TIEP_NHAN")
            },
            "receive",
            "DA_TIEP_NHAN",
        ),
        (update(1, "DANG_XU_LY"), "start_processing", "DANG_XU_LY"),
        (
            LegacyUpdate {
                note: "Thiếu bản sao CCCD".into(),
                items: vec!["Bản sao CCCD".into()],
                ..update(1, "CHO_BO_SUNG")
            },
            "request_supplement",
            "CHO_BO_SUNG",
        ),
    ];
    for (u, command, status) in steps {
        let answers = rig.sim.send_update(&u).await;
        assert_eq!(answers.len(), 1);
        let a = &answers[0];
        assert_eq!(a.status, Some(200), "{:?}", a.response);
        assert_eq!(a.response["command"], command);
        assert_eq!(a.response["status"], status);
    }
    let requests = rig.hub.calls();
    assert_eq!(requests.len(), 3);
    let Some(Command::Receive(r)) = &requests[0].command else {
        panic!("receive expected: {:?}", requests[0])
    };
    assert_eq!(r.due_at.map(|t| t.seconds), Some(4_102_394_400)); // 2099-12-31 17:00 +07
    assert_eq!(requests[0].expected_version, Some(1));
    assert_eq!(requests[0].actor, "Lê Văn Cường");
    assert_eq!(requests[0].unit, "Phòng Cấp phép");
    assert!(requests[0].idempotency_key.starts_with("legacy:req:YC"));
    assert_eq!(
        requests[0].dossier,
        Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma_ho_so(1)))
        })
    );
    assert_eq!(
        requests[2].command,
        Some(Command::RequestSupplement(pb::RequestSupplement {
            reason: "Thiếu bản sao CCCD".into(),
            items: vec!["Bản sao CCCD".into()],
        }))
    );
    assert_eq!(
        rig.hub.dossier(&ma_ho_so(1)).status,
        DossierStatus::SupplementRequested as i32
    );
}

#[tokio::test]
async fn duplicate_updates_are_absorbed() {
    let rig = Rig::start().await;
    rig.hub.add(dossier(2, DossierStatus::Received));
    rig.sim.switches(|s| s.duplicate_updates = true);
    let answers = rig.sim.send_update(&update(2, "DANG_XU_LY")).await;
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().all(|a| a.status == Some(200)), "{answers:?}");
    assert_eq!(
        answers[1].response["unchanged"], true,
        "{:?}",
        answers[1].response
    );
    assert_eq!(rig.hub.distinct_keys(), 1);
    assert_eq!(rig.hub.dossier(&ma_ho_so(2)).version, 2, "one change");

    // Without a request id the key comes from the dossier version: the
    // same update again finds the dossier already there.
    rig.sim.switches(|s| s.duplicate_updates = false);
    let update = serde_json::json!({"soHoSo": ma_ho_so(2), "maTrangThai": "DANG_XU_LY"});
    let again = rig.post_update(true, &update.to_string()).await;
    assert_eq!(again.status().as_u16(), 200);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["unchanged"], true);
}

#[tokio::test]
async fn the_shared_secret_is_required() {
    let rig = Rig::start().await;
    rig.hub.add(dossier(3, DossierStatus::Received));
    rig.sim.switches(|s| s.wrong_secret = true);
    let a = &rig.sim.send_update(&update(3, "DANG_XU_LY")).await[0];
    assert_eq!(a.status, Some(403));
    assert!(a.response["error"]
        .as_str()
        .unwrap()
        .contains("x-legacy-secret"));
    let update = serde_json::json!({"soHoSo": ma_ho_so(3), "maTrangThai": "DANG_XU_LY"});
    let none = rig.post_update(false, &update.to_string()).await;
    assert_eq!(none.status().as_u16(), 401);
    assert!(rig.hub.calls().is_empty());
}

#[tokio::test]
async fn unmapped_statuses_and_missing_fields_are_400_naming_them() {
    let rig = Rig::start().await;
    rig.hub.add(dossier(4, DossierStatus::Submitted));
    let a = &rig.sim.send_update(&update(4, "CHUA_RO")).await[0];
    assert_eq!(a.status, Some(400));
    let error = a.response["error"].as_str().unwrap();
    assert!(
        error.contains("maTrangThai") && error.contains("CHUA_RO"),
        "{error}"
    );
    // Receiving needs the appointment date.
    let a = &rig.sim.send_update(&update(4, "DA_TIEP_NHAN")).await[0];
    assert_eq!(a.status, Some(400));
    assert!(a.response["error"].as_str().unwrap().contains("ngayHenTra"));
    let a = &rig
        .sim
        .send_update(&LegacyUpdate {
            due_date: Some("31/12/2099".into()),
            ..update(4, "DA_TIEP_NHAN")
        })
        .await[0];
    assert_eq!(a.status, Some(400));
    let bad_json = rig.post_update(true, "not json").await;
    assert_eq!(bad_json.status().as_u16(), 400);
    assert!(rig.hub.calls().is_empty());
}

#[tokio::test]
async fn hub_refusals_come_back_with_their_status() {
    let rig = Rig::start().await;
    // Unknown dossier.
    let a = &rig.sim.send_update(&update(5, "DANG_XU_LY")).await[0];
    assert_eq!(a.status, Some(404));
    // The hub's transition table refuses.
    rig.hub.add(dossier(6, DossierStatus::Processing));
    rig.hub.refuse_always(Some(HubCallError {
        code: ErrorCode::FailedPrecondition,
        message: "refuse is not allowed in status 4".into(),
    }));
    let a = &rig
        .sim
        .send_update(&LegacyUpdate {
            note: "Sai thẩm quyền".into(),
            ..update(6, "TU_CHOI")
        })
        .await[0];
    assert_eq!(a.status, Some(409));
    assert!(a.response["error"].as_str().unwrap().contains("status 4"));
    // Busy hub: 503, the legacy system tries again later.
    rig.hub.refuse_always(Some(HubCallError {
        code: ErrorCode::Unavailable,
        message: "stopping".into(),
    }));
    let a = &rig.sim.send_update(&update(6, "DA_XU_LY")).await[0];
    assert_eq!(a.status, Some(503));
}

#[tokio::test]
async fn a_dossier_moved_on_meanwhile_is_read_and_planned_again() {
    let rig = Rig::start().await;
    rig.hub.add(dossier(7, DossierStatus::Processing));
    let moved_on = HubCallError {
        code: ErrorCode::Aborted,
        message: "expected version 4 but the dossier is at version 5".into(),
    };
    // Once: the update is planned again against a fresh read and applied.
    rig.hub.refuse_next(1, moved_on.clone());
    let reads = rig.hub.dossier_reads();
    let a = &rig.sim.send_update(&update(7, "DA_XU_LY")).await[0];
    assert_eq!(a.status, Some(200), "{}", a.response);
    assert_eq!(
        rig.hub.dossier_reads() - reads,
        2,
        "read again after ABORTED"
    );
    assert_eq!(rig.hub.calls().len(), 2);
    assert_eq!(rig.hub.applied().len(), 1);
    assert_eq!(rig.hub.status(&ma_ho_so(7)), DossierStatus::Finished as i32);
    // Every time: after three plans the legacy system is answered 409.
    rig.hub.add(dossier(8, DossierStatus::Processing));
    rig.hub.refuse_always(Some(moved_on));
    let calls = rig.hub.calls().len();
    let a = &rig.sim.send_update(&update(8, "DA_XU_LY")).await[0];
    assert_eq!(a.status, Some(409));
    assert!(a.response["error"].as_str().unwrap().contains("version 5"));
    assert_eq!(rig.hub.calls().len() - calls, 3, "planned three times");
    assert_eq!(
        rig.hub.status(&ma_ho_so(8)),
        DossierStatus::Processing as i32
    );
}

#[tokio::test]
async fn same_status_with_a_new_date_is_an_apology_with_that_date() {
    let rig = Rig::start().await;
    let mut d = dossier(7, DossierStatus::Processing);
    let mut due = d.due_at.unwrap_or_default();
    due.seconds = 4_000_000_000;
    d.due_at = Some(due);
    rig.hub.add(d);
    let a = &rig
        .sim
        .send_update(&LegacyUpdate {
            note: "Xin lỗi vì chậm trễ".into(),
            due_date: Some("20991231170000".into()),
            ..update(7, "DANG_XU_LY")
        })
        .await[0];
    assert_eq!(a.status, Some(200), "{:?}", a.response);
    assert_eq!(a.response["command"], "reschedule");
    let Some(Command::Reschedule(r)) = &rig.hub.calls()[0].command else {
        panic!("reschedule expected")
    };
    assert_eq!(r.apology, "Xin lỗi vì chậm trễ");
    assert_eq!(r.new_due_at.map(|t| t.seconds), Some(4_102_394_400));
}
