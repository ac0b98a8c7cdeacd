//! The unit's statistics for a period, computed from the read model (so
//! from the event stream): per procedure and channel, how many dossiers
//! were received, resolved early, on time or late, are still in processing
//! within their time or overdue, are paused, were returned, refused or
//! withdrawn (DOMAIN.md §7, the practice of the provinces' reports).
//!
//! The buckets, for a period `[from, until)`:
//! - received: received (2) inside the period;
//! - resolved: processing finished (9) inside the period, at the event's
//!   time; *late* when after the appointment date in force then, or when
//!   the dossier was rescheduled with an apology (Mẫu 04) at all — the
//!   apology is issued because the appointment given at reception was
//!   missed, and a new date must not turn a late dossier into an on-time
//!   one; *early* when on a calendar day (Vietnam) before the appointment
//!   day, *on time* otherwise (on the appointment day, by its hour);
//! - in processing at the period's end (or now, if sooner): received
//!   before it, neither finished nor closed before it, not paused; *overdue*
//!   once its appointment date is before that instant;
//! - paused: in a pause (5, 6, 8) that began before the period's end and
//!   still lasts — the read model keeps the current pause only, so a pause
//!   that began and ended in an earlier period is not counted;
//! - returned, refused, withdrawn: the event's time inside the period.

use super::row::is_pause;
use crate::domain::time::format_date;
use crate::domain::workspace::DossierRow;
use crate::domain::{Channel, Status, UnixMillis};
use std::collections::BTreeMap;

/// The buckets of one line (or the total).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub received: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    pub in_time: u64,
    pub overdue: u64,
    pub paused: u64,
    pub returned: u64,
    pub refused: u64,
    pub withdrawn: u64,
}

impl Counts {
    pub fn resolved(&self) -> u64 {
        self.early + self.on_time + self.late
    }

    /// Resolved early or on time, in per cent of the resolved (none: 100).
    pub fn on_time_percent(&self) -> u64 {
        match self.resolved() {
            0 => 100,
            n => (self.early + self.on_time) * 100 / n,
        }
    }

    fn add(&mut self, other: &Counts) {
        self.received += other.received;
        self.early += other.early;
        self.on_time += other.on_time;
        self.late += other.late;
        self.in_time += other.in_time;
        self.overdue += other.overdue;
        self.paused += other.paused;
        self.returned += other.returned;
        self.refused += other.refused;
        self.withdrawn += other.withdrawn;
    }

    fn is_empty(&self) -> bool {
        *self == Counts::default()
    }
}

/// A period: from its first instant, until (not including) `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: UnixMillis,
    pub until: UnixMillis,
}

impl Period {
    fn holds(&self, at: Option<UnixMillis>) -> bool {
        at.is_some_and(|at| self.from <= at && at < self.until)
    }
}

/// One line of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatLine {
    pub procedure_code: String,
    pub procedure_name: String,
    pub channel: Channel,
    pub counts: Counts,
}

/// What the statistics are narrowed to.
#[derive(Clone, Debug, Default)]
pub struct StatFilter {
    pub procedure: Option<String>,
    pub channel: Option<Channel>,
}

/// The buckets one dossier falls in for `period`, looked at `now`.
pub fn buckets(row: &DossierRow, period: Period, now: UnixMillis) -> Counts {
    let mut counts = Counts::default();
    if period.holds(row.received_at) {
        counts.received = 1;
    }
    if period.holds(row.finished_at) {
        let finished = row.finished_at.expect("held above");
        match row.due_at {
            _ if row.rescheduled => counts.late = 1,
            Some(due) if finished > due => counts.late = 1,
            Some(due) if day(finished) < day(due) => counts.early = 1,
            _ => counts.on_time = 1,
        }
    }
    let end = period.until.min(now);
    let before_end = |at: Option<UnixMillis>| at.is_some_and(|at| at < end);
    let paused_at_end = is_pause(row.status) && before_end(row.paused_since);
    if before_end(row.received_at)
        && !before_end(row.finished_at)
        && !before_end(row.closed_at)
        && !before_end(row.returned_at)
    {
        if paused_at_end {
            counts.paused = 1;
        } else if row.due_at.is_some_and(|due| due < end) {
            counts.overdue = 1;
        } else {
            counts.in_time = 1;
        }
    }
    if period.holds(row.returned_at) {
        counts.returned = 1;
    }
    if period.holds(row.closed_at) {
        match row.status {
            Status::Refused => counts.refused = 1,
            Status::Withdrawn => counts.withdrawn = 1,
            _ => {}
        }
    }
    counts
}

/// The Vietnam calendar day of an instant, as `yyyyMMdd`.
fn day(at: UnixMillis) -> String {
    format_date(at.0.div_euclid(1000))
}

fn channel_order(channel: Channel) -> u8 {
    match channel {
        Channel::Counter => 0,
        Channel::Online => 1,
        Channel::Postal => 2,
    }
}

/// The lines (per procedure and channel, in procedure code order; lines
/// with nothing to count are left out) and their total.
pub fn statistics(
    rows: &[DossierRow],
    period: Period,
    filter: &StatFilter,
    now: UnixMillis,
) -> (Vec<StatLine>, Counts) {
    let mut lines: BTreeMap<(String, u8), StatLine> = BTreeMap::new();
    let mut total = Counts::default();
    for row in rows {
        if filter
            .procedure
            .as_ref()
            .is_some_and(|p| *p != row.procedure_code)
            || filter.channel.is_some_and(|c| c != row.channel)
        {
            continue;
        }
        let counts = buckets(row, period, now);
        if counts.is_empty() {
            continue;
        }
        total.add(&counts);
        let line = lines
            .entry((row.procedure_code.clone(), channel_order(row.channel)))
            .or_insert_with(|| StatLine {
                procedure_code: row.procedure_code.clone(),
                procedure_name: row.procedure_name.clone(),
                channel: row.channel,
                counts: Counts::default(),
            });
        line.counts.add(&counts);
    }
    (lines.into_values().collect(), total)
}
