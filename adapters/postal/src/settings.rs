//! The `[partners.adapter]` settings of a postal provider, read strictly.
//!
//! The raw table is deserialised with unknown keys refused, then checked and
//! turned into [`Settings`], the typed form the rest of the crate uses. Every
//! problem names its key. Example:
//!
//! ```toml
//! [partners.adapter]
//! kind = "postal_http"
//! endpoint = "https://postal.example.vn/api"
//! api_key = "…"
//! timeout_seconds = 10
//! mode = "webhook"                 # or "poll"
//! webhook_secret = "…"             # webhook mode
//! webhook_tolerance_seconds = 300
//! poll_interval_seconds = 30       # poll mode (the cursor is kept in the hub's store;
//!                                  # a former `poll_cursor_file` is refused, naming this)
//! delivery_cod = "unpaid_fees"     # "none" (default), "unpaid_fees" or an amount in VND
//! read_token = "…"                 # required: bearer for GET orders/{ma_ho_so} and GET status
//! [partners.adapter.event_map]     # provider code → canonical state
//! "PICKUP:CREATED" = "pickup_requested"
//! "DELIVERY:CREATED" = "delivery_requested"
//! PICKED = "picked_up"
//! [partners.adapter.agencies."000.00.01.H22"]
//! name = "Bộ phận một cửa UBND tỉnh"
//! address = "…"
//! province = "Quảng Ninh"
//! district = "TP Hạ Long"
//! phone = "0203…"
//! ```

use crate::vocabulary::{ServiceType, TrackingState};
use lienthong_adapter::settings::{check_at_least, check_http_url, check_range, check_required};
use lienthong_adapter::{AdapterConfigError, AdapterSettings};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// The settings table as read, before it is checked (its fields stay private).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    endpoint: String,
    api_key: String,
    #[serde(default = "default_timeout")]
    timeout_seconds: u64,
    #[serde(default = "default_mode")]
    mode: String,
    #[serde(default)]
    webhook_secret: String,
    #[serde(default = "default_tolerance")]
    webhook_tolerance_seconds: u64,
    #[serde(default = "default_poll_interval")]
    poll_interval_seconds: u64,
    #[serde(default = "default_poll_page")]
    poll_page_size: u32,
    /// No longer read (the cursor is in the hub's store): refused, naming
    /// what replaced it.
    #[serde(default)]
    poll_cursor_file: Option<toml::Value>,
    event_map: BTreeMap<String, String>,
    agencies: BTreeMap<String, Agency>,
    #[serde(default)]
    pickup_cod: Option<CodSetting>,
    #[serde(default)]
    delivery_cod: Option<CodSetting>,
    #[serde(default = "default_provider_name")]
    provider_name: String,
    #[serde(default)]
    read_token: String,
}

fn default_timeout() -> u64 {
    10
}
fn default_mode() -> String {
    "webhook".to_string()
}
fn default_tolerance() -> u64 {
    300
}
fn default_poll_interval() -> u64 {
    30
}
fn default_poll_page() -> u32 {
    100
}
fn default_provider_name() -> String {
    "Bưu chính công ích".to_string()
}

/// The agency's side of an order (receiver of a pickup, sender of a result).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub name: String,
    pub address: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CodSetting {
    Amount(i64),
    Rule(String),
}

/// How much cash the postal worker collects from the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cod {
    None,
    /// The dossier's fees minus the payments already recorded.
    UnpaidFees,
    Fixed(i64),
}

/// Whether tracking events arrive by signed webhook or must be polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Webhook,
    Poll,
}

/// The checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL, without a trailing slash.
    pub endpoint: String,
    pub api_key: String,
    pub timeout: Duration,
    pub mode: Mode,
    pub webhook_secret: String,
    pub webhook_tolerance_seconds: u64,
    pub poll_interval: Duration,
    pub poll_page_size: u32,
    pub event_map: EventMap,
    pub agencies: BTreeMap<String, Agency>,
    pub pickup_cod: Cod,
    pub delivery_cod: Cod,
    pub provider_name: String,
    /// `GET orders/{ma_ho_so}` and `GET status` need `Authorization:
    /// Bearer <it>`; required (at least 16 characters).
    pub read_token: String,
}

/// Provider code → canonical state. A key is either a plain code (`PICKED`)
/// or one qualified by the service (`PICKUP:CREATED`), which wins.
#[derive(Debug, Clone, Default)]
pub struct EventMap {
    plain: HashMap<String, TrackingState>,
    qualified: HashMap<(ServiceType, String), TrackingState>,
}

impl EventMap {
    pub fn lookup(&self, service: ServiceType, code: &str) -> Option<TrackingState> {
        self.qualified
            .get(&(service, code.to_string()))
            .or_else(|| self.plain.get(code))
            .copied()
    }
}

impl AdapterSettings for Settings {
    type Raw = Raw;

    fn from_raw(raw: Raw) -> Result<Settings, AdapterConfigError> {
        Settings::check(raw)
    }
}

