//! A dossier's delivery ledger in the console (`/quan-tri/ho-so/<MaHoSo>`):
//! its national-portal (DVCQG) sync state — the version and event synced,
//! when, the portal's reference, what is still on its way or parked — and
//! for every destination what it was delivered and when, with the
//! partner's answer (its reference, or the reason it refused), what is
//! parked and what is pending. The facts are `Hub::delivery_ledger`'s; no
//! personal data of the applicant is shown here.

use super::console_delivery_pages::reason_text;
use super::console_pages::{
    destination_href, destination_label, kind_text, malformed_text, well_formed, Operator, HOME,
};
use super::dossier_view::event_text;
use super::format;
use super::pages::{html, OfficerBar};
use super::{blocking, WebError, WebState};
use crate::domain::DossierRef;
use crate::hub::{DossierLedger, HubError, LedgerDestination};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

pub const PAGE: &str = "/quan-tri/ho-so/:ma";

/// One line of a destination's part of the ledger.
pub struct LedgerLine {
    pub seq: u64,
    pub event: &'static str,
    pub changed_at: String,
    /// `Đã giao`, `Bị giữ`, `Đang chờ gửi`.
    pub state: &'static str,
    pub state_class: &'static str,
    pub at: String,
    pub answer: String,
    pub attempts: String,
    pub redrive_href: Option<String>,
}

pub struct DestinationPart {
    /// The section's id: `diem-<kind>-<name>`.
    pub anchor: String,
    pub label: String,
    pub kind: &'static str,
    pub href: String,
    pub relay: bool,
    pub cursor: String,
    pub lines: Vec<LedgerLine>,
}

/// The national portal's sync state of the dossier, per DVCQG partner.
pub struct SyncPart {
    pub label: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub synced_version: String,
    pub synced_seq: String,
    pub accepted_at: String,
    pub lag: String,
    pub reference: String,
    pub pending: usize,
    pub parked: usize,
}

#[derive(Template)]
#[template(path = "console_ledger.html", config = "src/web/askama.toml")]
pub struct LedgerPage {
    pub officer: OfficerBar,
    pub ma_ho_so: String,
    pub status: &'static str,
    pub version: u64,
    pub agency: String,
    pub updated_at: String,
    pub syncs: Vec<SyncPart>,
    pub parts: Vec<DestinationPart>,
    pub pending_complete: bool,
}

pub async fn page(
    operator: Operator,
    State(state): State<WebState>,
    Path(ma_ho_so): Path<String>,
) -> Result<Response, WebError> {
    if !well_formed(&ma_ho_so) {
        return Ok(operator.problem(
            StatusCode::BAD_REQUEST,
            "Mã hồ sơ không hợp lệ",
            malformed_text(&ma_ho_so),
            HOME.into(),
        ));
    }
    let hub = state.operations.hub.clone();
    let reference = DossierRef::MaHoSo(ma_ho_so.clone());
    let ledger = match blocking(move || Ok(hub.delivery_ledger(&reference))).await? {
        Ok(ledger) => ledger,
        Err(HubError::NotFound { .. }) => {
            return Ok(operator.problem(
                StatusCode::NOT_FOUND,
                "Không tìm thấy hồ sơ",
                format!("Hệ thống không có hồ sơ mã {ma_ho_so}."),
                HOME.into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let page = render(&operator, ledger);
    Ok(html(StatusCode::OK, &page))
}

fn render(operator: &Operator, ledger: DossierLedger) -> LedgerPage {
    let dossier = &ledger.dossier;
    LedgerPage {
        officer: operator.bar(),
        ma_ho_so: dossier.ma_ho_so.clone(),
        status: dossier.status.vietnamese(),
        version: dossier.version,
        agency: dossier.agency_code.clone(),
        updated_at: format::date_time(dossier.updated_at),
        syncs: ledger.destinations.iter().filter_map(sync_part).collect(),
        parts: ledger.destinations.iter().map(destination_part).collect(),
        pending_complete: ledger.pending_complete,
    }
}

fn sync_part(part: &LedgerDestination) -> Option<SyncPart> {
    let sync = part.sync.as_ref()?;
    let (state, state_class) = if !part.parked.is_empty() {
        ("Có sự kiện bị giữ", "flag flag--overdue")
    } else if sync.up_to_date {
        ("Đã đồng bộ phiên bản mới nhất", "tag")
    } else {
        ("Chưa đồng bộ phiên bản mới nhất", "flag")
    };
    Some(SyncPart {
        label: destination_label(&part.destination),
        state,
        state_class,
        synced_version: match sync.synced_version {
            0 => "chưa có".into(),
            v => format!("{v} / {}", sync.dossier_version),
        },
        synced_seq: match sync.synced_seq {
            0 => "—".into(),
            seq => seq.to_string(),
        },
        accepted_at: sync.accepted_at.map_or("—".into(), format::date_time),
        lag: match sync.accepted_at {
            Some(_) => format::duration(sync.lag_millis as f64 / 1000.0),
            None => "—".into(),
        },
        reference: if sync.partner_reference.is_empty() {
            "—".into()
        } else {
            sync.partner_reference.clone()
        },
        pending: part.pending.len(),
        parked: part.parked.len(),
    })
}

fn destination_part(part: &LedgerDestination) -> DestinationPart {
    let href = destination_href(&part.destination);
    let mut lines: Vec<LedgerLine> = part
        .delivered
        .iter()
        .map(|d| LedgerLine {
            seq: d.delivery.last_seq,
            event: event_text(d.event_type),
            changed_at: format::date_time(d.delivery.occurred_at),
            state: "Đã giao",
            state_class: "tag",
            at: format::date_time(d.delivery.accepted_at),
            answer: if d.delivery.partner_reference.is_empty() {
                "Đã nhận (không kèm mã tham chiếu)".into()
            } else {
                format!("Mã tham chiếu: {}", d.delivery.partner_reference)
            },
            attempts: d.delivery.attempts.to_string(),
            redrive_href: None,
        })
        .collect();
    lines.extend(part.parked.iter().map(|p| LedgerLine {
        seq: p.event.seq,
        event: event_text(p.event.event_type),
        changed_at: format::date_time(p.event.occurred_at),
        state: "Bị giữ",
        state_class: "flag flag--overdue",
        at: format::date_time(p.parked_at),
        answer: reason_text(&p.reason),
        attempts: p.attempts.to_string(),
        redrive_href: Some(format!("{href}/gui-lai?seq={}", p.event.seq)),
    }));
    lines.extend(part.pending.iter().map(|e| LedgerLine {
        seq: e.seq,
        event: event_text(e.event_type),
        changed_at: format::date_time(e.occurred_at),
        state: "Đang chờ gửi",
        state_class: "flag",
        at: "—".into(),
        answer: "—".into(),
        attempts: "—".into(),
        redrive_href: None,
    }));
    lines.sort_by_key(|l| l.seq);
    DestinationPart {
        anchor: format!(
            "diem-{}-{}",
            part.destination.kind.name(),
            part.destination.name.replace('.', "-")
        ),
        label: destination_label(&part.destination),
        kind: kind_text(part.destination.kind),
        href,
        relay: part.destination.is_relay(),
        cursor: format::count(part.cursor),
        lines,
    }
}
