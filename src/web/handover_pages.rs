//! Hand-overs inside the agency (`/mot-cua/phan-cong/<MaHoSo>`): the
//! dossier's current department and specialist, every hand-over line (who,
//! when, from which unit to which), and the forms the officer's role may
//! use now — transfer to a processing department (reception; this is the
//! hub's `start_processing` when the dossier is received), assign to a
//! specialist (leader, or the department's own specialist), return to the
//! one-stop unit (the specialist holding it). Every form carries the
//! session's CSRF token; the rules are `crate::workspace::handover`.

use super::filters::{named_choices, procedure_name, Choice};
use super::format;
use super::format::date_time;
use super::pages::{html, OfficerBar};
use super::session::{self, Officer};
use super::workspace_pages::{dossier_href, queue_href};
use super::{blocking, WebError, WebState};
use crate::domain::officer::{OfficerAccount, OfficerRole};
use crate::domain::workspace::{Assignment, DossierRow, OfficerRef};
use crate::domain::{Action, Command, CommandEnvelope, DossierRef, UnixMillis};
use crate::workspace::{self, Allowed, HandOverRequest, Queue, Refusal, ONE_STOP_UNIT};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const PAGE: &str = "/mot-cua/phan-cong/:ma";
pub const ACTION: &str = "/mot-cua/phan-cong/:ma/:action";

const TRANSFER: &str = "chuyen-phong";
const ASSIGN: &str = "giao-chuyen-vien";
const RETURN: &str = "tra-mot-cua";
const MAX_NOTE_CHARS: usize = 500;

pub fn page_href(ma_ho_so: &str) -> String {
    format!("/mot-cua/phan-cong/{ma_ho_so}")
}

#[derive(Deserialize)]
pub struct HandOverForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "phien-ban")]
    phien_ban: String,
    #[serde(default)]
    phong: String,
    #[serde(default, rename = "chuyen-vien")]
    chuyen_vien: String,
    #[serde(default, rename = "ghi-chu")]
    ghi_chu: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    xong: String,
}

pub struct Line {
    pub at: String,
    pub from: String,
    pub to: String,
    pub what: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "handover.html", config = "src/web/askama.toml")]
pub struct HandOverPage {
    pub officer: OfficerBar,
    pub ma_ho_so: String,
    pub dossier_href: String,
    pub back_href: String,
    pub procedure: String,
    pub applicant: String,
    pub status: &'static str,
    pub due: String,
    pub holder: String,
    pub version: u64,
    pub lines: Vec<Line>,
    pub allowed: Allowed,
    pub departments: Vec<Choice>,
    pub specialists: Vec<Choice>,
    pub done: Option<&'static str>,
    pub refusal: Option<String>,
    pub note: String,
}

/// What one hand-over page needs, read in one go.
struct Loaded {
    row: DossierRow,
    assignment: Option<Assignment>,
    departments: Vec<String>,
    accounts: Vec<OfficerAccount>,
    agency: String,
}

fn specialists_of(
    accounts: &[OfficerAccount],
    agency: &str,
    department: Option<&str>,
) -> Vec<OfficerRef> {
    accounts
        .iter()
        .filter(|a| {
            a.agency_code == agency
                && a.role == OfficerRole::Specialist
                && Some(a.unit.as_str()) == department
        })
        .map(|a| OfficerRef {
            login: a.login.clone(),
            name: a.name.clone(),
        })
        .collect()
}

/// The dossier's row in the officer's agency. Another agency's dossier is
/// refused (403) without a word about it; an unknown one is 404.
async fn load(
    state: &WebState,
    officer: &OfficerAccount,
    ma_ho_so: &str,
) -> Result<Option<Loaded>, WebError> {
    state.workspace.catch_up().await;
    let (workspace, module, officers) = (
        state.workspace.clone(),
        state.module.clone(),
        state.officers.clone(),
    );
    let (agency_code, ma, login) = (
        officer.agency_code.clone(),
        ma_ho_so.to_string(),
        officer.login.clone(),
    );
    blocking(move || {
        let records = workspace.records();
        let Some(row) = records.row(&agency_code, &ma)? else {
            return match module.dossier_agency(&ma)? {
                Some(agency) => Err(WebError::OtherAgency { login, agency }),
                None => Ok(None),
            };
        };
        let accounts = officers.accounts()?;
        Ok(Some(Loaded {
            assignment: records.assignment(&agency_code, &ma)?,
            departments: super::workspace_pages::departments(&accounts, &agency_code),
            accounts,
            agency: module.agency_name(&agency_code)?,
            row,
        }))
    })
    .await
}

