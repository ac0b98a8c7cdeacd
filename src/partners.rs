//! Who may connect, what each partner may do, and what each one receives.
//!
//! A partner is authenticated by the SHA-256 of its bearer token (the hub
//! never keeps the token itself), then authorised per command and per agency.
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

/// Which events a partner receives. An empty list matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionFilter {
    pub event_types: Vec<EventType>,
    pub agencies: Vec<String>,
    pub procedures: Vec<String>,
}

impl SubscriptionFilter {
    pub fn matches(&self, event: &Event) -> bool {
        let type_ok = self.event_types.is_empty() || self.event_types.contains(&event.event_type);
        // Catalogue events belong to no agency or procedure: only the type filter applies.
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
    pub commands: Scope<CommandName>,
    pub agencies: Scope<String>,
    pub subscription: Option<SubscriptionFilter>,
    pub delivery: Delivery,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("missing credential: send `authorization: Bearer <token>`")]
    MissingCredential,
    #[error("unknown credential")]
    UnknownCredential,
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

    pub fn authenticate(&self, bearer_token: Option<&str>) -> Result<Arc<Partner>, AccessError> {
        let token = bearer_token
            .filter(|t| !t.is_empty())
            .ok_or(AccessError::MissingCredential)?;
        self.by_digest
            .get(&token_digest(token))
            .cloned()
            .ok_or(AccessError::UnknownCredential)
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
