//! The dossier's working-time clock as its page reads it: replayed from
//! the history (reception, then each supplement request that stopped it and
//! each resubmission that restarted it) with the procedure's time limit,
//! and what that means now — running with the time left, near due,
//! overdue, or stopped with the days left.
//!
//! The due dates themselves (reception, resubmission) are the hub's
//! (`Hub::appointment`, `Hub::due_after_supplement`); this only reads them
//! back over the history, for the page.

use crate::domain::working_time::{
    deadline_status, instant, millis, read_clock, ClockEvent, ClockReading, DeadlineStatus,
    HolidayCalendar, TimeLimit, WorkingDuration, WorkingRules,
};
use crate::domain::{CommandName, Dossier, HistoryEntry, Status, UnixMillis};
use time::OffsetDateTime;

/// What the clock needs besides the dossier.
pub struct Terms<'a> {
    pub calendar: &'a HolidayCalendar,
    pub rules: &'a WorkingRules,
    /// The procedure's limit for the dossier's channel, when the catalogue
    /// gives one.
    pub limit: Option<TimeLimit>,
}

/// How the page shows the clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockView {
    /// One of `running`, `near`, `late`, `paused`, `done`, `none`: the
    /// badge's class.
    pub tone: &'static str,
    pub label: String,
    pub detail: String,
}

/// The clock's stops and restarts after reception: a supplement request
/// stops it, the resubmission restarts it. A request made at reception
/// (before the dossier was received) is not on the clock.
pub fn events(dossier: &Dossier, history: &[HistoryEntry]) -> Vec<ClockEvent> {
    let Some(received) = dossier.received_at else {
        return Vec::new();
    };
    let mut paused = false;
    let mut events = Vec::new();
    for entry in history.iter().filter(|e| e.at >= received) {
        let name = CommandName::parse(&entry.command);
        let Ok(at) = instant(entry.at) else {
            continue;
        };
        if name == Some(CommandName::RequestSupplement) && !paused {
            events.push(ClockEvent::Paused(at));
            paused = true;
        } else if name == Some(CommandName::SubmitSupplement) && paused {
            events.push(ClockEvent::Resumed(at));
            paused = false;
        }
    }
    events
}

/// The clock replayed over the history, when the limit is known.
pub fn reading(dossier: &Dossier, history: &[HistoryEntry], terms: &Terms) -> Option<ClockReading> {
    let received = instant(dossier.received_at?).ok()?;
    let limit = terms.limit?;
    read_clock(
        received,
        &events(dossier, history),
        limit,
        terms.calendar,
        terms.rules,
    )
    .ok()
}

/// "3 ngày 2 giờ 30 phút" of working time.
pub fn duration_text(duration: WorkingDuration, rules: &WorkingRules) -> String {
    let (days, rest) = duration.days_and_rest(rules);
    let hours = rest.seconds() / 3600;
    let minutes = rest.seconds() % 3600 / 60;
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} ngày"));
    }
    if hours > 0 {
        parts.push(format!("{hours} giờ"));
    }
    if minutes > 0 || parts.is_empty() {
        parts.push(format!("{minutes} phút"));
    }
    format!("{} làm việc", parts.join(" "))
}

fn when(at: OffsetDateTime) -> String {
    super::format::date_time(millis(at))
}

/// The clock as the page says it, at `now`.
pub fn view(
    dossier: &Dossier,
    history: &[HistoryEntry],
    now: UnixMillis,
    terms: &Terms,
) -> ClockView {
    let shown = |tone, label: &str, detail: String| ClockView {
        tone,
        label: label.to_string(),
        detail,
    };
    let due_text = dossier
        .due_at
        .map(super::format::date_time)
        .unwrap_or_else(|| "—".into());
    match dossier.status {
        Status::Submitted => {
            return shown(
                "none",
                "Chưa tính thời gian",
                "Hồ sơ chưa được tiếp nhận.".into(),
            )
        }
        Status::Refused | Status::Withdrawn => {
            return shown(
                "none",
                "Không tính thời gian",
                dossier.status.vietnamese().into(),
            )
        }
        Status::Finished | Status::ResultReturned => {
            let finished = history
                .iter()
                .rev()
                .find(|e| e.command == CommandName::Finish.as_str())
                .map(|e| e.at);
            let detail = match (finished, dossier.due_at) {
                (Some(at), Some(due)) => format!(
                    "Xử lý xong lúc {}, hẹn trả {} — {}.",
                    super::format::date_time(at),
                    due_text,
                    if at <= due {
                        "đúng hạn"
                    } else {
                        "quá hạn"
                    }
                ),
                _ => format!("Hẹn trả {due_text}."),
            };
            return shown("done", "Đã xử lý xong", detail);
        }
        Status::Stopped => {
            return shown(
                "paused",
                "Đã dừng xử lý",
                format!("Hẹn trả trước khi dừng: {due_text}."),
            )
        }
        _ => {}
    }
    let no_limit = || {
        shown(
            "none",
            "Chưa tính được thời gian",
            format!(
                "Thủ tục {} chưa có thời hạn giải quyết trong danh mục thủ tục. Hẹn trả: {due_text}.",
                dossier.procedure_code
            ),
        )
    };
    let Some(reading) = reading(dossier, history, terms) else {
        return no_limit();
    };
    let Ok(now) = instant(now) else {
        return no_limit();
    };
    let Ok(status) = deadline_status(&reading, now, terms.calendar, terms.rules) else {
        return no_limit();
    };
    let rules = terms.rules;
    match (status, reading) {
        (DeadlineStatus::Overdue { due }, ClockReading::Paused { since, .. }) => shown(
            "late",
            "Quá hạn, đang tạm dừng",
            format!(
                "Đã quá hạn từ {} trước khi tạm dừng lúc {} chờ bổ sung.",
                when(due),
                when(since)
            ),
        ),
        (DeadlineStatus::Overdue { due }, _) => shown(
            "late",
            "Quá hạn",
            format!("Hẹn trả {}: đã quá hạn.", when(due)),
        ),
        (DeadlineStatus::Paused { remaining }, ClockReading::Paused { since, .. }) => shown(
            "paused",
            "Tạm dừng tính thời gian",
            format!(
                "Dừng từ {} chờ bổ sung hồ sơ; còn lại {} khi nhận đủ bổ sung.",
                when(since),
                duration_text(remaining, rules)
            ),
        ),
        (DeadlineStatus::Paused { remaining }, _) => shown(
            "paused",
            "Tạm dừng tính thời gian",
            format!("Còn lại {}.", duration_text(remaining, rules)),
        ),
        (DeadlineStatus::NearDue { due, remaining }, _) => shown(
            "near",
            "Sắp đến hạn",
            format!(
                "Đang tính thời gian: còn {}, hẹn trả {}.",
                duration_text(remaining, rules),
                when(due)
            ),
        ),
        (DeadlineStatus::OnTime { due, remaining }, _) => shown(
            "running",
            "Đang tính thời gian",
            format!(
                "Còn {}, hẹn trả {}.",
                duration_text(remaining, rules),
                when(due)
            ),
        ),
    }
}
