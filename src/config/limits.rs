//! `[limits]`: each partner's rate and concurrency limits, a default for
//! every partner and `[limits.partners.<id>]` overrides, checked into one
//! `Limit` per partner. Absent: no limits at all (see README, "Per-partner
//! limits").

use super::ConfigError;
use crate::limits::Limit;
use crate::partners::PartnerRegistry;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    /// Requests a partner may start per second, sustained (0.5: one every
    /// two seconds).
    pub requests_per_second: f64,
    /// Requests it may start at once above that rate.
    pub burst_requests: u32,
    /// Requests it may have in progress at once.
    pub max_concurrent_requests: u32,
    /// Per partner id: any of the three keys above, for that partner only.
    pub partners: BTreeMap<String, LimitOverride>,
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            requests_per_second: 100.0,
            burst_requests: 200,
            max_concurrent_requests: 32,
            partners: BTreeMap::new(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverride {
    pub requests_per_second: Option<f64>,
    pub burst_requests: Option<u32>,
    pub max_concurrent_requests: Option<u32>,
}

const MIN_RATE: f64 = 0.001;
const MAX_RATE: f64 = 1_000_000.0;
const MAX_BURST: u32 = 1_000_000;
const MAX_CONCURRENT: u32 = 100_000;

/// Each configured partner's limit, or none when `[limits]` is absent.
pub(super) fn check(
    file: &str,
    section: Option<&LimitsSection>,
    partners: &PartnerRegistry,
) -> Result<Vec<(String, Limit)>, ConfigError> {
    let Some(section) = section else {
        return Ok(Vec::new());
    };
    let default = Limit {
        requests_per_second: section.requests_per_second,
        burst_requests: section.burst_requests,
        max_concurrent_requests: section.max_concurrent_requests,
    };
    valid(file, "limits", &default)?;
    for (id, over) in &section.partners {
        if partners.get(id).is_none() {
            return Err(ConfigError::invalid(
                file,
                format!("limits.partners.{id}"),
                format!("no partner has id `{id}` in [[partners]]"),
            ));
        }
        valid(
            file,
            &format!("limits.partners.{id}"),
            &apply(default, over),
        )?;
    }
    Ok(partners
        .all()
        .iter()
        .map(|p| {
            let limit = match section.partners.get(&p.id) {
                Some(over) => apply(default, over),
                None => default,
            };
            (p.id.clone(), limit)
        })
        .collect())
}

fn apply(default: Limit, over: &LimitOverride) -> Limit {
    Limit {
        requests_per_second: over
            .requests_per_second
            .unwrap_or(default.requests_per_second),
        burst_requests: over.burst_requests.unwrap_or(default.burst_requests),
        max_concurrent_requests: over
            .max_concurrent_requests
            .unwrap_or(default.max_concurrent_requests),
    }
}

fn valid(file: &str, table: &str, limit: &Limit) -> Result<(), ConfigError> {
    let rate = limit.requests_per_second;
    // NaN fails the range test too.
    if !(MIN_RATE..=MAX_RATE).contains(&rate) {
        return Err(ConfigError::invalid(
            file,
            format!("{table}.requests_per_second"),
            format!("must be between {MIN_RATE} and {MAX_RATE} (is {rate})"),
        ));
    }
    let checks = [
        ("burst_requests", limit.burst_requests, MAX_BURST),
        (
            "max_concurrent_requests",
            limit.max_concurrent_requests,
            MAX_CONCURRENT,
        ),
    ];
    for (key, value, high) in checks {
        if !(1..=high).contains(&value) {
            return Err(ConfigError::invalid(
                file,
                format!("{table}.{key}"),
                format!("must be between 1 and {high} (is {value})"),
            ));
        }
    }
    Ok(())
}
