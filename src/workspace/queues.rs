//! The officers' queues, read off the read model: which dossiers each
//! queue holds, the filters and the search an officer narrows it with, and
//! paging.
//!
//! A queue is a rule over a row, its assignment and its deadline standing
//! at the moment the page is asked for, so "overdue" needs no job that
//! flags dossiers: a dossier is in the overdue queue from the first request
//! after its due instant passed.

use super::deadline::{deadline, Deadline};
use super::fold::fold;
use super::handover::is_active;
use crate::domain::working_time::{HolidayCalendar, WorkingRules};
use crate::domain::workspace::{Assignment, DossierRow};
use crate::domain::{Channel, Status, UnixMillis};
use std::collections::HashMap;

/// Rows on one page of a queue.
pub const PAGE_SIZE: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    WaitingForReception,
    Received,
    InProcessing,
    Mine,
    WaitingForApplicant,
    Stopped,
    NearDue,
    Overdue,
    Finished,
    ReturnedToday,
    All,
}

impl Queue {
    pub const ALL: [Queue; 11] = [
        Queue::WaitingForReception,
        Queue::Received,
        Queue::InProcessing,
        Queue::Mine,
        Queue::WaitingForApplicant,
        Queue::Stopped,
        Queue::NearDue,
        Queue::Overdue,
        Queue::Finished,
        Queue::ReturnedToday,
        Queue::All,
    ];

    /// Its name in addresses (`/mot-cua/hang-cho/<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            Queue::WaitingForReception => "cho-tiep-nhan",
            Queue::Received => "da-tiep-nhan",
            Queue::InProcessing => "dang-xu-ly",
            Queue::Mine => "cua-toi",
            Queue::WaitingForApplicant => "cho-bo-sung-nop-phi",
            Queue::Stopped => "dung-xu-ly",
            Queue::NearDue => "sap-den-han",
            Queue::Overdue => "qua-han",
            Queue::Finished => "cho-tra-ket-qua",
            Queue::ReturnedToday => "tra-hom-nay",
            Queue::All => "tat-ca",
        }
    }

    pub fn parse(slug: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Queue::WaitingForReception => "Chờ tiếp nhận",
            Queue::Received => "Đã tiếp nhận, chờ chuyển xử lý",
            Queue::InProcessing => "Đang xử lý",
            Queue::Mine => "Hồ sơ của tôi",
            Queue::WaitingForApplicant => "Chờ bổ sung, nộp phí",
            Queue::Stopped => "Dừng xử lý",
            Queue::NearDue => "Sắp đến hạn",
            Queue::Overdue => "Quá hạn",
            Queue::Finished => "Chờ trả kết quả",
            Queue::ReturnedToday => "Đã trả kết quả hôm nay",
            Queue::All => "Tất cả hồ sơ",
        }
    }
}

/// What an officer narrowed a queue to. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub procedure: Option<String>,
    pub channel: Option<Channel>,
    /// The first day (its midnight, Vietnam time) of the date range …
    pub from: Option<UnixMillis>,
    /// … and the instant after its last day.
    pub until: Option<UnixMillis>,
    /// MaHoSo, applicant name or ID number, folded.
    pub search: String,
    /// Only this department's dossiers (in processing).
    pub department: Option<String>,
}

/// The unit a dossier is with: its assignment's department, else the unit
/// named when processing started, else the one-stop unit.
pub fn department_of<'a>(
    row: &'a DossierRow,
    assignment: Option<&'a Assignment>,
) -> Option<&'a str> {
    match assignment {
        Some(a) => a.department.as_deref(),
        None if !row.processing_unit.is_empty() => Some(row.processing_unit.as_str()),
        None => None,
    }
}

/// One dossier of a queue, with what the page shows beside it.
#[derive(Clone, Debug)]
pub struct QueueItem {
    pub row: DossierRow,
    pub assignment: Option<Assignment>,
    pub deadline: Deadline,
}

/// One page of a queue.
#[derive(Clone, Debug)]
pub struct Listing {
    pub items: Vec<QueueItem>,
    /// Dossiers in the queue after the filters.
    pub total: usize,
    /// 1-based, at most `pages`.
    pub page: usize,
    pub pages: usize,
    /// Every queue's size before the filters, for the navigation.
    pub counts: Vec<(Queue, usize)>,
}

