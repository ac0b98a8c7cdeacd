//! Nothing acknowledged is lost when the broker restarts under load or the
//! hub is killed while it publishes.

use super::{cleanup, connect, prefix, queue_partner, rabbitmqctl, url, QueueReader};
use crate::common::{drive, serve_binary, Client, ONE_STOP};
use lapin::options::BasicAckOptions;
use lienthong::config::SubscriptionSection;
use std::collections::HashSet;
use std::ffi::OsStr;
use std::time::Duration;

/// Reads the queue of `partner` until every id in `wanted` has arrived;
/// returns how many messages that took (duplicates included).
async fn drain_until_all(prefix: &str, partner: &str, wanted: &[String]) -> usize {
    let connection = connect().await;
    let mut queue = QueueReader::open(&connection, &format!("{prefix}.partner.{partner}")).await;
    let mut missing: HashSet<&str> = wanted.iter().map(String::as_str).collect();
    let mut received = 0;
    while !missing.is_empty() {
        let delivery = queue
            .next(Duration::from_secs(60))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "{} acknowledged events never reached the partner queue",
                    missing.len()
                )
            });
        let id = delivery
            .properties
            .message_id()
            .as_ref()
            .unwrap()
            .to_string();
        missing.remove(id.as_str());
        received += 1;
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
    }
    received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_under_load_loses_no_acknowledged_change() {
    let prefix = prefix();
    let partner = queue_partner(
        "buu-chinh",
        "buu-chinh-token-01",
        SubscriptionSection::default(),
    );
    let mut hub = super::amqp_hub(&prefix, vec![partner]).await;
    let client = hub.client(ONE_STOP).await;
    {
        // The queue exists before the broker goes away.
        let connection = connect().await;
        super::wait_for_queue(&connection, &format!("{prefix}.partner.buu-chinh")).await;
        let _ = connection.close(200, "").await;
    }
    let load = tokio::spawn({
        let client = client.clone();
        async move {
            let mut ids = Vec::new();
            for round in 0..6 {
                ids.extend(drive(&client, &format!("round{round}"), "000.00.01.H22", 12).await);
            }
            ids
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    rabbitmqctl(&["stop_app"]);
    // Commands keep being accepted while the broker is away.
    let mut during = client.clone();
    let while_down = during.submit("while-broker-down").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    rabbitmqctl(&["start_app"]);
    rabbitmqctl(&["await_startup"]);
    let mut wanted = load.await.unwrap();
    wanted.push(while_down.event_id);

    let received = drain_until_all(&prefix, "buu-chinh", &wanted).await;
    println!(
        "{} acknowledged, {received} received (duplicates allowed)",
        wanted.len()
    );
    hub.stop().await;
    cleanup(&prefix, &["buu-chinh"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_while_publishing_loses_nothing_after_restart() {
    let prefix = prefix();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hub.toml");
    let text = format!(
        "{}\n[amqp]\nurl = \"{}\"\nprefix = \"{prefix}\"\nreconnect_max_backoff_seconds = 1\n\n[[partners]]\nid = \"kho-bac\"\nkind = \"treasury\"\ntoken = \"kho-bac-token-00001\"\n[partners.subscription]\ndelivery = \"amqp\"\n",
        lienthong::config::EMBEDDED_DEFAULT,
        url()
    );
    std::fs::write(&config, text).unwrap();
    let data = dir.path().join("data");
    let mut wanted = Vec::new();
    for round in 0..3 {
        let (mut child, addr) =
            serve_binary([OsStr::new("--config"), config.as_os_str()], &data).await;
        let client = Client::connect(addr, ONE_STOP).await;
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let mut client = client.clone();
                tokio::spawn(async move {
                    let mut acked = Vec::new();
                    for n in 0.. {
                        match client
                            .exec(crate::common::submit_request(
                                &format!("k{round}-{w}-{n}"),
                                crate::common::submission(),
                            ))
                            .await
                        {
                            Ok(reply) => acked.push(reply.event_id),
                            Err(_) => return acked,
                        }
                    }
                    acked
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + 300 * round)).await;
        child.start_kill().unwrap();
        child.wait().await.unwrap();
        for w in workers {
            wanted.extend(w.await.unwrap());
        }
    }
    assert!(wanted.len() > 12, "load ran: {}", wanted.len());
    let (mut child, _) = serve_binary([OsStr::new("--config"), config.as_os_str()], &data).await;
    let received = drain_until_all(&prefix, "kho-bac", &wanted).await;
    println!(
        "{} acknowledged before kills, {received} received",
        wanted.len()
    );
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    cleanup(&prefix, &["kho-bac"]).await;
}
