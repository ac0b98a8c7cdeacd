//! Appointment dates computed by the hub: the procedure's time limit per
//! channel from the procedures catalogue, counted with the configured
//! calendar; catalogue attributes checked at publication.

use crate::common::{catalog_entry, publish_catalog, Client, TestHub, PORTAL};
use lienthong::domain::working_time::{millis, TimeLimit};
use lienthong::domain::{Channel, UnixMillis};
use lienthong::grpc::pb;
use lienthong::hub::{Appointment, HubError};
use time::macros::datetime;
use tonic::Code;

fn procedure(code: &str, attributes: &[(&str, &str)]) -> pb::CatalogEntry {
    let mut entry = catalog_entry(code, &format!("Thủ tục {code}"));
    for (k, v) in attributes {
        entry.attributes.insert(k.to_string(), v.to_string());
    }
    entry
}

/// Publishes `entries` as the procedures catalogue.
async fn publish(
    client: &mut Client,
    key: &str,
    entries: Vec<pb::CatalogEntry>,
) -> Result<pb::PublishCatalogReply, tonic::Status> {
    publish_catalog(client, key, "procedures", entries, None).await
}

/// The appointment the running hub computes.
fn appointment(
    hub: &TestHub,
    procedure: &str,
    channel: Channel,
    received: UnixMillis,
) -> Result<Appointment, HubError> {
    let running = hub.running.as_ref().expect("a running hub");
    running.hub.appointment(procedure, channel, received)
}

fn at(t: time::OffsetDateTime) -> UnixMillis {
    millis(t)
}

#[tokio::test]
async fn the_appointment_counts_the_channel_s_time_limit_in_working_days() {
    let mut hub = TestHub::start().await;
    let mut portal = hub.client(PORTAL).await;
    publish(
        &mut portal,
        "p1",
        vec![
            procedure(
                "1.000948.H38",
                &[
                    ("time_limit", "3 working_days"),
                    ("time_limit.online", "4 working_hours"),
                ],
            ),
            procedure("1.000001.H38", &[("sector_code", "G09")]),
        ],
    )
    .await
    .unwrap();
    // Fri 24/04/2026 10:00 at the counter: Mon 27/04, Thu 30/04 and Fri
    // 01/05 are days off, so 3 working days end Mon 04/05 at 10:00.
    let received = at(datetime!(2026-04-24 10:00 +7));
    let counter = appointment(&hub, "1.000948.H38", Channel::Counter, received).unwrap();
    assert_eq!(counter.due_at, at(datetime!(2026-05-04 10:00 +7)));
    assert_eq!(counter.time_limit, TimeLimit::WorkingDays(3));
    // Online it has its own limit, in hours; after the cut-off it counts
    // from the next working morning.
    let received = at(datetime!(2026-04-23 16:00 +7));
    let online = appointment(&hub, "1.000948.H38", Channel::Online, received).unwrap();
    assert_eq!(online.counting_from, at(datetime!(2026-04-24 07:30 +7)));
    assert_eq!(online.due_at, at(datetime!(2026-04-24 11:30 +7)));

    let none = appointment(&hub, "1.000001.H38", Channel::Postal, UnixMillis::now()).unwrap_err();
    assert!(matches!(none, HubError::NoTimeLimit { .. }), "{none}");
    assert!(none.to_string().contains("time_limit.postal"), "{none}");
    let unknown =
        appointment(&hub, "9.999999.H38", Channel::Online, UnixMillis::now()).unwrap_err();
    assert!(matches!(unknown, HubError::NotFound { .. }), "{unknown}");
    hub.stop().await;
}

#[tokio::test]
async fn a_malformed_time_limit_is_refused_at_publication_and_nothing_is_written() {
    let mut hub = TestHub::start().await;
    let mut portal = hub.client(PORTAL).await;
    let refused = publish(
        &mut portal,
        "bad",
        vec![
            procedure("1.000948.H38", &[("time_limit", "3 working_days")]),
            procedure("1.000949.H38", &[("time_limit.online", "15 ngày")]),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    let message = refused.message();
    assert!(
        message.contains("entries[1].attributes.time_limit.online"),
        "{message}"
    );
    assert!(message.contains("procedure `1.000949.H38`"), "{message}");
    let current = portal
        .catalogs
        .get_catalog(portal.req(pb::GetCatalogRequest {
            kind: "procedures".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((current.version, current.entries.len()), (0, 0));
    hub.stop().await;
}

#[tokio::test]
async fn the_configured_cutoff_and_hours_are_the_ones_counted_with() {
    let mut hub = TestHub::start_with(|config| {
        config.calendar.afternoon_cutoff = "16:30".into();
    })
    .await;
    let mut portal = hub.client(PORTAL).await;
    publish(
        &mut portal,
        "p1",
        vec![procedure(
            "1.000948.H38",
            &[("time_limit", "1 working_days")],
        )],
    )
    .await
    .unwrap();
    // 16:00 is after the default cut-off (15:00) but not after this unit's.
    let received = at(datetime!(2026-04-23 16:00 +7));
    let due = appointment(&hub, "1.000948.H38", Channel::Counter, received).unwrap();
    assert_eq!(due.due_at, at(datetime!(2026-04-24 16:00 +7)));
    hub.stop().await;
}
