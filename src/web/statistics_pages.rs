//! The unit's statistics (`/mot-cua/thong-ke`): for a period (from–to
//! dates, Vietnam days), the officer's agency, a procedure and a channel,
//! the buckets of `crate::workspace::statistics` as a table, a bar chart
//! drawn on the server (HTML rows with SVG bars, no script), and the same table as CSV
//! (`/mot-cua/thong-ke.csv`, UTF-8 with a byte-order mark so that Excel
//! shows the diacritics).

use super::filters::{
    self, channel_choices, procedure_choices, procedure_name, read_channel, read_day, Choice,
    DayField, FieldError, DAY_MILLIS,
};
use super::format;
use super::pages::{html, OfficerBar};
use super::session::Officer;
use super::{blocking, WebError, WebState};
use crate::domain::UnixMillis;
use crate::workspace::{statistics, Counts, Period, StatFilter, StatLine};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const STATISTICS: &str = "/mot-cua/thong-ke";
pub const STATISTICS_CSV: &str = "/mot-cua/thong-ke.csv";

#[derive(Deserialize, Default)]
pub struct StatQuery {
    #[serde(default, rename = "tu-ngay")]
    tu_ngay: String,
    #[serde(default, rename = "den-ngay")]
    den_ngay: String,
    #[serde(default, rename = "thu-tuc")]
    thu_tuc: String,
    #[serde(default)]
    kenh: String,
}

