//! Sites: many hubs, one country. Each hub serves one site (a ministry or a
//! province, by its code); a dossier forwarded to an agency of another site
//! is handed over to that site's hub, which decides about it from then on,
//! and every later change flows back to the sites that keep a copy.
//!
//! This file is the pure part, shared by the engine (which writes) and the
//! site edge (which carries messages between hubs over RabbitMQ shovels):
//! the dossier's `SiteHold` (which site is authoritative, where it was
//! filed, who keeps a copy), the map of sites and their agencies, what a
//! committed event means for one peer (`outgoing`), the messages hubs send
//! each other (`SiteMessage`, JSON, versioned), and how a receiving hub
//! judges one (`judge`). Exactly once in effect rests on one rule: a
//! dossier's version only grows, and only its authoritative site makes it
//! grow, so a copy takes a change exactly when it is newer than what it has.

use super::{Dossier, Event, EventPayload, EventType, HistoryEntry};
use serde::{Deserialize, Serialize};

/// The version of the inter-site message format (`SiteMessage`).
pub const MESSAGE_FORMAT: u32 = 1;

/// Where a dossier stands between sites.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteHold {
    /// The site whose hub decides about the dossier now: the only one that
    /// accepts commands on it.
    pub authority: String,
    /// The site where it was filed (whose citizens' lookup shows it).
    pub origin: String,
    /// The sites that keep a copy and hear of every change the authority
    /// makes (the origin and every site it passed through).
    #[serde(default)]
    pub copies: Vec<String>,
}

impl SiteHold {
    /// A dossier filed here.
    pub fn filed_at(site: &str) -> SiteHold {
        SiteHold {
            authority: site.to_string(),
            origin: site.to_string(),
            copies: Vec::new(),
        }
    }

    /// The hold after `here` hands the dossier over to `to`: `to` decides,
    /// and every site that held it (this one too) keeps a copy.
    pub fn handed_over(current: Option<&SiteHold>, here: &str, to: &str) -> SiteHold {
        let current = current.cloned().unwrap_or_else(|| SiteHold::filed_at(here));
        let mut copies: Vec<String> = current
            .copies
            .iter()
            .filter(|c| c.as_str() != to)
            .cloned()
            .collect();
        if here != to && !copies.iter().any(|c| c == here) {
            copies.push(here.to_string());
        }
        SiteHold {
            authority: to.to_string(),
            origin: current.origin,
            copies,
        }
    }
}

/// One peer site: its code and the agencies whose dossiers its hub holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerSite {
    pub code: String,
    pub agencies: Vec<String>,
    /// The national level: it hears every change of the dossiers this site
    /// decides, copy or not (its national view).
    pub national: bool,
}

/// This hub's site and its peers (from `[site]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteMap {
    pub code: String,
    pub peers: Vec<PeerSite>,
    /// This hub is the national level: it takes the changes its peers
    /// report of dossiers it keeps no copy of, and serves them read-only.
    pub national: bool,
}

impl SiteMap {
    /// The peer site an agency belongs to; `None` for this site's own
    /// agencies (every agency no peer lists).
    pub fn site_of_agency(&self, agency: &str) -> Option<&str> {
        self.peers
            .iter()
            .find(|p| p.agencies.iter().any(|a| a == agency))
            .map(|p| p.code.as_str())
    }

    pub fn is_peer(&self, code: &str) -> bool {
        self.peers.iter().any(|p| p.code == code)
    }

    /// Whether this site decides about `dossier`: a dossier without a hold
    /// never left this hub.
    pub fn decides(&self, dossier: &Dossier) -> bool {
        dossier
            .site
            .as_ref()
            .is_none_or(|h| h.authority == self.code)
    }
}

/// The partner id a site's changes are recorded under on this hub
/// (`site.<code>`: partner ids have no dot, so it is no partner's).
pub fn site_partner(code: &str) -> String {
    format!("site.{code}")
}

