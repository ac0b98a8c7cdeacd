//! The destinations that push rather than stream, seen through `/metrics`:
//! an adapter relay (the national portal's, against its simulator) counts
//! its deliveries, the retries a failing partner causes and what it parks,
//! and its lag returns to zero once an operator re-drives; the AMQP
//! publisher counts the broker's confirms, and a connection the broker
//! closes shows as a reconnect of the `events` connection, after which
//! publishing goes on.

use crate::adapters::{national_portal_adapter, partner, redrive_all, settled};
use crate::amqp::{amqp_hub, cleanup, prefix, queue_partner, rabbitmqctl, rabbitmqctl_output};
use crate::common::{drive, TestHub, AGENCY, ONE_STOP};
use crate::metrics::{value, wait_for, Sample};
use lienthong::config::SubscriptionSection;
use lienthong_adapter_national_portal::protocol::ops;
use lienthong_adapter_national_portal::simulator::{SimConfig, Simulator};

const DVCQG: &str = "dvcqg";
const ADAPTER: [(&str, &str); 2] = [("kind", "adapter"), ("destination", DVCQG)];
const AMQP: [(&str, &str); 2] = [("kind", "amqp"), ("destination", "events")];

fn metric(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    value(samples, name, labels).unwrap_or_else(|| panic!("{name}{labels:?} is exported"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adapter_relay_counts_deliveries_retries_and_parked_and_its_lag_clears_on_redrive() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let adapter = national_portal_adapter(&sim);
    let mut hub = TestHub::start_with(|config| {
        config.delivery.initial_backoff_milliseconds = 20;
        config.delivery.max_backoff_seconds = 1;
        config.delivery.max_attempts = 3;
        config.partners.push(partner(
            DVCQG,
            "dvcqg-metrics-token-01",
            &["*"],
            Some(SubscriptionSection::default()),
            adapter,
        ));
    })
    .await;
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    let writer = hub.client(ONE_STOP).await;

    // Two failed calls, then accepted: delivered, retried twice.
    sim.fail_next_of(ops::SYNC_DOSSIERS, 2);
    let first = drive(&writer, "relay-metrics-a", AGENCY, 1).await.len() as f64;
    settled(&hub, DVCQG).await;
    let after_retries = wait_for(admin, "the relay caught up", |s| {
        value(s, "lienthong_destination_lag_events", &ADAPTER) == Some(0.0)
    })
    .await;
    assert!(
        metric(
            &after_retries,
            "lienthong_destination_deliveries_total",
            &ADAPTER
        ) >= first
    );
    assert!(
        metric(
            &after_retries,
            "lienthong_destination_retries_total",
            &ADAPTER
        ) >= 2.0
    );
    assert_eq!(
        metric(
            &after_retries,
            "lienthong_destination_parked_total",
            &ADAPTER
        ),
        0.0
    );

    // A partner failing every call: the dossier's events are parked after
    // their attempts, each counted as parked.
    sim.fail_next_of(ops::SYNC_DOSSIERS, 1000);
    drive(&writer, "relay-metrics-b", AGENCY, 1).await;
    let status = settled(&hub, DVCQG).await;
    assert!(status.parked >= 1, "{status:?}");
    let parked_now = status.parked as f64;
    let parked = wait_for(admin, "the parked deliveries", |s| {
        value(s, "lienthong_destination_parked_total", &ADAPTER) == Some(parked_now)
    })
    .await;
    assert!(
        metric(&parked, "lienthong_destination_retries_total", &ADAPTER)
            > metric(
                &after_retries,
                "lienthong_destination_retries_total",
                &ADAPTER
            )
    );

    // The partner is back; the operator re-drives: delivered, nothing lags.
    sim.fail_next_of(ops::SYNC_DOSSIERS, 0);
    let redriven = redrive_all(&hub, DVCQG).await;
    assert_eq!(u64::from(redriven), status.parked);
    let delivered_before = metric(&parked, "lienthong_destination_deliveries_total", &ADAPTER);
    wait_for(admin, "the re-driven events delivered", |s| {
        value(s, "lienthong_destination_deliveries_total", &ADAPTER)
            .is_some_and(|d| d >= delivered_before + parked_now)
            && value(s, "lienthong_destination_lag_events", &ADAPTER) == Some(0.0)
    })
    .await;
    hub.stop().await;
}

/// Closes, at the broker, the publisher connection of the hub whose
/// prefix is `prefix` (and only that one: other tests share the broker).
fn close_publisher_connection(prefix: &str) {
    let listed = rabbitmqctl_output(&["-q", "list_connections", "pid", "client_properties"]);
    let own = format!("lienthong-publisher {prefix}");
    let line = listed
        .lines()
        .find(|line| line.contains(&own))
        .unwrap_or_else(|| panic!("no connection named {own} in:\n{listed}"));
    let pid = line.split('\t').next().unwrap_or_default().trim();
    rabbitmqctl(&["close_connection", pid, "closed by the metrics test"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_amqp_publisher_counts_confirms_and_a_closed_connection_as_a_reconnect() {
    let prefix = prefix();
    let queue = queue_partner(
        "kho-bac",
        "kho-bac-metrics-token",
        SubscriptionSection::default(),
    );
    let mut hub = amqp_hub(&prefix, vec![queue]).await;
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    let writer = hub.client(ONE_STOP).await;
    let first = drive(&writer, "amqp-metrics-a", AGENCY, 4).await.len() as f64;
    let published = wait_for(admin, "the publisher caught up", |s| {
        value(s, "lienthong_destination_lag_events", &AMQP) == Some(0.0)
            && value(s, "lienthong_amqp_confirms_total", &[]).is_some_and(|c| c >= first)
    })
    .await;
    assert!(metric(&published, "lienthong_destination_deliveries_total", &AMQP) >= first);
    assert_eq!(metric(&published, "lienthong_amqp_nacks_total", &[]), 0.0);
    let events = [("connection", "events")];
    assert_eq!(
        metric(&published, "lienthong_amqp_reconnects_total", &events),
        0.0
    );

    // The broker closes the connection; the publisher finds out when it
    // next publishes, connects again and publishes what was not confirmed.
    close_publisher_connection(&prefix);
    let confirmed = metric(&published, "lienthong_amqp_confirms_total", &[]);
    let more = drive(&writer, "amqp-metrics-b", AGENCY, 4).await.len() as f64;
    wait_for(admin, "a reconnect, then publishing going on", |s| {
        value(s, "lienthong_amqp_reconnects_total", &events).is_some_and(|r| r >= 1.0)
            && value(s, "lienthong_destination_lag_events", &AMQP) == Some(0.0)
            && value(s, "lienthong_amqp_confirms_total", &[]).is_some_and(|c| c >= confirmed + more)
    })
    .await;
    hub.stop().await;
    cleanup(&prefix, &["kho-bac"]).await;
}
