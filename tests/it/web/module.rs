//! The one-stop module acts through the hub's command path as its own
//! partner, for one officer at a time, and only on that officer's agency.

use super::{AGENCY_A, AGENCY_B};
use crate::common::{in_process_hub, receive_envelope, submit_envelope};
use lienthong::domain::officer::{OfficerAccount, OfficerRole};
use lienthong::domain::{DossierRef, Status};
use lienthong::hub::RetentionSettings;
use lienthong::web::{OneStopModule, WebError};
use std::time::Duration;

#[tokio::test]
async fn the_module_acts_as_its_partner_for_its_officers_own_agency_only() {
    let (_dir, store, hub, runtime) = in_process_hub(RetentionSettings {
        delivered_event_retention: Duration::from_secs(3600),
        idempotency_retention: Duration::from_secs(3600),
        sweep_interval: Duration::from_secs(3600),
        archive_after: None,
    });
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
        .execute(&portal, submit_envelope("a", AGENCY_A))
        .await
        .unwrap()
        .dossier;
    let of_b = hub
        .execute(&portal, submit_envelope("b", AGENCY_B))
        .await
        .unwrap()
        .dossier;

    let received = module
        .execute(&officer, receive_envelope("r-a", of_a.id))
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
    let refused = module
        .execute(&officer, receive_envelope("r-b", of_b.id))
        .await;
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
        module
            .execute(&officer, submit_envelope("s-b", AGENCY_B))
            .await,
        Err(WebError::OtherAgency { .. })
    ));

    drop(module);
    drop(hub);
    runtime.stop().await;
}
