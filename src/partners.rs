//! Who may connect, what each partner may do, and what each one receives.
//!
//! A partner is authenticated by the SHA-256 of its bearer token (the hub
//! never keeps the token itself), by the client certificate it presented on a
//! mutual-TLS listener (its fingerprint or one of its names, as configured),
//! or by both — then both must name the same partner. It is then authorised
//! per command and per agency.
//! Its subscription filter decides which outbox events it receives; a partner
//! with a subscription also holds back retention of the events it has not yet
//! acknowledged.

use crate::domain::{CommandName, Event, EventType};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    NationalPortal,
    OneStop,
    Postal,
    Payment,
    Treasury,
    Legacy,
    /// A module: the one-stop workspace hosted inside the hub (no token: it
    /// acts only in-process), or a tool of the hub's own (with a token).
    Module,
}

/// `*` in configuration, or an explicit list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope<T: Ord> {
    All,
    Only(BTreeSet<T>),
}

impl<T: Ord> Scope<T> {
    pub fn allows(&self, item: &T) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(items) => items.contains(item),
        }
    }
}

/// Which events a partner receives. An empty list matches everything —
/// but the hosted portal's feedback events (`EventType::is_citizen_feedback`:
/// `dossier_rated`, `answer_published`), which a partner receives only when
/// `citizen_feedback` is set or it names them in `event_types`: partners
/// that subscribed to "everything" before these existed, and whose adapters
/// read only dossier events, are not handed them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionFilter {
    pub event_types: Vec<EventType>,
    pub agencies: Vec<String>,
    pub procedures: Vec<String>,
    /// Also the portal's ratings and published answers.
    pub citizen_feedback: bool,
}

impl SubscriptionFilter {
    /// Whether events of type `t` pass the type filter.
    pub fn wants_type(&self, t: EventType) -> bool {
        if self.event_types.contains(&t) {
            return true;
        }
        if t.is_citizen_feedback() {
            return self.citizen_feedback;
        }
        self.event_types.is_empty()
    }

    pub fn matches(&self, event: &Event) -> bool {
        let type_ok = self.wants_type(event.event_type);
        // Catalogue events and published answers belong to no procedure (an
        // answer may belong to no agency): only the type filter applies.
        // A forward is about both agencies: the sender's subscribers learn
        // the dossier left, the receiver's that it arrived.
        let agency_ok = self.agencies.is_empty()
            || event.agency_code.is_empty()
            || self.agencies.iter().any(|a| event.concerns_agency(a));
        let procedure_ok = self.procedures.is_empty()
            || event.procedure_code.is_empty()
            || self.procedures.contains(&event.procedure_code);
        type_ok && agency_ok && procedure_ok
    }
}

/// How a partner receives its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// `EventService.Subscribe` from a durable cursor it acknowledges.
    Grpc,
    /// Its own durable RabbitMQ queue, fed by the AMQP publisher.
    Amqp,
    /// Its adapter's sink, fed by the hub's delivery relay.
    Adapter,
}

#[derive(Clone, Debug)]
pub struct Partner {
    pub id: String,
    pub kind: PartnerKind,
    /// None for a hosted module, which never authenticates over the network
    /// (only a `module` partner may have none).
    pub token_sha256: Option<[u8; 32]>,
    /// The client certificate that identifies the partner on a mutual-TLS
    /// listener; when set, the partner must present it there (with its token
    /// too, when it has one).
    pub certificate: Option<CertificateIdentity>,
    pub commands: Scope<CommandName>,
    pub agencies: Scope<String>,
    pub subscription: Option<SubscriptionFilter>,
    pub delivery: Delivery,
}

/// A client certificate as the TLS edge saw it, verified against the
/// configured client CA: plain data, so the core never sees a TLS type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCertificate {
    /// SHA-256 of the certificate's DER bytes (its fingerprint).
    pub sha256: [u8; 32],
    /// Its DNS and URI subject alternative names and its subject common name.
    pub names: Vec<String>,
}

