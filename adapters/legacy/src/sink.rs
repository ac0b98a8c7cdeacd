//! Outbound: a hub event → the legacy system's JSON, POSTed to `endpoint`.
//!
//! The body is built from `fields` alone (legacy name → canonical path); an
//! event type not listed in `events` is accepted without a call. The answer
//! counts as acceptance on 2xx and, when `reply` is configured, only if the
//! body's result code is a success or "already exists" code; retry codes,
//! 5xx and network failures are retried; anything else is a refusal.
//! Changes the legacy system made itself (the event's partner is this
//! partner) are not echoed back unless `send_own_changes` is set.

use crate::client::Client;
use crate::paths::{Codes, Source};
use crate::settings::{Outbound, Reply, Settings};
use lienthong_adapter::event::type_name;
use lienthong_adapter::jsonpath;
use lienthong_adapter::pb;
use lienthong_adapter::{Accepted, DeliveryError, Sink};
use serde_json::{Map, Value};
use std::sync::Arc;

pub struct LegacySink {
    config: Arc<Settings>,
    partner_id: String,
    client: Client,
}

impl LegacySink {
    /// The sink of a configuration with an outbound direction.
    pub fn new(
        config: Arc<Settings>,
        out: &Outbound,
        partner_id: &str,
    ) -> Result<LegacySink, String> {
        Ok(LegacySink {
            client: Client::new(out)?,
            config,
            partner_id: partner_id.to_string(),
        })
    }
}

/// The legacy JSON body for one event.
pub fn body(config: &Settings, out: &Outbound, event: &pb::Event) -> Result<Value, String> {
    let change = lienthong_adapter::event::change(event).map_err(|e| e.reason().to_string())?;
    let source = Source {
        event,
        dossier: change.map(|c| c.dossier),
        entry: change.and_then(|c| c.entry),
    };
    let codes = Codes {
        status_out: &config.status_out,
        event_names: &out.event_names,
        date_format: config.date_format,
    };
    let mut body = Map::new();
    for (legacy, path) in &out.fields {
        let value = codes
            .value(*path, &source)
            .map_err(|problem| format!("field {legacy:?}: {problem}"))?;
        if !jsonpath::set(&mut body, legacy, value) {
            return Err(format!("field {legacy:?}: another field is in the way"));
        }
    }
    Ok(Value::Object(body))
}

/// Reads the body's result code, when the settings say where it is.
fn judge(reply: &Reply, text: &str) -> Result<Accepted, DeliveryError> {
    let body: Value = serde_json::from_str(text).map_err(|_| {
        DeliveryError::retry(format!(
            "the legacy system answered 2xx with a body that is not JSON: {}",
            text.chars().take(200).collect::<String>()
        ))
    })?;
    let field = |name: &str| {
        if name.is_empty() {
            None
        } else {
            jsonpath::get(&body, name).and_then(jsonpath::text)
        }
    };
    let code = field(&reply.code_field).unwrap_or_default();
    let message = field(&reply.message_field).unwrap_or_default();
    let reference = field(&reply.reference_field).unwrap_or_default();
    if reply.success_codes.contains(&code) || reply.duplicate_codes.contains(&code) {
        return Ok(Accepted {
            partner_reference: reference,
        });
    }
    let detail = format!(
        "legacy result code {code:?} ({}): {message}",
        reply.code_field
    );
    if reply.retry_codes.contains(&code) {
        Err(DeliveryError::retry(detail))
    } else {
        Err(DeliveryError::reject(detail))
    }
}

#[async_trait::async_trait]
impl Sink for LegacySink {
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError> {
        let Some(out) = &self.config.outbound else {
            return Ok(Accepted::default());
        };
        if !out.events.contains(&type_name(event.r#type())) {
            return Ok(Accepted::default());
        }
        if event.partner_id == self.partner_id && !out.send_own_changes {
            return Ok(Accepted::default());
        }
        let body = body(&self.config, out, event).map_err(DeliveryError::reject)?;
        let text = self.client.post(&body).await?;
        match &out.reply {
            Some(reply) => judge(reply, &text),
            None => Ok(Accepted::default()),
        }
    }
}
