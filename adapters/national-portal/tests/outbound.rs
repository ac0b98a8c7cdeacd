//! Outbound against the simulated portal over loopback HTTP: the dossier
//! upsert and its progress, in order, through every misbehaviour switch.

mod common;

use common::*;
use lienthong_adapter::AdapterSettings;
use lienthong_adapter::{pb, DeliveryError, Sink};
use lienthong_adapter_national_portal::protocol::ops;
use lienthong_adapter_national_portal::simulator::{SimConfig, Simulator};
use lienthong_adapter_national_portal::sink::PortalSink;
use lienthong_adapter_national_portal::Parts;
use std::time::Duration;

async fn sim() -> Simulator {
    Simulator::start(SimConfig::default())
        .await
        .expect("simulator")
}

/// A portal simulator and the adapter's sink against it (`extra` settings);
/// the hub knows the test dossiers' histories (the adapter reads them to
/// tell which of its steps the portal already has).
async fn portal_sink(extra: &str) -> (Simulator, Parts, PortalSink) {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, extra);
    for n in (1..=20).chain([80]) {
        hub_knows(&hub, &ma(n));
    }
    let sink = parts.sink(&settings);
    (sim, parts, sink)
}

/// Delivers `v` while the portal misbehaves: it must fail in a way worth
/// retrying.
async fn fails_for_now(sink: &PortalSink, ma: &str, v: u64) {
    let err = sink.deliver(&event(ma, v)).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
}

/// The history versions of the steps on the portal, told by their time
/// (`entry(v)` is at T0 + 60·v; the default profile sends no SoThuTu).
fn versions(sim: &Simulator, ma: &str) -> Vec<i64> {
    sim.progress(ma)
        .iter()
        .map(|t| (lienthong_adapter::vietnam_time::parse(&t.ThoiDiemXuLy).unwrap() - T0) / 60)
        .collect()
}

#[tokio::test]
async fn a_dossier_life_reaches_the_portal_in_order() {
    let (sim, parts, sink) = portal_sink("").await;
    let ma = ma(1);
    for v in 1..=7 {
        let accepted = sink.deliver(&event(&ma, v)).await.expect("accepted");
        assert_eq!(accepted.partner_reference, format!("{ma}#{v}"));
    }
    let stored = sim.dossier(&ma).expect("on the portal");
    assert_eq!(stored.ho_so.TrangThaiHoSo, 10);
    assert_eq!(stored.ho_so.MaTTHC, PROCEDURE);
    assert_eq!(stored.ho_so.NgayNopHoSo, "20251122100000");
    assert_eq!(stored.ho_so.HinhThuc, Some(1));
    assert_eq!((stored.creates, stored.updates), (1, 6));
    assert_eq!(versions(&sim, &ma), [1, 2, 3, 4, 5, 6, 7]);
    let statuses: Vec<i64> = sim.progress(&ma).iter().map(|t| t.TrangThai).collect();
    assert_eq!(statuses, [1, 2, 4, 5, 4, 9, 10]);
    assert!(sim.order_violations().is_empty());
    // One lookup for the first event, then straight writes; one login.
    assert_eq!(sim.calls_of(ops::LOOKUP).len(), 1);
    assert_eq!(sim.logins(), 1);
    // Every write went after its dossier existed.
    let first_progress = sim
        .calls()
        .iter()
        .position(|c| c.op == Some(ops::PROGRESS))
        .unwrap();
    let first_create = sim
        .calls()
        .iter()
        .position(|c| c.op == Some(ops::SYNC_DOSSIERS))
        .unwrap();
    assert!(first_create < first_progress);
    let record = parts.state.dossier(&ma).unwrap();
    assert!(record.synced);
    assert_eq!(record.last_version_synced, 7);
}

#[tokio::test]
async fn a_redelivered_event_changes_nothing() {
    let (sim, _, sink) = portal_sink("").await;
    let ma = ma(2);
    sink.deliver(&event(&ma, 1)).await.unwrap();
    sink.deliver(&event(&ma, 2)).await.unwrap();
    let calls = sim.calls().len();
    sink.deliver(&event(&ma, 2)).await.unwrap();
    sink.deliver(&event(&ma, 1)).await.unwrap();
    assert_eq!(sim.calls().len(), calls, "nothing sent for old versions");
    // A new adapter (hub restarted) asks the portal first and sends nothing twice.
    let (parts2, settings2, hub2) = common::parts(&sim, "");
    hub_knows(&hub2, &ma);
    parts2
        .sink(&settings2)
        .deliver(&event(&ma, 2))
        .await
        .unwrap();
    parts2
        .sink(&settings2)
        .deliver(&event(&ma, 3))
        .await
        .unwrap();
    assert_eq!(versions(&sim, &ma), [1, 2, 3]);
    assert!(sim.order_violations().is_empty());
}

