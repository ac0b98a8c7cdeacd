//! A broker kept from an older hub still holds its parking queue as a
//! classic queue, and RabbitMQ cannot change a queue's type: the hub must
//! start on it, keep it as it is and carry on, while on a fresh broker it
//! declares every queue as a quorum queue (`amqp::cluster` checks those).

use super::{cleanup, connect, prefix, queue_partner, QueueReader};
use crate::common::ONE_STOP;
use lapin::options::{BasicAckOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lienthong::config::SubscriptionSection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_classic_parking_queue_left_by_an_older_hub_is_kept_and_the_hub_works() {
    let prefix = prefix();
    let parked = format!("{prefix}.parked");
    let connection = connect().await;
    let classic = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    let before = connection.create_channel().await.unwrap();
    before
        .queue_declare(&parked, classic, FieldTable::default())
        .await
        .expect("the older hub's classic parking queue");

    let partner = queue_partner(
        "kho-bac",
        "kho-bac-token-00001",
        SubscriptionSection::default(),
    );
    let mut hub = crate::common::TestHub::start_with({
        let prefix = prefix.clone();
        move |config| super::with_amqp(config, &prefix, vec![partner])
    })
    .await;
    let mut queue = QueueReader::open(&connection, &format!("{prefix}.partner.kho-bac")).await;
    let mut client = hub.client(ONE_STOP).await;
    let submitted = client.submit("existing-queue-1").await;
    let delivery = queue
        .event(
            &submitted.event_id,
            "the event, published beside the kept classic queue",
        )
        .await;
    delivery
        .acker
        .ack(BasicAckOptions::default())
        .await
        .unwrap();

    // Declaring it again as a classic queue succeeds only if it still is
    // one: had the hub replaced it with a quorum queue, the broker would
    // refuse the declaration (406) and close the channel.
    let after = connection.create_channel().await.unwrap();
    after
        .queue_declare(&parked, classic, FieldTable::default())
        .await
        .expect("the parking queue is still the classic queue the older hub made");
    hub.stop().await;
    cleanup(&prefix, &["kho-bac"]).await;
}
