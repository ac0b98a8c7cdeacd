//! Declares the hub's exchanges, queues and bindings — idempotently, at every
//! (re)connect. Settings an operator may want to change later (delivery
//! limit, dead-letter target) are NOT queue arguments, which RabbitMQ never
//! lets change: they are policies, shipped in `deploy/rabbitmq/`.
//!
//! Every queue is a quorum queue, replicated on the nodes of a cluster, so
//! that one node stopping is a reconnect (`[amqp] failover_urls`), never an
//! outage: a classic queue lives on one node and, while that node is down,
//! cannot even be declared. The parking queue and the bindings ledger were
//! classic queues before; a broker that still has them so keeps them as
//! they are (RabbitMQ cannot change a queue's type; README, "A RabbitMQ
//! cluster", says how to move them).

use super::names::{binding_keys, Names, COMMAND_ROUTING_KEY};
use super::AmqpError;
use crate::partners::SubscriptionFilter;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection, ExchangeKind};

pub(super) fn quorum() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args
}

/// Everything, with each partner queue bound to what its filter matches.
pub async fn declare(
    connection: &Connection,
    channel: &Channel,
    names: &Names,
    amqp_partners: &[(String, SubscriptionFilter)],
) -> Result<(), AmqpError> {
    declare_queues(connection, channel, names, amqp_partners).await?;
    for (partner, filter) in amqp_partners {
        let queue = names.partner_queue(partner);
        for key in binding_keys(filter) {
            bind(channel, &queue, &names.events, &key).await?;
        }
    }
    Ok(())
}

/// Exchanges and queues, and the fixed bindings; no partner binding.
pub async fn declare_queues(
    connection: &Connection,
    channel: &Channel,
    names: &Names,
    amqp_partners: &[(String, SubscriptionFilter)],
) -> Result<(), AmqpError> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..Default::default()
    };
    let exchanges = [
        (&names.events, ExchangeKind::Topic),
        (&names.commands_exchange, ExchangeKind::Direct),
        (&names.dead_letters, ExchangeKind::Fanout),
    ];
    for (name, kind) in exchanges {
        channel
            .exchange_declare(name, kind, durable, FieldTable::default())
            .await
            .map_err(AmqpError::broker("declaring an exchange"))?;
    }
    let durable_queue = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    // Parked messages keep their order when a listing puts them back (a
    // quorum queue delivers returned messages first), and no delivery limit
    // applies to the parking queue (no policy names it).
    replicated(connection, channel, &names.parked)
        .await
        .map_err(AmqpError::broker("declaring the parking queue"))?;
    bind(channel, &names.parked, &names.dead_letters, "").await?;
    channel
        .queue_declare(&names.commands_queue, durable_queue, quorum())
        .await
        .map_err(AmqpError::broker("declaring the command queue"))?;
    bind(
        channel,
        &names.commands_queue,
        &names.commands_exchange,
        COMMAND_ROUTING_KEY,
    )
    .await?;
    replicated(connection, channel, &names.bindings_ledger)
        .await
        .map_err(AmqpError::broker("declaring the bindings ledger"))?;
    for (partner, _) in amqp_partners {
        channel
            .queue_declare(&names.partner_queue(partner), durable_queue, quorum())
            .await
            .map_err(AmqpError::broker("declaring a partner queue"))?;
    }
    Ok(())
}

/// Declares `queue` as a durable quorum queue, unless it exists already as
/// another type (a classic queue of an older hub; RabbitMQ cannot change a
/// queue's type): then it is used as it is. The quorum declaration is tried
/// first, on a channel of its own, since the broker refuses a mismatched
/// type by closing the channel (406 PRECONDITION_FAILED). Trying the
/// declaration first, rather than probing with a passive declare, keeps a
/// fresh broker's start free of channel errors in the log: the refusal
/// (which lapin logs) happens only where an old queue really is kept.
pub(super) async fn replicated(
    connection: &Connection,
    channel: &Channel,
    queue: &str,
) -> Result<(), lapin::Error> {
    let attempt = connection.create_channel().await?;
    let durable = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    match attempt.queue_declare(queue, durable, quorum()).await {
        Ok(_) => {
            let _ = attempt.close(200, "").await;
            Ok(())
        }
        Err(lapin::Error::ProtocolError(e)) if e.get_id() == 406 => {
            tracing::warn!(queue = %queue, "AMQP queue kept as it is: it exists with another type or arguments than the quorum queue the hub declares (deploy/rabbitmq/README.md says how to move it)");
            let passive = QueueDeclareOptions {
                passive: true,
                ..Default::default()
            };
            channel
                .queue_declare(queue, passive, FieldTable::default())
                .await
                .map(|_| ())
        }
        Err(other) => Err(other),
    }
}

pub(super) async fn bind(
    channel: &Channel,
    queue: &str,
    exchange: &str,
    key: &str,
) -> Result<(), AmqpError> {
    channel
        .queue_bind(
            queue,
            exchange,
            key,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(AmqpError::broker("binding a queue"))
}
