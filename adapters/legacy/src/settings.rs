//! The `[partners.adapter]` settings of a legacy system, read strictly.
//!
//! Everything that differs between legacy systems is declared here, so a
//! ministry connects one without writing Rust. Both directions are optional
//! (at least one is required): outbound needs `endpoint`, `events` and
//! `fields`; inbound needs `secret_header`, `secret` and `commands`.
//!
//! ```toml
//! [partners.adapter]
//! kind = "legacy_rest"
//! endpoint = "https://legacy.bo.gov.vn/api/hoso/dongbo"
//! timeout_seconds = 10
//! events = ["dossier_submitted", "dossier_received", "processing_finished"]
//! send_own_changes = false                # echo the legacy system's own changes back?
//! date_format = "yyyyMMddHHmmss"          # or "rfc3339"
//! secret_header = "X-Legacy-Secret"       # inbound: the shared secret…
//! secret = "…"                            # …the legacy system presents
//! processing_unit = "Vụ Pháp chế"         # start_processing when the legacy names none
//! [partners.adapter.headers]              # sent with every outbound call
//! "X-Api-Key" = "…"
//! [partners.adapter.fields]               # legacy field → canonical path
//! "hoSo.soHoSo" = "dossier.ma_ho_so"
//! maTrangThai = "dossier.status"
//! [partners.adapter.status_map]           # legacy code → canonical 1–10 (one each way)
//! DA_TIEP_NHAN = 2
//! [partners.adapter.event_names]          # optional: canonical event → legacy name
//! dossier_submitted = "NOP_MOI"
//! [partners.adapter.reply]                # optional: result code in the body
//! code_field = "maLoi"
//! success_codes = ["00"]
//! duplicate_codes = ["02"]                # "already exists" = accepted
//! retry_codes = ["99"]
//! message_field = "moTa"
//! reference_field = "maThamChieu"
//! [partners.adapter.commands]             # inbound: which legacy field holds what
//! ma_ho_so = "soHoSo"
//! status = "maTrangThai"
//! note = "ghiChu"
//! due_date = "ngayHenTra"
//! request_id = "maYeuCau"
//! ```

use crate::dates::DateFormat;
use crate::paths::Path;
use lienthong_adapter::event::type_name;
use lienthong_adapter::jsonpath;
use lienthong_adapter::settings::{check_at_least, check_http_url};
use lienthong_adapter::{pb, AdapterConfigError, AdapterSettings};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// The settings table as read, before it is checked (its fields stay private).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default = "default_timeout")]
    timeout_seconds: u64,
    #[serde(default)]
    events: Vec<String>,
    #[serde(default)]
    send_own_changes: bool,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    status_map: BTreeMap<String, i64>,
    #[serde(default)]
    event_names: BTreeMap<String, String>,
    #[serde(default = "default_date_format")]
    date_format: String,
    #[serde(default)]
    reply: Option<RawReply>,
    #[serde(default)]
    secret_header: Option<String>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    processing_unit: String,
    #[serde(default)]
    commands: Option<Commands>,
}

fn default_timeout() -> u64 {
    10
}
fn default_date_format() -> String {
    "yyyyMMddHHmmss".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReply {
    code_field: String,
    success_codes: Vec<String>,
    #[serde(default)]
    duplicate_codes: Vec<String>,
    #[serde(default)]
    retry_codes: Vec<String>,
    #[serde(default)]
    message_field: String,
    #[serde(default)]
    reference_field: String,
}

/// How the legacy system answers in its body (beyond the HTTP status).
#[derive(Debug, Clone)]
pub struct Reply {
    pub code_field: String,
    pub success_codes: HashSet<String>,
    pub duplicate_codes: HashSet<String>,
    pub retry_codes: HashSet<String>,
    pub message_field: String,
    pub reference_field: String,
}

/// Inbound: which legacy field holds each part of a command. Only
/// `ma_ho_so` and `status` are required; the others are read when mapped.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commands {
    pub ma_ho_so: String,
    pub status: String,
    /// Reason, note or apology, by command.
    #[serde(default)]
    pub note: String,
    /// The appointment date (receive) or the new one (reschedule).
    #[serde(default)]
    pub due_date: String,
    /// The legacy system's own id of the message: the idempotency key.
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub unit: String,
    /// Supplement items: a list of texts, or one text.
    #[serde(default)]
    pub items: String,
    #[serde(default)]
    pub result_code: String,
    #[serde(default)]
    pub result_name: String,
    #[serde(default)]
    pub result_url: String,
    #[serde(default)]
    pub fee_code: String,
    #[serde(default)]
    pub fee_name: String,
    #[serde(default)]
    pub fee_amount: String,
}

