//! The portal's published statistics (Circular 32/2017 Art. 12 and the
//! provinces' practice), counted with the one-stop module's rules: every
//! dossier row goes through `workspace::statistics` — the same buckets
//! (received, resolved early / on time / late, in processing within time /
//! overdue) at the same instants — and this module only regroups its lines.
//!
//! - Per online service (a procedure the catalogue offers online, level 3
//!   or 4, or one with a dossier filed online): received online, resolved
//!   online, of which on time (early or on time), the ratio, and the total
//!   received online and offline, and satisfaction: the share of the
//!   period's ratings (`portal::feedback`, given in the period) that are
//!   "very satisfied" or "satisfied" (`with_satisfaction`); `None` — shown
//!   as "not yet available", never a number — while a service has none.
//! - Per agency and channel: resolved early / on time / late, in processing
//!   within time / overdue, received.

use crate::domain::workspace::DossierRow;
use crate::domain::{Channel, UnixMillis};
use crate::workspace::{statistics, Counts, Period, StatFilter};
use std::collections::{BTreeMap, BTreeSet};

/// One online service's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceLine {
    pub procedure_code: String,
    pub procedure_name: String,
    pub received_online: u64,
    pub resolved_online: u64,
    /// Resolved early or on time, of `resolved_online`.
    pub on_time_online: u64,
    /// Received through every channel.
    pub received_total: u64,
    /// Satisfied ratings in per cent of the period's ratings; `None`
    /// while the service has none.
    pub satisfaction: Option<u64>,
}

impl ServiceLine {
    /// On time in per cent of resolved; `None` when nothing was resolved
    /// (no ratio to speak of).
    pub fn on_time_percent(&self) -> Option<u64> {
        (self.resolved_online > 0).then(|| self.on_time_online * 100 / self.resolved_online)
    }
}

/// One agency's line for one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyLine {
    pub agency_code: String,
    pub channel: Channel,
    pub counts: Counts,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicStatistics {
    pub services: Vec<ServiceLine>,
    /// Per agency (code order), per channel (counter, online, postal);
    /// channels with nothing to count are left out.
    pub agencies: Vec<AgencyLine>,
    /// Every agency and channel together.
    pub total: Counts,
}

/// The statistics of `rows` for `period`, looked at `now`. `online` lists
/// the procedures the catalogue offers online (code → name); a procedure
/// with a dossier received online is an online service too.
pub fn public_statistics(
    rows: &[DossierRow],
    online: &BTreeMap<String, String>,
    period: Period,
    now: UnixMillis,
) -> PublicStatistics {
    let (lines, total) = statistics(rows, period, &StatFilter::default(), now);
    let mut services: BTreeMap<String, ServiceLine> = online
        .iter()
        .map(|(code, name)| (code.clone(), service_line(code, name)))
        .collect();
    for line in &lines {
        let is_online = line.channel == Channel::Online;
        if !is_online && !services.contains_key(&line.procedure_code) {
            continue;
        }
        let service = services
            .entry(line.procedure_code.clone())
            .or_insert_with(|| service_line(&line.procedure_code, &line.procedure_name));
        if service.procedure_name.is_empty() {
            service.procedure_name = line.procedure_name.clone();
        }
        service.received_total += line.counts.received;
        if is_online {
            service.received_online += line.counts.received;
            service.resolved_online += line.counts.resolved();
            service.on_time_online += line.counts.early + line.counts.on_time;
        }
    }
    // Offline dossiers of a procedure that became an online service only
    // through a later line were skipped above: count them now.
    let late_services: BTreeSet<String> = services
        .keys()
        .filter(|code| !online.contains_key(*code))
        .cloned()
        .collect();
    for line in &lines {
        if line.channel != Channel::Online && late_services.contains(&line.procedure_code) {
            if let Some(service) = services.get_mut(&line.procedure_code) {
                service.received_total += line.counts.received;
            }
        }
    }
    PublicStatistics {
        services: services.into_values().collect(),
        agencies: per_agency(rows, period, now),
        total,
    }
}

/// Fills each service's satisfaction from the ratings given in `period`.
pub fn with_satisfaction(
    stats: &mut PublicStatistics,
    ratings: &[crate::domain::feedback::Rating],
    period: Period,
) {
    for service in &mut stats.services {
        service.satisfaction =
            crate::portal::feedback::satisfied_percent(ratings.iter().filter(|r| {
                r.procedure_code == service.procedure_code
                    && period.from <= r.rated_at
                    && r.rated_at < period.until
            }));
    }
}

fn service_line(code: &str, name: &str) -> ServiceLine {
    ServiceLine {
        procedure_code: code.to_string(),
        procedure_name: name.to_string(),
        received_online: 0,
        resolved_online: 0,
        on_time_online: 0,
        received_total: 0,
        satisfaction: None,
    }
}