impl Settings {
    fn check(raw: Raw) -> Result<Settings, AdapterConfigError> {
        let endpoint = raw.endpoint.trim().trim_end_matches('/').to_string();
        check_http_url("endpoint", &endpoint)?;
        check_required("api_key", &raw.api_key)?;
        check_at_least("timeout_seconds", raw.timeout_seconds, 1)?;
        let mode = match raw.mode.as_str() {
            "webhook" => Mode::Webhook,
            "poll" => Mode::Poll,
            other => {
                return Err(AdapterConfigError::new(
                    "mode",
                    format!("must be \"webhook\" or \"poll\", got {other:?}"),
                ))
            }
        };
        if raw.read_token.trim().len() < 16 {
            return Err(AdapterConfigError::new(
                "read_token",
                "is required (at least 16 characters): it is the bearer token GET orders/{ma_ho_so} and GET status ask for",
            ));
        }
        if mode == Mode::Webhook && raw.webhook_secret.trim().len() < 16 {
            return Err(AdapterConfigError::new(
                "webhook_secret",
                "is required in webhook mode and must be at least 16 characters",
            ));
        }
        check_at_least(
            "webhook_tolerance_seconds",
            raw.webhook_tolerance_seconds,
            1,
        )?;
        check_at_least("poll_interval_seconds", raw.poll_interval_seconds, 1)?;
        check_range("poll_page_size", raw.poll_page_size, 1..=1000)?;
        if raw.poll_cursor_file.is_some() {
            return Err(AdapterConfigError::new(
                "poll_cursor_file",
                "is no longer read: the poller's cursor is kept in the hub's store (adapter state `poll/cursor`); remove the key (the first start without it reads the provider's feed again from the start, which changes nothing: events are taken once)",
            ));
        }
        let event_map = event_map(&raw.event_map)?;
        if raw.agencies.is_empty() {
            return Err(AdapterConfigError::new(
                "agencies",
                "must name at least one agency (the address the post collects for or delivers from)",
            ));
        }
        for (code, agency) in &raw.agencies {
            if agency.name.trim().is_empty() {
                return Err(AdapterConfigError::new(
                    format!("agencies.\"{code}\".name"),
                    "is required",
                ));
            }
            if agency.address.trim().is_empty() {
                return Err(AdapterConfigError::new(
                    format!("agencies.\"{code}\".address"),
                    "is required",
                ));
            }
        }
        Ok(Settings {
            endpoint,
            api_key: raw.api_key,
            timeout: Duration::from_secs(raw.timeout_seconds),
            mode,
            webhook_secret: raw.webhook_secret,
            webhook_tolerance_seconds: raw.webhook_tolerance_seconds,
            poll_interval: Duration::from_secs(raw.poll_interval_seconds),
            poll_page_size: raw.poll_page_size,
            event_map,
            agencies: raw.agencies,
            pickup_cod: cod("pickup_cod", raw.pickup_cod)?,
            delivery_cod: cod("delivery_cod", raw.delivery_cod)?,
            provider_name: raw.provider_name,
            read_token: raw.read_token,
        })
    }
}

fn event_map(raw: &BTreeMap<String, String>) -> Result<EventMap, AdapterConfigError> {
    if raw.is_empty() {
        return Err(AdapterConfigError::new(
            "event_map",
            "must map the provider's event codes to the canonical states",
        ));
    }
    let mut map = EventMap::default();
    for (key, value) in raw {
        let name = format!("event_map.\"{key}\"");
        let state = TrackingState::parse(value).ok_or_else(|| {
            let known: Vec<&str> = TrackingState::ALL.iter().map(|s| s.as_str()).collect();
            AdapterConfigError::new(
                &name,
                format!(
                    "{value:?} is not a canonical state; use one of {}",
                    known.join(", ")
                ),
            )
        })?;
        match key.split_once(':') {
            Some((service, code)) => {
                let service = match service {
                    "PICKUP" => ServiceType::Pickup,
                    "DELIVERY" => ServiceType::Delivery,
                    other => {
                        return Err(AdapterConfigError::new(
                            &name,
                            format!("the qualifier must be PICKUP or DELIVERY, got {other:?}"),
                        ))
                    }
                };
                if state.flow() != service {
                    return Err(AdapterConfigError::new(
                        &name,
                        format!("{state} is a {} state, not a {service} one", state.flow()),
                    ));
                }
                if code.trim().is_empty() {
                    return Err(AdapterConfigError::new(&name, "the code is empty"));
                }
                map.qualified.insert((service, code.to_string()), state);
            }
            None if key.trim().is_empty() => {
                return Err(AdapterConfigError::new(&name, "the code is empty"))
            }
            None => {
                map.plain.insert(key.clone(), state);
            }
        }
    }
    Ok(map)
}