/// How configuration recognises a partner's client certificate: any of
/// these fingerprints (several, to rotate), or any of these names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateIdentity {
    pub sha256: Vec<[u8; 32]>,
    pub names: Vec<String>,
}

impl CertificateIdentity {
    pub fn matches(&self, certificate: &ClientCertificate) -> bool {
        self.sha256.contains(&certificate.sha256)
            || certificate.names.iter().any(|n| self.names.contains(n))
    }
}

/// What the transport knows of the caller's client certificate.
#[derive(Clone, Copy, Debug)]
pub enum PeerCertificate<'a> {
    /// A listener of the hub's own: the certificate the caller presented,
    /// or none.
    Seen(Option<&'a ClientCertificate>),
    /// A path on which the hub cannot see the sender's TLS session (an AMQP
    /// message: the connection is the broker's): the token alone counts.
    NotVisible,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("missing credential: send `authorization: Bearer <token>` or a client certificate")]
    MissingCredential,
    #[error("unknown credential")]
    UnknownCredential,
    /// The token and the certificate name different partners (or one of
    /// them names a partner the other does not belong to).
    #[error("the bearer token and the client certificate do not belong to the same partner")]
    CredentialsDisagree,
    #[error("this partner must present its client certificate")]
    CertificateRequired,
    #[error("this partner must send its bearer token with its client certificate")]
    TokenRequired,
    #[error("partner `{partner}` may not send `{command}`")]
    CommandNotAllowed {
        partner: String,
        command: &'static str,
    },
    #[error("partner `{partner}` may not act for agency {}", crate::domain::quoted(.agency))]
    AgencyNotAllowed { partner: String, agency: String },
    #[error("partner `{partner}` has no subscription in its configuration")]
    NoSubscription { partner: String },
}

impl Partner {
    pub fn check_command(&self, command: CommandName) -> Result<(), AccessError> {
        if self.commands.allows(&command) {
            Ok(())
        } else {
            Err(AccessError::CommandNotAllowed {
                partner: self.id.clone(),
                command: command.as_str(),
            })
        }
    }

    pub fn check_agency(&self, agency: &str) -> Result<(), AccessError> {
        if self.agencies.allows(&agency.to_string()) {
            Ok(())
        } else {
            Err(AccessError::AgencyNotAllowed {
                partner: self.id.clone(),
                agency: agency.to_string(),
            })
        }
    }
}

pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// All configured partners, looked up by token digest.
#[derive(Clone, Debug, Default)]
pub struct PartnerRegistry {
    by_digest: HashMap<[u8; 32], Arc<Partner>>,
    in_order: Vec<Arc<Partner>>,
}

impl PartnerRegistry {
    /// Partners must have distinct ids and tokens; configuration checks that
    /// and names the offending key before it gets here.
    pub fn new(partners: Vec<Partner>) -> Self {
        let in_order: Vec<Arc<Partner>> = partners.into_iter().map(Arc::new).collect();
        let by_digest = in_order
            .iter()
            .filter_map(|p| p.token_sha256.map(|digest| (digest, p.clone())))
            .collect();
        PartnerRegistry {
            by_digest,
            in_order,
        }
    }

