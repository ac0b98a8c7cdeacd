//! A hub started in this process with no transport at all, for the tests
//! that call `Hub` directly (retention, the one-stop module), and the
//! core-type requests they hand it.

use lienthong::config::HubConfig;
use lienthong::domain::{
    Action, ApplicantType, Channel, Command, CommandEnvelope, DossierRef, NewDossier, UnixMillis,
};
use lienthong::engine::EngineSettings;
use lienthong::hub::{Hub, HubRuntime, RetentionSettings};
use lienthong::store::Store;

/// The embedded configuration's partners on a fresh store in a temporary
/// directory (kept alive by the returned `TempDir`).
pub fn in_process_hub(retention: RetentionSettings) -> (tempfile::TempDir, Store, Hub, HubRuntime) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    let partners = HubConfig::embedded_default()
        .check("embedded", &lienthong::adapters::kinds())
        .unwrap()
        .partners;
    let engine = EngineSettings {
        max_group_commands: 64,
        queue_capacity: 64,
    };
    let (hub, runtime) = Hub::start(store.clone(), partners, vec![], engine, retention).unwrap();
    (dir, store, hub, runtime)
}

/// A valid submission of a dossier of `agency`.
pub fn submit_envelope(key: &str, agency: &str) -> CommandEnvelope {
    CommandEnvelope {
        idempotency_key: key.into(),
        expected_version: None,
        actor: "Cổng dịch vụ công".into(),
        unit: String::new(),
        action: Action::Submit(Box::new(NewDossier {
            agency_code: agency.into(),
            procedure_code: "1.000948.H38".into(),
            procedure_name: "Cấp giấy phép xây dựng".into(),
            sector_code: String::new(),
            channel: Some(Channel::Counter),
            owner_name: "Phạm Thị Hoa".into(),
            applicant_type: Some(ApplicantType::Citizen),
            owner_id_number: String::new(),
            email: String::new(),
            phone: String::new(),
            summary: String::new(),
            result_delivery: None,
            documents: vec![],
            fees: vec![],
            ma_ho_so: String::new(),
        })),
    }
}

/// Receiving dossier `id`, due in a day; the actor is whatever a form
/// said (the one-stop module must put its officer there instead).
pub fn receive_envelope(key: &str, id: u64) -> CommandEnvelope {
    CommandEnvelope {
        idempotency_key: key.into(),
        expected_version: None,
        actor: "whoever the form said".into(),
        unit: String::new(),
        action: Action::OnDossier {
            dossier: DossierRef::Id(id),
            command: Command::Receive {
                due_at: Some(UnixMillis(UnixMillis::now().0 + 86_400_000)),
            },
        },
    }
}
