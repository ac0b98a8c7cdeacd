//! Partner entries, checked and turned into the core's registry in one pass.
//! (Their `[partners.adapter]` tables are checked in `adapters.rs`.)

use super::{ClientCertificateSection, ConfigError, PartnerSection};
use crate::domain::codes::check_code;
use crate::domain::{CommandName, EventType};
use crate::partners::{
    token_digest, CertificateIdentity, Delivery, Partner, PartnerKind, PartnerRegistry, Scope,
    SubscriptionFilter,
};
use std::collections::{BTreeSet, HashSet};

const KINDS: &[(&str, PartnerKind)] = &[
    ("national_portal", PartnerKind::NationalPortal),
    ("one_stop", PartnerKind::OneStop),
    ("postal", PartnerKind::Postal),
    ("payment", PartnerKind::Payment),
    ("treasury", PartnerKind::Treasury),
    ("legacy", PartnerKind::Legacy),
    ("module", PartnerKind::Module),
];

/// Builds every partner once, checking each entry and that ids and tokens
/// are unique.
pub(super) fn registry(
    file: &str,
    partners: &[PartnerSection],
    amqp: bool,
) -> Result<PartnerRegistry, ConfigError> {
    let mut ids = HashSet::new();
    let mut digests = HashSet::new();
    let mut fingerprints = HashSet::new();
    let mut cert_names = HashSet::new();
    let mut built = Vec::with_capacity(partners.len());
    for (i, p) in partners.iter().enumerate() {
        let partner = build(file, i, p)?;
        if partner.delivery == Delivery::Amqp && !amqp {
            return Err(ConfigError::invalid(
                file,
                format!("partners[{i}].subscription.delivery"),
                "`amqp` needs `[amqp] url`",
            ));
        }
        if !ids.insert(partner.id.clone()) {
            return Err(ConfigError::invalid(
                file,
                format!("partners[{i}].id"),
                format!("`{}` is used by an earlier partner", partner.id),
            ));
        }
        if partner
            .token_sha256
            .is_some_and(|digest| !digests.insert(digest))
        {
            return Err(ConfigError::invalid(
                file,
                format!("partners[{i}].token"),
                "the same token is used by an earlier partner",
            ));
        }
        if let Some(identity) = &partner.certificate {
            // One certificate names one partner.
            if identity.sha256.iter().any(|f| !fingerprints.insert(*f)) {
                return Err(ConfigError::invalid(
                    file,
                    format!("partners[{i}].client_certificate.sha256"),
                    "a fingerprint is given to an earlier partner too",
                ));
            }
            if let Some(name) = identity
                .names
                .iter()
                .find(|n| !cert_names.insert(n.to_string()))
            {
                return Err(ConfigError::invalid(
                    file,
                    format!("partners[{i}].client_certificate.names"),
                    format!("`{name}` is given to an earlier partner too"),
                ));
            }
        }
        built.push(partner);
    }
    Ok(PartnerRegistry::new(built))
}

/// A partner known by its certificate needs a listener that asks for one.
pub(super) fn check_certificates(
    file: &str,
    partners: &[PartnerSection],
    tls: &super::TlsSettings,
) -> Result<(), ConfigError> {
    let client_ca = tls
        .files
        .as_ref()
        .is_some_and(|files| files.client_ca_file.is_some());
    match partners.iter().position(|p| p.client_certificate.is_some()) {
        Some(i) if !client_ca => Err(ConfigError::invalid(
            file,
            format!("partners[{i}].client_certificate"),
            "needs `tls.client_ca_file`: without it no listener asks for a client certificate",
        )),
        _ => Ok(()),
    }
}

/// `[partners.client_certificate]`, each fingerprint 32 bytes of hex.
fn certificate_identity(
    file: &str,
    i: usize,
    section: &ClientCertificateSection,
) -> Result<CertificateIdentity, ConfigError> {
    let key = |name: String| format!("partners[{i}].client_certificate.{name}");
    if section.sha256.is_empty() && section.names.is_empty() {
        return Err(ConfigError::invalid(
            file,
            key("sha256".into()),
            "give at least one fingerprint in `sha256` or one name in `names`",
        ));
    }
    let mut sha256 = Vec::new();
    for (j, text) in section.sha256.iter().enumerate() {
        let bytes = hex::decode(text.replace(':', ""))
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                ConfigError::invalid(
                    file,
                    key(format!("sha256[{j}]")),
                    "must be 64 hexadecimal digits (the SHA-256 of the certificate's DER bytes; `:` separators allowed)",
                )
            })?;
        sha256.push(bytes);
    }
    for (j, name) in section.names.iter().enumerate() {
        if name.is_empty() || name.len() > 253 || name.chars().any(|c| c.is_control() || c == ' ') {
            return Err(ConfigError::invalid(
                file,
                key(format!("names[{j}]")),
                "must be 1 to 253 characters, no spaces or control characters",
            ));
        }
    }
    Ok(CertificateIdentity {
        sha256,
        names: section.names.clone(),
    })
}