#[tokio::test]
async fn an_expired_session_means_a_new_login_not_a_failure() {
    let (sim, parts, sink) = portal_sink("").await;
    let ma = ma(3);
    sink.deliver(&event(&ma, 1)).await.unwrap();
    sim.expire_sessions();
    sink.deliver(&event(&ma, 2))
        .await
        .expect("re-login is transparent");
    assert_eq!(sim.logins(), 2);
    assert_eq!(versions(&sim, &ma), [1, 2]);
    assert_eq!(parts.client.logins(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_and_nothing_is_doubled() {
    let (sim, parts, sink) = portal_sink("").await;
    let ma = ma(4);
    sim.fail_next(2);
    for _ in 0..2 {
        fails_for_now(&sink, &ma, 1).await;
    }
    assert!(!parts.state.dossier(&ma).unwrap().synced);
    assert_eq!(parts.state.dossier(&ma).unwrap().failed_attempts, 2);
    sink.deliver(&event(&ma, 1)).await.unwrap();
    // A 500 on the progress call, after the dossier was written.
    sim.fail_next_of(ops::PROGRESS, 1);
    fails_for_now(&sink, &ma, 2).await;
    sink.deliver(&event(&ma, 2)).await.unwrap();
    assert_eq!(versions(&sim, &ma), [1, 2]);
    assert_eq!(sim.dossier(&ma).unwrap().creates, 1);
    assert!(sim.order_violations().is_empty());
}

#[tokio::test]
async fn a_lost_create_reply_becomes_already_exists_then_an_update() {
    let (sim, _, sink) = portal_sink("").await;
    let ma = ma(5);
    sim.lose_reply_of(ops::SYNC_DOSSIERS, 1);
    fails_for_now(&sink, &ma, 1).await;
    assert_eq!(
        sim.dossier(&ma).unwrap().creates,
        1,
        "the portal applied it"
    );
    sink.deliver(&event(&ma, 1)).await.unwrap();
    let stored = sim.dossier(&ma).unwrap();
    assert_eq!((stored.creates, stored.updates), (1, 1));
    assert_eq!(versions(&sim, &ma), [1]);
}

#[tokio::test]
async fn a_lost_progress_reply_is_not_sent_twice() {
    let (sim, _, sink) = portal_sink("").await;
    let ma = ma(6);
    sink.deliver(&event(&ma, 1)).await.unwrap();
    sim.lose_reply_of(ops::PROGRESS, 1);
    fails_for_now(&sink, &ma, 2).await;
    sink.deliver(&event(&ma, 2)).await.unwrap();
    assert_eq!(versions(&sim, &ma), [1, 2], "looked up, found, not resent");
    assert!(sim.order_violations().is_empty());
}

#[tokio::test]
async fn already_exists_on_the_portal_is_an_update() {
    let sim = sim().await;
    let (parts, settings, _hub) = parts(&sim, "");
    let ma = ma(7);
    // Someone else put it there, with an older status.
    let mut old = lienthong_adapter_national_portal::mapping::ho_so(&dossier(&ma, 1));
    old.ChuHoSo = "tên cũ".into();
    sim.preload(old);
    let sink = parts.sink(&settings);
    sink.deliver(&event(&ma, 1)).await.unwrap();
    sink.deliver(&event(&ma, 2)).await.unwrap();
    let stored = sim.dossier(&ma).unwrap();
    assert_eq!(stored.ho_so.ChuHoSo, "Nguyễn Thị Lan");
    assert_eq!(stored.ho_so.TrangThaiHoSo, 2);
    assert_eq!(stored.creates, 0);
    assert_eq!(versions(&sim, &ma), [1, 2]);
    // The first lookup found it, so the adapter updated directly.
    assert!(sim
        .calls_of(ops::SYNC_DOSSIERS)
        .iter()
        .all(|c| c.is_updating == Some(true)));
}

#[tokio::test]
async fn a_create_that_meets_already_exists_is_retried_as_an_update() {
    let (sim, parts, sink) = portal_sink("").await;
    let ma = ma(8);
    // The adapter believes (from an earlier lookup) that the portal lacks it…
    sink.deliver(&event(&common::ma(80), 1)).await.unwrap();
    parts.state.set_portal_copy(
        &ma,
        Some(lienthong_adapter_national_portal::sync_state::PortalCopy {
            exists: false,
            version: 0,
        }),
    );
    // …but another system created it meanwhile.
    sim.preload(lienthong_adapter_national_portal::mapping::ho_so(&dossier(
        &ma, 1,
    )));
    sink.deliver(&event(&ma, 1)).await.unwrap();
    let writes = sim.calls_of(ops::SYNC_DOSSIERS);
    let mine: Vec<_> = writes
        .iter()
        .filter(|c| c.ma_ho_so == [ma.clone()])
        .collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].is_updating, Some(false));
    assert_eq!(mine[0].error_code, "-3");
    assert_eq!(mine[1].is_updating, Some(true));
    assert_eq!(mine[1].error_code, "0");
    assert_eq!(versions(&sim, &ma), [1]);
}

#[tokio::test]
async fn a_slow_portal_times_out_and_the_retry_finds_what_was_applied() {
    let (sim, _, sink) = portal_sink("timeout_seconds = 1").await;
    let ma = ma(9);
    sink.deliver(&event(&ma, 1)).await.unwrap();
    sim.set_delay(Duration::from_millis(1500));
    fails_for_now(&sink, &ma, 2).await;
    sim.set_delay(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    sink.deliver(&event(&ma, 2)).await.unwrap();
    sink.deliver(&event(&ma, 3)).await.unwrap();
    assert_eq!(versions(&sim, &ma), [1, 2, 3]);
    assert!(sim.order_violations().is_empty());
}

#[tokio::test]
async fn a_portal_behind_by_several_versions_gets_the_history_in_batches() {
    let sim = sim().await;
    let (parts, settings, hub) = parts(&sim, "progress_batch_size = 2");
    let sink = parts.sink(&settings);
    let ma = ma(10);
    hub.add_with_history(dossier(&ma, 5), (1..=5).map(entry).collect());
    sink.deliver(&event(&ma, 5)).await.unwrap();
    assert_eq!(versions(&sim, &ma), [1, 2, 3, 4, 5]);
    let batches: Vec<usize> = sim
        .calls_of(ops::PROGRESS)
        .iter()
        .map(|c| c.ma_ho_so.len())
        .collect();
    assert_eq!(batches, [2, 2, 1]);
    assert_eq!(hub.dossier_reads(), 1);
    assert_eq!(sim.dossier(&ma).unwrap().ho_so.TrangThaiHoSo, 4);
}

#[tokio::test]
async fn a_record_the_portal_refuses_is_rejected_with_its_reason() {
    let (_sim, parts, sink) = portal_sink("").await;
    let ma = ma(11);
    let mut ev = event(&ma, 1);
    if let Some(pb::event::Payload::DossierChanged(c)) = ev.payload.as_mut() {
        c.dossier.as_mut().unwrap().owner_name.clear();
    }
    match sink.deliver(&ev).await.unwrap_err() {
        DeliveryError::Reject { reason } => assert!(reason.contains("ChuHoSo"), "{reason}"),
        other => panic!("expected a rejection, got {other}"),
    }
    assert!(parts.state.dossier(&ma).unwrap().last_error.is_some());
}

#[tokio::test]
async fn events_without_a_dossier_need_no_portal_call() {
    let sim = sim().await;
    let (parts, settings, _hub) = parts(&sim, "");
    let catalog = pb::Event {
        event_id: "c1".into(),
        r#type: pb::EventType::CatalogPublished as i32,
        payload: Some(pb::event::Payload::CatalogPublished(
            pb::CatalogPublished::default(),
        )),
        ..Default::default()
    };
    let accepted = parts.sink(&settings).deliver(&catalog).await.unwrap();
    assert_eq!(accepted.partner_reference, "");
    assert!(sim.calls().is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_retried_not_parked() {
    let sim = sim().await;
    let mut table = settings_table(&sim, "");
    table.insert("password".into(), "sai".into());
    let settings =
        lienthong_adapter_national_portal::settings::Settings::from_table(&table).unwrap();
    let parts = lienthong_adapter_national_portal::Parts::new(
        &settings,
        std::sync::Arc::new(FakeHub::default()),
    )
    .unwrap();
    let err = parts
        .sink(&settings)
        .deliver(&event(&ma(12), 1))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    assert!(err.to_string().contains("login"), "{err}");
}

#[tokio::test]
async fn the_sync_routes_show_state_and_lag() {
    let sim = sim().await;
    let (parts, settings, _hub) = parts(&sim, "sync_status_token = \"0123456789abcdef\"");
    let sink = parts.sink(&settings);
    let ma = ma(13);
    let mut ev = event(&ma, 1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    ev.occurred_at = ts(now - 2);
    sink.deliver(&ev).await.unwrap();
    sim.fail_next(1);
    sink.deliver(&event(&common::ma(14), 1)).await.unwrap_err();
    let url = serve(parts.routes(&settings)).await;
    let http = reqwest::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut req = http.get(format!("{url}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    assert_eq!(get("/sync", None).await.unwrap().status(), 401);
    assert_eq!(
        get("/sync", Some("wrong-token-0000"))
            .await
            .unwrap()
            .status(),
        403
    );
    let token = Some("0123456789abcdef");
    let one: serde_json::Value = get(&format!("/sync/{ma}"), token)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["synced"], true);
    assert_eq!(one["last_version_synced"], 1);
    assert!(one["lag_ms"].as_i64().unwrap() >= 2000, "{one}");
    let summary: serde_json::Value = get("/sync", token).await.unwrap().json().await.unwrap();
    assert_eq!(summary["dossiers"], 2);
    assert_eq!(summary["synced"], 1);
    assert_eq!(summary["pending"], 1);
    assert!(summary["max_lag_ms"].as_i64().unwrap() >= 2000);
    let missing = get("/sync/000.00.09.H22-251122-99999", token)
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("99999"));
}

/// A postal event recorded on the dossier (`record_partner_event`) reaches
/// the portal as a progress entry of the status the dossier stayed in,
/// through the profile's field names, in order with the other steps.
#[tokio::test]
async fn a_partner_event_line_reaches_the_portal_as_a_progress_entry() {
    let (sim, _, sink) = portal_sink("").await;
    let ma = ma(19);
    sink.deliver(&event(&ma, 1))
        .await
        .expect("submission synced");
    let mut line = event(&ma, 2);
    line.event_id = format!("ev-{ma}-2-postal");
    line.r#type = pb::EventType::PartnerEventRecorded as i32;
    line.partner_id = "buu-dien".into();
    line.to_status = 1;
    let Some(pb::event::Payload::DossierChanged(change)) = line.payload.as_mut() else {
        unreachable!()
    };
    let d = change.dossier.as_mut().unwrap();
    *d = dossier(&ma, 1);
    d.version = 2;
    change.entry = Some(pb::HistoryEntry {
        version: 2,
        at: ts(T0 + 120),
        partner_id: "buu-dien".into(),
        actor: "Bưu chính công ích".into(),
        unit: "Bưu cục Hoàn Kiếm".into(),
        command: "record_partner_event".into(),
        from_status: 1,
        to_status: 1,
        note: "Bưu chính: đã thu gom hồ sơ: mã PU-19, lúc 10:01 22/11/2025".into(),
        partner_event: Some(pb::PartnerEvent {
            kind: "postal.picked_up".into(),
            occurred_at: ts(T0 + 60),
            reference: "PU-19".into(),
        }),
    });
    sink.deliver(&line).await.expect("line synced");
    let progress = sim.progress(&ma);
    assert_eq!(progress.len(), 2, "{progress:?}");
    let step = &progress[1];
    assert_eq!(
        step.NoiDungXuLy,
        "Bưu chính: đã thu gom hồ sơ: mã PU-19, lúc 10:01 22/11/2025"
    );
    assert_eq!(step.TrangThai, 1);
    assert_eq!(step.NguoiXuLy, "Bưu chính công ích");
    assert_eq!(step.PhongBanXuLy, "Bưu cục Hoàn Kiếm");
    assert_eq!(step.ThoiDiemXuLy, "20251122100200");
    // Redelivered: recognised on the portal, nothing sent twice.
    let calls = sim.calls().len();
    sink.deliver(&line).await.expect("redelivery");
    assert_eq!(sim.calls().len(), calls);
    assert!(
        sim.order_violations().is_empty(),
        "{:?}",
        sim.order_violations()
    );
}