/// What a queue is asked with.
pub struct QueueRequest<'a> {
    pub queue: Queue,
    pub filter: &'a QueueFilter,
    /// The signed-in officer's login, for "của tôi".
    pub officer: &'a str,
    pub now: UnixMillis,
    /// The start of today in Vietnam, for "returned today".
    pub today_starts: UnixMillis,
    pub page: usize,
}

fn holds(queue: Queue, item: &QueueItem, request: &QueueRequest) -> bool {
    let status = item.row.status;
    match queue {
        Queue::WaitingForReception => status == Status::Submitted,
        Queue::Received => {
            status == Status::Received
                && item
                    .assignment
                    .as_ref()
                    .is_none_or(|a| a.department.is_none())
        }
        Queue::InProcessing => status == Status::Processing,
        Queue::Mine => {
            is_active(status)
                && item
                    .assignment
                    .as_ref()
                    .and_then(|a| a.specialist.as_ref())
                    .is_some_and(|s| s.login == request.officer)
        }
        Queue::WaitingForApplicant => {
            matches!(
                status,
                Status::SupplementRequested | Status::FinancialObligation
            )
        }
        Queue::Stopped => status == Status::Stopped,
        Queue::NearDue => item.deadline == Deadline::NearDue,
        Queue::Overdue => item.deadline == Deadline::Overdue,
        Queue::Finished => status == Status::Finished,
        Queue::ReturnedToday => {
            status == Status::ResultReturned
                && item
                    .row
                    .returned_at
                    .is_some_and(|at| at >= request.today_starts)
        }
        Queue::All => true,
    }
}

fn passes(filter: &QueueFilter, item: &QueueItem) -> bool {
    let row = &item.row;
    if filter
        .procedure
        .as_ref()
        .is_some_and(|p| *p != row.procedure_code)
    {
        return false;
    }
    if filter.channel.is_some_and(|c| c != row.channel) {
        return false;
    }
    let day = row.received_at.unwrap_or(row.submitted_at);
    if filter.from.is_some_and(|from| day < from) || filter.until.is_some_and(|u| day >= u) {
        return false;
    }
    if let Some(wanted) = &filter.department {
        if department_of(row, item.assignment.as_ref()) != Some(wanted.as_str()) {
            return false;
        }
    }
    if !filter.search.is_empty() {
        let found = fold(&row.ma_ho_so).contains(&filter.search)
            || fold(&row.owner_name).contains(&filter.search)
            || (!row.owner_id_number.is_empty() && row.owner_id_number.contains(&filter.search));
        if !found {
            return false;
        }
    }
    true
}

/// The requested page of the queue, from all the agency's rows.
pub fn list(
    rows: Vec<DossierRow>,
    mut assignments: HashMap<String, Assignment>,
    request: &QueueRequest,
    calendar: &HolidayCalendar,
    rules: &WorkingRules,
) -> Listing {
    let items: Vec<QueueItem> = rows
        .into_iter()
        .map(|row| QueueItem {
            deadline: deadline(&row, request.now, calendar, rules),
            assignment: assignments.remove(&row.ma_ho_so),
            row,
        })
        .collect();
    let counts = Queue::ALL
        .into_iter()
        .map(|q| (q, items.iter().filter(|i| holds(q, i, request)).count()))
        .collect();
    let mut held: Vec<QueueItem> = items
        .into_iter()
        .filter(|i| holds(request.queue, i, request) && passes(request.filter, i))
        .collect();
    match request.queue {
        // The latest return first; everything else by urgency: the nearest
        // due date first, then the oldest submission.
        Queue::ReturnedToday => held.sort_by_key(|i| std::cmp::Reverse(i.row.returned_at)),
        _ => held.sort_by_key(|i| {
            (
                i.row.due_at.unwrap_or(UnixMillis(i64::MAX)),
                i.row.submitted_at,
            )
        }),
    }
    let total = held.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = request.page.clamp(1, pages);
    let items = held
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Listing {
        items,
        total,
        page,
        pages,
        counts,
    }
}
