//! The public statistics (`/thong-ke`, Circular 32/2017 Art. 12): from the
//! first of January (Vietnam) to now, per online service and per agency and
//! channel, as computed by `portal::statistics` on the one-stop module's
//! read model with its counting rules. Each table has a chart drawn on the
//! server as SVG (a title and a description for screen readers; the table
//! beside it carries the same numbers) and a CSV download (UTF-8 with a
//! byte-order mark, so that Excel shows the diacritics).

use super::filters::parse_day;
use super::format;
use super::pages::html;
use super::portal_pages::catalogue;
use super::{blocking, WebError, WebState};
use crate::domain::UnixMillis;
use crate::portal::services::channel_name;
use crate::portal::{public_statistics, with_satisfaction, PublicStatistics};
use crate::workspace::Period;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

pub const STATISTICS: &str = "/thong-ke";
pub const SERVICES_CSV: &str = "/thong-ke/dich-vu.csv";
pub const AGENCIES_CSV: &str = "/thong-ke/co-quan.csv";

/// Height of one bar group (its label above, the bar under it) in SVG
/// units: the label has the chart's whole width, so a phone reads it too.
const GROUP: u64 = 46;
const CHART_WIDTH: u64 = 400;
/// Room right of the longest bar for its number.
const VALUE_ROOM: u64 = 44;
/// Characters of a label before it is cut (the table has it whole).
const LABEL_CHARS: usize = 48;

pub struct ServiceRow {
    pub code: String,
    pub name: String,
    pub received_online: u64,
    pub resolved_online: u64,
    pub on_time_online: u64,
    pub ratio: String,
    pub received_total: u64,
    pub satisfaction: String,
}

pub struct AgencyRow {
    pub agency: String,
    pub channel: &'static str,
    pub received: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    pub in_time: u64,
    pub overdue: u64,
}

/// One bar of a chart: its label, the segments' widths (SVG units, from
/// the left) with their class, and the text read after it.
pub struct ChartBar {
    pub label: String,
    pub label_y: u64,
    pub y: u64,
    pub text_y: u64,
    pub segments: Vec<(u64, u64, &'static str)>,
    pub value_x: u64,
    pub value: String,
}

pub struct Chart {
    pub height: u64,
    pub bars: Vec<ChartBar>,
    pub description: String,
}

#[derive(Template)]
#[template(path = "public_statistics.html", config = "src/web/askama.toml")]
pub struct StatisticsPage {
    pub section: &'static str,
    pub period: String,
    pub services: Vec<ServiceRow>,
    pub agencies: Vec<AgencyRow>,
    pub services_chart: Chart,
    pub agencies_chart: Chart,
}

/// From the first of January of this year (Vietnam) to now: the period of
/// the published figures, and of the home page's most used services.
pub(super) fn this_year(now: UnixMillis) -> (Period, String) {
    let today = format::date(now);
    let year = today.get(6..).unwrap_or_default().to_string();
    let from = parse_day(&format!("01/01/{year}")).unwrap_or(now);
    (
        Period {
            from,
            until: UnixMillis(now.0 + 1),
        },
        format!("từ 01/01/{year} đến {today}"),
    )
}

async fn compute(
    state: &WebState,
) -> Result<(PublicStatistics, BTreeMap<String, String>, String), WebError> {
    let catalogue = catalogue(state).await?;
    // Online services: the catalogue's procedures offered online (level 3
    // or 4); a procedure with an online dossier counts too (added by the
    // computation).
    let online: BTreeMap<String, String> = catalogue
        .procedures
        .iter()
        .filter(|p| p.online_level.is_some_and(|l| l >= 3))
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect();
    state.workspace.catch_up().await;
    let (workspace, module) = (state.workspace.clone(), state.module.clone());
    let feedback = state.feedback.clone();
    let now = UnixMillis::now();
    let (period, period_text) = this_year(now);
    blocking(move || {
        let rows = workspace.records().all_rows()?;
        let mut stats = public_statistics(&rows, &online, period, now);
        with_satisfaction(&mut stats, &feedback.ratings()?, period);
        let mut agencies = BTreeMap::new();
        for line in &stats.agencies {
            if !agencies.contains_key(&line.agency_code) {
                let name = module.agency_name(&line.agency_code)?;
                agencies.insert(line.agency_code.clone(), name);
            }
        }
        Ok((stats, agencies, period_text))
    })
    .await
}

fn service_rows(stats: &PublicStatistics) -> Vec<ServiceRow> {
    stats
        .services
        .iter()
        .map(|s| ServiceRow {
            code: s.procedure_code.clone(),
            name: if s.procedure_name.is_empty() {
                s.procedure_code.clone()
            } else {
                s.procedure_name.clone()
            },
            received_online: s.received_online,
            resolved_online: s.resolved_online,
            on_time_online: s.on_time_online,
            ratio: s
                .on_time_percent()
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "—".into()),
            received_total: s.received_total,
            satisfaction: s
                .satisfaction
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "Chưa có dữ liệu".into()),
        })
        .collect()
}

fn agency_rows(stats: &PublicStatistics, names: &BTreeMap<String, String>) -> Vec<AgencyRow> {
    stats
        .agencies
        .iter()
        .map(|a| AgencyRow {
            agency: names
                .get(&a.agency_code)
                .cloned()
                .unwrap_or_else(|| a.agency_code.clone()),
            channel: channel_name(a.channel),
            received: a.counts.received,
            early: a.counts.early,
            on_time: a.counts.on_time,
            late: a.counts.late,
            in_time: a.counts.in_time,
            overdue: a.counts.overdue,
        })
        .collect()
}