impl Commands {
    fn named(&self) -> [(&'static str, &String); 14] {
        [
            ("ma_ho_so", &self.ma_ho_so),
            ("status", &self.status),
            ("note", &self.note),
            ("due_date", &self.due_date),
            ("request_id", &self.request_id),
            ("actor", &self.actor),
            ("unit", &self.unit),
            ("items", &self.items),
            ("result_code", &self.result_code),
            ("result_name", &self.result_name),
            ("result_url", &self.result_url),
            ("fee_code", &self.fee_code),
            ("fee_name", &self.fee_name),
            ("fee_amount", &self.fee_amount),
        ]
    }
}

#[derive(Debug, Clone)]
pub struct Outbound {
    pub endpoint: String,
    pub timeout: Duration,
    /// Canonical event type names sent; others are accepted untouched.
    pub events: HashSet<String>,
    pub headers: Vec<(String, String)>,
    /// (legacy field, canonical path), in the settings' order.
    pub fields: Vec<(String, Path)>,
    pub event_names: HashMap<String, String>,
    pub reply: Option<Reply>,
    /// Also send events of changes the legacy system made itself.
    pub send_own_changes: bool,
}

#[derive(Debug, Clone)]
pub struct Inbound {
    /// Lower-case header name.
    pub secret_header: String,
    pub secret: String,
    pub commands: Commands,
    pub processing_unit: String,
}

/// The checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub outbound: Option<Outbound>,
    pub inbound: Option<Inbound>,
    /// Legacy status code → canonical code.
    pub status_in: HashMap<String, i32>,
    /// Canonical code → legacy status code.
    pub status_out: HashMap<i32, String>,
    pub date_format: DateFormat,
}

fn err(key: impl Into<String>, problem: impl Into<String>) -> AdapterConfigError {
    AdapterConfigError::new(key, problem)
}

/// Every canonical event type name (`dossier_submitted`, …).
pub fn event_type_names() -> Vec<String> {
    (1..=15)
        .filter_map(|i| pb::EventType::try_from(i).ok())
        .map(type_name)
        .collect()
}

fn header_name(key: &str, name: &str) -> Result<String, AdapterConfigError> {
    axum::http::HeaderName::from_bytes(name.as_bytes())
        .map(|h| h.as_str().to_string())
        .map_err(|_| err(key, format!("{name:?} is not a valid HTTP header name")))
}

impl AdapterSettings for Settings {
    type Raw = Raw;

    fn from_raw(raw: Raw) -> Result<Settings, AdapterConfigError> {
        let date_format = DateFormat::parse_name(&raw.date_format).ok_or_else(|| {
            err(
                "date_format",
                format!(
                    "must be \"yyyyMMddHHmmss\" or \"rfc3339\", got {:?}",
                    raw.date_format
                ),
            )
        })?;
        let (status_in, status_out) = status_map(&raw.status_map)?;
        let outbound = outbound(&raw)?;
        let inbound = inbound(&raw)?;
        if outbound.is_none() && inbound.is_none() {
            return Err(err(
                "",
                "neither direction is configured: give `endpoint`, `events` and `fields` (outbound) and/or `secret_header`, `secret` and `commands` (inbound)",
            ));
        }
        Ok(Settings {
            outbound,
            inbound,
            status_in,
            status_out,
            date_format,
        })
    }
}

type StatusMaps = (HashMap<String, i32>, HashMap<i32, String>);

fn status_map(raw: &BTreeMap<String, i64>) -> Result<StatusMaps, AdapterConfigError> {
    if raw.is_empty() {
        return Err(err(
            "status_map",
            "must map the legacy status codes to the canonical codes 1–10",
        ));
    }
    let mut status_in = HashMap::new();
    let mut status_out: HashMap<i32, String> = HashMap::new();
    for (legacy, canonical) in raw {
        let key = format!("status_map.\"{legacy}\"");
        if legacy.trim().is_empty() {
            return Err(err(key, "the legacy code is empty"));
        }
        let code = match i32::try_from(*canonical) {
            Ok(code @ 1..=10) => code,
            _ => {
                return Err(err(
                    key,
                    format!("{canonical} is not a canonical status code (1–10)"),
                ))
            }
        };
        if let Some(other) = status_out.get(&code) {
            return Err(err(
                key,
                format!("canonical status {code} is already mapped from {other:?}: one legacy code per status, so the hub can write it back"),
            ));
        }
        status_out.insert(code, legacy.clone());
        status_in.insert(legacy.clone(), code);
    }
    Ok((status_in, status_out))
}

