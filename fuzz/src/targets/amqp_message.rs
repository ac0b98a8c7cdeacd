//! An AMQP command message as the hub's consumer meets it: the content
//! header's properties (decoded by amq-protocol, as lapin does on the wire),
//! the headers the hub reads off them (token, hub-only headers, delivery
//! count, `reply_to`, the parking read-out and the copies it writes), then
//! the body by its `type`, as `amqp::commands` decides.
//!
//! Input: a big-endian `u16` length, that many bytes of properties, then
//! the body.

use super::grpc_command::{catalog, command};
use crate::Target;
use lapin::protocol::basic::{gen_properties, parse_properties};
use lapin::types::{AMQPValue, FieldArray, FieldTable, LongString, ShortString};
use lapin::BasicProperties;
use lienthong::amqp::fuzzing;
use lienthong::amqp::{
    Names, CATALOG_TYPE, COMMAND_TYPE, PARTNER_HEADER, REASON_HEADER, REDRIVEN_BY_HEADER,
};

const BROKER_USER: &str = "lienthong-hub";
const PARTNER: &str = "dvc-hanoi";
/// The consumer's limit in the test configuration.
const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

pub fn target() -> Target {
    Target {
        name: "amqp_message",
        max_len: 64 * 1024,
        run,
        seeds,
        dictionary: &[
            b"authorization",
            b"x-lienthong-partner",
            b"x-lienthong-redriven-by",
            b"x-death",
            b"x-delivery-count",
            b"amq.rabbitmq.reply-to.",
            b"lienthong.reply.dvc-hanoi",
            b"lienthong.v1.CommandRequest",
            b"lienthong.v1.PublishCatalogRequest",
        ],
    }
}

fn run(input: &[u8]) -> String {
    if input.len() < 2 {
        return "refused:short".into();
    }
    let declared = usize::from(u16::from_be_bytes([input[0], input[1]]));
    let rest = &input[2..];
    let (header, body) = rest.split_at(declared.min(rest.len()));
    let properties = match parse_properties(header) {
        Ok((_, properties)) => properties,
        Err(_) => return "properties:undecodable".into(),
    };
    let mut label = headers(&properties, body.len());
    if body.len() > MAX_MESSAGE_BYTES {
        return label + " body:too-large";
    }
    let kind = properties.kind().as_ref().map(|t| t.to_string());
    label += match kind.as_deref().unwrap_or(COMMAND_TYPE) {
        COMMAND_TYPE => format!(" {}", command(body)),
        CATALOG_TYPE => format!(" {}", catalog(body)),
        _ => " type:unknown".into(),
    }
    .as_str();
    label
}

/// Everything the hub reads off a message's properties.
fn headers(properties: &BasicProperties, bytes: usize) -> String {
    let token = fuzzing::text(properties, fuzzing::AUTHORIZATION_HEADER);
    let partner = fuzzing::text(properties, PARTNER_HEADER);
    let operator = fuzzing::text(properties, REDRIVEN_BY_HEADER);
    let trusted = fuzzing::hub_authored(properties, "", BROKER_USER);
    let kept = fuzzing::without_credentials(properties);
    if kept.inner().contains_key(fuzzing::AUTHORIZATION_HEADER) {
        // The one thing a parked copy must never hold.
        panic!("without_credentials kept the authorization header");
    }
    let copy = fuzzing::hub_copy(properties, kept, BROKER_USER);
    if !fuzzing::published_by(&copy, BROKER_USER) {
        panic!("a hub copy is not the hub's");
    }
    let earlier = fuzzing::earlier_deliveries(properties);
    let parked = fuzzing::describe_parked(properties, bytes);
    let reply = match properties.reply_to() {
        Some(to) if Names::new("lienthong").may_reply_to(PARTNER, to.as_str()) => "reply:own",
        Some(_) => "reply:refused",
        None => "reply:none",
    };
    format!(
        "token:{} partner:{} operator:{} trusted:{trusted} requeued:{} parked:{} {reply}",
        token.is_some(),
        partner.is_some(),
        operator.is_some(),
        earlier > 0,
        parked.parked_at.is_some(),
    )
}

fn encode(header: &BasicProperties, body: &[u8]) -> Vec<u8> {
    let properties = cookie_factory::gen_simple(gen_properties(header), Vec::new())
        .expect("properties serialise");
    let mut input = u16::try_from(properties.len())
        .expect("seed properties are small")
        .to_be_bytes()
        .to_vec();
    input.extend(properties);
    input.extend_from_slice(body);
    input
}

fn table(entries: Vec<(&str, AMQPValue)>) -> FieldTable {
    let mut table = FieldTable::default();
    for (key, value) in entries {
        table.insert(ShortString::from(key), value);
    }
    table
}

fn long(text: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(text))
}

pub(crate) fn seeds() -> Vec<Vec<u8>> {
    let bodies = super::grpc_command::seeds();
    let partner = BasicProperties::default()
        .with_type(ShortString::from(COMMAND_TYPE))
        .with_reply_to(ShortString::from("lienthong.reply.dvc-hanoi"))
        .with_correlation_id(ShortString::from("c-1"))
        .with_headers(table(vec![
            ("authorization", long("Bearer dev-token-hanoi")),
            ("x-delivery-count", AMQPValue::LongLongInt(2)),
        ]));
    let redriven = BasicProperties::default()
        .with_user_id(ShortString::from(BROKER_USER))
        .with_message_id(ShortString::from("m-7"))
        .with_headers(table(vec![
            (PARTNER_HEADER, long(PARTNER)),
            (REDRIVEN_BY_HEADER, long("operator-an")),
            (REASON_HEADER, long("not decided")),
        ]));
    let death = table(vec![
        ("queue", long("lienthong.partner.dvc-hanoi")),
        ("reason", long("delivery_limit")),
        ("time", AMQPValue::Timestamp(1_763_780_645)),
        ("count", AMQPValue::LongLongInt(1)),
    ]);
    let dead_lettered = BasicProperties::default()
        .with_type(ShortString::from("lienthong.v1.Event"))
        .with_headers(table(vec![(
            "x-death",
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::FieldTable(death)])),
        )]));
    let catalog = BasicProperties::default()
        .with_type(ShortString::from(CATALOG_TYPE))
        .with_reply_to(ShortString::from("amq.rabbitmq.reply-to.g1h2"))
        .with_headers(table(vec![(
            "authorization",
            long("Bearer dev-token-hanoi"),
        )]));
    vec![
        encode(&partner, &bodies[0]),
        encode(&partner, &bodies[1]),
        encode(&redriven, &bodies[2]),
        encode(&dead_lettered, b"{}"),
        encode(&catalog, &bodies[4]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_reads_its_token_and_its_command() {
        let label = run(&seeds()[0]);
        assert!(label.starts_with("token:true"), "{label}");
        assert!(label.contains("reply:own"), "{label}");
        assert!(label.contains("command:"), "{label}");
        assert!(!label.contains("undecodable"), "{label}");
    }
}
