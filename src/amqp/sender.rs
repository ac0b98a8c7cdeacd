//! Who sent a command message, and what of it the hub may keep or trust.
//!
//! A partner names itself by its bearer token (header `authorization`). The
//! token must never reach the parking queue, where anyone who may read it
//! would collect it: a parked copy drops it and carries instead the partner
//! the hub authenticated (`x-lienthong-partner`), and a copy an operator
//! re-drives also names the operator (`x-lienthong-redriven-by`). Those two
//! headers are trusted only on a message the hub wrote itself: published
//! through the default exchange (partners publish to the command exchange)
//! with RabbitMQ's validated `user_id` set to the hub's own broker user — the
//! broker refuses that `user_id` from anyone connected as another user. A
//! message from outside carrying either header is refused.

use super::{AmqpError, AmqpSettings};
use crate::hub::Hub;
use crate::partners::Partner;
use lapin::message::Delivery;
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use std::sync::Arc;

pub const AUTHORIZATION_HEADER: &str = "authorization";
/// The partner the hub authenticated before parking a command.
pub const PARTNER_HEADER: &str = "x-lienthong-partner";
/// The operator who re-drove a parked command.
pub const REDRIVEN_BY_HEADER: &str = "x-lienthong-redriven-by";
const HUB_ONLY: [&str; 2] = [PARTNER_HEADER, REDRIVEN_BY_HEADER];

/// The sender of a command the hub will execute.
pub struct Identity {
    pub partner: Arc<Partner>,
    /// Set when an operator re-drove a parked command of `partner`.
    pub redriven_by: Option<String>,
}

/// Why a sender is not accepted (the command is parked, never executed).
pub enum NotIdentified {
    Hub(crate::hub::HubError),
    /// With the partner its token names, if it names one (it is answered).
    Amqp(AmqpError, Option<Arc<Partner>>),
}

/// Who sent `delivery`: the partner its token names, or, on a copy the hub
/// re-drove, the partner recorded when it was parked (its rights are checked
/// again when the command runs).
pub fn identify(
    hub: &Hub,
    settings: &AmqpSettings,
    delivery: &Delivery,
) -> Result<Identity, NotIdentified> {
    let carried = HUB_ONLY
        .into_iter()
        .find(|h| header(&delivery.properties, h).is_some());
    if let Some(header_name) = carried {
        if !hub_authored(
            &delivery.properties,
            delivery.exchange.as_str(),
            &settings.broker_user,
        ) {
            let forged = AmqpError::HubOnlyHeader {
                header: header_name,
            };
            return Err(NotIdentified::Amqp(forged, by_token(hub, delivery).ok()));
        }
        if let Some(partner_id) = text(&delivery.properties, PARTNER_HEADER) {
            let operator =
                text(&delivery.properties, REDRIVEN_BY_HEADER).ok_or(NotIdentified::Amqp(
                    AmqpError::RedriveIncomplete {
                        header: REDRIVEN_BY_HEADER,
                    },
                    None,
                ))?;
            let partner = hub
                .partners()
                .get(&partner_id)
                .cloned()
                .ok_or(NotIdentified::Amqp(
                    AmqpError::RedrivenPartnerUnknown {
                        partner: partner_id,
                    },
                    None,
                ))?;
            return Ok(Identity {
                partner,
                redriven_by: Some(operator),
            });
        }
        // A re-driven copy RabbitMQ itself dead-lettered (it kept the
        // token): authenticated by its token like any other.
    }
    let partner = by_token(hub, delivery).map_err(NotIdentified::Hub)?;
    Ok(Identity {
        partner,
        redriven_by: None,
    })
}

fn by_token(hub: &Hub, delivery: &Delivery) -> Result<Arc<Partner>, crate::hub::HubError> {
    let token = text(&delivery.properties, AUTHORIZATION_HEADER);
    let token = token
        .as_deref()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    hub.authenticate(token)
}

/// Re-driven by the hub itself (see the module's paragraph).
pub fn hub_authored(properties: &BasicProperties, exchange: &str, broker_user: &str) -> bool {
    exchange.is_empty() && published_by(properties, broker_user)
}

/// The broker-validated `user_id` is `broker_user`.
pub fn published_by(properties: &BasicProperties, broker_user: &str) -> bool {
    properties.user_id().as_ref().map(|u| u.as_str()) == Some(broker_user)
}

/// The headers of `properties` without credentials and without what only
/// the hub writes.
pub fn without_credentials(properties: &BasicProperties) -> FieldTable {
    let mut kept = FieldTable::default();
    if let Some(headers) = properties.headers() {
        for (key, value) in headers.inner() {
            let name = key.as_str();
            if !name.eq_ignore_ascii_case(AUTHORIZATION_HEADER) && !HUB_ONLY.contains(&name) {
                kept.insert(key.clone(), value.clone());
            }
        }
    }
    kept
}

/// A copy of `properties` with these headers, written by the hub: `user_id`
/// is the hub's broker user (the broker checks it), whoever sent the
/// original.
pub fn hub_copy(
    properties: &BasicProperties,
    headers: FieldTable,
    broker_user: &str,
) -> BasicProperties {
    let mut copy = BasicProperties::default()
        .with_headers(headers)
        .with_delivery_mode(2)
        .with_user_id(broker_user.into());
    macro_rules! keep {
        ($($get:ident => $with:ident),*) => {$(
            if let Some(v) = properties.$get() {
                copy = copy.$with(v.clone());
            }
        )*};
    }
    keep!(
        content_type => with_content_type,
        content_encoding => with_content_encoding,
        priority => with_priority,
        correlation_id => with_correlation_id,
        reply_to => with_reply_to,
        expiration => with_expiration,
        message_id => with_message_id,
        timestamp => with_timestamp,
        kind => with_type,
        app_id => with_app_id,
        cluster_id => with_cluster_id
    );
    copy
}

fn header<'a>(properties: &'a BasicProperties, name: &str) -> Option<&'a AMQPValue> {
    properties.headers().as_ref()?.inner().get(name)
}

/// A string header's value.
pub fn text(properties: &BasicProperties, name: &str) -> Option<String> {
    match header(properties, name)? {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}