/// What a committed event of this hub means for one peer site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// The dossier was forwarded here to an agency of the peer: hand it
    /// over, with its history up to the event's version.
    Handover,
    /// A change of a dossier this site decides about and the peer keeps a
    /// copy of.
    Change,
}

/// Whether `event`, committed on the hub of site `here`, goes to `peer`
/// (`national`: the peer is the national level, which hears every change
/// of the dossiers this site decides).
pub fn outgoing(event: &Event, here: &str, peer: &str, national: bool) -> Option<Outgoing> {
    let EventPayload::DossierChanged { dossier, .. } = &event.payload else {
        return None;
    };
    let hold = dossier.site.as_ref()?;
    // What the peer itself sent is not echoed back to it.
    if event.partner_id == site_partner(peer) {
        return None;
    }
    let arrived_from_elsewhere = event.partner_id.starts_with("site.");
    if hold.authority == peer
        && event.event_type == EventType::DossierForwarded
        && !arrived_from_elsewhere
    {
        return Some(Outgoing::Handover);
    }
    if hold.authority == here && (national || hold.copies.iter().any(|c| c == peer)) {
        return Some(Outgoing::Change);
    }
    None
}

/// A dossier with the history lines that travel with it: its whole
/// history for a handover, the one new line for a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// The sending site.
    pub from_site: String,
    /// The event on the sending hub this transfer carries (its id is the
    /// receiver's idempotency key; its seq is what the receiver
    /// acknowledges).
    pub event_id: String,
    pub seq: u64,
    pub event_type: EventType,
    /// The agency the dossier left, for a forward.
    #[serde(default)]
    pub from_agency_code: String,
    pub dossier: Dossier,
    pub history: Vec<HistoryEntry>,
}

/// A receiver's word that it holds what the event `seq` carried — or, with
/// `refused`, that it will not take it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteAck {
    pub from_site: String,
    pub seq: u64,
    pub event_id: String,
    /// The receiver refused the transfer for this reason and keeps it in its
    /// `<prefix>.site.parked` for an operator. The sender keeps it pending
    /// (it was not taken) but does not send it again: it would be parked
    /// again. Absent in an acknowledgement of format 1 from an older hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// What hubs send each other, as JSON with the format version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SiteMessage {
    Handover(Transfer),
    Change(Transfer),
    Ack(SiteAck),
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    format: u32,
    #[serde(flatten)]
    message: SiteMessage,
}

impl SiteMessage {
    pub fn encode(&self) -> Vec<u8> {
        // A plain struct of strings and numbers always serialises.
        serde_json::to_vec(&Envelope {
            format: MESSAGE_FORMAT,
            message: self.clone(),
        })
        .unwrap_or_default()
    }

    /// The message, or why it is not one this hub reads.
    pub fn decode(bytes: &[u8]) -> Result<SiteMessage, String> {
        let envelope: Envelope =
            serde_json::from_slice(bytes).map_err(|e| format!("not a site message: {e}"))?;
        if envelope.format != MESSAGE_FORMAT {
            return Err(format!(
                "site message format {} (this hub reads {MESSAGE_FORMAT})",
                envelope.format
            ));
        }
        Ok(envelope.message)
    }

    pub fn from_site(&self) -> &str {
        match self {
            SiteMessage::Handover(t) | SiteMessage::Change(t) => &t.from_site,
            SiteMessage::Ack(a) => &a.from_site,
        }
    }
}

/// How a receiving hub takes a transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Already held (this version or a newer one): nothing to write, the
    /// sender is acknowledged all the same.
    Duplicate,
    /// Write the dossier and the history lines after `after_version`.
    Take { after_version: u64 },
    /// Newer than what is held, but the lines it brings start after a gap
    /// (`held` is held, the first line is `first`): an earlier transfer of
    /// the link never arrived. Nothing is written and the sender is not
    /// acknowledged; it sends again from its oldest unacknowledged
    /// transfer, with whole histories, which fills the gap.
    Gap { held: u64, first: u64 },
}