fn per_agency(rows: &[DossierRow], period: Period, now: UnixMillis) -> Vec<AgencyLine> {
    let mut by_agency: BTreeMap<&str, Vec<DossierRow>> = BTreeMap::new();
    for row in rows {
        by_agency
            .entry(row.agency_code.as_str())
            .or_default()
            .push(row.clone());
    }
    let mut out = Vec::new();
    for (agency, rows) in by_agency {
        for channel in [Channel::Counter, Channel::Online, Channel::Postal] {
            let filter = StatFilter {
                procedure: None,
                channel: Some(channel),
            };
            let (lines, counts) = statistics(&rows, period, &filter, now);
            if !lines.is_empty() {
                out.push(AgencyLine {
                    agency_code: agency.to_string(),
                    channel,
                    counts,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Status;

    const DAY: i64 = 86_400_000;
    /// 2026-03-02 03:00 UTC, 10:00 in Hanoi, a Monday.
    const T0: i64 = 1_772_420_400_000;

    fn row(ma: &str, agency: &str, procedure: &str, channel: Channel) -> DossierRow {
        DossierRow {
            ma_ho_so: ma.into(),
            dossier_id: 1,
            version: 1,
            agency_code: agency.into(),
            procedure_code: procedure.into(),
            procedure_name: format!("Thủ tục {procedure}"),
            channel,
            owner_name: "Nguyễn Văn A".into(),
            owner_id_number: "001099012345".into(),
            status: Status::Received,
            submitted_at: UnixMillis(T0),
            received_at: Some(UnixMillis(T0)),
            due_at: Some(UnixMillis(T0 + 20 * DAY)),
            finished_at: None,
            returned_at: None,
            closed_at: None,
            paused_since: None,
            overdue_when_paused: false,
            rescheduled: false,
            processing_unit: String::new(),
            updated_at: UnixMillis(T0),
        }
    }

    fn finished(mut r: DossierRow, at: i64) -> DossierRow {
        r.status = Status::Finished;
        r.due_at = Some(UnixMillis(T0 + 10 * DAY));
        r.finished_at = Some(UnixMillis(at));
        r
    }

    /// Hand-counted: procedure P (online in the catalogue) has 3 online
    /// dossiers — one finished two days before its due day (early), one a
    /// day after it (late), one still in time — and 2 at the counter, one
    /// of them overdue at `now` (due the day after reception).
    /// Procedure Q is not in the catalogue's online list but has one
    /// online dossier, so it is an online service too, with its counter
    /// dossier in the total. Procedure R (counter only) is no online
    /// service.
    #[test]
    fn per_service_figures_match_a_hand_count() {
        let a = "000.00.01.H22";
        let rows = vec![
            finished(row("1", a, "P", Channel::Online), T0 + 8 * DAY),
            finished(row("2", a, "P", Channel::Online), T0 + 11 * DAY),
            row("3", a, "P", Channel::Online),
            row("4", a, "P", Channel::Counter),
            {
                let mut r = row("5", a, "P", Channel::Counter);
                r.due_at = Some(UnixMillis(T0 + DAY));
                r
            },
            row("6", a, "Q", Channel::Counter),
            row("7", a, "Q", Channel::Online),
            row("8", a, "R", Channel::Counter),
        ];
        let online = BTreeMap::from([("P".to_string(), "Cấp phép".to_string())]);
        let period = Period {
            from: UnixMillis(T0 - DAY),
            until: UnixMillis(T0 + 30 * DAY),
        };
        let now = UnixMillis(T0 + 12 * DAY);
        let stats = public_statistics(&rows, &online, period, now);
        let p = &stats.services[0];
        assert_eq!(
            (
                p.procedure_code.as_str(),
                p.received_online,
                p.resolved_online,
                p.on_time_online,
                p.received_total
            ),
            ("P", 3, 2, 1, 5)
        );
        assert_eq!(p.on_time_percent(), Some(50));
        assert_eq!(p.satisfaction, None, "no ratings: not invented");
        let rated = |ma: &str, level, at: i64| crate::domain::feedback::Rating {
            ma_ho_so: ma.into(),
            agency_code: a.into(),
            procedure_code: "P".into(),
            level,
            comment: String::new(),
            rated_at: UnixMillis(at),
        };
        use crate::domain::feedback::Satisfaction::*;
        let ratings = [
            rated("1", VerySatisfied, T0 + 9 * DAY),
            rated("2", Unsatisfied, T0 + 12 * DAY),
            rated("9", Satisfied, T0 + 40 * DAY), // after the period
        ];
        let mut rated_stats = stats.clone();
        super::with_satisfaction(&mut rated_stats, &ratings, period);
        assert_eq!(rated_stats.services[0].satisfaction, Some(50));
        assert_eq!(
            rated_stats.services[1].satisfaction, None,
            "Q has no rating"
        );
        let q = &stats.services[1];
        assert_eq!(
            (
                q.procedure_code.as_str(),
                q.received_online,
                q.resolved_online,
                q.received_total
            ),
            ("Q", 1, 0, 2)
        );
        assert_eq!(q.on_time_percent(), None, "nothing resolved: no ratio");
        assert_eq!(stats.services.len(), 2, "R is no online service");

        let counter = &stats.agencies[0];
        assert_eq!(counter.channel, Channel::Counter);
        assert_eq!(
            (
                counter.counts.received,
                counter.counts.in_time,
                counter.counts.overdue
            ),
            (4, 3, 1)
        );
        let on_line = &stats.agencies[1];
        assert_eq!(on_line.channel, Channel::Online);
        let c = on_line.counts;
        assert_eq!(
            (c.received, c.early, c.on_time, c.late, c.in_time, c.overdue),
            (4, 1, 0, 1, 2, 0)
        );
        assert_eq!(stats.total.received, 8);
    }
}
