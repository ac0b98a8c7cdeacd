//! The workspace's queues (`/mot-cua/hang-cho/<queue>`): every queue of the
//! officer's agency, read off the workspace's read model, with filters by
//! procedure, channel, date range and department, a search by MaHoSo,
//! applicant name (diacritics folded) or ID number, and paging. The rules
//! are the workspace room's (`crate::workspace`); this file only reads the
//! request, asks, and renders.

use super::format;
use super::pages::{html, OfficerBar};
use super::session::{self, SignedIn};
use super::{blocking, WebError, WebState};
use crate::domain::officer::{OfficerAccount, OfficerRole};
use crate::domain::time::{format_compact, parse_date};
use crate::domain::{Channel, UnixMillis};
use crate::workspace::{self, Deadline, Queue, QueueFilter, QueueRequest};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const QUEUES: &str = "/mot-cua/hang-cho";
pub const QUEUE: &str = "/mot-cua/hang-cho/:queue";

/// Where a dossier's own page is (the dossier page of the workspace).
pub fn dossier_href(ma_ho_so: &str) -> String {
    format!("/mot-cua/ho-so/{ma_ho_so}")
}

/// Longest search text taken.
const MAX_SEARCH_CHARS: usize = 100;

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    tim: String,
    #[serde(default, rename = "thu-tuc")]
    thu_tuc: String,
    #[serde(default)]
    kenh: String,
    #[serde(default, rename = "tu-ngay")]
    tu_ngay: String,
    #[serde(default, rename = "den-ngay")]
    den_ngay: String,
    #[serde(default)]
    phong: String,
    #[serde(default)]
    trang: String,
}

/// The channels as the filter names them.
const CHANNELS: [(&str, Channel); 3] = [
    ("truc-tiep", Channel::Counter),
    ("truc-tuyen", Channel::Online),
    ("buu-chinh", Channel::Postal),
];

pub struct NavLink {
    pub href: String,
    pub title: &'static str,
    pub count: usize,
    pub current: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A filter field the officer filled wrongly, and why.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

pub struct WorkRow {
    pub ma_ho_so: String,
    pub href: String,
    pub procedure: String,
    pub applicant: String,
    pub channel: &'static str,
    pub received: String,
    pub due: String,
    pub flag: Option<&'static str>,
    pub overdue: bool,
    pub status: &'static str,
    pub unit: String,
    pub assign_href: String,
}

#[derive(Template)]
#[template(path = "queues.html", config = "src/web/askama.toml")]
pub struct QueuesPage {
    pub officer: OfficerBar,
    pub nav: Vec<NavLink>,
    pub title: &'static str,
    pub action: String,
    pub search: String,
    pub procedures: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub departments: Vec<Choice>,
    pub show_departments: bool,
    pub from: String,
    pub to: String,
    pub errors: Vec<FieldError>,
    pub filtered: bool,
    /// The extra filters are open: one of them is set or wrong.
    pub more_open: bool,
    pub rows: Vec<WorkRow>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
    /// The read model had not caught up within the wait: what is shown may
    /// lag a little.
    pub lagging: bool,
}

impl QueuesPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The queue an officer starts from, by role.
pub fn first_queue_of(role: OfficerRole) -> Queue {
    match role {
        OfficerRole::Reception => Queue::WaitingForReception,
        OfficerRole::Specialist => Queue::Mine,
        OfficerRole::Leader | OfficerRole::Administrator => Queue::InProcessing,
    }
}

pub fn queue_href(queue: Queue) -> String {
    format!("{QUEUES}/{}", queue.slug())
}

pub async fn first_queue(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let Some(signed_in) = session::current(&state, &headers).await? else {
        return Ok(Redirect::to(super::officer_pages::SIGN_IN).into_response());
    };
    Ok(Redirect::to(&queue_href(first_queue_of(signed_in.account.role))).into_response())
}

pub fn officer_bar(signed_in: &SignedIn, agency: String) -> OfficerBar {
    let account = &signed_in.account;
    OfficerBar {
        name: account.name.clone(),
        role: account.role.vietnamese(),
        unit: account.unit.clone(),
        agency,
        csrf: signed_in.session.csrf_token.clone(),
    }
}

/// `dd/mm/yyyy` (as the pages write dates; `yyyy-mm-dd` too, what a date
/// picker sends) as the midnight starting that day in Vietnam.
pub fn parse_day(text: &str) -> Option<UnixMillis> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['/', '-']).collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let yyyymmdd = match parts.as_slice() {
        [d, m, y] if text.contains('/') && digits(d, 2) && digits(m, 2) && digits(y, 4) => {
            format!("{y}{m}{d}")
        }
        [y, m, d] if text.contains('-') && digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            format!("{y}{m}{d}")
        }
        _ => return None,
    };
    parse_date(&yyyymmdd).map(|seconds| UnixMillis(seconds * 1000))
}

