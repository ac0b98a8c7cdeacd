//! Test helpers: a recording stand-in for the hub, dossier and event
//! builders, and adapter settings pointing at a simulator.
#![allow(dead_code)]

use lienthong_adapter::pb;
use lienthong_adapter::prost_types::Timestamp;
use lienthong_adapter::{AdapterSettings, ErrorCode};
use lienthong_adapter_national_portal::settings::Settings;
use lienthong_adapter_national_portal::simulator::Simulator;
use lienthong_adapter_national_portal::Parts;
use std::sync::Arc;

pub const MADONVI: &str = "000.00.00.H22";
pub const AGENCY: &str = "000.00.09.H22";
pub const PROCEDURE: &str = "1.000894.000.00.00.H22";

pub use lienthong_adapter::testing::{refusal, FakeHub};

/// The submissions the fake hub applied, in order.
pub fn submitted(hub: &FakeHub) -> Vec<pb::SubmitDossier> {
    hub.commands()
        .into_iter()
        .filter_map(|c| match c {
            pb::command_request::Command::Submit(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Makes every call to the fake hub fail with `code` (`None`: heal).
pub fn fail_with(hub: &FakeHub, code: Option<ErrorCode>) {
    hub.refuse_always(code.map(|code| refusal(code, format!("{code} (test)"))));
}

/// Adapter settings for a simulator, unit `MADONVI`, with `extra` keys
/// (TOML).
pub fn settings_table(sim: &Simulator, extra: &str) -> toml::Table {
    lienthong_adapter::testing::with_keys(sim.adapter_settings(MADONVI), extra)
}

pub fn parts(sim: &Simulator, extra: &str) -> (Parts, Settings, Arc<FakeHub>) {
    let settings = Settings::from_table(&settings_table(sim, extra)).expect("valid settings");
    let hub = Arc::new(FakeHub::default());
    let parts = Parts::new(&settings, hub.clone()).expect("parts");
    (parts, settings, hub)
}

pub fn ts(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

/// 2025-11-22 10:00:00 in Hanoi.
pub const T0: i64 = 1_763_780_400;

/// A dossier's life as the hub would emit it: one (command, status) per
/// version, starting with submission.
pub const LIFE: &[(&str, i32)] = &[
    ("submit", 1),
    ("receive", 2),
    ("start_processing", 4),
    ("request_supplement", 5),
    ("submit_supplement", 4),
    ("finish", 9),
    ("return_result", 10),
];

pub fn ma(n: u32) -> String {
    format!("{AGENCY}-251122-{n:05}")
}

pub fn dossier(ma_ho_so: &str, version: u64) -> pb::Dossier {
    let (_, status) = LIFE[(version as usize - 1).min(LIFE.len() - 1)];
    pb::Dossier {
        id: 1,
        ma_ho_so: ma_ho_so.into(),
        version,
        agency_code: AGENCY.into(),
        procedure_code: PROCEDURE.into(),
        procedure_name: "Cấp Phiếu lý lịch tư pháp".into(),
        sector_code: "G09".into(),
        channel: pb::SubmissionChannel::Online as i32,
        owner_name: "Nguyễn Thị Lan".into(),
        applicant_type: pb::ApplicantType::Citizen as i32,
        owner_id_number: "022190001234".into(),
        email: "lan@example.vn".into(),
        phone: "0912345678".into(),
        summary: "Xin cấp phiếu số 1".into(),
        submitted_at: ts(T0),
        received_at: if version >= 2 { ts(T0 + 60) } else { None },
        due_at: if version >= 2 {
            ts(T0 + 10 * 86_400)
        } else {
            None
        },
        status,
        result_delivery: pb::ResultDelivery::ByPost as i32,
        processing_unit: if version >= 3 {
            "Phòng Hành chính tư pháp".into()
        } else {
            String::new()
        },
        documents: vec![pb::Document {
            component_code: "TP01".into(),
            name: "Tờ khai".into(),
            url: "https://files.example.vn/tk.pdf".into(),
        }],
        fees: vec![pb::Fee {
            code: "LP01".into(),
            name: "Lệ phí".into(),
            amount_vnd: 200_000,
        }],
        ..Default::default()
    }
}

pub fn entry(version: u64) -> pb::HistoryEntry {
    let (command, status) = LIFE[(version as usize - 1).min(LIFE.len() - 1)];
    let from = if version == 1 {
        0
    } else {
        LIFE[version as usize - 2].1
    };
    pb::HistoryEntry {
        version,
        at: ts(T0 + version as i64 * 60),
        partner_id: "mot-cua-h22".into(),
        actor: "Trần Văn Bình".into(),
        unit: "Bộ phận một cửa Sở Tư pháp".into(),
        command: command.into(),
        from_status: from,
        to_status: status,
        note: String::new(),
        partner_event: None,
    }
}

/// The hub holds this dossier with its whole life as history.
pub fn hub_knows(hub: &FakeHub, ma_ho_so: &str) {
    let last = LIFE.len() as u64;
    hub.add_with_history(dossier(ma_ho_so, last), (1..=last).map(entry).collect());
}

pub fn event(ma_ho_so: &str, version: u64) -> pb::Event {
    let (_, status) = LIFE[(version as usize - 1).min(LIFE.len() - 1)];
    pb::Event {
        event_id: format!("ev-{ma_ho_so}-{version}"),
        seq: version,
        r#type: 1,
        occurred_at: ts(T0 + version as i64 * 60),
        partner_id: "mot-cua-h22".into(),
        dossier_id: 1,
        ma_ho_so: ma_ho_so.into(),
        dossier_version: version,
        agency_code: AGENCY.into(),
        from_agency_code: String::new(),
        procedure_code: PROCEDURE.into(),
        from_status: 0,
        to_status: status,
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(dossier(ma_ho_so, version)),
            entry: Some(entry(version)),
        })),
    }
}

/// Serves a router on loopback; returns its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}
