//! Outbound over real HTTP against the simulated legacy system: the body
//! built from the mapping, the reply codes, the switches, order kept.

mod common;

use common::{dossier, event, ma_ho_so, Rig};
use lienthong_adapter::pb::{DossierStatus, EventType};
use lienthong_adapter::DeliveryError;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_legacy_body_uses_its_own_names_and_codes() {
    let rig = Rig::start().await;
    let mut d = dossier(1, DossierStatus::Received);
    let mut due = d.due_at.unwrap_or_default();
    due.seconds = 1_764_489_600; // 2025-11-30 15:00:00 in Hanoi
    d.due_at = Some(due);
    let accepted = rig
        .sink
        .deliver(&event(EventType::DossierReceived, d, 1, "Đủ giấy tờ"))
        .await
        .expect("accepted");
    assert!(accepted.partner_reference.starts_with("LG"), "{accepted:?}");
    let got = rig.sim.accepted();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0],
        json!({
            "maSuKien": "ev-1",
            "loaiSuKien": "TIEP_NHAN",
            "thoiGian": "20251122143000",
            "soHoSo": ma_ho_so(1),
            "maThuTuc": "1.000948.H38",
            "tenThuTuc": "Cấp giấy phép hoạt động",
            "maCoQuan": common::AGENCY,
            "chuHoSo": {"hoTen": "Trần Thị Bình", "soDienThoai": "0987654321"},
            "maTrangThai": "DA_TIEP_NHAN",
            "ngayHenTra": "20251130150000",
            "ghiChu": "Đủ giấy tờ",
            "tongLePhi": 200000
        })
    );
}

#[tokio::test]
async fn unlisted_events_are_accepted_without_a_call() {
    let rig = Rig::start().await;
    let accepted = rig
        .sink
        .deliver(&event(
            EventType::SupplementRequested,
            dossier(2, DossierStatus::SupplementRequested),
            1,
            "",
        ))
        .await
        .expect("accepted");
    assert_eq!(accepted.partner_reference, "");
    assert!(rig.sim.calls().is_empty());
}

#[tokio::test]
async fn a_lost_answer_is_retried_and_already_received_counts_as_accepted() {
    let rig = Rig::start().await;
    rig.sim.switches(|s| s.lose_reply_next = 1);
    let e = event(
        EventType::DossierSubmitted,
        dossier(3, DossierStatus::Submitted),
        1,
        "",
    );
    assert!(rig.sink.deliver(&e).await.expect_err("500").is_retryable());
    rig.sink.deliver(&e).await.expect("02 = accepted");
    assert_eq!(rig.sim.accepted().len(), 1, "recorded once");
    let codes: Vec<String> = rig.sim.calls().into_iter().map(|c| c.code).collect();
    assert_eq!(codes, vec!["500", "02"]);
}

#[tokio::test]
async fn failures_busy_and_slowness_are_retryable_invalid_is_a_refusal() {
    let rig = Rig::start().await;
    let e = event(
        EventType::DossierSubmitted,
        dossier(4, DossierStatus::Submitted),
        1,
        "",
    );
    rig.sim.switches(|s| s.fail_next = 1);
    assert!(rig.sink.deliver(&e).await.expect_err("500").is_retryable());
    rig.sim.switches(|s| s.busy_next = 1);
    let err = rig.sink.deliver(&e).await.expect_err("99");
    assert!(err.is_retryable(), "{err:?}");
    assert!(err.to_string().contains("\"99\""), "{err}");
    rig.sim.switches(|s| s.slow = Duration::from_millis(2500));
    let err = rig.sink.deliver(&e).await.expect_err("slow");
    assert!(
        err.is_retryable() && err.to_string().contains("timed out"),
        "{err}"
    );
    rig.sim.switches(|s| s.slow = Duration::ZERO);
    rig.sim.switches(|s| s.reject_next = 1);
    let err = rig.sink.deliver(&e).await.expect_err("01");
    assert!(matches!(err, DeliveryError::Reject { .. }), "{err:?}");
    assert!(err.to_string().contains("không hợp lệ"), "{err}");
    tokio::time::sleep(Duration::from_millis(700)).await;
    rig.sink.deliver(&e).await.expect("finally");
    assert_eq!(rig.sim.accepted().len(), 1);
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_and_a_dead_system_retried() {
    let rig = Rig::start_with(|t| {
        t.insert(
            "headers".into(),
            toml::Value::Table(
                [("X-Api-Key".to_string(), toml::Value::from("wrong"))]
                    .into_iter()
                    .collect(),
            ),
        );
    })
    .await;
    let e = event(
        EventType::DossierSubmitted,
        dossier(5, DossierStatus::Submitted),
        1,
        "",
    );
    let err = rig.sink.deliver(&e).await.expect_err("401");
    assert!(matches!(err, DeliveryError::Reject { .. }), "{err:?}");

    let dead = Rig::start_with(|t| {
        t.insert("endpoint".into(), "http://127.0.0.1:9/api".into());
    })
    .await;
    assert!(dead
        .sink
        .deliver(&e)
        .await
        .expect_err("down")
        .is_retryable());
}

#[tokio::test]
async fn a_status_without_a_legacy_code_is_refused_not_guessed() {
    let rig = Rig::start_with(|t| {
        let map = t
            .get_mut("status_map")
            .and_then(|v| v.as_table_mut())
            .unwrap();
        map.remove("DA_XU_LY");
    })
    .await;
    let err = rig
        .sink
        .deliver(&event(
            EventType::ProcessingFinished,
            dossier(6, DossierStatus::Finished),
            1,
            "",
        ))
        .await
        .expect_err("no code for 9");
    assert!(matches!(err, DeliveryError::Reject { .. }), "{err:?}");
    assert!(err.to_string().contains("status 9"), "{err}");
    assert!(rig.sim.calls().is_empty());
}

#[tokio::test]
async fn events_arrive_in_the_order_given() {
    let rig = Rig::start().await;
    let steps = [
        (EventType::DossierSubmitted, DossierStatus::Submitted),
        (EventType::DossierReceived, DossierStatus::Received),
        (EventType::ProcessingStarted, DossierStatus::Processing),
        (EventType::ProcessingFinished, DossierStatus::Finished),
        (EventType::ResultReturned, DossierStatus::ResultReturned),
    ];
    for (i, (kind, status)) in steps.into_iter().enumerate() {
        let mut d = dossier(7, status);
        d.version = i as u64 + 1;
        rig.sink
            .deliver(&event(kind, d, i as u64 + 1, ""))
            .await
            .expect("accepted");
    }
    let statuses: Vec<String> = rig
        .sim
        .accepted()
        .iter()
        .map(|m| m["maTrangThai"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        statuses,
        vec!["MOI", "DA_TIEP_NHAN", "DANG_XU_LY", "DA_XU_LY", "DA_TRA_KQ"]
    );
    // Event types without a legacy name keep the canonical one.
    assert_eq!(rig.sim.accepted()[2]["loaiSuKien"], "processing_started");
}

#[tokio::test]
async fn the_legacy_systems_own_changes_are_not_echoed_unless_asked() {
    let rig = Rig::start().await;
    let mut own = event(
        EventType::DossierReceived,
        dossier(8, DossierStatus::Received),
        1,
        "",
    );
    own.partner_id = "legacy".into();
    rig.sink.deliver(&own).await.expect("accepted");
    assert!(rig.sim.calls().is_empty());

    let echo = Rig::start_with(|t| {
        t.insert("send_own_changes".into(), true.into());
    })
    .await;
    echo.sink.deliver(&own).await.expect("accepted");
    assert_eq!(echo.sim.accepted().len(), 1);
}
