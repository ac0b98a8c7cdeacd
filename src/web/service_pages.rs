//! The services pages: `/dich-vu` searches the procedures catalogue (text
//! folded both ways, agency, sector, online level — `portal::services`) and
//! `/dich-vu/<MaTTHC>` shows one procedure as its catalogue entry has it:
//! components, fees, time limit per channel, results, legal basis, forms.
//! A search is a GET: its words are no secret, and a result list can be
//! linked to and found by search engines.

use super::filters::Choice;
use super::pages::{html, StatusPage};
use super::portal_pages::{catalogue, channels_text};
use super::{WebError, WebState};
use crate::portal::services::{
    channel_name, online_level_name, search as search_catalogue, time_limit_text, Item,
};
use crate::portal::ServiceQuery;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub const SERVICES: &str = "/dich-vu";
pub const SERVICE: &str = "/dich-vu/:code";

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    #[serde(default, rename = "linh-vuc")]
    linh_vuc: String,
    #[serde(default, rename = "muc-do")]
    muc_do: String,
}

pub struct ResultLine {
    pub code: String,
    pub name: String,
    pub agency: String,
    pub sector: String,
    pub level: String,
}

#[derive(Template)]
#[template(path = "services.html", config = "src/web/askama.toml")]
pub struct ServicesPage {
    pub section: &'static str,
    pub q: String,
    pub agencies: Vec<Choice>,
    pub sectors: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub results: Vec<ResultLine>,
    pub total: usize,
    pub searched: bool,
}

impl ServicesPage {
    /// The filter fields take only offered values: no field errors.
    fn error(&self, _field: &str) -> Option<&str> {
        None
    }
}

fn choices(options: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

pub async fn search(
    State(state): State<WebState>,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let catalogue = catalogue(&state).await?;
    let asked = ServiceQuery {
        text: query.q.trim().to_string(),
        agency: query.co_quan.clone(),
        sector: query.linh_vuc.clone(),
        online_level: query.muc_do.parse().ok(),
    };
    let (found, total) = search_catalogue(&catalogue, &asked);
    let results = found
        .into_iter()
        .map(|p| ResultLine {
            code: p.code.clone(),
            name: p.name.clone(),
            agency: p.agency_name.clone(),
            sector: p.sector_name.clone(),
            level: p
                .online_level
                .map(online_level_name)
                .unwrap_or("")
                .to_string(),
        })
        .collect();
    let levels = [4u8, 3, 2]
        .into_iter()
        .map(|l| (l.to_string(), online_level_name(l).to_string()));
    let page = ServicesPage {
        section: "dich-vu",
        searched: !asked.text.is_empty()
            || !asked.agency.is_empty()
            || !asked.sector.is_empty()
            || asked.online_level.is_some(),
        q: query.q.trim().to_string(),
        agencies: choices(catalogue.agencies.clone(), &query.co_quan),
        sectors: choices(catalogue.sectors.clone(), &query.linh_vuc),
        levels: choices(levels, &query.muc_do),
        results,
        total,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "service.html", config = "src/web/askama.toml")]
pub struct ServicePage {
    pub section: &'static str,
    pub name: String,
    pub facts: Vec<(&'static str, String)>,
    pub time_limits: Vec<(&'static str, String)>,
    pub components: Vec<Item>,
    pub fees: Vec<Item>,
    pub results: Vec<Item>,
    pub legal_basis: Vec<Item>,
    /// Fields of the components that are forms to download.
    pub forms: Vec<(String, String)>,
    pub catalogue_version: u64,
    pub code: String,
    /// The procedure is filed online here (MucDo 3 or 4).
    pub files_online: bool,
}

pub async fn procedure(
    State(state): State<WebState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let catalogue = catalogue(&state).await?;
    let Some(p) = catalogue.procedure(&code) else {
        let page = StatusPage {
            title: "Không tìm thấy thủ tục",
            message: "Danh mục thủ tục hành chính không có thủ tục mang mã này.",
            back_href: SERVICES,
            back_label: "Tìm thủ tục khác",
        };
        return Ok(html(StatusCode::NOT_FOUND, &page));
    };
    let mut facts = vec![("Mã thủ tục", p.code.clone())];
    for (label, value) in [
        ("Cơ quan thực hiện", &p.agency_name),
        ("Lĩnh vực", &p.sector_name),
        ("Cấp thực hiện", &p.level),
    ] {
        if !value.is_empty() {
            facts.push((label, value.clone()));
        }
    }
    if let Some(level) = p.online_level {
        facts.push(("Mức độ dịch vụ công", online_level_name(level).to_string()));
    }
    if !p.channels.is_empty() {
        facts.push(("Cách thức thực hiện", channels_text(&p.channels)));
    }
    // A component's form: its address, named by the component's form or
    // name field, else by the address itself.
    let forms = p
        .components
        .iter()
        .flat_map(|item| {
            let name = item
                .iter()
                .find(|f| {
                    f.href.is_none() && matches!(f.label.as_str(), "Mẫu đơn, tờ khai" | "Tên")
                })
                .map(|f| f.text.clone());
            item.iter().filter_map(move |f| {
                let href = f.href.clone()?;
                Some((href, name.clone().unwrap_or_else(|| f.text.clone())))
            })
        })
        .collect();
    let page = ServicePage {
        section: "dich-vu",
        name: p.name.clone(),
        facts,
        time_limits: p
            .time_limits
            .iter()
            .map(|(c, l)| (channel_name(*c), time_limit_text(*l)))
            .collect(),
        components: p.components.clone(),
        fees: p.fees.clone(),
        results: p.results.clone(),
        legal_basis: p.legal_basis.clone(),
        forms,
        catalogue_version: catalogue.version,
        code: p.code.clone(),
        files_online: crate::portal::filing::files_online(p.online_level),
    };
    Ok(html(StatusCode::OK, &page))
}
