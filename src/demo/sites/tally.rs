//! What the sites demo reads back at the end, from each site's own hub:
//! the story's dossiers' timelines as every site holds them (each history
//! line marked at each site that holds it the same), and a tally per site —
//! every version of every dossier the site took part in (each one an
//! acknowledged command, at whichever site decided then) held once and in
//! order in its history and in its outbox, nothing pending toward a peer,
//! nothing parked.

use super::broker::Broker;
use super::hubs::SiteHub;
use super::story::Trip;
use super::SITES;
use crate::demo::timeline::{status_words, vietnam_time};
use crate::demo::DemoError;
use lienthong::grpc::pb;
use std::collections::BTreeMap;
use std::time::Duration;

/// One site's line of the tally.
pub struct SiteRow {
    pub site: &'static str,
    pub dossiers: usize,
    /// Versions of its dossiers, each one acknowledged command.
    pub versions: u64,
    /// History lines held at those versions, once each, in order.
    pub held: u64,
    /// Events of its outbox for those dossiers (an arrival with the whole
    /// history is one event).
    pub outbox: u64,
    /// Outbox events not newer than the one before for the same dossier.
    pub disorder: u64,
    /// Dossiers whose last outbox event is at the deciding site's version.
    pub current: usize,
    pub pending: u64,
    pub parked: u64,
}

impl SiteRow {
    fn ok(&self) -> bool {
        self.held == self.versions
            && self.current == self.dossiers
            && self.disorder == 0
            && self.pending == 0
            && self.parked == 0
    }
}

pub struct SitesTally {
    pub acknowledged: u64,
    pub rows: Vec<SiteRow>,
}

fn by_ma(ma: &str) -> pb::DossierRef {
    pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma.into())),
    }
}

/// The first three dossiers' timelines, as each site holds them.
pub async fn timelines(hubs: &[SiteHub], trips: &[Trip]) -> Result<(), DemoError> {
    println!(
        "\ntimelines (time in Asia/Ho_Chi_Minh; ✓ the site holds the line, · it takes no part):"
    );
    for trip in trips.iter().take(3) {
        let mut views = Vec::new();
        for hub in hubs {
            views.push(hub.reader.dossier(by_ma(&trip.ma)).await?);
        }
        println!("\n  #{} {} — {}", trip.number, trip.ma, trip.route);
        let seen: Vec<String> = views
            .iter()
            .zip(hubs)
            .map(
                |(view, hub)| match view.as_ref().and_then(|v| v.dossier.as_ref()) {
                    Some(d) => format!(
                        "{} v{} {}",
                        hub.site.code,
                        d.version,
                        status_words(d.status).trim()
                    ),
                    None => format!("{} —", hub.site.code),
                },
            )
            .collect();
        println!("     now: {}", seen.join(" | "));
        let Some(reference) = views[trip.authority].as_ref() else {
            continue;
        };
        for line in &reference.history {
            let marks: Vec<String> = views
                .iter()
                .zip(hubs)
                .map(|(view, hub)| {
                    let same = view.as_ref().is_some_and(|v| {
                        v.history.iter().any(|h| {
                            h.version == line.version
                                && h.command == line.command
                                && h.at == line.at
                        })
                    });
                    let mark = match (same, view.is_some()) {
                        (true, _) => "✓",
                        (false, true) => "✗",
                        (false, false) => "·",
                    };
                    format!("{} {mark}", hub.site.code)
                })
                .collect();
            let made = trip
                .made_at
                .get(line.version as usize - 1)
                .map(|s| SITES[*s].code)
                .unwrap_or("?");
            let at = line.at.as_ref().map(vietnam_time).unwrap_or_default();
            println!(
                "     v{:<2} {at} at {made}  {:<44} {:<16} {:<14} {}",
                line.version,
                status_words(line.to_status).trim(),
                line.command,
                line.actor,
                marks.join("  ")
            );
        }
    }
    Ok(())
}

