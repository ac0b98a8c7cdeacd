//! End to end: the real hub, the national-portal adapter
//! (`national_portal_dvcqg`) and the simulated portal. Dossier events become
//! the portal's copy and progress through the hub's delivery relay, with
//! portal faults retried and nothing doubled; the catalogues come from the
//! portal; a dossier filed on the portal is pushed down, routed to a one-stop
//! system (its adapter and simulator too), and its reception there flows
//! back to the portal. The adapter's sync routes show it all.

use super::{http, inbound_url, partner, settled, start_hub};
use crate::common::{self, command, in_days, submission, submit_request, TestHub};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong_adapter_national_portal::protocol::{ops, HoSo};
use lienthong_adapter_national_portal::simulator::{SimConfig, Simulator};
use lienthong_adapter_one_stop::commands::granted;
use lienthong_adapter_one_stop::protocol::StatusReport;
use lienthong_adapter_one_stop::simulator as one_stop_sim;
use std::time::Duration;

const PORTAL: &str = "dvcqg";
const PORTAL_TOKEN: &str = "dvcqg-sim-token-0001";
const ONE_STOP: &str = "motcua-h22";
const ONE_STOP_TOKEN: &str = "motcua-sim-token-0001";
const SECRET: &str = "bi-mat-chung-0123456789";
const MADONVI: &str = "000.00.00.H22";

fn portal_adapter(sim: &Simulator, tasks: &str) -> toml::Table {
    let mut table = sim.adapter_settings(MADONVI);
    table.insert("kind".into(), "national_portal_dvcqg".into());
    table.insert("progress_batch_size".into(), toml::Value::Integer(5));
    table.extend(tasks.parse::<toml::Table>().expect("TOML"));
    table
}

fn one_stop_adapter(sim: &one_stop_sim::Simulator) -> toml::Table {
    let mut table = sim.adapter_settings(SECRET);
    table.insert("kind".into(), "one_stop_rest".into());
    table
}

/// GET on the hub's HTTP side; (status, body).
async fn http_get(hub: &TestHub, path: &str) -> (u16, serde_json::Value) {
    let addr = hub.http_addr.expect("http side");
    http("GET", &format!("http://{addr}{path}"), None, None).await
}

/// The adapter's sync route, as mounted by the hub.
fn sync_path(rest: &str) -> String {
    format!("/partners/{PORTAL}/sync{rest}")
}

async fn dossier_by_ma(hub: &TestHub, ma: &str) -> Option<pb::GetDossierReply> {
    let client = hub.client(common::PORTAL).await;
    let request = client.req(pb::GetDossierRequest {
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma.into())),
        }),
    });
    client
        .dossiers
        .clone()
        .get_dossier(request)
        .await
        .ok()
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn a_dossier_life_reaches_the_portal_through_faults_in_order() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let adapter = portal_adapter(
        &sim,
        "catalog_poll_interval_seconds = 0\npushdown_poll_interval_seconds = 0",
    );
    let mut hub = start_hub(vec![partner(
        PORTAL,
        PORTAL_TOKEN,
        &["*"],
        Some(SubscriptionSection::default()),
        adapter,
    )])
    .await;
    // The portal starts badly: two 500s, then a create whose reply is lost.
    sim.fail_next(2);
    sim.lose_reply_of(ops::SYNC_DOSSIERS, 1);
    let mut one_stop = hub.client(common::ONE_STOP).await;
    let dossier = one_stop
        .exec(submit_request("np-e2e-1", submission()))
        .await
        .unwrap()
        .dossier
        .unwrap();
    let steps = [
        C::Receive(pb::ReceiveDossier {
            due_at: Some(in_days(10)),
        }),
        common::command_named("start_processing"),
        common::command_named("finish"),
        common::command_named("return_result"),
    ];
    // Settled on the portal before each fault, so each meets a delivery.
    settled(&hub, PORTAL).await;
    for (i, step) in steps.into_iter().enumerate() {
        if i == 1 {
            settled(&hub, PORTAL).await;
            sim.expire_sessions();
        }
        if i == 2 {
            settled(&hub, PORTAL).await;
            sim.lose_reply_of(ops::PROGRESS, 1);
        }
        one_stop
            .exec(command(&format!("np-e2e-1-{i}"), dossier.id, step))
            .await
            .unwrap();
    }
    let status = settled(&hub, PORTAL).await;
    assert_eq!(status.parked, 0, "{status:?}");
    assert!(status.retried >= 2, "{status:?}");
    let ma = dossier.ma_ho_so.clone();
    let stored = sim.dossier(&ma).expect("on the portal");
    assert_eq!(stored.ho_so.TrangThaiHoSo, 10);
    assert_eq!(stored.ho_so.MaTTHC, common::PROCEDURE);
    assert_eq!(stored.ho_so.NgayHenTra.len(), 14);
    assert_eq!(stored.creates, 1, "created once");
    // The built-in profile numbers no steps: five steps, none twice, none
    // dated before the one it follows (the simulator's order check).
    assert_eq!(sim.progress(&ma).len(), 5, "nothing doubled");
    let statuses: Vec<i64> = sim.progress(&ma).iter().map(|t| t.TrangThai).collect();
    assert_eq!(statuses, [1, 2, 4, 9, 10]);
    assert!(sim.order_violations().is_empty());
    assert!(sim.logins() >= 2, "logged in again after the expiry");

    let (code, record) = http_get(&hub, &sync_path(&format!("/{ma}"))).await;
    assert_eq!(code, 200, "{record}");
    assert_eq!(record["synced"], true);
    assert_eq!(record["last_version_synced"], 5);
    assert!(record["lag_ms"].as_i64().unwrap() >= 0);
    let (code, summary) = http_get(&hub, &sync_path("")).await;
    assert_eq!(code, 200);
    assert_eq!(summary["dossiers"], 1);
    assert_eq!(summary["synced"], 1);
    assert_eq!(summary["pending"], 0);
    hub.stop().await;
}

