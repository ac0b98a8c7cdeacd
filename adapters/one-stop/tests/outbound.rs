//! Outbound against the simulated one-stop system over loopback HTTP.

mod common;

use common::*;
use lienthong_adapter::{pb, AdapterKind, DeliveryError, Sink};
use lienthong_adapter_one_stop::simulator::{SimConfig, Simulator};
use lienthong_adapter_one_stop::OneStopKind;
use std::sync::Arc;
use std::time::Duration;

const ME: &str = "mot-cua-h22";
const OTHER: &str = "dvcqg";

async fn setup(extra: &str) -> (Simulator, Arc<dyn Sink>) {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let adapter = OneStopKind
        .build(
            ME,
            &settings_table(&sim, extra),
            Arc::new(FakeHub::default()),
        )
        .unwrap();
    (sim, adapter.sink.unwrap())
}

#[tokio::test]
async fn a_routed_dossier_and_its_changes_arrive_in_order() {
    let (sim, sink) = setup("").await;
    let ma = ma(1);
    let first = sink.deliver(&event(&ma, 1, OTHER)).await.unwrap();
    assert_eq!(first.partner_reference, "MC-000001");
    for v in 2..=5 {
        let accepted = sink.deliver(&event(&ma, v, OTHER)).await.unwrap();
        assert_eq!(accepted.partner_reference, "MC-000001");
    }
    let held = sim.held(&ma).unwrap();
    assert_eq!(held.record.chu_ho_so, "Lê Văn Cường");
    assert_eq!(held.record.ngay_nop, "20251122100000");
    assert_eq!(held.record.trang_thai_chuan, 10);
    assert_eq!(held.record.trang_thai, "DA_TRA_KET_QUA");
    assert_eq!(held.record.hinh_thuc_tra_kq, "counter");
    assert_eq!(sim.versions(&ma), [2, 3, 4, 5]);
    let kinds: Vec<&str> = held
        .events
        .iter()
        .map(|e| e.loai_su_kien.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "dossier_received",
            "processing_started",
            "processing_finished",
            "result_returned"
        ]
    );
    assert_eq!(held.events[0].trang_thai, "DA_TIEP_NHAN");
    assert!(sim.order_violations().is_empty());
}

#[tokio::test]
async fn redeliveries_are_recognised_by_the_system() {
    let (sim, sink) = setup("").await;
    let ma = ma(2);
    for _ in 0..2 {
        sink.deliver(&event(&ma, 1, OTHER)).await.unwrap();
        sink.deliver(&event(&ma, 2, OTHER)).await.unwrap();
    }
    assert_eq!(sim.dossier_count(), 1);
    assert_eq!(sim.versions(&ma), [2]);
    // A second submission event of the same MaHoSo (another event id): the
    // system already holds it (409) — accepted, not parked.
    let mut again = event(&ma, 1, OTHER);
    again.event_id = "ev-other".into();
    sink.deliver(&again).await.unwrap();
    assert!(sim.log().iter().any(|(_, status)| *status == 409));
}

#[tokio::test]
async fn server_errors_and_slowness_are_retried() {
    let (sim, sink) = setup("timeout_seconds = 1").await;
    let ma = ma(3);
    sim.fail_next(1);
    let err = sink.deliver(&event(&ma, 1, OTHER)).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    sim.set_delay(Duration::from_millis(1500));
    assert!(sink
        .deliver(&event(&ma, 1, OTHER))
        .await
        .unwrap_err()
        .is_retryable());
    sim.set_delay(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(700)).await;
    sink.deliver(&event(&ma, 1, OTHER)).await.unwrap();
    sink.deliver(&event(&ma, 2, OTHER)).await.unwrap();
    assert_eq!(sim.dossier_count(), 1);
    assert_eq!(sim.versions(&ma), [2]);
}

#[tokio::test]
async fn a_business_refusal_or_a_bad_token_is_a_rejection() {
    let (sim, sink) = setup("").await;
    sim.reject_next(1);
    match sink.deliver(&event(&ma(4), 1, OTHER)).await.unwrap_err() {
        DeliveryError::Reject { reason } => assert!(reason.contains("422"), "{reason}"),
        other => panic!("{other}"),
    }
    let mut table = settings_table(&sim, "");
    table.insert("api_token".into(), "sai".into());
    let adapter = OneStopKind
        .build(ME, &table, Arc::new(FakeHub::default()))
        .unwrap();
    let err = adapter
        .sink
        .unwrap()
        .deliver(&event(&ma(5), 1, OTHER))
        .await
        .unwrap_err();
    assert!(
        !err.is_retryable() && err.to_string().contains("401"),
        "{err}"
    );
}

#[tokio::test]
async fn a_change_for_a_dossier_the_system_lacks_brings_the_dossier_first() {
    let (sim, sink) = setup("").await;
    let ma = ma(6);
    sink.deliver(&event(&ma, 3, OTHER)).await.unwrap();
    let held = sim.held(&ma).unwrap();
    assert_eq!(held.record.version, 3);
    assert_eq!(sim.versions(&ma), [3]);
    let log: Vec<u16> = sim.log().iter().map(|(_, s)| *s).collect();
    assert_eq!(log, [404, 201, 200]);
}

#[tokio::test]
async fn its_own_reports_are_not_echoed_and_catalogues_are_ignored() {
    let (sim, sink) = setup("").await;
    let accepted = sink.deliver(&event(&ma(7), 1, ME)).await.unwrap();
    assert_eq!(accepted.partner_reference, "");
    let catalog = pb::Event {
        event_id: "c".into(),
        r#type: pb::EventType::CatalogPublished as i32,
        payload: Some(pb::event::Payload::CatalogPublished(Default::default())),
        ..Default::default()
    };
    sink.deliver(&catalog).await.unwrap();
    assert!(sim.log().is_empty());
}

#[test]
fn the_kind_validates_its_settings() {
    let ok: toml::Table = "endpoint = \"https://motcua.example/api\"\napi_token = \"t\"\n\
        inbound_secret = \"0123456789abcdef\"\n[status_map]\nDA_TIEP_NHAN = 2\n"
        .parse()
        .unwrap();
    assert_eq!(OneStopKind.kind(), "one_stop_rest");
    OneStopKind.validate(&ok).unwrap();
    let mut bad = ok.clone();
    bad["status_map"]
        .as_table_mut()
        .unwrap()
        .insert("X".into(), 0.into());
    assert_eq!(OneStopKind.validate(&bad).unwrap_err().key, "status_map.X");
    let mut empty = ok;
    empty.insert("status_map".into(), toml::Value::Table(Default::default()));
    assert_eq!(OneStopKind.validate(&empty).unwrap_err().key, "status_map");
}
