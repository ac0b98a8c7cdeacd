//! The workspace's queues (`/mot-cua/hang-cho/<queue>`): every queue of the
//! officer's agency, read off the workspace's read model, with filters by
//! procedure, channel, date range and department, a search by MaHoSo,
//! applicant name (diacritics folded) or ID number, and paging. The rules
//! are the workspace room's (`crate::workspace`); this file only reads the
//! request, asks, and renders.

use super::filters::{
    self, channel_choices, procedure_choices, procedure_name, read_channel, read_day, DayField,
    DAY_MILLIS,
};
use super::format;
use super::pages::{html, OfficerBar};
use super::session::Officer;
use super::{blocking, WebError, WebState};
use crate::domain::officer::{OfficerAccount, OfficerRole};
use crate::domain::UnixMillis;
use crate::workspace::{self, Deadline, Queue, QueueFilter, QueueRequest};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
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

impl QueueQuery {
    /// The search text as taken: trimmed, at most `MAX_SEARCH_CHARS`.
    fn search(&self) -> String {
        self.tim.trim().chars().take(MAX_SEARCH_CHARS).collect()
    }
}

pub struct NavLink {
    pub href: String,
    pub title: &'static str,
    pub count: usize,
    pub current: bool,
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
    pub procedures: Vec<filters::Choice>,
    pub channels: Vec<filters::Choice>,
    pub departments: Vec<filters::Choice>,
    pub show_departments: bool,
    pub from: String,
    pub to: String,
    pub errors: Vec<filters::FieldError>,
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
        filters::error_for(&self.errors, field)
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

pub async fn first_queue(Officer(signed_in): Officer) -> Result<Response, WebError> {
    Ok(Redirect::to(&queue_href(first_queue_of(signed_in.account.role))).into_response())
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
fn read_filter(query: &QueueQuery, errors: &mut Vec<filters::FieldError>) -> QueueFilter {
    let chosen = |value: &String| (!value.is_empty()).then(|| value.clone());
    let channel = read_channel(&query.kenh, errors);
    let from = chosen(&query.tu_ngay).and_then(|text| read_day(DayField::From, &text, errors));
    let to = chosen(&query.den_ngay).and_then(|text| read_day(DayField::To, &text, errors));
    // The to-day counts whole: the filter ends at the next midnight.
    let until = match (from, to) {
        (Some(from), Some(to)) if filters::to_before_from(from, to, errors) => None,
        (_, to) => to.map(|day| UnixMillis(day.0 + DAY_MILLIS)),
    };
    QueueFilter {
        procedure: chosen(&query.thu_tuc),
        channel,
        from,
        until,
        search: workspace::fold(&query.search()),
        department: chosen(&query.phong),
    }
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

/// The workspace's home (`/mot-cua/`): the officer's first queue by role,
/// shown in place so that the address an officer lands on after signing in
/// stays the same whatever their role.
pub async fn home(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let current = first_queue_of(signed_in.account.role);
    show(state, signed_in, current, query).await
}

pub async fn queue(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Path(slug): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let Some(current) = Queue::parse(&slug) else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    show(state, signed_in, current, query).await
}

async fn show(
    state: WebState,
    signed_in: super::session::SignedIn,
    current: Queue,
    query: QueueQuery,
) -> Result<Response, WebError> {
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
                let name = procedure_name(&r.procedure_code, &r.procedure_name);
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
                procedure: procedure_name(&row.procedure_code, &row.procedure_name),
                applicant: format::mask_name(&row.owner_name),
                channel: format::channel(row.channel),
                // Not received yet: the day it was filed, said as such.
                received: row.received_at.map_or_else(
                    || format!("{} (ngày nộp)", format::date(row.submitted_at)),
                    format::date,
                ),
                due: row.due_at.map_or("—".into(), format::date_time),
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
        officer: OfficerBar::of(&signed_in, agency),
        nav,
        title: current.title(),
        action: base.clone(),
        search: query.search(),
        procedures: procedure_choices(procedures, &query.thu_tuc),
        channels: channel_choices(&query.kenh),
        departments: filters::named_choices(departments, &query.phong),
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
