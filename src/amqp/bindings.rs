//! Keeps every partner queue bound to exactly what its filter matches when
//! the configuration changes between runs.
//!
//! AMQP can add and remove a binding but not list them (only the management
//! plugin can, and the hub does not use it), so the hub keeps a ledger of
//! what it bound, in the broker beside the bindings themselves (a broker
//! reset loses both together): the classic queue `<prefix>.bindings` holds
//! one persistent message, a line `queue <TAB> key` per binding and a line
//! `queue` per partner queue. At each session of the publisher (so at start)
//! the ledger is compared with the configuration: a binding no filter asks
//! for any more is removed; the queue of a partner that no longer takes its
//! events over AMQP (removed, or switched to gRPC) is unbound from
//! everything and left, with whatever it holds, for the operator: a WARN
//! names it at every start until the operator deletes it.
//! Bindings made before the ledger existed are not known to it.

use super::names::{binding_keys, Names};
use super::AmqpError;
use crate::partners::SubscriptionFilter;
use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions,
    QueueDeclareOptions,
};
use lapin::publisher_confirm::Confirmation;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection};
use std::collections::BTreeSet;

/// What the hub bound: queues, and (queue, binding key) pairs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub queues: BTreeSet<String>,
    pub bindings: BTreeSet<(String, String)>,
}

impl Ledger {
    /// What the configuration asks for.
    pub fn wanted(names: &Names, amqp_partners: &[(String, SubscriptionFilter)]) -> Ledger {
        let mut ledger = Ledger::default();
        for (partner, filter) in amqp_partners {
            let queue = names.partner_queue(partner);
            for key in binding_keys(filter) {
                ledger.bindings.insert((queue.clone(), key));
            }
            ledger.queues.insert(queue);
        }
        ledger
    }

    fn read(&mut self, body: &[u8]) {
        for line in String::from_utf8_lossy(body).lines() {
            match line.split_once('\t') {
                Some((queue, key)) => self.bindings.insert((queue.into(), key.into())),
                None if !line.is_empty() => self.queues.insert(line.into()),
                None => false,
            };
        }
    }

    fn write(&self) -> Vec<u8> {
        let mut body = String::new();
        for queue in &self.queues {
            body.push_str(queue);
            body.push('\n');
        }
        for (queue, key) in &self.bindings {
            body.push_str(&format!("{queue}\t{key}\n"));
        }
        body.into_bytes()
    }
}

/// Makes the broker's partner bindings those of `amqp_partners`, after
/// `topology::declare` bound what they want.
pub async fn reconcile(
    connection: &Connection,
    names: &Names,
    amqp_partners: &[(String, SubscriptionFilter)],
) -> Result<(), AmqpError> {
    let channel = connection
        .create_channel()
        .await
        .map_err(AmqpError::broker("opening a channel"))?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(AmqpError::broker("enabling publisher confirms"))?;
    // Normally one message; two after a crash between writing and acking.
    let mut recorded = Ledger::default();
    let mut last_tag = None;
    while let Some(message) = channel
        .basic_get(&names.bindings_ledger, BasicGetOptions { no_ack: false })
        .await
        .map_err(AmqpError::broker("reading the bindings ledger"))?
    {
        recorded.read(&message.delivery.data);
        last_tag = Some(message.delivery.delivery_tag);
    }
    let mut ledger = Ledger::wanted(names, amqp_partners);
    for (queue, key) in recorded.bindings.difference(&ledger.bindings) {
        if message_count(connection, queue).await?.is_some() {
            channel
                .queue_unbind(queue, &names.events, key, FieldTable::default())
                .await
                .map_err(AmqpError::broker("removing a binding"))?;
            tracing::info!(queue = %queue, key = %key, "AMQP binding removed: the partner's filter no longer asks for it");
        }
    }
    let orphans: Vec<String> = recorded
        .queues
        .difference(&ledger.queues)
        .cloned()
        .collect();
    for queue in orphans {
        if still_there(connection, &queue).await? {
            ledger.queues.insert(queue);
        }
    }
    let confirm = channel
        .basic_publish(
            "",
            &names.bindings_ledger,
            BasicPublishOptions::default(),
            &ledger.write(),
            BasicProperties::default().with_delivery_mode(2),
        )
        .await
        .map_err(AmqpError::broker("writing the bindings ledger"))?
        .await
        .map_err(AmqpError::broker("writing the bindings ledger"))?;
    if matches!(confirm, Confirmation::Nack(_)) {
        return Err(AmqpError::Nacked { seq: 0 });
    }
    if let Some(tag) = last_tag {
        channel
            .basic_ack(tag, BasicAckOptions { multiple: true })
            .await
            .map_err(AmqpError::broker("replacing the bindings ledger"))?;
    }
    let _ = channel.close(200, "bindings reconciled").await;
    Ok(())
}

/// Messages waiting in `queue`, or `None` when it does not exist. On a
/// channel of its own: asking for a missing queue closes the channel.
async fn message_count(connection: &Connection, queue: &str) -> Result<Option<u32>, AmqpError> {
    let channel = connection
        .create_channel()
        .await
        .map_err(AmqpError::broker("opening a channel"))?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    match channel
        .queue_declare(queue, passive, FieldTable::default())
        .await
    {
        Ok(q) => {
            let _ = channel.close(200, "").await;
            Ok(Some(q.message_count()))
        }
        Err(lapin::Error::ProtocolError(e)) if e.get_id() == 404 => Ok(None),
        Err(source) => Err(AmqpError::Broker {
            action: "looking at a partner queue",
            source,
        }),
    }
}

/// An orphaned partner queue, already unbound from everything: the hub
/// never deletes it (RabbitMQ cannot delete a quorum queue only if it is
/// empty, and a partner may still hold unacknowledged messages of it); it
/// names it for the operator. False once it is gone.
async fn still_there(connection: &Connection, queue: &str) -> Result<bool, AmqpError> {
    let Some(waiting) = message_count(connection, queue).await? else {
        return Ok(false);
    };
    tracing::warn!(queue = %queue, messages = waiting, "orphaned AMQP partner queue: no partner takes events from it any more (removed, or switched to another delivery); it is unbound and kept for the operator: drain it, then delete it (rabbitmqctl delete_queue)");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_reads_what_it_wrote() {
        let filter = SubscriptionFilter {
            event_types: vec![],
            agencies: vec!["000.00.01.H22".into()],
            procedures: vec![],
            citizen_feedback: false,
        };
        let names = Names::new("lt");
        let wanted = Ledger::wanted(&names, &[("buu-dien".into(), filter)]);
        assert_eq!(wanted.queues.len(), 1);
        assert!(wanted
            .bindings
            .contains(&("lt.partner.buu-dien".into(), "*.000_00_01_H22.*".into())));
        let mut read = Ledger::default();
        read.read(&wanted.write());
        assert_eq!(read, wanted);
    }
}
