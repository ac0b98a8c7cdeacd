//! The one-stop module acts through the hub's command path as its own
//! partner, for one officer at a time, and only on that officer's agency.

use super::{AGENCY_A, AGENCY_B};
use lienthong::config::HubConfig;
use lienthong::domain::officer::{OfficerAccount, OfficerRole};
use lienthong::domain::{
    Action, ApplicantType, Channel, Command, CommandEnvelope, DossierRef, NewDossier, Status,
    UnixMillis,
};
use lienthong::engine::EngineSettings;
use lienthong::hub::{Hub, RetentionSettings};
use lienthong::store::Store;
use lienthong::web::{OneStopModule, WebError};
use std::time::Duration;

fn submit(key: &str, agency: &str) -> CommandEnvelope {
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

fn receive(key: &str, id: u64) -> CommandEnvelope {
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

#[tokio::test]
async fn the_module_acts_as_its_partner_for_its_officers_own_agency_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    let config = HubConfig::embedded_default();
    let (hub, runtime) = Hub::start(
        store.clone(),
        config
            .check("embedded", &lienthong::adapters::kinds())
            .unwrap()
            .partners,
        vec![],
        EngineSettings {
            max_group_commands: 64,
            queue_capacity: 64,
        },
        RetentionSettings {
            delivered_event_retention: Duration::from_secs(3600),
            idempotency_retention: Duration::from_secs(3600),
            sweep_interval: Duration::from_secs(3600),
        },
    )
    .unwrap();
    let module = OneStopModule::new(hub.clone(), "mot-cua").expect("the dev module partner");
    assert!(matches!(
        OneStopModule::new(hub.clone(), "one-stop"),
        Err(WebError::NotAModule(_))
    ));
    let officer = OfficerAccount {
        login: "tiepnhan".into(),
        name: "Nguyễn Thị Lan".into(),
        role: OfficerRole::Reception,
        agency_code: AGENCY_A.into(),
        unit: "Bộ phận Một cửa".into(),
        password_hash: String::new(),
    };
    let portal = hub.partners().get("national-portal").unwrap().clone();
    let of_a = hub
        .execute(&portal, submit("a", AGENCY_A))
        .await
        .unwrap()
        .dossier;
    let of_b = hub
        .execute(&portal, submit("b", AGENCY_B))
        .await
        .unwrap()
        .dossier;

    let received = module
        .execute(&officer, receive("r-a", of_a.id))
        .await
        .expect("the officer receives their agency's dossier");
    assert_eq!(received.dossier.status, Status::Received);
    assert_eq!(
        received.entry.partner_id, "mot-cua",
        "acted as the module partner"
    );
    assert_eq!(
        received.entry.actor, "Nguyễn Thị Lan",
        "the history names the officer"
    );
    assert_eq!(received.entry.unit, "Bộ phận Một cửa");

    let last_seq = store.last_seq().unwrap();
    let refused = module.execute(&officer, receive("r-b", of_b.id)).await;
    assert!(
        matches!(&refused, Err(WebError::OtherAgency { agency, .. }) if agency == AGENCY_B),
        "{:?}",
        refused.err()
    );
    assert_eq!(store.last_seq().unwrap(), last_seq, "nothing was written");
    let (still, history) = hub.get_dossier(&portal, &DossierRef::Id(of_b.id)).unwrap();
    assert_eq!(still.status, Status::Submitted);
    assert_eq!(history.len(), 1);
    assert!(matches!(
        module.execute(&officer, submit("s-b", AGENCY_B)).await,
        Err(WebError::OtherAgency { .. })
    ));

    drop(module);
    drop(hub);
    runtime.stop().await;
}
