//! Retention removes what every interested subscriber acknowledged, and
//! nothing else.

use crate::common::{in_process_hub, receive_envelope, submit_envelope, AGENCY};
use lienthong::hub::{retention_sweep, HubError, RetentionSettings};
use std::time::Duration;

#[tokio::test]
async fn events_go_once_every_matching_subscriber_acknowledged_them() {
    let settings = RetentionSettings {
        delivered_event_retention: Duration::ZERO,
        idempotency_retention: Duration::from_secs(3600),
        // The background sweep stays out of the way; the test sweeps itself.
        sweep_interval: Duration::from_secs(3600),
        archive_after: None,
    };
    let (dir, store, hub, runtime) = in_process_hub(settings);
    let partners = hub.partners();
    let one_stop = partners.get("one-stop").unwrap().clone();
    let portal = partners.get("national-portal").unwrap().clone();
    let postal = partners.get("postal").unwrap().clone();

    // seq 1-3: submitted (postal, portal and one-stop subscribe);
    // seq 4-6: received (postal and payment do not subscribe).
    let mut ids = vec![];
    for n in 0..3 {
        ids.push(
            hub.execute(&one_stop, submit_envelope(&format!("s{n}"), AGENCY))
                .await
                .unwrap()
                .dossier
                .id,
        );
    }
    for (n, id) in ids.iter().enumerate() {
        hub.execute(&one_stop, receive_envelope(&format!("r{n}"), *id))
            .await
            .unwrap();
    }
    // A sweep: how many events it removed, and the oldest one left.
    let sweep = || {
        let (events, _) = retention_sweep(&store, partners, &[], settings).unwrap();
        (events, store.oldest_event_seq().unwrap())
    };
    hub.ack(&portal, 6).unwrap();
    hub.ack(&one_stop, 6).unwrap();
    assert_eq!(
        sweep(),
        (0, Some(1)),
        "the postal partner has not acknowledged seq 1 yet"
    );

    hub.ack(&postal, 2).unwrap();
    assert_eq!(
        sweep(),
        (2, Some(3)),
        "seq 1-2 acknowledged by all who want them; seq 3 is not"
    );

    hub.ack(&postal, 3).unwrap();
    assert_eq!(
        sweep(),
        (4, None),
        "seq 4-6 match no postal or payment filter"
    );

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
    drop(store);

    // The audit log is not retention's: every command and acknowledgement
    // is still there, and the chain verifies from its first entry.
    let report = lienthong::app::verify_audit(dir.path(), None)
        .unwrap()
        .unwrap_or_else(|broken| panic!("{broken}"));
    assert_eq!(report.entries, 6 + 4, "six commands, four acknowledgements");
}
