//! What the hub reads off a procedure's entry in the procedures catalogue:
//! its time limit per channel and the agencies of its inter-agency sequence.
//!
//! Why attributes of the catalogue entry: the time limit and the liên thông
//! order are published with the procedure (DOMAIN.md §4: procedure records
//! carry the channels and the time limits per channel), they change when the
//! procedure changes, and the catalogue is already versioned and shared. The
//! attribute names are the contract, written down here once:
//!
//! | attribute                          | value                                       |
//! |------------------------------------|---------------------------------------------|
//! | `time_limit`                       | `"15 working_days"` or `"8 working_hours"`  |
//! | `time_limit.counter` / `.online` / `.postal` | the same, for that channel only   |
//! | `interagency_sequence`             | agency codes in order, comma-separated      |
//!
//! A channel's own limit wins over `time_limit`. A publication with a
//! malformed value is refused whole (`catalog::Publication::validate`),
//! naming the entry, the attribute and the procedure, so a bad value never
//! reaches a receipt.

use super::catalog::CatalogEntry;
use super::codes::check_code;
use super::working_time::TimeLimit;
use super::{quoted, Channel, DomainError};

/// The attribute holding the limit for every channel.
pub const TIME_LIMIT: &str = "time_limit";
/// The prefix of a channel's own limit: `time_limit.<channel>`.
pub const TIME_LIMIT_PREFIX: &str = "time_limit.";
/// The attribute listing the agencies of the inter-agency sequence, in order.
pub const INTERAGENCY_SEQUENCE: &str = "interagency_sequence";

/// The working-time terms and liên thông order of one procedure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcedureTerms {
    pub code: String,
    /// `time_limit`, for any channel without its own.
    pub time_limit: Option<TimeLimit>,
    pub counter: Option<TimeLimit>,
    pub online: Option<TimeLimit>,
    pub postal: Option<TimeLimit>,
    /// Agency codes in the order a dossier travels; empty: no liên thông.
    pub interagency_sequence: Vec<String>,
}

/// The name of a channel in `time_limit.<channel>`.
pub fn channel_key(channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => "counter",
        Channel::Online => "online",
        Channel::Postal => "postal",
    }
}

impl ProcedureTerms {
    /// Reads the entry's attributes; errors name `<field>.attributes.<name>`
    /// (`field` is where the entry sits, e.g. `entries[3]`) and the
    /// procedure's code. Attributes the hub does not read are left alone.
    pub fn from_entry(field: &str, entry: &CatalogEntry) -> Result<ProcedureTerms, DomainError> {
        let mut terms = ProcedureTerms {
            code: entry.code.clone(),
            ..ProcedureTerms::default()
        };
        for (name, value) in &entry.attributes {
            let at = || format!("{field}.attributes.{name}");
            if name == TIME_LIMIT {
                terms.time_limit = Some(parse_time_limit(&at(), &entry.code, value)?);
            } else if let Some(channel) = name.strip_prefix(TIME_LIMIT_PREFIX) {
                let limit = Some(parse_time_limit(&at(), &entry.code, value)?);
                match channel {
                    "counter" => terms.counter = limit,
                    "online" => terms.online = limit,
                    "postal" => terms.postal = limit,
                    other => {
                        return Err(DomainError::invalid(
                            at(),
                            format!(
                                "procedure `{}`: {} is not a channel; \
                                 use time_limit.counter, time_limit.online or time_limit.postal",
                                entry.code,
                                quoted(other)
                            ),
                        ))
                    }
                }
            } else if name == INTERAGENCY_SEQUENCE {
                terms.interagency_sequence = parse_sequence(&at(), &entry.code, value)?;
            }
        }
        Ok(terms)
    }

    /// The limit for a dossier filed through `channel`: the channel's own,
    /// else `time_limit`; `None` when the catalogue gives neither.
    pub fn time_limit_for(&self, channel: Channel) -> Option<TimeLimit> {
        let own = match channel {
            Channel::Counter => self.counter,
            Channel::Online => self.online,
            Channel::Postal => self.postal,
        };
        own.or(self.time_limit)
    }