#[tokio::test]
async fn catalogues_and_portal_dossiers_flow_down_and_back() {
    let portal = Simulator::start(SimConfig::default()).await.unwrap();
    let one_stop = one_stop_sim::Simulator::start(one_stop_sim::SimConfig::default())
        .await
        .unwrap();
    let ma = "000.00.09.H22-251122-00042".to_string();
    portal.set_duplicates(true);
    portal.file_on_portal(
        MADONVI,
        HoSo {
            MaHoSo: ma.clone(),
            MaTTHC: "1.000894.000.00.00.H22".into(),
            TenTTHC: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam".into(),
            MaLinhVuc: "G09".into(),
            KenhThucHien: 2,
            ChuHoSo: "Đỗ Minh Châu".into(),
            LoaiDoiTuong: 1,
            SoGiayToChuHoSo: "022190004321".into(),
            Email: "chau@example.vn".into(),
            NgayNopHoSo: lienthong_adapter::vietnam_time::format(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64
                    - 600,
            ),
            TrangThaiHoSo: 1,
            HinhThuc: Some(1),
            ..Default::default()
        },
    );
    let mut hub = start_hub(vec![
        partner(
            PORTAL,
            PORTAL_TOKEN,
            &["*"],
            Some(SubscriptionSection::default()),
            portal_adapter(
                &portal,
                "catalog_poll_interval_seconds = 3600\npushdown_poll_interval_seconds = 1",
            ),
        ),
        partner(
            ONE_STOP,
            ONE_STOP_TOKEN,
            &granted(),
            Some(SubscriptionSection {
                agencies: vec!["000.00.09.H22".into()],
                ..Default::default()
            }),
            one_stop_adapter(&one_stop),
        ),
    ])
    .await;
    one_stop.set_callback(
        &format!("{}/status", inbound_url(&hub, ONE_STOP)),
        "x-onestop-secret",
        SECRET,
    );

    // Pushed down: the hub has it under the portal's MaHoSo.
    let mut found = None;
    for _ in 0..100 {
        found = dossier_by_ma(&hub, &ma).await;
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let found = found.expect("the portal's dossier reached the hub");
    let dossier = found.dossier.unwrap();
    assert_eq!(dossier.agency_code, "000.00.09.H22");
    assert_eq!(dossier.submitted_by, PORTAL);
    assert_eq!(dossier.owner_name, "Đỗ Minh Châu");

    // The catalogues came from the portal.
    let catalogs = hub.client(common::PORTAL).await;
    let request = catalogs.req(pb::GetCatalogRequest {
        kind: "procedures".into(),
    });
    let procedures = catalogs
        .catalogs
        .clone()
        .get_catalog(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(procedures.version, 1);
    assert_eq!(procedures.entries.len(), 3);

    // Routed to the one-stop system, which receives it; the reception flows
    // back to the portal.
    let status = settled(&hub, ONE_STOP).await;
    assert_eq!(status.parked, 0);
    assert!(
        one_stop.held(&ma).is_some(),
        "routed to the one-stop system"
    );
    let answers = one_stop
        .report(StatusReport {
            event_id: "MC-TN-42".into(),
            ma_ho_so: ma.clone(),
            status: "DA_TIEP_NHAN".into(),
            due_at: lienthong_adapter::vietnam_time::format(in_days(7).seconds),
            actor: "Phạm Thu Hà".into(),
            unit: "Bộ phận một cửa Sở Tư pháp".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(answers[0].0, 200, "{:?}", answers[0].1);
    let mut synced = Vec::new();
    for _ in 0..100 {
        synced = portal.progress(&ma).iter().map(|t| t.TrangThai).collect();
        if synced.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(synced, [1, 2], "submission and reception on the portal");
    assert_eq!(portal.dossier(&ma).unwrap().ho_so.TrangThaiHoSo, 2);

    // Duplicated listings and later polls submitted nothing twice.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let client = hub.client(common::PORTAL).await;
    let request = client.req(pb::ListDossiersRequest {
        agency_code: "000.00.09.H22".into(),
        ..Default::default()
    });
    let listed = client
        .dossiers
        .clone()
        .list_dossiers(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.dossiers.len(), 1);
    let (_, summary) = http_get(&hub, &sync_path("")).await;
    assert_eq!(summary["pushdown"]["submitted"], 1, "{summary}");
    assert!(
        summary["pushdown"]["already_there"].as_u64().unwrap() >= 1,
        "{summary}"
    );
    assert_eq!(summary["catalogs"]["procedures"]["version"], 1, "{summary}");
    hub.stop().await;
}
