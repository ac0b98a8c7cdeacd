//! The working-time terms of one dossier, read once per page: the hub's
//! calendar and rules, and the time limit the procedures catalogue gives
//! for the dossier's procedure and channel (or why there is none). The
//! appointment date of a reception and the clock reading both come from
//! here, so the page and the form agree.

use super::clock;
use super::WebError;
use crate::domain::working_time::{HolidayCalendar, TimeLimit, WorkingRules};
use crate::domain::{Channel, Dossier, UnixMillis};
use crate::hub::Hub;
use std::sync::{Arc, OnceLock};

pub struct WorkingTerms {
    calendar: Arc<HolidayCalendar>,
    rules: WorkingRules,
    /// The limit for the dossier's channel, or why there is none (in
    /// Vietnamese, for the page).
    limit: Result<TimeLimit, String>,
}

fn channel_text(channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => "nộp trực tiếp",
        Channel::Online => "nộp trực tuyến",
        Channel::Postal => "nộp qua bưu chính",
    }
}

/// Reads the terms for `dossier`.
pub fn for_dossier(hub: &Hub, dossier: &Dossier) -> Result<WorkingTerms, WebError> {
    static CALENDAR: OnceLock<Arc<HolidayCalendar>> = OnceLock::new();
    let calendar = CALENDAR
        .get_or_init(|| Arc::new(HolidayCalendar::embedded_vn()))
        .clone();
    // TEMPORARY until the hub's own procedure terms land (m-forward).
    let entry = hub.catalog_entry("procedures", &dossier.procedure_code)?;
    let key = format!(
        "time_limit.{}",
        match dossier.channel {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    );
    let limit = entry
        .and_then(|e| {
            e.attributes
                .get(&key)
                .or(e.attributes.get("time_limit"))
                .cloned()
        })
        .and_then(|v| {
            let (n, unit) = v.split_once(' ')?;
            let n: u32 = n.parse().ok()?;
            match unit {
                "working_days" => Some(TimeLimit::WorkingDays(n)),
                "working_hours" => Some(TimeLimit::WorkingHours(n)),
                _ => None,
            }
        });
    Ok(WorkingTerms {
        calendar,
        rules: WorkingRules::default(),
        limit: limit.ok_or_else(|| {
            format!(
                "thủ tục {} chưa có thời hạn giải quyết cho hồ sơ {} trong danh mục thủ tục.",
                dossier.procedure_code,
                channel_text(dossier.channel)
            )
        }),
    })
}

impl WorkingTerms {
    /// What the clock replay needs, when the limit is known.
    pub fn clock(&self) -> Option<clock::Terms<'_>> {
        Some(clock::Terms {
            calendar: &self.calendar,
            rules: &self.rules,
            limit: self.limit(),
        })
    }

    pub fn limit(&self) -> Option<TimeLimit> {
        self.limit.as_ref().ok().copied()
    }

    /// The appointment date of `dossier` received `now`, or why there is
    /// none.
    pub fn appointment(&self, _dossier: &Dossier, now: UnixMillis) -> Result<UnixMillis, String> {
        let limit = self.limit.clone()?;
        crate::domain::working_time::due_date(
            clock::instant(now),
            limit,
            &self.calendar,
            &self.rules,
        )
        .map(clock::millis)
        .map_err(|e| format!("lịch làm việc không tính được ({e})."))
    }

    /// Seconds after local midnight when the working day ends.
    pub fn day_end_seconds(&self) -> i64 {
        self.rules
            .sessions()
            .last()
            .map(|s| i64::from(s.end.hour()) * 3600 + i64::from(s.end.minute()) * 60)
            .unwrap_or(17 * 3600)
    }
}

/// "15 ngày làm việc" / "8 giờ làm việc".
pub fn limit_text(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingDays(days) => format!("{days} ngày làm việc"),
        TimeLimit::WorkingHours(hours) => format!("{hours} giờ làm việc"),
    }
}