/// Why a transfer is refused (the message is kept for an operator).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SiteRefusal {
    #[error("site {from} is not a peer of this hub's [site]")]
    UnknownPeer { from: String },
    #[error("dossier {ma_ho_so} was handed over to site {to}, not to this site {here}")]
    NotForUs {
        ma_ho_so: String,
        to: String,
        here: String,
    },
    #[error("site {from} sent a change of dossier {ma_ho_so}, which it does not decide about (site {authority} does)")]
    NotAuthority {
        from: String,
        ma_ho_so: String,
        authority: String,
    },
    #[error("site {from} sent a change of dossier {ma_ho_so}, of which this hub keeps no copy")]
    NoCopy { from: String, ma_ho_so: String },
    #[error("site {from} sent a change of dossier {ma_ho_so}, which this site decides about")]
    DecidedHere { from: String, ma_ho_so: String },
    #[error("the transfer of dossier {ma_ho_so} carries no history line")]
    NoHistory { ma_ho_so: String },
}

/// Judges a handover (`handover`) or a change from `transfer.from_site`
/// against what this hub holds of the dossier (`local`).
pub fn judge(
    sites: &SiteMap,
    handover: bool,
    transfer: &Transfer,
    local: Option<&Dossier>,
) -> Result<Judgement, SiteRefusal> {
    let from = &transfer.from_site;
    let ma_ho_so = &transfer.dossier.ma_ho_so;
    if !sites.is_peer(from) {
        return Err(SiteRefusal::UnknownPeer { from: from.clone() });
    }
    if transfer.history.is_empty() {
        return Err(SiteRefusal::NoHistory {
            ma_ho_so: ma_ho_so.clone(),
        });
    }
    let authority = transfer
        .dossier
        .site
        .as_ref()
        .map(|h| h.authority.clone())
        .unwrap_or_default();
    if handover {
        if authority != sites.code {
            return Err(SiteRefusal::NotForUs {
                ma_ho_so: ma_ho_so.clone(),
                to: authority,
                here: sites.code.clone(),
            });
        }
    } else {
        if &authority != from {
            return Err(SiteRefusal::NotAuthority {
                from: from.clone(),
                ma_ho_so: ma_ho_so.clone(),
                authority,
            });
        }
        let Some(local) = local else {
            // The national level takes what a province reports of its own
            // dossiers: its view starts with the first change it hears.
            if sites.national {
                return Ok(gap_or_take(transfer, 0));
            }
            return Err(SiteRefusal::NoCopy {
                from: from.clone(),
                ma_ho_so: ma_ho_so.clone(),
            });
        };
        if sites.decides(local) && local.version < transfer.dossier.version {
            return Err(SiteRefusal::DecidedHere {
                from: from.clone(),
                ma_ho_so: ma_ho_so.clone(),
            });
        }
    }
    let held = local.map_or(0, |d| d.version);
    if held >= transfer.dossier.version {
        return Ok(Judgement::Duplicate);
    }
    Ok(gap_or_take(transfer, held))
}

/// Take what is newer than `held`, unless the transfer's lines start after
/// a gap and it does not carry the dossier's history from its first
/// version: then an earlier transfer is missing and will come again (the
/// sender resends, whole). A whole history with a gap in it is the
/// sender's own loss, and is taken as it is (nothing better will come).
fn gap_or_take(transfer: &Transfer, held: u64) -> Judgement {
    let first_new = transfer
        .history
        .iter()
        .map(|line| line.version)
        .filter(|version| *version > held)
        .min();
    let starts_at_first_version = transfer.history.iter().any(|line| line.version == 1);
    match first_new {
        Some(first) if first > held + 1 && !starts_at_first_version => {
            Judgement::Gap { held, first }
        }
        _ => Judgement::Take {
            after_version: held,
        },
    }
}

#[cfg(test)]
#[path = "site_tests.rs"]
mod tests;
