//! `amqps://` to the real RabbitMQ with a client certificate. Its TLS
//! listener (127.0.0.1:5671, `verify_peer` and `fail_if_no_peer_cert`) and
//! the CA, server and client certificates it trusts are set up by
//! `tests/broker.sh` (in /etc/rabbitmq/lienthong-test-tls, or
//! `LIENTHONG_TEST_AMQPS_DIR`). The hub publishes through it with its client
//! certificate; a connection without one, or with one of another CA, is
//! refused by the broker.

use super::{cleanup, connect, prefix, queue_partner, rabbitmqctl_output, with_amqp, QueueReader};
use crate::common::{submission, submit_request, TestHub, ONE_STOP};
use lienthong::amqp::{connect_with, AmqpTls};
use lienthong::config::SubscriptionSection;
use std::path::PathBuf;

fn tls_dir() -> PathBuf {
    let dir = std::env::var("LIENTHONG_TEST_AMQPS_DIR")
        .unwrap_or_else(|_| "/etc/rabbitmq/lienthong-test-tls".into());
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("client.crt").exists(),
        "{}: no test certificates; `bash tests/broker.sh` sets up RabbitMQ's TLS listener and makes them",
        dir.display()
    );
    dir
}

fn amqps_url() -> String {
    std::env::var("LIENTHONG_TEST_AMQPS_URL")
        .unwrap_or_else(|_| "amqps://guest:guest@localhost:5671/%2f".into())
}

fn broker_tls(dir: &std::path::Path, client: Option<(PathBuf, PathBuf)>) -> AmqpTls {
    let (client_cert_file, client_key_file) = client.unzip();
    AmqpTls {
        ca_file: Some(dir.join("ca.crt")),
        client_cert_file,
        client_key_file,
    }
}

// issue 10 (mutual TLS): the hub's AMQP connections use amqps:// with its
// client certificate; the events reach a partner queue through them, and
// the broker sees a TLS connection with the hub's certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_publishes_over_amqps_with_its_client_certificate() {
    let dir = tls_dir();
    let prefix = prefix();
    let mut hub = TestHub::start_with(|config| {
        with_amqp(
            config,
            &prefix,
            vec![queue_partner(
                "buu-dien",
                "buu-dien-token-0001",
                SubscriptionSection::default(),
            )],
        );
        config.amqp.url = Some(amqps_url());
        config.amqp.ca_file = Some(dir.join("ca.crt"));
        config.amqp.client_cert_file = Some(dir.join("client.crt"));
        config.amqp.client_key_file = Some(dir.join("client.key"));
    })
    .await;
    let connection = connect().await;
    let mut queue = QueueReader::open(&connection, &format!("{prefix}.partner.buu-dien")).await;
    let event_id = hub
        .client(ONE_STOP)
        .await
        .exec(submit_request("amqps-1", submission()))
        .await
        .expect("submitted")
        .event_id;
    queue
        .event(
            &event_id,
            "the event comes through the hub's amqps connection",
        )
        .await;
    // The broker's own account: the publisher's connection is TLS and
    // carries the hub's client certificate.
    let listed = rabbitmqctl_output(&[
        "-q",
        "list_connections",
        "client_properties",
        "ssl",
        "peer_cert_subject",
    ]);
    let publisher = listed
        .lines()
        .find(|line| line.contains(&format!("lienthong-publisher {prefix}")))
        .unwrap_or_else(|| panic!("no publisher connection in:\n{listed}"));
    assert!(publisher.contains("true"), "{publisher}");
    assert!(publisher.contains("CN=lienthong-hub-test"), "{publisher}");
    hub.stop().await;
    drop(queue);
    cleanup(&prefix, &["buu-dien"]).await;
}

// issue 10 (mutual TLS): the broker's TLS listener refuses a client with no
// certificate and one whose certificate another CA signed; the hub's own
// certificate connects.
#[tokio::test]
async fn the_broker_refuses_amqps_without_the_right_client_certificate() {
    let dir = tls_dir();
    let own = Some((dir.join("client.crt"), dir.join("client.key")));
    let good = connect_with(&amqps_url(), "lienthong-tests-tls", &broker_tls(&dir, own)).await;
    let good = good.unwrap_or_else(|e| panic!("the hub's certificate is refused: {e}"));
    let _ = good.close(200, "done").await;

    let refused = connect_with(&amqps_url(), "lienthong-tests-tls", &broker_tls(&dir, None)).await;
    assert!(
        refused.is_err(),
        "a connection without a client certificate was accepted"
    );

    let stranger = crate::tls::Ca::new("another CA");
    let issued = stranger.client("lienthong-hub-test");
    let scratch = tempfile::tempdir().unwrap();
    let (cert, key) = (scratch.path().join("c.crt"), scratch.path().join("c.key"));
    std::fs::write(&cert, &issued.cert_pem).unwrap();
    std::fs::write(&key, &issued.key_pem).unwrap();
    let refused = connect_with(
        &amqps_url(),
        "lienthong-tests-tls",
        &broker_tls(&dir, Some((cert, key))),
    )
    .await;
    assert!(
        refused.is_err(),
        "another CA's client certificate was accepted"
    );
}
