//! `[amqp] failover_urls`: when the node of `url` does not answer, the hub
//! connects to the next node listed and its events and commands flow
//! there. (The three-node cluster with a node stopped mid-load is
//! `cluster.rs`; this is the connection rule alone, against the test
//! broker, with `url` naming a port where nothing listens.)

use super::{cleanup, connect, prefix, queue_partner, url, QueueReader};
use crate::common::ONE_STOP;
use lapin::options::BasicAckOptions;
use lienthong::config::SubscriptionSection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_does_not_answer_is_passed_over_for_the_next() {
    let prefix = prefix();
    let partner = queue_partner(
        "kho-bac",
        "kho-bac-token-00001",
        SubscriptionSection::default(),
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("amqp://guest:guest@{}/%2f", closed.local_addr().unwrap());
    drop(closed);
    let mut hub = crate::common::TestHub::start_with({
        let prefix = prefix.clone();
        move |config| {
            super::with_amqp(config, &prefix, vec![partner]);
            config.amqp.url = Some(dead);
            config.amqp.failover_urls = vec![url()];
        }
    })
    .await;
    let connection = connect().await;
    let mut queue = QueueReader::open(&connection, &format!("{prefix}.partner.kho-bac")).await;
    let mut client = hub.client(ONE_STOP).await;
    let submitted = client.submit("failover-1").await;
    let delivery = queue
        .event(
            &submitted.event_id,
            "the event, published through the failover node",
        )
        .await;
    delivery
        .acker
        .ack(BasicAckOptions::default())
        .await
        .unwrap();
    hub.stop().await;
    cleanup(&prefix, &["kho-bac"]).await;
}