/// A bucket's heading and how to read it off the counts.
type Bucket = (&'static str, fn(&Counts) -> u64);

/// The buckets, in the order of the table, the chart and the CSV.
pub const BUCKETS: [Bucket; 10] = [
    ("Tiếp nhận", |c| c.received),
    ("Giải quyết trước hạn", |c| c.early),
    ("Giải quyết đúng hạn", |c| c.on_time),
    ("Giải quyết trễ hạn", |c| c.late),
    ("Đang xử lý trong hạn", |c| c.in_time),
    ("Đang xử lý quá hạn", |c| c.overdue),
    ("Tạm dừng", |c| c.paused),
    ("Đã trả kết quả", |c| c.returned),
    ("Từ chối tiếp nhận", |c| c.refused),
    ("Rút hồ sơ", |c| c.withdrawn),
];

pub struct TableLine {
    pub procedure: String,
    pub channel: &'static str,
    pub cells: Vec<u64>,
    pub on_time_percent: u64,
}

pub struct Bar {
    pub label: &'static str,
    pub value: u64,
    /// The bar's length, in per cent of the longest.
    pub percent: u64,
}

#[derive(Template)]
#[template(path = "statistics.html", config = "src/web/askama.toml")]
pub struct StatisticsPage {
    pub officer: OfficerBar,
    pub from: String,
    pub to: String,
    pub period: String,
    pub procedures: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub errors: Vec<FieldError>,
    pub headings: Vec<&'static str>,
    pub lines: Vec<TableLine>,
    pub total: TableLine,
    pub bars: Vec<Bar>,
    pub csv_href: String,
}

impl StatisticsPage {
    fn error(&self, field: &str) -> Option<&str> {
        filters::error_for(&self.errors, field)
    }
}

/// The period asked for; by default from the first of January of this
/// year (Vietnam) to today, as the portal's statistics count (Circular
/// 32/2017: "from the start of the year"). A field that does not parse is
/// named in `errors` and its default used; the dates come back as written.
fn read_period(
    query: &StatQuery,
    now: UnixMillis,
    errors: &mut Vec<FieldError>,
) -> (Period, String, String) {
    let today = format::date(now);
    let year_start = format!("01/01/{}", today.get(6..).unwrap_or_default());
    let mut read = |field, text: &str, default: &str| {
        let text = if text.is_empty() {
            default
        } else {
            text.trim()
        };
        match read_day(field, text, errors) {
            Some(day) => (day, text.to_string()),
            // The defaults are written by the page itself and parse.
            None => (
                filters::parse_day(default).unwrap_or(now),
                default.to_string(),
            ),
        }
    };
    let (from, from_text) = read(DayField::From, &query.tu_ngay, &year_start);
    let (mut to, mut to_text) = read(DayField::To, &query.den_ngay, &today);
    if filters::to_before_from(from, to, errors) {
        (to, to_text) = (from, from_text.clone());
    }
    (
        Period {
            from,
            until: UnixMillis(to.0 + DAY_MILLIS),
        },
        from_text,
        to_text,
    )
}

fn read_filter(query: &StatQuery, errors: &mut Vec<FieldError>) -> StatFilter {
    StatFilter {
        procedure: (!query.thu_tuc.is_empty()).then(|| query.thu_tuc.clone()),
        channel: read_channel(&query.kenh, errors),
    }
}

fn table_line(procedure: String, channel: &'static str, counts: &Counts) -> TableLine {
    TableLine {
        procedure,
        channel,
        cells: BUCKETS.iter().map(|(_, get)| get(counts)).collect(),
        on_time_percent: counts.on_time_percent(),
    }
}

/// What both the page and the CSV compute.
struct Computed {
    lines: Vec<StatLine>,
    total: Counts,
    procedures: BTreeMap<String, String>,
    agency: String,
}

async fn compute(
    state: &WebState,
    agency_code: String,
    period: Period,
    filter: StatFilter,
) -> Result<Computed, WebError> {
    state.workspace.catch_up().await;
    let (workspace, module) = (state.workspace.clone(), state.module.clone());
    blocking(move || {
        let rows = workspace.records().rows(&agency_code)?;
        let procedures = rows
            .iter()
            .map(|r| {
                (
                    r.procedure_code.clone(),
                    procedure_name(&r.procedure_code, &r.procedure_name),
                )
            })
            .collect();
        let (lines, total) = statistics(&rows, period, &filter, UnixMillis::now());
        Ok(Computed {
            lines,
            total,
            procedures,
            agency: module.agency_name(&agency_code)?,
        })
    })
    .await
}

fn query_string(query: &StatQuery, from: &str, to: &str) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("tu-ngay", from),
        ("den-ngay", to),
        ("thu-tuc", query.thu_tuc.as_str()),
        ("kenh", query.kenh.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub async fn page(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Query(query): Query<StatQuery>,
) -> Result<Response, WebError> {
    let mut errors = Vec::new();
    let (period, from, to) = read_period(&query, UnixMillis::now(), &mut errors);
    let filter = read_filter(&query, &mut errors);
    let computed = compute(
        &state,
        signed_in.account.agency_code.clone(),
        period,
        filter,
    )
    .await?;
    let lines: Vec<TableLine> = computed
        .lines
        .iter()
        .map(|l| {
            table_line(
                procedure_name(&l.procedure_code, &l.procedure_name),
                format::channel(l.channel),
                &l.counts,
            )
        })
        .collect();
    let total = table_line("Tổng cộng".into(), "", &computed.total);
    let largest = total.cells.iter().copied().max().unwrap_or(0).max(1);
    let bars = BUCKETS
        .iter()
        .zip(&total.cells)
        .map(|((label, _), value)| Bar {
            label,
            value: *value,
            percent: value * 100 / largest,
        })
        .collect();
    let page = StatisticsPage {
        officer: OfficerBar::of(&signed_in, computed.agency),
        period: format!("từ {from} đến {to}"),
        procedures: procedure_choices(computed.procedures, &query.thu_tuc),
        channels: channel_choices(&query.kenh),
        errors,
        headings: BUCKETS.iter().map(|(label, _)| *label).collect(),
        lines,
        total,
        bars,
        csv_href: format!("{STATISTICS_CSV}?{}", query_string(&query, &from, &to)),
        from,
        to,
    };
    Ok(html(StatusCode::OK, &page))
}

/// One CSV field, quoted when it holds a separator, a quote or a line end.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub async fn csv(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Query(query): Query<StatQuery>,
) -> Result<Response, WebError> {
    let mut errors = Vec::new();
    let (period, from, to) = read_period(&query, UnixMillis::now(), &mut errors);
    let filter = read_filter(&query, &mut errors);
    if let Some(error) = errors.first() {
        let body = format!("\u{feff}{}\r\n", field(&error.message));
        return Ok((
            StatusCode::BAD_REQUEST,
            [(CONTENT_TYPE, "text/csv; charset=utf-8")],
            body,
        )
            .into_response());
    }
    let agency_code = signed_in.account.agency_code.clone();
    let computed = compute(&state, agency_code.clone(), period, filter).await?;
    let mut out = String::from("\u{feff}");
    let mut header = vec!["Cơ quan", "Mã thủ tục", "Thủ tục", "Kênh"];
    header.extend(BUCKETS.iter().map(|(label, _)| *label));
    header.push("Tỉ lệ đúng hạn (%)");
    out.push_str(
        &header
            .iter()
            .map(|h| field(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    let mut write = |code: &str, name: &str, channel: &str, counts: &Counts| {
        let mut cells = vec![
            field(&computed.agency),
            field(code),
            field(name),
            field(channel),
        ];
        cells.extend(BUCKETS.iter().map(|(_, get)| get(counts).to_string()));
        cells.push(counts.on_time_percent().to_string());
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    for line in &computed.lines {
        write(
            &line.procedure_code,
            &procedure_name(&line.procedure_code, &line.procedure_name),
            format::channel(line.channel),
            &line.counts,
        );
    }
    write("", "Tổng cộng", "", &computed.total);
    let file = format!(
        "attachment; filename=\"thong-ke-{}-{}.csv\"",
        from.replace('/', "-"),
        to.replace('/', "-")
    );
    Ok((
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, file),
        ],
        out,
    )
        .into_response())
}