fn outbound(raw: &Raw) -> Result<Option<Outbound>, AdapterConfigError> {
    let Some(endpoint) = &raw.endpoint else {
        for (key, given) in [
            ("events", !raw.events.is_empty()),
            ("fields", !raw.fields.is_empty()),
            ("headers", !raw.headers.is_empty()),
            ("event_names", !raw.event_names.is_empty()),
            ("reply", raw.reply.is_some()),
            ("send_own_changes", raw.send_own_changes),
        ] {
            if given {
                return Err(err(
                    key,
                    "is an outbound setting: `endpoint` is required with it",
                ));
            }
        }
        return Ok(None);
    };
    let endpoint = endpoint.trim().to_string();
    check_http_url("endpoint", &endpoint)?;
    check_at_least("timeout_seconds", raw.timeout_seconds, 1)?;
    let known = event_type_names();
    if raw.events.is_empty() {
        return Err(err(
            "events",
            "must list the event types sent to the legacy system",
        ));
    }
    let named = raw
        .events
        .iter()
        .enumerate()
        .map(|(i, name)| (format!("events[{i}]"), name));
    let renamed = raw
        .event_names
        .keys()
        .map(|name| (format!("event_names.\"{name}\""), name));
    for (key, name) in named.chain(renamed) {
        if !known.contains(name) {
            return Err(err(
                key,
                format!(
                    "{name:?} is not an event type; use one of {}",
                    known.join(", ")
                ),
            ));
        }
    }
    let mut headers = Vec::new();
    for (name, value) in &raw.headers {
        let key = format!("headers.\"{name}\"");
        let name = header_name(&key, name)?;
        if axum::http::HeaderValue::from_str(value).is_err() {
            return Err(err(key, "is not a valid HTTP header value"));
        }
        headers.push((name, value.clone()));
    }
    if raw.fields.is_empty() {
        return Err(err("fields", "must map at least one legacy field"));
    }
    let mut fields = Vec::new();
    let mut probe = serde_json::Map::new();
    for (legacy, path) in &raw.fields {
        let key = format!("fields.\"{legacy}\"");
        if jsonpath::split(legacy).is_none() {
            return Err(err(
                key,
                "a legacy field name must not be empty or have empty parts",
            ));
        }
        let parsed = Path::parse(path).ok_or_else(|| {
            err(
                &key,
                format!(
                    "{path:?} is not a canonical path; use one of {}",
                    Path::known()
                ),
            )
        })?;
        if !jsonpath::set(&mut probe, legacy, serde_json::Value::Bool(true)) {
            return Err(err(
                key,
                "clashes with another field that uses the same name as a value",
            ));
        }
        fields.push((legacy.clone(), parsed));
    }
    let reply = match &raw.reply {
        None => None,
        Some(r) => {
            if jsonpath::split(&r.code_field).is_none() {
                return Err(err("reply.code_field", "is required"));
            }
            if r.success_codes.is_empty() {
                return Err(err("reply.success_codes", "must list at least one code"));
            }
            Some(Reply {
                code_field: r.code_field.clone(),
                success_codes: r.success_codes.iter().cloned().collect(),
                duplicate_codes: r.duplicate_codes.iter().cloned().collect(),
                retry_codes: r.retry_codes.iter().cloned().collect(),
                message_field: r.message_field.clone(),
                reference_field: r.reference_field.clone(),
            })
        }
    };
    Ok(Some(Outbound {
        endpoint,
        timeout: Duration::from_secs(raw.timeout_seconds),
        events: raw.events.iter().cloned().collect(),
        headers,
        fields,
        event_names: raw
            .event_names
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        reply,
        send_own_changes: raw.send_own_changes,
    }))
}

