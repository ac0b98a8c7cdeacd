//! Test helpers: the toolkit's fake hub, builders, settings.
#![allow(dead_code)]

use lienthong_adapter::pb;
use lienthong_adapter::prost_types::Timestamp;
use lienthong_adapter_one_stop::simulator::Simulator;

pub const SECRET: &str = "chia-se-bi-mat-0123456789";
pub const AGENCY: &str = "000.00.09.H22";

pub use lienthong_adapter::testing::FakeHub;

/// A dossier at `status`, with an appointment date, as the hub holds it.
pub fn dossier_at(ma: &str, status: pb::DossierStatus) -> pb::Dossier {
    pb::Dossier {
        ma_ho_so: ma.into(),
        version: 1,
        status: status as i32,
        due_at: Some(Timestamp {
            seconds: 1_764_000_000,
            nanos: 0,
        }),
        ..Default::default()
    }
}

/// A fake hub holding one dossier at `status`.
pub fn hub_with(ma: &str, status: pb::DossierStatus) -> FakeHub {
    let hub = FakeHub::default();
    hub.add(dossier_at(ma, status));
    hub
}

/// Adapter settings for a simulator, with the simulator's own vocabulary
/// and `extra` keys (TOML).
pub fn settings_table(sim: &Simulator, extra: &str) -> toml::Table {
    lienthong_adapter::testing::with_keys(sim.adapter_settings(SECRET), extra)
}

pub fn ma(n: u32) -> String {
    format!("{AGENCY}-251122-{n:05}")
}

pub fn ts(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

pub const T0: i64 = 1_763_780_400;

/// (event type, status after) per version.
pub const LIFE: &[(pb::EventType, i32)] = &[
    (pb::EventType::DossierSubmitted, 1),
    (pb::EventType::DossierReceived, 2),
    (pb::EventType::ProcessingStarted, 4),
    (pb::EventType::ProcessingFinished, 9),
    (pb::EventType::ResultReturned, 10),
];

pub fn event(ma: &str, version: u64, partner: &str) -> pb::Event {
    let (kind, status) = LIFE[version as usize - 1];
    pb::Event {
        event_id: format!("ev-{ma}-{version}"),
        seq: version,
        r#type: kind as i32,
        occurred_at: ts(T0 + version as i64 * 60),
        partner_id: partner.into(),
        dossier_id: 1,
        ma_ho_so: ma.into(),
        dossier_version: version,
        agency_code: AGENCY.into(),
        from_agency_code: String::new(),
        procedure_code: "1.000894.000.00.00.H22".into(),
        from_status: 0,
        to_status: status,
        payload: Some(pb::event::Payload::DossierChanged(pb::DossierChanged {
            dossier: Some(pb::Dossier {
                ma_ho_so: ma.into(),
                version,
                agency_code: AGENCY.into(),
                procedure_code: "1.000894.000.00.00.H22".into(),
                owner_name: "Lê Văn Cường".into(),
                channel: 2,
                applicant_type: 1,
                status,
                submitted_at: ts(T0),
                result_delivery: pb::ResultDelivery::AtCounter as i32,
                ..Default::default()
            }),
            entry: Some(pb::HistoryEntry {
                version,
                at: ts(T0 + version as i64 * 60),
                partner_id: partner.into(),
                actor: "cán bộ".into(),
                unit: "Sở Tư pháp".into(),
                command: "x".into(),
                to_status: status,
                ..Default::default()
            }),
        })),
    }
}
