//! The public portal's home page (`/`): the service search box, the most
//! used services of the current year (dossiers filed since the first of
//! January, Vietnam time, like the published figures), the dossier lookup
//! form; and what every portal page
//! shares — the catalogues as the portal reads them, the lookup form's
//! token, the client's address.
//!
//! The portal reads through the hub's facade as the hosted module partner
//! (`OneStopModule`), so it sees the dossiers and rows of the agencies
//! that partner serves, like the workspace.

use super::pages::html;
use super::session::{self, random_token};
use super::{blocking, WebError, WebState};
use crate::domain::workspace::DossierRow;
use crate::domain::UnixMillis;
use crate::portal::services::{channel_name, online_level_name};
use crate::portal::Catalogue;
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

pub const HOME: &str = "/";
/// The lookup form's double-submit token (there is no session before it).
pub const LOOKUP_CSRF_COOKIE: &str = "lienthong_tra_cuu";
const LOOKUP_FORM_SECONDS: u64 = 3600;
/// Services listed on the home page.
const HOME_SERVICES: usize = 8;

/// The lookup form's values, errors and token.
pub struct LookupForm {
    pub csrf: String,
    pub ma_ho_so: String,
    pub ma_ho_so_error: Option<&'static str>,
    pub fact_error: Option<&'static str>,
}

impl LookupForm {
    pub fn blank(csrf: String) -> LookupForm {
        LookupForm {
            csrf,
            ma_ho_so: String::new(),
            ma_ho_so_error: None,
            fact_error: None,
        }
    }
}

/// The form token of the request's cookie, or a new one, and the cookie to
/// set (kept valid across tabs, like the officers' sign-in form).
pub fn lookup_token(state: &WebState, headers: &HeaderMap) -> (String, String) {
    let csrf = session::cookie(headers, LOOKUP_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .unwrap_or_else(random_token);
    let cookie = session::set_cookie(
        LOOKUP_CSRF_COOKIE,
        &csrf,
        LOOKUP_FORM_SECONDS,
        state.settings.served_over_https,
    );
    (csrf, cookie)
}

/// The client's address: the connection's, or behind a configured proxy
/// the last address of its header (the one the proxy itself appended; the
/// ones before it are the client's own claims).
pub fn client_address(state: &WebState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    let Some(name) = &state.settings.client_address_header else {
        return peer.ip();
    };
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer.ip())
}

/// The procedures, agencies and sectors catalogues as published.
pub async fn catalogue(state: &WebState) -> Result<Catalogue, WebError> {
    let module = state.module.clone();
    blocking(move || {
        let hub = module.hub();
        let (version, procedures) = hub.catalog("procedures")?;
        let (_, agencies) = hub.catalog("agencies")?;
        let (_, sectors) = hub.catalog("sectors")?;
        Ok(Catalogue::from_entries(
            version,
            &procedures,
            &agencies,
            &sectors,
        ))
    })
    .await
}

pub struct ServiceLink {
    pub code: String,
    pub name: String,
    pub meta: String,
}

#[derive(Template)]
#[template(path = "portal_home.html", config = "src/web/askama.toml")]
pub struct HomePage {
    pub section: &'static str,
    pub services_heading: &'static str,
    pub services: Vec<ServiceLink>,
    pub lookup: LookupForm,
}

/// The catalogue's procedures most filed (dossiers in the read model), or
/// while none was filed, those offered online at the highest level.
fn most_used(
    catalogue: &Catalogue,
    filed: &HashMap<String, usize>,
) -> (&'static str, Vec<ServiceLink>) {
    let link = |p: &crate::portal::Procedure| ServiceLink {
        code: p.code.clone(),
        name: p.name.clone(),
        meta: match p.online_level {
            Some(level) => format!("{} · {}", online_level_name(level), p.agency_name),
            None => p.agency_name.clone(),
        },
    };
    let mut used: Vec<_> = catalogue
        .procedures
        .iter()
        .filter_map(|p| Some((*filed.get(&p.code)?, p)))
        .collect();
    if !used.is_empty() {
        used.sort_by(|(a, p), (b, q)| b.cmp(a).then(p.name.cmp(&q.name)));
        let links = used
            .into_iter()
            .take(HOME_SERVICES)
            .map(|(_, p)| link(p))
            .collect();
        return ("Dịch vụ được sử dụng nhiều trong năm", links);
    }
    let mut online: Vec<_> = catalogue.procedures.iter().collect();
    online.sort_by(|p, q| {
        q.online_level
            .cmp(&p.online_level)
            .then(p.name.cmp(&q.name))
    });
    let links = online.into_iter().take(HOME_SERVICES).map(link).collect();
    ("Dịch vụ công trực tuyến", links)
}

/// Dossiers filed per procedure since `from` (the first of January: the
/// home page counts the current year only, like the published figures).
fn filed_since(rows: &[DossierRow], from: UnixMillis) -> HashMap<String, usize> {
    let mut filed: HashMap<String, usize> = HashMap::new();
    for row in rows.iter().filter(|r| r.submitted_at >= from) {
        *filed.entry(row.procedure_code.clone()).or_default() += 1;
    }
    filed
}

pub async fn home(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let catalogue = catalogue(&state).await?;
    let workspace = state.workspace.clone();
    let (year, _) = super::public_statistics_pages::this_year(UnixMillis::now());
    let filed = blocking(move || {
        let rows = workspace.records().all_rows()?;
        Ok(filed_since(&rows, year.from))
    })
    .await?;
    let (services_heading, services) = most_used(&catalogue, &filed);
    let (csrf, cookie) = lookup_token(&state, &headers);
    let page = HomePage {
        section: "",
        services_heading,
        services,
        lookup: LookupForm::blank(csrf),
    };
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        html(StatusCode::OK, &page),
    )
        .into_response())
}

/// The channels a procedure is offered through, in words.
pub fn channels_text(channels: &[crate::domain::Channel]) -> String {
    channels
        .iter()
        .map(|c| channel_name(*c))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_used_services_count_this_years_dossiers_only() {
        let row = |code: &str, at: i64| DossierRow {
            ma_ho_so: format!("{code}-{at}"),
            dossier_id: 1,
            version: 1,
            agency_code: "000.00.01.H22".into(),
            procedure_code: code.into(),
            procedure_name: format!("Thủ tục {code}"),
            channel: crate::domain::Channel::Online,
            owner_name: "Nguyễn Văn A".into(),
            owner_id_number: "001099012345".into(),
            status: crate::domain::Status::Received,
            submitted_at: UnixMillis(at),
            received_at: None,
            due_at: None,
            finished_at: None,
            returned_at: None,
            closed_at: None,
            paused_since: None,
            overdue_when_paused: false,
            rescheduled: false,
            processing_unit: String::new(),
            updated_at: UnixMillis(at),
        };
        let from = 1_767_200_400_000; // 2026-01-01 00:00 in Vietnam
        let rows = [
            row("A", from - 1),
            row("A", from - 86_400_000),
            row("A", from - 2),
            row("B", from),
            row("B", from + 5),
            row("C", from - 3),
        ];
        let filed = filed_since(&rows, UnixMillis(from));
        assert_eq!(filed.get("B"), Some(&2));
        assert_eq!(filed.get("A"), None, "last year's dossiers do not count");
        assert_eq!(filed.len(), 1);
    }
}