fn cod(key: &str, raw: Option<CodSetting>) -> Result<Cod, AdapterConfigError> {
    match raw {
        None => Ok(Cod::None),
        Some(CodSetting::Amount(amount)) if amount >= 0 => Ok(Cod::Fixed(amount)),
        Some(CodSetting::Amount(amount)) => Err(AdapterConfigError::new(
            key,
            format!("an amount must not be negative, got {amount}"),
        )),
        Some(CodSetting::Rule(rule)) => match rule.as_str() {
            "none" => Ok(Cod::None),
            "unpaid_fees" => Ok(Cod::UnpaidFees),
            other => Err(AdapterConfigError::new(
                key,
                format!("must be \"none\", \"unpaid_fees\" or an amount in VND, got {other:?}"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().expect("test TOML")
    }

    const BASE: &str = r#"
        endpoint = "http://127.0.0.1:9/"
        api_key = "key"
        webhook_secret = "0123456789abcdef"
        read_token = "read-token-0123456789"
        [event_map]
        "PICKUP:CREATED" = "pickup_requested"
        "DELIVERY:CREATED" = "delivery_requested"
        DELIVERED = "delivered"
        [agencies."000.00.01.H22"]
        name = "Một cửa"
        address = "1 Trần Hưng Đạo"
    "#;

    // issue 10 defect 9
    #[test]
    fn an_adapter_without_a_read_token_refuses_to_start_naming_the_key() {
        let mut without = table(BASE);
        without.remove("read_token");
        let e = Settings::from_table(&without).expect_err("no read_token");
        assert_eq!(e.key, "read_token", "{e}");
    }

    #[test]
    fn reads_a_complete_table() {
        let config = Settings::from_table(&table(BASE)).expect("valid");
        assert_eq!(config.endpoint, "http://127.0.0.1:9");
        assert_eq!(config.mode, Mode::Webhook);
        assert_eq!(config.delivery_cod, Cod::None);
        assert_eq!(
            config.event_map.lookup(ServiceType::Pickup, "CREATED"),
            Some(TrackingState::PickupRequested)
        );
        assert_eq!(
            config.event_map.lookup(ServiceType::Delivery, "CREATED"),
            Some(TrackingState::DeliveryRequested)
        );
        assert_eq!(
            config.event_map.lookup(ServiceType::Delivery, "DELIVERED"),
            Some(TrackingState::Delivered)
        );
        assert_eq!(config.event_map.lookup(ServiceType::Delivery, "LOST"), None);
    }

    #[test]
    fn each_problem_names_its_key() {
        let cases = [
            (format!("surprise = 1\n{BASE}"), "surprise"),
            // After BASE, it lands in the last table: named by its path.
            (
                format!("{BASE}\nsurprise = 1"),
                "agencies.\"000.00.01.H22\".surprise",
            ),
            (BASE.replace("http://127.0.0.1:9/", "ftp://x"), "endpoint"),
            (BASE.replace("0123456789abcdef", "short"), "webhook_secret"),
            (
                BASE.replace("DELIVERED = \"delivered\"", "DELIVERED = \"gone\""),
                "event_map.\"DELIVERED\"",
            ),
            (
                BASE.replace(
                    "\"PICKUP:CREATED\" = \"pickup_requested\"",
                    "\"PICKUP:X\" = \"delivered\"",
                ),
                "event_map.\"PICKUP:X\"",
            ),
            (
                BASE.replace("address = \"1 Trần Hưng Đạo\"", "address = \"\""),
                "agencies.\"000.00.01.H22\".address",
            ),
            (format!("delivery_cod = \"all\"\n{BASE}"), "delivery_cod"),
            (format!("pickup_cod = -5\n{BASE}"), "pickup_cod"),
            (format!("mode = \"push\"\n{BASE}"), "mode"),
        ];
        for (text, key) in cases {
            let err = Settings::from_table(&table(&text)).expect_err(key);
            assert_eq!(err.key, key, "{err}");
        }
    }

    #[test]
    fn cod_accepts_rules_and_amounts() {
        let config = Settings::from_table(&table(&format!(
            "pickup_cod = 15000\ndelivery_cod = \"unpaid_fees\"\n{BASE}"
        )))
        .expect("valid");
        assert_eq!(config.pickup_cod, Cod::Fixed(15000));
        assert_eq!(config.delivery_cod, Cod::UnpaidFees);
    }

    #[test]
    fn poll_mode_needs_no_secret() {
        let text = format!(
            "mode = \"poll\"\n{}",
            BASE.replace("webhook_secret = \"0123456789abcdef\"", "")
        );
        assert_eq!(
            Settings::from_table(&table(&text)).expect("valid").mode,
            Mode::Poll
        );
    }

    #[test]
    fn a_poll_cursor_file_is_refused_naming_what_replaced_it() {
        let text = format!("poll_cursor_file = \"/var/lib/x\"\n{BASE}");
        let e = Settings::from_table(&table(&text)).expect_err("refused");
        assert_eq!(e.key, "poll_cursor_file");
        assert!(e.problem.contains("hub's store"), "{e}");
    }
}
