//! The working-time terms of one dossier, read with the dossier: the hub's
//! calendar and rules, the time limit the procedures catalogue gives for
//! the dossier's procedure and channel, and — computed by the hub, at the
//! moment the page or the form is served — the appointment date a
//! reception would get and the due date a resubmission would restart the
//! clock to. No form has a field for either: they are never typed.
//!
//! What cannot be computed (no limit in the catalogue) is kept as the
//! reason, in Vietnamese, for the page to say.

use super::clock;
use super::WebError;
use crate::domain::working_time::{TimeLimit, WorkingTime};
use crate::domain::{Channel, Dossier, Status, UnixMillis};
use crate::hub::{Hub, HubError};

pub struct WorkingTerms {
    working_time: WorkingTime,
    /// The limit for the dossier's channel, or why there is none.
    limit: Result<TimeLimit, String>,
    /// For a dossier waiting for reception: its appointment date if
    /// received now.
    appointment: Result<UnixMillis, String>,
    /// For a dossier waiting for a supplement: its due date if the
    /// supplement is recorded now.
    restarted_due: Option<UnixMillis>,
    /// The next agency of the procedure's inter-agency sequence (code and
    /// name), or why there is none.
    next_agency: Result<(String, String), String>,
}

fn channel_text(channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => "nộp trực tiếp",
        Channel::Online => "nộp trực tuyến",
        Channel::Postal => "nộp qua bưu chính",
    }
}

/// Why the hub could not give a date, for the page; `None` for a failure
/// that is not about the catalogue or the calendar.
fn why(error: &HubError, dossier: &Dossier) -> Option<String> {
    let procedure = &dossier.procedure_code;
    match error {
        HubError::NotFound { .. } => Some(format!(
            "thủ tục {procedure} chưa có trong danh mục thủ tục hành chính."
        )),
        HubError::NoTimeLimit { .. } => Some(format!(
            "thủ tục {procedure} chưa có thời hạn giải quyết cho hồ sơ {} trong danh mục thủ tục.",
            channel_text(dossier.channel)
        )),
        HubError::WorkingTime(e) => Some(format!("lịch làm việc chưa tính được ngày ({e}).")),
        HubError::Domain(e) => Some(format!("danh mục thủ tục không đọc được ({e}).")),
        _ => None,
    }
}

/// Reads the terms of `dossier` at `now` (on the blocking pool: the
/// catalogue is in the store).
pub fn for_dossier(
    hub: &Hub,
    dossier: &Dossier,
    now: UnixMillis,
) -> Result<WorkingTerms, WebError> {
    let explained = |e: HubError| why(&e, dossier).ok_or(WebError::Hub(e));
    let procedure = match hub.procedure_terms(&dossier.procedure_code) {
        Ok(terms) => Ok(terms),
        Err(e) => Err(explained(e)?),
    };
    let limit = match &procedure {
        Ok(terms) => terms.time_limit_for(dossier.channel).ok_or_else(|| {
            format!(
                "thủ tục {} chưa có thời hạn giải quyết cho hồ sơ {} trong danh mục thủ tục.",
                dossier.procedure_code,
                channel_text(dossier.channel)
            )
        }),
        Err(why) => Err(why.clone()),
    };
    let next_agency = match &procedure {
        Ok(terms) => next_in_sequence(&terms.interagency_sequence, &dossier.agency_code),
        Err(why) => Err(why.clone()),
    };
    let next_agency = match next_agency {
        Ok(code) => {
            let name = hub
                .catalog_entry("agencies", &code)?
                .map(|entry| entry.name)
                .unwrap_or_else(|| code.clone());
            Ok((code, name))
        }
        Err(why) => Err(why),
    };
    let appointment = if dossier.status == Status::Submitted {
        match hub.appointment(&dossier.procedure_code, dossier.channel, now) {
            Ok(appointment) => Ok(appointment.due_at),
            Err(e) => Err(explained(e)?),
        }
    } else {
        Err("hồ sơ đã qua bước tiếp nhận.".to_string())
    };
    let restarted_due = if dossier.status == Status::SupplementRequested {
        hub.due_after_supplement(dossier, now)?
    } else {
        None
    };
    Ok(WorkingTerms {
        working_time: hub.working_time().clone(),
        limit,
        appointment,
        restarted_due,
        next_agency,
    })
}

/// The agency after `current` in the sequence, or why there is none.
fn next_in_sequence(sequence: &[String], current: &str) -> Result<String, String> {
    if sequence.is_empty() {
        return Err("thủ tục không có quy trình liên thông giữa các cơ quan.".into());
    }
    match sequence.iter().position(|a| a == current) {
        None => Err(format!(
            "cơ quan {current} không có trong quy trình liên thông của thủ tục."
        )),
        Some(i) => sequence.get(i + 1).cloned().ok_or_else(|| {
            "cơ quan hiện tại là cơ quan cuối của quy trình liên thông.".to_string()
        }),
    }
}

impl WorkingTerms {
    /// What the clock replay needs.
    pub fn clock(&self) -> clock::Terms<'_> {
        clock::Terms {
            calendar: self.working_time.calendar(),
            rules: self.working_time.rules(),
            limit: self.limit(),
        }
    }

    pub fn limit(&self) -> Option<TimeLimit> {
        self.limit.as_ref().ok().copied()
    }

    /// The appointment date if the dossier is received now, or why there
    /// is none.
    pub fn appointment(&self) -> Result<UnixMillis, String> {
        self.appointment.clone()
    }

    /// The due date if the supplement is recorded now.
    pub fn restarted_due(&self) -> Option<UnixMillis> {
        self.restarted_due
    }

    /// The next agency of the inter-agency sequence: (code, name).
    pub fn next_agency(&self) -> Result<(String, String), String> {
        self.next_agency.clone()
    }

    /// Seconds after local midnight when the working day ends: a date
    /// typed on the apology letter means the end of that day.
    pub fn day_end_seconds(&self) -> i64 {
        self.working_time
            .rules()
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
