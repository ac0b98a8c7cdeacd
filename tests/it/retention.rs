//! Retention removes what every interested subscriber acknowledged, and
//! nothing else.

use lienthong::config::HubConfig;
use lienthong::domain::{Action, Command, CommandEnvelope, DossierRef, NewDossier, UnixMillis};
use lienthong::engine::EngineSettings;
use lienthong::hub::{retention_sweep, Hub, HubError, RetentionSettings};
use lienthong::store::Store;
use std::time::Duration;

fn submit(key: &str) -> CommandEnvelope {
    CommandEnvelope {
        idempotency_key: key.into(),
        expected_version: None,
        actor: String::new(),
        unit: String::new(),
        action: Action::Submit(Box::new(NewDossier {
            agency_code: "000.00.01.H22".into(),
            procedure_code: "1.000948.H38".into(),
            procedure_name: String::new(),
            sector_code: String::new(),
            channel: Some(lienthong::domain::Channel::Online),
            owner_name: "Phạm Thị Hoa".into(),
            applicant_type: Some(lienthong::domain::ApplicantType::Citizen),
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
        actor: String::new(),
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
async fn events_go_once_every_matching_subscriber_acknowledged_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    let config = HubConfig::embedded_default();
    let settings = RetentionSettings {
        delivered_event_retention: Duration::ZERO,
        idempotency_retention: Duration::from_secs(3600),
        // The background sweep stays out of the way; the test sweeps itself.
        sweep_interval: Duration::from_secs(3600),
    };
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
        settings,
    )
    .unwrap();
    let partners = hub.partners();
    let one_stop = partners.get("one-stop").unwrap().clone();
    let portal = partners.get("national-portal").unwrap().clone();
    let postal = partners.get("postal").unwrap().clone();

    // seq 1-3: submitted (postal, portal and one-stop subscribe);
    // seq 4-6: received (postal and payment do not subscribe).
    let mut ids = vec![];
    for n in 0..3 {
        ids.push(
            hub.execute(&one_stop, submit(&format!("s{n}")))
                .await
                .unwrap()
                .dossier
                .id,
        );
    }
    for (n, id) in ids.iter().enumerate() {
        hub.execute(&one_stop, receive(&format!("r{n}"), *id))
            .await
            .unwrap();
    }
    hub.ack(&portal, 6).unwrap();
    hub.ack(&one_stop, 6).unwrap();
    let (events, _) = retention_sweep(&store, partners, &[], settings).unwrap();
    assert_eq!(
        events, 0,
        "the postal partner has not acknowledged seq 1 yet"
    );
    assert_eq!(store.oldest_event_seq().unwrap(), Some(1));

    hub.ack(&postal, 2).unwrap();
    let (events, _) = retention_sweep(&store, partners, &[], settings).unwrap();
    assert_eq!(
        events, 2,
        "seq 1-2 acknowledged by all who want them; seq 3 is not"
    );
    assert_eq!(store.oldest_event_seq().unwrap(), Some(3));

    hub.ack(&postal, 3).unwrap();
    let (events, _) = retention_sweep(&store, partners, &[], settings).unwrap();
    assert_eq!(events, 4, "seq 4-6 match no postal or payment filter");
    assert_eq!(store.oldest_event_seq().unwrap(), None);

    // Replaying what is gone is refused clearly; resuming from the cursor works.
    match hub.subscribe(&portal, Some(0)) {
        Err(HubError::NoLongerRetained { after_seq: 0, .. }) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("replay of removed events accepted"),
    }
    assert!(hub.subscribe(&portal, None).is_ok());
    // Dossiers and their history are not touched by retention.
    assert_eq!(store.history(ids[0]).unwrap().len(), 2);

    // Idempotency records expire on their own clock.
    let expire_now = RetentionSettings {
        idempotency_retention: Duration::ZERO,
        ..settings
    };
    std::thread::sleep(Duration::from_millis(5));
    let (_, records) = retention_sweep(&store, partners, &[], expire_now).unwrap();
    assert_eq!(records, 6);
    drop(hub);
    runtime.stop().await;
}