/// Every dossier event of a site's outbox, read from the start until it
/// has nothing more for a while: (MaHoSo, version) in seq order.
async fn outbox(hub: &SiteHub) -> Result<Vec<(String, u64)>, DemoError> {
    let mut seen = Vec::new();
    let mut stream = hub.reader.subscribe_from(0).await?;
    while let Ok(Ok(Some(event))) =
        tokio::time::timeout(Duration::from_secs(2), stream.message()).await
    {
        if !event.ma_ho_so.is_empty() {
            seen.push((event.ma_ho_so, event.dossier_version));
        }
    }
    Ok(seen)
}

pub async fn count(
    broker: &Broker,
    hubs: &[SiteHub],
    trips: &[Trip],
) -> Result<SitesTally, DemoError> {
    let mut rows = Vec::new();
    for (i, hub) in hubs.iter().enumerate() {
        let mine: Vec<&Trip> = trips.iter().filter(|t| t.holders.contains(&i)).collect();
        let mut row = SiteRow {
            site: hub.site.code,
            dossiers: mine.len(),
            versions: mine.iter().map(|t| t.version).sum(),
            held: 0,
            outbox: 0,
            disorder: 0,
            current: 0,
            pending: hub.pending().await?.0,
            parked: broker
                .queue_messages(&hub.vhost, "lienthong.site.parked")
                .await?,
        };
        for trip in &mine {
            let Some(reply) = hub.reader.dossier(by_ma(&trip.ma)).await? else {
                continue;
            };
            let versions: Vec<u64> = reply.history.iter().map(|h| h.version).collect();
            // Held: the lines 1, 2, … in order, each once, up to the
            // deciding site's version.
            row.held += versions
                .iter()
                .enumerate()
                .take_while(|(n, v)| **v == *n as u64 + 1)
                .filter(|(_, v)| **v <= trip.version)
                .count() as u64;
        }
        let mut last: BTreeMap<String, u64> = BTreeMap::new();
        for (ma, version) in outbox(hub).await? {
            if !mine.iter().any(|t| t.ma == ma) {
                continue;
            }
            row.outbox += 1;
            let before = last.insert(ma, version).unwrap_or(0);
            if version <= before {
                row.disorder += 1;
            }
        }
        row.current = mine
            .iter()
            .filter(|t| last.get(&t.ma) == Some(&t.version))
            .count();
        rows.push(row);
    }
    Ok(SitesTally {
        acknowledged: trips.iter().map(|t| t.made_at.len() as u64).sum(),
        rows,
    })
}

impl SitesTally {
    pub fn print(&self) {
        println!(
            "\ntally per site ({} acknowledged commands, each one version of one dossier at the site that decided it then)",
            self.acknowledged
        );
        println!("site  dossiers  versions  held  outbox  current  disorder  pending  parked");
        for r in &self.rows {
            println!(
                "{:<4}  {:>8}  {:>8}  {:>4}  {:>6}  {:>7}  {:>8}  {:>7}  {:>6}  {}",
                r.site,
                r.dossiers,
                r.versions,
                r.held,
                r.outbox,
                r.current,
                r.disorder,
                r.pending,
                r.parked,
                if r.ok() { "✓" } else { "✗" }
            );
        }
        println!("  versions = every version of every dossier the site took part in (filed, passed through or decides)");
        println!("  held = history lines 1, 2, … held once and in order; outbox = its outbox events for those dossiers (an arrival is one event)");
        println!("  current = dossiers whose last outbox event is at the deciding site's version; disorder = outbox events not newer than the one before");
        println!("  pending = outbox events its relays to peers wait to have acknowledged; parked = transfers it refused");
    }

    /// What is missing anywhere, if anything.
    pub fn lost(&self) -> Option<String> {
        let bad: Vec<String> = self
            .rows
            .iter()
            .filter(|r| !r.ok())
            .map(|r| {
                format!(
                    "{}: {} of {} versions held, {} of {} dossiers current in its outbox, {} outbox events out of order, {} pending, {} parked",
                    r.site, r.held, r.versions, r.current, r.dossiers, r.disorder, r.pending, r.parked
                )
            })
            .collect();
        (!bad.is_empty()).then(|| bad.join("; "))
    }
}
