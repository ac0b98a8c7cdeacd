//! Declares the hub's exchanges, queues and bindings — idempotently, at every
//! (re)connect. Settings an operator may want to change later (delivery
//! limit, dead-letter target) are NOT queue arguments, which RabbitMQ never
//! lets change: they are policies, shipped in `deploy/rabbitmq/`.

use super::names::{binding_keys, Names, COMMAND_ROUTING_KEY};
use super::AmqpError;
use crate::partners::SubscriptionFilter;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ExchangeKind};

fn quorum() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args
}

/// Everything, with each partner queue bound to what its filter matches.
pub async fn declare(
    channel: &Channel,
    names: &Names,
    amqp_partners: &[(String, SubscriptionFilter)],
) -> Result<(), AmqpError> {
    declare_queues(channel, names, amqp_partners).await?;
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
    // Parked messages wait in a classic queue: it keeps their order when a
    // listing puts them back, and no delivery limit applies to it.
    channel
        .queue_declare(&names.parked, durable_queue, FieldTable::default())
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
    channel
        .queue_declare(&names.bindings_ledger, durable_queue, FieldTable::default())
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

async fn bind(channel: &Channel, queue: &str, exchange: &str, key: &str) -> Result<(), AmqpError> {
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