fn build(file: &str, i: usize, p: &PartnerSection) -> Result<Partner, ConfigError> {
    let key = |name: &str| format!("partners[{i}].{name}");
    let bad = |name: &str, problem: String| ConfigError::invalid(file, key(name), problem);
    let id_ok = !p.id.is_empty()
        && p.id.len() <= 64
        && p.id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !id_ok {
        return Err(bad(
            "id",
            "must be 1 to 64 letters, digits, `-` or `_`".into(),
        ));
    }
    let kind = KINDS
        .iter()
        .find(|(name, _)| *name == p.kind)
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            bad(
                "kind",
                format!(
                    "`{}` is not one of {}",
                    p.kind,
                    names(KINDS.iter().map(|k| k.0))
                ),
            )
        })?;
    let certificate = p
        .client_certificate
        .as_ref()
        .map(|c| certificate_identity(file, i, c))
        .transpose()?;
    let token_sha256 = match (&p.token, &p.token_sha256) {
        // A module hosted in the hub acts in-process: it needs no token, and
        // without one nothing outside the hub can act as it.
        (None, None) if kind == PartnerKind::Module => None,
        // Known by its client certificate instead of a token.
        (None, None) if certificate.is_some() => None,
        (Some(token), None) if token.len() >= 16 => Some(token_digest(token)),
        (Some(_), None) => return Err(bad("token", "must be at least 16 characters".into())),
        (None, Some(hex_digest)) => {
            let bytes = hex::decode(hex_digest).ok().filter(|b| b.len() == 32);
            let bytes = bytes.ok_or_else(|| {
                bad(
                    "token_sha256",
                    "must be 64 hexadecimal digits (a SHA-256)".into(),
                )
            })?;
            Some(bytes.try_into().expect("checked length"))
        }
        (None, None) => {
            return Err(bad(
                "token",
                "one of `token` or `token_sha256` is required, unless `[partners.client_certificate]` identifies the partner (a `module` partner needs neither)".into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err(bad(
                "token",
                "give `token` or `token_sha256`, not both".into(),
            ))
        }
    };
    let commands = scope(&p.commands, |j, name| {
        let known = CommandName::ALL.iter().map(|c| c.as_str());
        CommandName::parse(name)
            .ok_or_else(|| bad(&format!("commands[{j}]"), unknown("command", name, known)))
    })?;
    // `key[j]` must be a code of `what` (an agency, a procedure).
    let a_code = |key: &str, what: &str, j: usize, value: &String| {
        check_code("", value).map(|_| value.clone()).map_err(|_| {
            bad(
                &format!("{key}[{j}]"),
                format!("`{value}` is not {what} code"),
            )
        })
    };
    let agencies = scope(&p.agencies, |j, c| a_code("agencies", "an agency", j, c))?;
    let subscription = match &p.subscription {
        None => None,
        Some(s) => {
            let event_types = s
                .event_types
                .iter()
                .enumerate()
                .map(|(j, name)| {
                    let known = EventType::ALL.iter().map(|t| t.as_str());
                    let key = format!("subscription.event_types[{j}]");
                    EventType::parse(name)
                        .ok_or_else(|| bad(&key, unknown("event type", name, known)))
                })
                .collect::<Result<_, _>>()?;
            for (j, c) in s.agencies.iter().enumerate() {
                a_code("subscription.agencies", "an agency", j, c)?;
            }
            for (j, c) in s.procedures.iter().enumerate() {
                a_code("subscription.procedures", "a procedure", j, c)?;
            }
            // A partner never receives events of agencies it may not act for:
            // an empty agency filter means "all of mine", and an explicit one
            // must stay within them.
            let agencies = match (&agencies, s.agencies.is_empty()) {
                (Scope::Only(mine), true) => mine.iter().cloned().collect(),
                (Scope::Only(mine), false) => {
                    if let Some((j, code)) = s
                        .agencies
                        .iter()
                        .enumerate()
                        .find(|(_, c)| !mine.contains(*c))
                    {
                        return Err(bad(
                            &format!("subscription.agencies[{j}]"),
                            format!("`{code}` is not among the partner's `agencies`"),
                        ));
                    }
                    s.agencies.clone()
                }
                (Scope::All, _) => s.agencies.clone(),
            };
            Some(SubscriptionFilter {
                event_types,
                agencies,
                procedures: s.procedures.clone(),
                citizen_feedback: s.citizen_feedback,
            })
        }
    };
    let delivery =
        match p.subscription.as_ref().and_then(|s| s.delivery.as_deref()) {
            None if p.adapter.is_some() => Delivery::Adapter,
            Some("adapter") if p.adapter.is_some() => Delivery::Adapter,
            Some("adapter") => {
                return Err(bad(
                    "subscription.delivery",
                    "`adapter` needs a `[partners.adapter]` table".into(),
                ))
            }
            _ if p.adapter.is_some() => return Err(bad(
                "subscription.delivery",
                "a partner with an adapter receives its events through it: leave `delivery` out"
                    .into(),
            )),
            None | Some("grpc") => Delivery::Grpc,
            Some("amqp") => Delivery::Amqp,
            Some(other) => {
                return Err(bad(
                    "subscription.delivery",
                    format!("`{other}` is not `grpc`, `amqp` or `adapter`"),
                ))
            }
        };
    Ok(Partner {
        id: p.id.clone(),
        kind,
        token_sha256,
        certificate,
        commands,
        agencies,
        subscription,
        delivery,
    })
}

/// `["*"]` is everything; otherwise each item is parsed.
fn scope<T: Ord>(
    items: &[String],
    mut parse: impl FnMut(usize, &String) -> Result<T, ConfigError>,
) -> Result<Scope<T>, ConfigError> {
    if items.len() == 1 && items[0] == "*" {
        return Ok(Scope::All);
    }
    let mut set = BTreeSet::new();
    for (j, item) in items.iter().enumerate() {
        set.insert(parse(j, item)?);
    }
    Ok(Scope::Only(set))
}

/// Why `name` is not a `what`, listing the `known` ones.
fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str>) -> String {
    format!("unknown {what} `{name}`; known: {}", names(known))
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