/// Bars of stacked segments, each scaled to the largest total, each under
/// its label.
fn chart(lines: Vec<(String, Vec<(u64, &'static str)>)>, description: String) -> Chart {
    let largest = lines
        .iter()
        .map(|(_, parts)| parts.iter().map(|(n, _)| n).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let span = CHART_WIDTH - VALUE_ROOM;
    let bars = lines
        .into_iter()
        .enumerate()
        .map(|(i, (label, parts))| {
            let top = i as u64 * GROUP;
            let mut x = 0;
            let mut segments = Vec::new();
            let total: u64 = parts.iter().map(|(n, _)| n).sum();
            for (n, class) in parts {
                let width = n * span / largest;
                if width > 0 {
                    segments.push((x, width, class));
                }
                x += width;
            }
            let short: String = label.chars().take(LABEL_CHARS).collect();
            ChartBar {
                label: if short.len() < label.len() {
                    format!("{short}…")
                } else {
                    short
                },
                label_y: top + 15,
                y: top + 21,
                text_y: top + 36,
                segments,
                value_x: x + 6,
                value: total.to_string(),
            }
        })
        .collect::<Vec<_>>();
    Chart {
        height: (bars.len() as u64 * GROUP).max(GROUP) + 4,
        bars,
        description,
    }
}

pub async fn page(State(state): State<WebState>) -> Result<Response, WebError> {
    let (stats, names, period) = compute(&state).await?;
    let services = service_rows(&stats);
    let agencies = agency_rows(&stats, &names);
    let services_chart = chart(
        services
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    vec![
                        (s.on_time_online, "chart__bar--on-time"),
                        (s.resolved_online - s.on_time_online, "chart__bar--late"),
                        (
                            s.received_online.saturating_sub(s.resolved_online),
                            "chart__bar--open",
                        ),
                    ],
                )
            })
            .collect(),
        services
            .iter()
            .map(|s| {
                format!(
                    "{}: tiếp nhận trực tuyến {}, đã giải quyết {}, đúng hạn {}",
                    s.name, s.received_online, s.resolved_online, s.on_time_online
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    );
    let agencies_chart = chart(
        agencies
            .iter()
            .map(|a| {
                (
                    format!("{} — {}", a.channel, a.agency),
                    vec![
                        (a.early + a.on_time, "chart__bar--on-time"),
                        (a.late, "chart__bar--late"),
                        (a.in_time, "chart__bar--open"),
                        (a.overdue, "chart__bar--overdue"),
                    ],
                )
            })
            .collect(),
        agencies
            .iter()
            .map(|a| {
                format!(
                    "{} ({}): trước hạn và đúng hạn {}, trễ hạn {}, đang xử lý trong hạn {}, quá hạn {}",
                    a.agency,
                    a.channel,
                    a.early + a.on_time,
                    a.late,
                    a.in_time,
                    a.overdue
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    );
    let page = StatisticsPage {
        section: "thong-ke",
        period,
        services,
        agencies,
        services_chart,
        agencies_chart,
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

fn csv_answer(name: &str, lines: Vec<Vec<String>>) -> Response {
    let mut out = String::from("\u{feff}");
    for line in lines {
        out.push_str(&line.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response()
}

pub async fn services_csv(State(state): State<WebState>) -> Result<Response, WebError> {
    let (stats, _, _) = compute(&state).await?;
    let mut lines = vec![[
        "Mã thủ tục",
        "Thủ tục",
        "Tiếp nhận trực tuyến",
        "Đã giải quyết",
        "Giải quyết đúng hạn",
        "Tỉ lệ đúng hạn (%)",
        "Tổng tiếp nhận (trực tuyến và không trực tuyến)",
        "Mức độ hài lòng",
    ]
    .map(String::from)
    .to_vec()];
    for s in service_rows(&stats) {
        lines.push(vec![
            s.code,
            s.name,
            s.received_online.to_string(),
            s.resolved_online.to_string(),
            s.on_time_online.to_string(),
            s.ratio.trim_end_matches('%').to_string(),
            s.received_total.to_string(),
            s.satisfaction,
        ]);
    }
    Ok(csv_answer("thong-ke-dich-vu-truc-tuyen.csv", lines))
}

pub async fn agencies_csv(State(state): State<WebState>) -> Result<Response, WebError> {
    let (stats, names, _) = compute(&state).await?;
    let mut lines = vec![[
        "Cơ quan",
        "Kênh",
        "Tiếp nhận",
        "Giải quyết trước hạn",
        "Giải quyết đúng hạn",
        "Giải quyết trễ hạn",
        "Đang xử lý trong hạn",
        "Đang xử lý quá hạn",
    ]
    .map(String::from)
    .to_vec()];
    for a in agency_rows(&stats, &names) {
        lines.push(vec![
            a.agency,
            a.channel.to_string(),
            a.received.to_string(),
            a.early.to_string(),
            a.on_time.to_string(),
            a.late.to_string(),
            a.in_time.to_string(),
            a.overdue.to_string(),
        ]);
    }
    Ok(csv_answer("thong-ke-co-quan.csv", lines))
}