const DAY_MILLIS: i64 = 86_400_000;

/// `HH:MM dd/mm/yyyy`, Vietnam time.
pub fn date_time(at: UnixMillis) -> String {
    let text = format_compact(at.0.div_euclid(1000));
    match (
        text.get(0..4),
        text.get(4..6),
        text.get(6..8),
        text.get(8..10),
        text.get(10..12),
    ) {
        (Some(y), Some(m), Some(d), Some(h), Some(min)) => format!("{h}:{min} {d}/{m}/{y}"),
        _ => "—".into(),
    }
}

/// The start of today in Vietnam.
pub fn today_starts(now: UnixMillis) -> UnixMillis {
    let offset = crate::domain::time::VIETNAM_OFFSET_SECONDS * 1000;
    UnixMillis((now.0 + offset).div_euclid(DAY_MILLIS) * DAY_MILLIS - offset)
}

/// The processing departments of an agency: the units of its specialists.
pub fn departments(accounts: &[OfficerAccount], agency: &str) -> Vec<String> {
    accounts
        .iter()
        .filter(|a| a.agency_code == agency && a.role == OfficerRole::Specialist)
        .map(|a| a.unit.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Reads the filter fields; a field that does not parse is named in
/// `errors` and does not filter.
fn read_filter(query: &QueueQuery, errors: &mut Vec<FieldError>) -> QueueFilter {
    let mut filter = QueueFilter::default();
    let search: String = query.tim.trim().chars().take(MAX_SEARCH_CHARS).collect();
    filter.search = workspace::fold(&search);
    if !query.thu_tuc.is_empty() {
        filter.procedure = Some(query.thu_tuc.clone());
    }
    if !query.kenh.is_empty() {
        match CHANNELS.iter().find(|(name, _)| *name == query.kenh) {
            Some((_, channel)) => filter.channel = Some(*channel),
            None => errors.push(FieldError {
                field: "kenh",
                message: "Kênh nộp không có trong danh sách.".into(),
            }),
        }
    }
    if !query.tu_ngay.is_empty() {
        match parse_day(&query.tu_ngay) {
            Some(day) => filter.from = Some(day),
            None => errors.push(FieldError {
                field: "tu-ngay",
                message: "Từ ngày phải là một ngày có thật, dạng ngày/tháng/năm.".into(),
            }),
        }
    }
    if !query.den_ngay.is_empty() {
        match parse_day(&query.den_ngay) {
            Some(day) => filter.until = Some(UnixMillis(day.0 + DAY_MILLIS)),
            None => errors.push(FieldError {
                field: "den-ngay",
                message: "Đến ngày phải là một ngày có thật, dạng ngày/tháng/năm.".into(),
            }),
        }
    }
    if let (Some(from), Some(until)) = (filter.from, filter.until) {
        if until.0 - DAY_MILLIS < from.0 {
            errors.push(FieldError {
                field: "den-ngay",
                message: "Đến ngày phải cùng ngày hoặc sau Từ ngày.".into(),
            });
            filter.until = None;
        }
    }
    if !query.phong.is_empty() {
        filter.department = Some(query.phong.clone());
    }
    filter
}

/// The query string of this page with `trang` set to `page`.
fn page_href(base: &str, query: &QueueQuery, page: usize) -> String {
    let pairs: Vec<(&str, String)> = [
        ("tim", query.tim.clone()),
        ("thu-tuc", query.thu_tuc.clone()),
        ("kenh", query.kenh.clone()),
        ("tu-ngay", query.tu_ngay.clone()),
        ("den-ngay", query.den_ngay.clone()),
        ("phong", query.phong.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .chain(std::iter::once(("trang", page.to_string())))
    .collect();
    format!(
        "{base}?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

pub async fn queue(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let Some(signed_in) = session::current(&state, &headers).await? else {
        return Ok(Redirect::to(super::officer_pages::SIGN_IN).into_response());
    };
    let Some(current) = Queue::parse(&slug) else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    let mut errors = Vec::new();
    let filter = read_filter(&query, &mut errors);
    let page = query.trang.parse::<usize>().unwrap_or(1);
    let caught_up = state.workspace.catch_up().await;
    let agency_code = signed_in.account.agency_code.clone();
    let login = signed_in.account.login.clone();
    let (workspace, module, officers) = (
        state.workspace.clone(),
        state.module.clone(),
        state.officers.clone(),
    );
    let filter_used = filter.clone();
    let (listing, procedures, departments, agency) = blocking(move || {
        let records = workspace.records();
        let rows = records.rows(&agency_code)?;
        let procedures: BTreeMap<String, String> = rows
            .iter()
            .map(|r| {
                let name = if r.procedure_name.is_empty() {
                    r.procedure_code.clone()
                } else {
                    r.procedure_name.clone()
                };
                (r.procedure_code.clone(), name)
            })
            .collect();
        let assignments: HashMap<_, _> = records
            .assignments(&agency_code)?
            .into_iter()
            .map(|a| (a.ma_ho_so.clone(), a))
            .collect();
        let now = UnixMillis::now();
        let request = QueueRequest {
            queue: current,
            filter: &filter_used,
            officer: &login,
            now,
            today_starts: today_starts(now),
            page,
        };
        let listing = workspace::list(
            rows,
            assignments,
            &request,
            workspace.calendar(),
            workspace.rules(),
        );
        let departments = departments(&officers.accounts()?, &agency_code);
        Ok((
            listing,
            procedures,
            departments,
            module.agency_name(&agency_code)?,
        ))
    })
    .await?;
    let base = queue_href(current);
    let rows = listing
        .items
        .iter()
        .map(|item| {
            let row = &item.row;
            let unit = match (
                workspace::department_of(row, item.assignment.as_ref()),
                item.assignment.as_ref().and_then(|a| a.specialist.as_ref()),
            ) {
                (Some(department), Some(specialist)) => {
                    format!("{department} · {}", specialist.name)
                }
                (Some(department), None) => department.to_string(),
                (None, _) => "Bộ phận Một cửa".to_string(),
            };
            WorkRow {
                ma_ho_so: row.ma_ho_so.clone(),
                href: dossier_href(&row.ma_ho_so),
                procedure: if row.procedure_name.is_empty() {
                    row.procedure_code.clone()
                } else {
                    row.procedure_name.clone()
                },
                applicant: format::mask_name(&row.owner_name),
                channel: format::channel(row.channel),
                received: row.received_at.map_or("—".into(), format::date),
                due: row.due_at.map_or("—".into(), date_time),
                flag: item.deadline.flag(),
                overdue: item.deadline == Deadline::Overdue,
                status: row.status.vietnamese(),
                unit,
                assign_href: super::handover_pages::page_href(&row.ma_ho_so),
            }
        })
        .collect();
    let nav = listing
        .counts
        .iter()
        .map(|(queue, count)| NavLink {
            href: queue_href(*queue),
            title: queue.title(),
            count: *count,
            current: *queue == current,
        })
        .collect();
    let page = QueuesPage {
        officer: officer_bar(&signed_in, agency),
        nav,
        title: current.title(),
        action: base.clone(),
        search: query.tim.trim().chars().take(MAX_SEARCH_CHARS).collect(),
        procedures: procedures
            .into_iter()
            .map(|(code, name)| Choice {
                selected: code == query.thu_tuc,
                value: code,
                label: name,
            })
            .collect(),
        channels: CHANNELS
            .iter()
            .map(|(name, channel)| Choice {
                value: name.to_string(),
                label: format::channel(*channel).to_string(),
                selected: *name == query.kenh,
            })
            .collect(),
        departments: departments
            .into_iter()
            .map(|d| Choice {
                selected: d == query.phong,
                value: d.clone(),
                label: d,
            })
            .collect(),
        show_departments: matches!(current, Queue::InProcessing | Queue::All),
        from: query.tu_ngay.clone(),
        to: query.den_ngay.clone(),
        more_open: !errors.is_empty()
            || [
                &query.thu_tuc,
                &query.kenh,
                &query.tu_ngay,
                &query.den_ngay,
                &query.phong,
            ]
            .iter()
            .any(|v| !v.is_empty()),
        errors,
        filtered: filter != QueueFilter::default(),
        rows,
        total: listing.total,
        page: listing.page,
        pages: listing.pages,
        previous_href: (listing.page > 1).then(|| page_href(&base, &query, listing.page - 1)),
        next_href: (listing.page < listing.pages)
            .then(|| page_href(&base, &query, listing.page + 1)),
        lagging: !caught_up,
    };
    Ok(html(StatusCode::OK, &page))
}