    /// Whether a dossier now at `from` may be forwarded to `to`: both are in
    /// the sequence and `to` comes right after `from`. The refusal names the
    /// sequence and the current agency.
    pub fn check_forward(&self, from: &str, to: &str) -> Result<(), DomainError> {
        let sequence = self.interagency_sequence.join(" → ");
        if self.interagency_sequence.is_empty() {
            return Err(DomainError::invalid(
                "forward.to_agency_code",
                format!(
                    "procedure `{}` has no inter-agency sequence (`{INTERAGENCY_SEQUENCE}` in the \
                     procedures catalogue): the dossier at `{from}` cannot be forwarded",
                    self.code
                ),
            ));
        }
        let position = |code: &str| self.interagency_sequence.iter().position(|a| a == code);
        let next = match position(from) {
            Some(i) => self.interagency_sequence.get(i + 1),
            None => {
                return Err(DomainError::invalid(
                    "forward.to_agency_code",
                    format!(
                        "the dossier's current agency `{from}` is not in the inter-agency sequence \
                         of procedure `{}` ({sequence})",
                        self.code
                    ),
                ))
            }
        };
        match next {
            Some(next) if next == to => Ok(()),
            Some(next) => Err(DomainError::invalid(
                "forward.to_agency_code",
                format!(
                    "`{to}` is not next in the inter-agency sequence of procedure `{}` \
                     ({sequence}): from the current agency `{from}` the dossier goes to `{next}`",
                    self.code
                ),
            )),
            None => Err(DomainError::invalid(
                "forward.to_agency_code",
                format!(
                    "the current agency `{from}` is the last of the inter-agency sequence of \
                     procedure `{}` ({sequence}): there is no agency to forward to",
                    self.code
                ),
            )),
        }
    }
}

/// `"<n> working_days"` or `"<n> working_hours"`, n at least 1.
fn parse_time_limit(field: &str, procedure: &str, value: &str) -> Result<TimeLimit, DomainError> {
    let bad = |why: &str| {
        DomainError::invalid(
            field,
            format!(
                "procedure `{procedure}`: {} {why}; write \"15 working_days\" or \
                 \"8 working_hours\"",
                quoted(value)
            ),
        )
    };
    let mut words = value.split_whitespace();
    let (Some(number), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(bad("is not a number and a unit"));
    };
    let n: u32 = number
        .parse()
        .map_err(|_| bad("does not start with a whole number"))?;
    if n == 0 {
        return Err(bad("is zero"));
    }
    if n > 3650 {
        return Err(bad("is longer than any procedure (at most 3650)"));
    }
    match unit {
        "working_days" => Ok(TimeLimit::WorkingDays(n)),
        "working_hours" => Ok(TimeLimit::WorkingHours(n)),
        _ => Err(bad("has an unknown unit")),
    }
}

/// Comma-separated agency codes, each a valid code, none twice, at least two.
fn parse_sequence(field: &str, procedure: &str, value: &str) -> Result<Vec<String>, DomainError> {
    let codes: Vec<String> = value.split(',').map(|c| c.trim().to_string()).collect();
    for (i, code) in codes.iter().enumerate() {
        check_code(&format!("{field}[{i}]"), code).map_err(|e| match e {
            DomainError::InvalidField { field, rule } => DomainError::InvalidField {
                field,
                rule: format!("procedure `{procedure}`: {rule}"),
            },
            other => other,
        })?;
        if codes[..i].contains(code) {
            return Err(DomainError::invalid(
                format!("{field}[{i}]"),
                format!("procedure `{procedure}`: agency `{code}` appears twice in the sequence"),
            ));
        }
    }
    if codes.len() < 2 {
        return Err(DomainError::invalid(
            field,
            format!(
                "procedure `{procedure}`: an inter-agency sequence names at least two agencies, \
                 comma-separated (has {})",
                quoted(value)
            ),
        ));
    }
    Ok(codes)
}

#[cfg(test)]
#[path = "procedure_tests.rs"]
mod tests;