fn inbound(raw: &Raw) -> Result<Option<Inbound>, AdapterConfigError> {
    let Some(commands) = &raw.commands else {
        for (key, given) in [
            ("secret_header", raw.secret_header.is_some()),
            ("secret", raw.secret.is_some()),
        ] {
            if given {
                return Err(err(
                    key,
                    "is an inbound setting: `commands` is required with it",
                ));
            }
        }
        return Ok(None);
    };
    let secret_header = raw.secret_header.as_deref().ok_or_else(|| {
        err(
            "secret_header",
            "is required with `commands` (the legacy system's identity)",
        )
    })?;
    let secret_header = header_name("secret_header", secret_header)?;
    let secret = raw.secret.clone().unwrap_or_default();
    if secret.trim().len() < 16 {
        return Err(err(
            "secret",
            "is required with `commands` and must be at least 16 characters",
        ));
    }
    for (name, field) in commands.named() {
        let required = matches!(name, "ma_ho_so" | "status");
        if field.is_empty() && !required {
            continue;
        }
        if jsonpath::split(field).is_none() {
            return Err(err(
                format!("commands.{name}"),
                if required {
                    "is required: the legacy field that holds it".to_string()
                } else {
                    "must not be empty or have empty parts".to_string()
                },
            ));
        }
    }
    Ok(Some(Inbound {
        secret_header,
        secret,
        commands: commands.clone(),
        processing_unit: raw.processing_unit.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
        endpoint = "http://127.0.0.1:9/api"
        events = ["dossier_submitted", "dossier_received"]
        secret_header = "X-Legacy-Secret"
        secret = "0123456789abcdef"
        [headers]
        "X-Api-Key" = "k"
        [fields]
        "hoSo.soHoSo" = "dossier.ma_ho_so"
        maTrangThai = "dossier.status"
        [status_map]
        MOI = 1
        DA_TIEP_NHAN = 2
        [commands]
        ma_ho_so = "soHoSo"
        status = "maTrangThai"
    "#;

    fn parse(text: &str) -> Result<Settings, AdapterConfigError> {
        Settings::from_table(&text.parse::<toml::Table>().expect("TOML"))
    }

    #[test]
    fn reads_both_directions() {
        let c = parse(FULL).expect("valid");
        let out = c.outbound.expect("outbound");
        assert_eq!(out.fields.len(), 2);
        assert_eq!(
            out.headers,
            vec![("x-api-key".to_string(), "k".to_string())]
        );
        assert_eq!(c.status_in["DA_TIEP_NHAN"], 2);
        assert_eq!(c.status_out[&1], "MOI");
        assert_eq!(c.inbound.expect("inbound").secret_header, "x-legacy-secret");
        assert_eq!(c.date_format, DateFormat::Compact);
    }

    #[test]
    fn each_problem_names_its_key() {
        let cases = [
            (
                FULL.replace("= \"dossier.status\"", "= \"dossier.colour\""),
                "fields.\"maTrangThai\"",
            ),
            (
                FULL.replace("DA_TIEP_NHAN = 2", "DA_TIEP_NHAN = 11"),
                "status_map.\"DA_TIEP_NHAN\"",
            ),
            (
                FULL.replace("DA_TIEP_NHAN = 2", "DA_TIEP_NHAN = 1"),
                "status_map.\"MOI\"",
            ),
            (
                FULL.replace("\"dossier_received\"", "\"dossier_eaten\""),
                "events[1]",
            ),
            (FULL.replace("0123456789abcdef", "short"), "secret"),
            (
                FULL.replace("status = \"maTrangThai\"", "status = \"\""),
                "commands.status",
            ),
            (
                FULL.replace("endpoint = \"http://127.0.0.1:9/api\"", ""),
                "events",
            ),
            (
                FULL.replace(
                    "maTrangThai = \"dossier.status\"",
                    "\"hoSo\" = \"dossier.status\"",
                ),
                "fields.\"hoSo.soHoSo\"",
            ),
            (
                format!("date_format = \"dd/MM/yyyy\"\n{FULL}"),
                "date_format",
            ),
            (format!("colour = \"blue\"\n{FULL}"), "colour"),
        ];
        for (text, key) in cases {
            let e = parse(&text).expect_err(key);
            assert_eq!(e.key, key, "{e}");
        }
    }

    #[test]
    fn one_direction_is_enough_but_none_is_not() {
        let inbound_only = r#"
            secret_header = "X-S"
            secret = "0123456789abcdef"
            [status_map]
            A = 2
            [commands]
            ma_ho_so = "so"
            status = "tt"
        "#;
        let c = parse(inbound_only).expect("valid");
        assert!(c.outbound.is_none());
        let e = parse("[status_map]\nA = 2").expect_err("nothing");
        assert_eq!(e.key, "", "the table as a whole: {e}");
    }

    #[test]
    fn every_event_type_has_a_name() {
        let names = event_type_names();
        assert!(names.contains(&"dossier_submitted".to_string()));
        assert!(names.contains(&"catalog_published".to_string()));
        assert_eq!(names.len(), 15);
    }
}