fn render(
    signed_in: &session::SignedIn,
    loaded: Loaded,
    done: Option<&'static str>,
    refusal: Option<String>,
    note: String,
) -> HandOverPage {
    let officer = &signed_in.account;
    let row = &loaded.row;
    let assignment = loaded.assignment.as_ref();
    let department = assignment.and_then(|a| a.department.as_deref());
    // With an assignment, it says where the dossier is (none: back at the
    // one-stop unit); without one, the unit named when processing started.
    let holder = match (
        workspace::department_of(row, assignment),
        assignment.and_then(|a| a.specialist.as_ref()),
    ) {
        (Some(d), Some(s)) => format!("{d} · chuyên viên {}", s.name),
        (Some(d), None) if assignment.is_some() => format!("{d} (chưa phân công chuyên viên)"),
        (Some(d), None) => d.to_string(),
        (None, _) => ONE_STOP_UNIT.to_string(),
    };
    let specialists = specialists_of(&loaded.accounts, &officer.agency_code, department);
    HandOverPage {
        officer: OfficerBar::of(signed_in, loaded.agency.clone()),
        ma_ho_so: row.ma_ho_so.clone(),
        dossier_href: dossier_href(&row.ma_ho_so),
        back_href: queue_href(Queue::All),
        procedure: procedure_name(&row.procedure_code, &row.procedure_name),
        applicant: format::mask_name(&row.owner_name),
        status: row.status.vietnamese(),
        due: row.due_at.map_or("—".into(), date_time),
        holder,
        version: row.version,
        lines: assignment
            .map(|a| {
                a.lines
                    .iter()
                    .map(|l| Line {
                        at: date_time(l.at),
                        from: format!("{} ({})", l.from_officer, l.from_unit),
                        to: match &l.to_officer {
                            Some(o) => format!("{o} ({})", l.to_unit),
                            None => l.to_unit.clone(),
                        },
                        what: l.kind.vietnamese(),
                        note: l.note.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        allowed: workspace::allowed(officer, row, assignment),
        departments: named_choices(loaded.departments.iter().cloned(), ""),
        specialists: specialists
            .into_iter()
            .map(|s| Choice {
                value: s.login,
                label: s.name,
                selected: false,
            })
            .collect(),
        done,
        refusal,
        note,
    }
}

fn done_message(action: &str) -> Option<&'static str> {
    match action {
        TRANSFER => Some("Đã chuyển hồ sơ cho phòng chuyên môn xử lý."),
        ASSIGN => Some("Đã phân công chuyên viên xử lý."),
        RETURN => Some("Đã trả hồ sơ về Bộ phận Một cửa."),
        _ => None,
    }
}

pub async fn page(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Path(ma_ho_so): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let Some(loaded) = load(&state, &signed_in.account, &ma_ho_so).await? else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    let page = render(
        &signed_in,
        loaded,
        done_message(&done.xong),
        None,
        String::new(),
    );
    Ok(html(StatusCode::OK, &page))
}

pub async fn act(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((ma_ho_so, action)): Path<(String, String)>,
    form: Result<Form<HandOverForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not a hand-over form"))?;
    let signed_in = session::current(&state, &headers)
        .await?
        .ok_or(WebError::Forbidden("hand-over without a live session"))?;
    if !session::same_secret(&signed_in.session.csrf_token, &form.csrf) {
        return Err(WebError::Forbidden("form token missing or wrong"));
    }
    let Some(loaded) = load(&state, &signed_in.account, &ma_ho_so).await? else {
        return Ok(html(
            StatusCode::NOT_FOUND,
            &super::pages::StatusPage::not_found(),
        ));
    };
    let note: String = form.ghi_chu.trim().chars().take(MAX_NOTE_CHARS).collect();
    let refuse = |loaded: Loaded, status: StatusCode, message: String| {
        let page = render(&signed_in, loaded, None, Some(message), note.clone());
        Ok(html(status, &page))
    };
    let request = match action.as_str() {
        TRANSFER => HandOverRequest::Transfer {
            department: form.phong.clone(),
        },
        ASSIGN => HandOverRequest::Assign {
            specialist: OfficerRef {
                login: form.chuyen_vien.clone(),
                name: String::new(),
            },
        },
        RETURN => HandOverRequest::ReturnToReception,
        _ => {
            return Ok(html(
                StatusCode::NOT_FOUND,
                &super::pages::StatusPage::not_found(),
            ))
        }
    };
    if form.phien_ban != loaded.row.version.to_string() {
        let message = format!(
            "Hồ sơ {} đã thay đổi từ khi trang được mở (phiên bản {} → {}). Xem lại rồi thực hiện lại.",
            loaded.row.ma_ho_so,
            if form.phien_ban.is_empty() { "?" } else { form.phien_ban.as_str() },
            loaded.row.version
        );
        return refuse(loaded, StatusCode::CONFLICT, message);
    }
    let officer = signed_in.account.clone();
    let department = loaded
        .assignment
        .as_ref()
        .and_then(|a| a.department.clone());
    let specialists = specialists_of(
        &loaded.accounts,
        &officer.agency_code,
        department.as_deref(),
    );
    let decision = match workspace::decide(
        &officer,
        &loaded.row,
        loaded.assignment.as_ref(),
        &request,
        &note,
        &loaded.departments,
        &specialists,
        UnixMillis::now(),
    ) {
        Ok(decision) => decision,
        Err(Refusal::Role(message)) => {
            tracing::info!(login = %officer.login, dossier = %ma_ho_so, %message, "hand-over refused: role");
            return refuse(loaded, StatusCode::FORBIDDEN, message);
        }
        Err(Refusal::State(message)) => return refuse(loaded, StatusCode::CONFLICT, message),
    };
    if decision.start_processing {
        let HandOverRequest::Transfer { department } = &request else {
            unreachable!("only a transfer starts processing")
        };
        let envelope = CommandEnvelope {
            idempotency_key: format!(
                "mot-cua-chuyen-{}-v{}",
                loaded.row.ma_ho_so, loaded.row.version
            ),
            expected_version: Some(loaded.row.version),
            actor: String::new(),
            unit: String::new(),
            action: Action::OnDossier {
                dossier: DossierRef::MaHoSo(loaded.row.ma_ho_so.clone()),
                command: Command::StartProcessing {
                    processing_unit: department.clone(),
                },
            },
        };
        match state.module.execute(&officer, envelope).await {
            Ok(outcome) => {
                state.workspace.catch_up_to(outcome.event_seq).await;
            }
            Err(WebError::Hub(e)) => {
                return refuse(
                    loaded,
                    StatusCode::CONFLICT,
                    format!("Hệ thống không nhận lệnh chuyển xử lý: {e}"),
                );
            }
            Err(e) => return Err(e),
        }
    }
    let (workspace, expected, next) = (
        state.workspace.clone(),
        loaded.assignment.clone(),
        decision.assignment,
    );
    let stored = blocking(move || {
        Ok(workspace
            .records()
            .replace_assignment(expected.as_ref(), &next)?)
    })
    .await?;
    if !stored {
        return refuse(
            loaded,
            StatusCode::CONFLICT,
            "Hồ sơ vừa được cán bộ khác giao nhận; trang đã tải lại, xem lại rồi thực hiện lại."
                .into(),
        );
    }
    tracing::info!(login = %officer.login, dossier = %ma_ho_so, action = %action, "hand-over recorded");
    Ok(Redirect::to(&format!("{}?xong={action}", page_href(&ma_ho_so))).into_response())
}