    /// The partner the caller's credentials name. A partner configured with
    /// a certificate must present it on the hub's listeners, and one with a
    /// token must send it; when both are presented they must name the same
    /// partner. Nothing here says which partner a refused credential named.
    pub fn authenticate(
        &self,
        bearer_token: Option<&str>,
        peer: PeerCertificate<'_>,
    ) -> Result<Arc<Partner>, AccessError> {
        let by_token = match bearer_token.filter(|t| !t.is_empty()) {
            Some(token) => Some(
                self.by_digest
                    .get(&token_digest(token))
                    .cloned()
                    .ok_or(AccessError::UnknownCredential)?,
            ),
            None => None,
        };
        let certificate = match peer {
            PeerCertificate::Seen(certificate) => certificate,
            PeerCertificate::NotVisible => {
                return by_token.ok_or(AccessError::MissingCredential);
            }
        };
        let by_certificate = certificate.and_then(|c| {
            self.in_order
                .iter()
                .find(|p| p.certificate.as_ref().is_some_and(|id| id.matches(c)))
                .cloned()
        });
        match (by_token, by_certificate) {
            (Some(p), Some(q)) if p.id == q.id => Ok(p),
            (Some(_), Some(_)) => Err(AccessError::CredentialsDisagree),
            // The token's partner is known by a certificate it did not present.
            (Some(p), None) if p.certificate.is_some() => match certificate {
                Some(_) => Err(AccessError::CredentialsDisagree),
                None => Err(AccessError::CertificateRequired),
            },
            (Some(p), None) => Ok(p),
            (None, Some(q)) if q.token_sha256.is_some() => Err(AccessError::TokenRequired),
            (None, Some(q)) => Ok(q),
            (None, None) if certificate.is_some() => Err(AccessError::UnknownCredential),
            (None, None) => Err(AccessError::MissingCredential),
        }
    }

    /// The partner a client certificate names, if any (the HTTP callback
    /// listener checks it against the partner whose routes are called).
    pub fn by_certificate(&self, certificate: &ClientCertificate) -> Option<&Arc<Partner>> {
        self.in_order.iter().find(|p| {
            p.certificate
                .as_ref()
                .is_some_and(|id| id.matches(certificate))
        })
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Partner>> {
        self.in_order.iter().find(|p| p.id == id)
    }

    pub fn all(&self) -> &[Arc<Partner>] {
        &self.in_order
    }

    /// Partners that receive events, with their filters.
    pub fn subscribers(
        &self,
        delivery: Delivery,
    ) -> impl Iterator<Item = (&str, &SubscriptionFilter)> {
        self.in_order
            .iter()
            .filter(move |p| p.delivery == delivery)
            .filter_map(|p| p.subscription.as_ref().map(|f| (p.id.as_str(), f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CatalogPublished, EventPayload, UnixMillis};

    fn event(event_type: EventType, agency: &str) -> Event {
        Event {
            event_id: "e".into(),
            seq: 1,
            event_type,
            occurred_at: UnixMillis(0),
            partner_id: "module".into(),
            dossier_id: 0,
            ma_ho_so: String::new(),
            dossier_version: 0,
            agency_code: agency.into(),
            from_agency_code: String::new(),
            procedure_code: String::new(),
            from_status: None,
            to_status: None,
            payload: EventPayload::CatalogPublished(CatalogPublished {
                kind: "k".into(),
                version: 1,
                added: 0,
                changed: 0,
                removed: 0,
            }),
        }
    }

    #[test]
    fn the_portals_feedback_reaches_only_a_partner_that_asks_for_it() {
        let everything = SubscriptionFilter::default();
        assert!(everything.matches(&event(EventType::DossierReceived, "A")));
        assert!(everything.matches(&event(EventType::CatalogPublished, "")));
        for t in [EventType::DossierRated, EventType::AnswerPublished] {
            assert!(!everything.matches(&event(t, "A")), "{t:?} not asked for");
            let asked = SubscriptionFilter {
                citizen_feedback: true,
                ..SubscriptionFilter::default()
            };
            assert!(asked.matches(&event(t, "A")));
            let named = SubscriptionFilter {
                event_types: vec![t],
                ..SubscriptionFilter::default()
            };
            assert!(named.matches(&event(t, "A")));
            assert!(!named.matches(&event(EventType::DossierReceived, "A")));
        }
        // An answer addressed to no agency passes an agency filter, one of
        // another agency does not.
        let mine = SubscriptionFilter {
            agencies: vec!["A".into()],
            citizen_feedback: true,
            ..SubscriptionFilter::default()
        };
        assert!(mine.matches(&event(EventType::AnswerPublished, "")));
        assert!(!mine.matches(&event(EventType::AnswerPublished, "B")));
    }
}
