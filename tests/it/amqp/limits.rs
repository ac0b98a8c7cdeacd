//! Per-partner limits over AMQP: a command over its partner's limit is
//! answered RESOURCE_EXHAUSTED and parked with the reason — not run, not
//! requeued.

use super::commands::{command_reply, error, parked, Sender};
use super::{cleanup, connect, prefix, with_amqp};
use crate::common::{submission, submit_request, TestHub, ONE_STOP, PORTAL, POSTAL};
use prost::Message;

// issue 10 (per-partner limits): an AMQP command over the limit is parked
// with the reason, and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_over_its_partners_rate_is_answered_and_parked_with_the_reason() {
    let prefix = prefix();
    let mut hub = TestHub::start_with({
        let prefix = prefix.clone();
        move |config| {
            with_amqp(config, &prefix, vec![]);
            // One command, then one per 1000 s: the second is over.
            config.limits = Some(
                toml::from_str(
                    "[partners.postal]\nrequests_per_second = 0.001\nburst_requests = 1\n",
                )
                .unwrap(),
            );
        }
    })
    .await;
    let connection = connect().await;
    let mut postal = Sender::open(&connection, &prefix, "postal").await;
    let first = submit_request("limited-amqp-1", submission()).encode_to_vec();
    postal.send(POSTAL, None, first, "within").await;
    command_reply(postal.reply("within").await);
    let second = submit_request("limited-amqp-2", submission()).encode_to_vec();
    postal.send(POSTAL, None, second, "over").await;
    let refused = error(postal.reply("over").await);
    assert_eq!(
        (refused.code.as_str(), refused.parked),
        ("RESOURCE_EXHAUSTED", true),
        "{refused:?}"
    );
    assert!(
        refused.message.contains("requests_per_second"),
        "{}",
        refused.message
    );
    let portal = hub.client(PORTAL).await;
    let listed = parked(&portal, hub.addr).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].message_id, "over");
    assert!(
        listed[0].reason.contains("rate limit"),
        "{}",
        listed[0].reason
    );
    // Only the first command was written.
    assert_eq!(hub.client(ONE_STOP).await.dossier_count().await, 1);
    hub.stop().await;
    cleanup(&prefix, &[]).await;
}
