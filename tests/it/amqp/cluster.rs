//! The AMQP transport against a three-node RabbitMQ cluster on this machine
//! (`tests/cluster.sh`: own node names, ports and data): the hub connects
//! to node 1 with nodes 2 and 3 as `[amqp] failover_urls`; node 1 is stopped
//! while dossiers go through the hub; every acknowledged change reaches the
//! partner's quorum queue, once in effect and in order per dossier, and the
//! hub's own queues were declared as quorum queues so none of them lived
//! only on the node that stopped.

use super::{header_text, prefix, queue_partner, QueueReader};
use crate::common::{drive, ONE_STOP};
use lapin::options::BasicAckOptions;
use lienthong::config::SubscriptionSection;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The three nodes; stopped when dropped.
struct Cluster {
    dir: PathBuf,
}

fn script(args: &[&str]) {
    let root = crate::readme_examples::root();
    let out = Command::new("bash")
        .arg(root.join("tests/cluster.sh"))
        .args(args)
        .output()
        .expect("bash runs tests/cluster.sh");
    assert!(
        out.status.success(),
        "tests/cluster.sh {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cluster {
    /// In `target/rabbitmq-cluster`: a node's data must outlive a stop of
    /// the node within the test, and the next run starts from nothing.
    fn start() -> Cluster {
        let dir = crate::readme_examples::root().join("target/rabbitmq-cluster");
        script(&["start", dir.to_str().unwrap()]);
        Cluster { dir }
    }

    fn url(node: u16) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", 5690 + node)
    }

    fn stop_node(&self, node: u16) {
        script(&["stop-node", self.dir.to_str().unwrap(), &node.to_string()]);
    }

    fn ctl(&self, node: u16, args: &[&str]) -> String {
        rabbitmqctl_of(&self.dir, node, args)
    }
}

fn rabbitmqctl_of(dir: &Path, node: u16, args: &[&str]) -> String {
    let out = Command::new("/usr/lib/rabbitmq/bin/rabbitmqctl")
        .env("HOME", dir)
        .args(["-n", &format!("ltc{node}@localhost"), "-q"])
        .args(args)
        .output()
        .expect("rabbitmqctl of the cluster");
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let root = crate::readme_examples::root();
        let _ = Command::new("bash")
            .arg(root.join("tests/cluster.sh"))
            .args(["stop", self.dir.to_str().unwrap()])
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_of_the_cluster_stopped_mid_load_loses_no_acknowledged_change() {
    let cluster = Cluster::start();
    let prefix = prefix();
    let partner = queue_partner(
        "buu-chinh",
        "buu-chinh-token-01",
        SubscriptionSection::default(),
    );
    let mut hub = crate::common::TestHub::start_with({
        let prefix = prefix.clone();
        move |config| {
            super::with_amqp(config, &prefix, vec![partner]);
            config.amqp.url = Some(Cluster::url(1));
            config.amqp.failover_urls = vec![Cluster::url(2), Cluster::url(3)];
        }
    })
    .await;
    let node3 = lienthong::amqp::connect(&Cluster::url(3), "lienthong-tests")
        .await
        .expect("node 3 answers");
    let queue = format!("{prefix}.partner.buu-chinh");
    super::wait_for_queue(&node3, &queue).await;
    // Every queue the hub declared is replicated: none is a classic queue
    // living on one node only.
    let types = cluster.ctl(3, &["list_queues", "name", "type"]);
    for name in [".partner.buu-chinh", ".commands", ".parked", ".bindings"] {
        let line = types
            .lines()
            .find(|l| l.starts_with(&format!("{prefix}{name}")))
            .unwrap_or_else(|| panic!("no queue {prefix}{name}:\n{types}"));
        assert!(line.ends_with("quorum"), "{line}");
    }

    let client = hub.client(ONE_STOP).await;
    let load = tokio::spawn({
        let client = client.clone();
        async move {
            let mut ids = Vec::new();
            for round in 0..6 {
                ids.extend(drive(&client, &format!("cluster{round}"), "000.00.01.H22", 8).await);
            }
            ids
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The node the hub is connected to stops; the quorum queues keep a
    // majority on nodes 2 and 3, and the hub reconnects to one of them.
    cluster.stop_node(1);
    let mut during = client.clone();
    let while_down = during.submit("while-node-1-down").await;
    let mut wanted = load.await.unwrap();
    wanted.push(while_down.event_id);
    assert!(wanted.len() > 100, "the load ran: {}", wanted.len());

    let mut reader = QueueReader::open(&node3, &queue).await;
    let mut missing: HashSet<String> = wanted.iter().cloned().collect();
    let mut seen = HashSet::new();
    let mut last_seq: HashMap<String, i64> = HashMap::new();
    let mut received = 0;
    while !missing.is_empty() {
        let delivery = reader
            .next(Duration::from_secs(90))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "{} acknowledged events never reached the partner queue",
                    missing.len()
                )
            });
        received += 1;
        let id = delivery
            .properties
            .message_id()
            .as_ref()
            .unwrap()
            .to_string();
        if seen.insert(id.clone()) {
            let ma_ho_so = header_text(&delivery, "ma_ho_so").expect("ma_ho_so header");
            let seq = match delivery
                .properties
                .headers()
                .as_ref()
                .unwrap()
                .inner()
                .get("seq")
            {
                Some(lapin::types::AMQPValue::LongLongInt(seq)) => *seq,
                other => panic!("seq header: {other:?}"),
            };
            if let Some(before) = last_seq.insert(ma_ho_so.clone(), seq) {
                assert!(before < seq, "{ma_ho_so}: seq {seq} after {before}");
            }
        }
        missing.remove(&id);
        delivery
            .acker
            .ack(BasicAckOptions::default())
            .await
            .unwrap();
    }
    println!(
        "{} acknowledged, {received} received (duplicates allowed), node 1 stopped mid-load",
        wanted.len()
    );
    hub.stop().await;
    let _ = node3.close(200, "").await;
    drop(cluster);
}
