//! The printed forms of a dossier (Thông tư 01/2018/TT-VPCP): the receipt
//! and appointment slip (Mẫu 01), the supplement request (Mẫu 02), the
//! refusal slip (Mẫu 03), the apology with a new date (Mẫu 04) and the
//! process-control sheet (Mẫu 05), at
//! `/mot-cua/ho-so/<MaHoSo>/in/mau-0N`. Each is an HTML page whose print
//! stylesheet leaves only the sheet of paper: agency, MaHoSo, applicant,
//! procedure, documents, dates and the officer who signs.
//!
//! A form exists only once its event does (no receipt before reception):
//! otherwise the address answers 404. The signing officer is the one the
//! history names for that step, not whoever prints it.

use super::dossier_pages::{href, load, load_failed, Loaded};
use super::dossier_templates::{
    dated, Apology, ControlSheet, Receipt, Refusal, SheetHead, SupplementRequest,
};
use super::dossier_view as view;
use super::format::date_time;
use super::pages::{html, StatusPage};
use super::session::Officer;
use super::terms::limit_text;
use super::{format, WebError, WebState};
use crate::domain::officer::OfficerAccount;
use crate::domain::{CommandName, HistoryEntry, UnixMillis};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

pub const PRINT: &str = "/mot-cua/ho-so/:ma_ho_so/in/:form";

/// `10 giờ 05 phút, ngày 01/12/2026`.
fn spoken(at: UnixMillis) -> String {
    let text = date_time(at);
    match text.split_once(' ') {
        Some((clock, day)) => {
            let (h, m) = clock.split_once(':').unwrap_or((clock, "00"));
            format!("{h} giờ {m} phút, ngày {day}")
        }
        None => text,
    }
}

/// `spoken`, or `—` when there is no such time yet.
fn spoken_or_dash(at: Option<UnixMillis>) -> String {
    at.map(spoken).unwrap_or_else(|| "—".into())
}

/// The last history line of `command`.
fn last(history: &[HistoryEntry], command: CommandName) -> Option<&HistoryEntry> {
    history.iter().rev().find(|e| e.command == command.as_str())
}

fn head(
    loaded: &Loaded,
    viewer: &OfficerAccount,
    step: Option<&HistoryEntry>,
    at: UnixMillis,
) -> SheetHead {
    let d = &loaded.dossier;
    SheetHead {
        agency: loaded.agency.clone(),
        unit: step
            .map(|e| e.unit.clone())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| viewer.unit.clone()),
        ma_ho_so: d.ma_ho_so.clone(),
        dated: dated(&format::date(at)),
        officer: step
            .map(|e| e.actor.clone())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| viewer.name.clone()),
        applicant: view::applicant(d, viewer.role).name,
        procedure: view::procedure(d),
        back: href(&d.ma_ho_so),
    }
}

pub async fn print(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Path((ma_ho_so, form)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let loaded = match load(&state, &signed_in.account, &ma_ho_so).await {
        Ok(loaded) => loaded,
        Err(e) => return load_failed(e),
    };
    let viewer = &signed_in.account;
    let d = &loaded.dossier;
    let history = &loaded.history;
    let not_found = || html(StatusCode::NOT_FOUND, &StatusPage::not_found());
    let page = match form.as_str() {
        "mau-01" => {
            let Some(received) = d.received_at else {
                return Ok(not_found());
            };
            let step = last(history, CommandName::Receive);
            let who = view::applicant(d, viewer.role);
            html(
                StatusCode::OK,
                &Receipt {
                    head: head(&loaded, viewer, step, received),
                    phone: who.phone,
                    email: who.email,
                    documents: view::documents(d),
                    time_limit: loaded
                        .terms
                        .limit()
                        .map(limit_text)
                        .unwrap_or_else(|| "theo quy định của thủ tục".into()),
                    received: spoken(received),
                    due: spoken_or_dash(d.due_at),
                    delivery: d
                        .result_delivery
                        .map(view::delivery)
                        .unwrap_or("Tại Bộ phận Một cửa")
                        .to_string(),
                },
            )
        }
        "mau-02" => {
            let Some(request) = d.supplements.last() else {
                return Ok(not_found());
            };
            let step = last(history, CommandName::RequestSupplement);
            html(
                StatusCode::OK,
                &SupplementRequest {
                    head: head(&loaded, viewer, step, request.requested_at),
                    items: request.items.clone(),
                    reason: request.reason.clone(),
                    requested: date_time(request.requested_at),
                },
            )
        }
        "mau-03" => {
            let Some(step) = last(history, CommandName::Refuse) else {
                return Ok(not_found());
            };
            html(
                StatusCode::OK,
                &Refusal {
                    head: head(&loaded, viewer, Some(step), step.at),
                    reason: d.status_reason.clone(),
                    documents: view::documents(d),
                },
            )
        }
        "mau-04" => {
            let Some(r) = d.reschedules.last() else {
                return Ok(not_found());
            };
            let step = last(history, CommandName::Reschedule);
            html(
                StatusCode::OK,
                &Apology {
                    head: head(&loaded, viewer, step, r.at),
                    received: spoken_or_dash(d.received_at),
                    old_due: spoken_or_dash(r.old_due_at),
                    apology: r.apology.clone(),
                    new_due: spoken(r.new_due_at),
                },
            )
        }
        "mau-05" => html(
            StatusCode::OK,
            &ControlSheet {
                head: head(&loaded, viewer, None, UnixMillis::now()),
                received: spoken_or_dash(d.received_at),
                due: spoken_or_dash(d.due_at),
                sheet: view::sheet(
                    history,
                    &state.module.partner().id,
                    |id| state.module.partner_kind(id),
                    &loaded.hand_overs,
                ),
            },
        ),
        _ => not_found(),
    };
    Ok(page)
}
