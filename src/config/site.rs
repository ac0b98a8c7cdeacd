//! `[site]`: this hub's site (its ministry or province code) and its peer
//! sites — each peer's code, the agencies whose dossiers its hub holds, and
//! the broker link to it. The links are RabbitMQ dynamic shovels that the
//! hub declares on its own broker through the management API
//! (`amqp::sites`); nothing here connects anywhere. Absent: the hub knows
//! no other site, and a forward stays on this hub.

use super::{ConfigError, HubConfig};
use crate::domain::site::{PeerSite, SiteMap};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSection {
    /// This hub's site: the ministry's or province's code (`H22`, `BXD`),
    /// letters, digits, `-` and `_`, at most 32.
    pub code: String,
    /// This site's RabbitMQ management API (`http://user:password@host:15672`),
    /// where the hub declares a shovel to each peer. The user needs the
    /// `policymaker` tag (runtime parameters) on the vhost of `amqp.url`.
    pub management_url: String,
    /// How often the hub checks that each peer's shovel is declared as it
    /// should be (and declares it again when it is not).
    #[serde(default = "default_link_check_interval_seconds")]
    pub link_check_interval_seconds: u64,
    /// Transfers and changes sent to one peer and not yet acknowledged by
    /// its hub, at most; then the relay waits for acknowledgements.
    #[serde(default = "default_transfer_window_messages")]
    pub transfer_window_messages: usize,
    /// A transfer a peer has not acknowledged after this long is sent
    /// again, with every later one and with whole histories: a peer's
    /// broker may have dropped it (its hub had not yet bound its queue), or
    /// the peer found it came after one that never arrived.
    #[serde(default = "default_transfer_resend_seconds")]
    pub transfer_resend_seconds: u64,
    /// This hub is the national level: it takes the status changes its
    /// peers report of their own dossiers (those marked `national` on
    /// their side) and serves them through the same read API, read-only.
    /// Which provinces it hears is which peers it lists.
    #[serde(default)]
    pub national: bool,
    #[serde(default)]
    pub peers: Vec<PeerSection>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSection {
    /// The peer's site code.
    pub code: String,
    /// The agencies whose dossiers the peer's hub holds: a forward to one of
    /// them hands the dossier over to that hub.
    pub agencies: Vec<String>,
    /// The peer's RabbitMQ (`amqp://user:password@host:5672/vhost`): the
    /// shovel's destination. This hub never connects to it itself.
    pub amqp_url: String,
    /// The peer hub's site exchange on that broker (`<its amqp.prefix>.sites`).
    #[serde(default = "default_exchange")]
    pub exchange: String,
    /// The peer is the national level: it hears every change of the
    /// dossiers this site decides (its national view). It may list no
    /// agencies.
    #[serde(default)]
    pub national: bool,
}

fn default_link_check_interval_seconds() -> u64 {
    30
}

fn default_transfer_window_messages() -> usize {
    256
}

fn default_transfer_resend_seconds() -> u64 {
    30
}

fn default_exchange() -> String {
    "lienthong.sites".into()
}

/// A site code: it names queues, shovels, routing keys and the partner id
/// `site.<code>`, so no dots and nothing a name could trip on.
fn site_code(file: &str, key: &str, code: &str) -> Result<(), ConfigError> {
    let ok = !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            file,
            key,
            format!(
                "{} is not a site code (1 to 32 letters, digits, `-` or `_`, e.g. H22)",
                crate::domain::quoted(code)
            ),
        ))
    }
}

impl SiteSection {
    /// The map of sites the engine and the site edge work with.
    pub fn map(&self) -> SiteMap {
        SiteMap {
            code: self.code.clone(),
            peers: self
                .peers
                .iter()
                .map(|p| PeerSite {
                    code: p.code.clone(),
                    agencies: p.agencies.clone(),
                    national: p.national,
                })
                .collect(),
            national: self.national,
        }
    }

    pub(super) fn validate(&self, file: &str, config: &HubConfig) -> Result<(), ConfigError> {
        if config.amqp.url.is_none() {
            return Err(ConfigError::invalid(
                file,
                "site",
                "needs amqp.url: the links between sites are RabbitMQ shovels on this hub's broker",
            ));
        }
        site_code(file, "site.code", &self.code)?;
        crate::amqp::sites::check_management_url(&self.management_url)
            .map_err(|problem| ConfigError::invalid(file, "site.management_url", problem))?;
        if !(1..=3600).contains(&self.link_check_interval_seconds) {
            return Err(ConfigError::invalid(
                file,
                "site.link_check_interval_seconds",
                format!(
                    "must be between 1 and 3600 (is {})",
                    self.link_check_interval_seconds
                ),
            ));
        }
        if !(1..=65_536).contains(&self.transfer_window_messages) {
            return Err(ConfigError::invalid(
                file,
                "site.transfer_window_messages",
                format!(
                    "must be between 1 and 65536 (is {})",
                    self.transfer_window_messages
                ),
            ));
        }
        if !(1..=86_400).contains(&self.transfer_resend_seconds) {
            return Err(ConfigError::invalid(
                file,
                "site.transfer_resend_seconds",
                format!(
                    "must be between 1 and 86400 (is {})",
                    self.transfer_resend_seconds
                ),
            ));
        }
        if self.peers.is_empty() {
            return Err(ConfigError::invalid(
                file,
                "site.peers",
                "at least one peer site is needed (a hub alone needs no [site])",
            ));
        }
        for (i, peer) in self.peers.iter().enumerate() {
            let key = |name: &str| format!("site.peers[{i}].{name}");
            site_code(file, &key("code"), &peer.code)?;
            if peer.code == self.code {
                return Err(ConfigError::invalid(
                    file,
                    key("code"),
                    format!("{} is this hub's own site.code", peer.code),
                ));
            }
            if self.peers[..i].iter().any(|p| p.code == peer.code) {
                return Err(ConfigError::invalid(
                    file,
                    key("code"),
                    format!("site {} is listed twice", peer.code),
                ));
            }
            if peer.agencies.is_empty() && !peer.national {
                return Err(ConfigError::invalid(
                    file,
                    key("agencies"),
                    "at least one agency (a forward to one of them goes to this peer), unless the peer is `national`",
                ));
            }
            for (j, agency) in peer.agencies.iter().enumerate() {
                let agency_key = format!("site.peers[{i}].agencies[{j}]");
                crate::domain::codes::check_code(&agency_key, agency)
                    .map_err(|e| ConfigError::invalid(file, &agency_key, e.to_string()))?;
                let earlier = self.peers[..i]
                    .iter()
                    .find(|p| p.agencies.contains(agency))
                    .map(|p| p.code.clone())
                    .or_else(|| {
                        peer.agencies[..j]
                            .contains(agency)
                            .then(|| peer.code.clone())
                    });
                if let Some(site) = earlier {
                    return Err(ConfigError::invalid(
                        file,
                        agency_key,
                        format!("agency {agency} is already listed for site {site}"),
                    ));
                }
            }
            crate::amqp::sites::check_peer_url(&peer.amqp_url)
                .map_err(|problem| ConfigError::invalid(file, key("amqp_url"), problem))?;
            let exchange_ok = !peer.exchange.is_empty()
                && peer.exchange.len() <= 200
                && peer
                    .exchange
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            if !exchange_ok {
                return Err(ConfigError::invalid(
                    file,
                    key("exchange"),
                    "must be an exchange name: letters, digits, `.`, `-` or `_`",
                ));
            }
        }
        Ok(())
    }
}
