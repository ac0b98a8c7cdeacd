//! The dossier page (`/mot-cua/ho-so/<MaHoSo>`) and the actions an officer
//! takes on it, each a form posted to `/mot-cua/ho-so/<MaHoSo>/<action>`.
//!
//! Every action goes the same way: a live session and its CSRF token, the
//! dossier of the officer's own agency (403 otherwise, before anything is
//! written), the officer's role and the dossier's status (`forms::check`),
//! the fields (`forms::build`), then one command through
//! `OneStopModule::execute` with the version the form showed. A refusal
//! at any step writes nothing and shows the page again with the error next
//! to the field; an accepted action leads to its printed form (receipt,
//! supplement request, refusal, apology) or back to the page.

use super::clock;
use super::dossier_templates::{DossierPage, FormView, ForwardedPage};
use super::dossier_view as view;
use super::forms::{self, Context, DossierAction, FieldError, Fields, NotAllowed};
use super::pages::{html, OfficerBar, StatusPage};
use super::session::{self, Officer, SignedIn};
use super::terms::{self, WorkingTerms};
use super::{blocking, WebError, WebState};
use crate::domain::officer::OfficerAccount;
use crate::domain::workspace::HandOver;
use crate::domain::{
    Action, CommandEnvelope, DomainError, Dossier, DossierRef, HistoryEntry, UnixMillis,
};
use crate::engine::EngineError;
use crate::hub::{DossierNotification, HubError};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const DOSSIER: &str = "/mot-cua/ho-so/:ma_ho_so";
pub const ACTION: &str = "/mot-cua/ho-so/:ma_ho_so/:action";

/// The address of a dossier's page.
pub fn href(ma_ho_so: &str) -> String {
    format!("/mot-cua/ho-so/{ma_ho_so}")
}

/// A dossier as its page needs it.
pub struct Loaded {
    pub dossier: Dossier,
    pub history: Vec<HistoryEntry>,
    /// The workspace's hand-overs inside the agency (transfer, assignment,
    /// return to reception), for Mẫu 05.
    pub hand_overs: Vec<HandOver>,
    pub notifications: Vec<DossierNotification>,
    pub agency: String,
    pub terms: WorkingTerms,
}

/// Why a dossier cannot be shown: absent (404) or anything else.
pub enum LoadError {
    NotFound,
    Failed(WebError),
}

impl From<WebError> for LoadError {
    fn from(e: WebError) -> Self {
        match e {
            // A MaHoSo that is not one names no dossier either.
            WebError::Hub(HubError::NotFound { .. })
            | WebError::Hub(HubError::Domain(DomainError::InvalidField { .. })) => {
                LoadError::NotFound
            }
            other => LoadError::Failed(other),
        }
    }
}

/// Reads the dossier for `officer`: another agency's is refused (403)
/// before its notifications or anything else are read.
pub async fn load(
    state: &WebState,
    officer: &OfficerAccount,
    ma_ho_so: &str,
) -> Result<Loaded, LoadError> {
    let module = state.module.clone();
    let workspace = state.workspace.clone();
    let officer = officer.clone();
    let reference = DossierRef::MaHoSo(ma_ho_so.to_string());
    blocking(move || {
        let hub = module.hub();
        let (dossier, history) = hub.get_dossier(module.partner(), &reference)?;
        if dossier.agency_code != officer.agency_code {
            return Err(WebError::OtherAgency {
                login: officer.login.clone(),
                agency: dossier.agency_code,
            });
        }
        let notifications = hub.notifications(module.partner(), &DossierRef::Id(dossier.id))?;
        let agency = module.agency_name(&dossier.agency_code)?;
        let terms = terms::for_dossier(hub, &dossier, UnixMillis::now())?;
        let hand_overs = workspace
            .records()
            .assignment(&dossier.agency_code, &dossier.ma_ho_so)?
            .map(|a| a.lines)
            .unwrap_or_default();
        Ok(Loaded {
            dossier,
            history,
            hand_overs,
            notifications,
            agency,
            terms,
        })
    })
    .await
    .map_err(LoadError::from)
}

/// 404 for a dossier that does not exist; 403 saying why for another
/// agency's (nothing of it shown); the error's own answer otherwise.
pub fn load_failed(e: LoadError) -> Result<Response, WebError> {
    match e {
        LoadError::NotFound => Ok(html(StatusCode::NOT_FOUND, &StatusPage::not_found())),
        LoadError::Failed(e @ WebError::OtherAgency { .. }) => {
            tracing::info!(reason = %e, "dossier of another agency refused");
            Ok(html(StatusCode::FORBIDDEN, &other_agency()))
        }
        LoadError::Failed(e) => Err(e),
    }
}

fn other_agency() -> StatusPage {
    StatusPage {
        title: "Không có quyền với hồ sơ này",
        message: "Hồ sơ thuộc cơ quan khác: cán bộ chỉ xem và xử lý hồ sơ của cơ quan mình.",
        back_href: super::officer_pages::HOME,
        back_label: "Về trang Một cửa điện tử",
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    /// The action just taken (its slug), to say it was done.
    #[serde(default)]
    xong: String,
}

pub async fn page(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Path(ma_ho_so): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let loaded = match load(&state, &signed_in.account, &ma_ho_so).await {
        Ok(loaded) => loaded,
        Err(e) => return load_failed(e),
    };
    let done = DossierAction::from_slug(&query.xong).map(DossierAction::title);
    let page = render(&state, &signed_in, &loaded, None, done);
    Ok(html(StatusCode::OK, &page))
}

pub async fn act(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((ma_ho_so, slug)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(pairs) = form.map_err(|_| WebError::Forbidden("not a form"))?;
    let fields = Fields(pairs);
    let signed_in = session::current(&state, &headers)
        .await?
        .ok_or(WebError::Forbidden("a dossier form without a live session"))?;
    if !session::same_secret(&signed_in.session.csrf_token, fields.one("csrf")) {
        return Err(WebError::Forbidden("form token missing or wrong"));
    }
    let Some(action) = DossierAction::from_slug(&slug) else {
        return Ok(html(StatusCode::NOT_FOUND, &StatusPage::not_found()));
    };
    let loaded = match load(&state, &signed_in.account, &ma_ho_so).await {
        Ok(loaded) => loaded,
        Err(e) => return load_failed(e),
    };
    let dossier = &loaded.dossier;
    match forms::check(action, signed_in.account.role, dossier.status) {
        Ok(()) => {}
        Err(NotAllowed::Role) => {
            return Err(WebError::Forbidden(
                "the officer's role does not take this action",
            ))
        }
        Err(NotAllowed::Status(status)) => {
            let error = FieldError::new(
                "status",
                format!(
                    "Hồ sơ đang ở trạng thái “{}”: không thể thực hiện “{}”.",
                    status.vietnamese(),
                    action.title()
                ),
            );
            return Ok(refused(
                &state,
                &signed_in,
                &loaded,
                action,
                fields,
                vec![error],
                StatusCode::CONFLICT,
            ));
        }
    }
    let now = UnixMillis::now();
    let context = Context {
        dossier,
        officer_unit: &signed_in.account.unit,
        now,
        appointment: loaded.terms.appointment(),
        restarted_due: loaded.terms.restarted_due(),
        day_end_seconds: loaded.terms.day_end_seconds(),
        next_agency: loaded.terms.next_agency().map(|(code, _)| code),
        current_since: current_since(dossier.version, &loaded.history),
    };
    let built = match forms::build(action, &fields, &context) {
        Ok(built) => built,
        Err(errors) => {
            return Ok(refused(
                &state,
                &signed_in,
                &loaded,
                action,
                fields,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    };
    let envelope = CommandEnvelope {
        idempotency_key: built.idempotency_key,
        expected_version: Some(built.expected_version),
        actor: String::new(),
        unit: String::new(),
        action: Action::OnDossier {
            dossier: DossierRef::Id(dossier.id),
            command: built.command,
        },
    };
    match state.module.execute(&signed_in.account, envelope).await {
        Ok(outcome) => {
            tracing::info!(
                login = %signed_in.account.login,
                dossier = %outcome.dossier.ma_ho_so,
                action = action.slug(),
                "officer acted on a dossier"
            );
            Ok(Redirect::to(&after(action, &outcome.dossier)).into_response())
        }
        Err(WebError::Hub(e)) => {
            let Some(error) = hub_refusal(&e, action) else {
                return Err(WebError::Hub(e));
            };
            // Shown on the dossier as it is now.
            let now_loaded = match load(&state, &signed_in.account, &ma_ho_so).await {
                Ok(loaded) => loaded,
                Err(e) => return load_failed(e),
            };
            Ok(refused(
                &state,
                &signed_in,
                &now_loaded,
                action,
                fields,
                vec![error],
                StatusCode::CONFLICT,
            ))
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct ForwardedQuery {
    /// The agency the dossier went to.
    #[serde(default)]
    den: String,
}

/// After a forward: the dossier now belongs to the next agency, so this
/// page reads nothing of it — it repeats the MaHoSo the officer sent and
/// names the agency from the public agencies catalogue.
pub async fn forwarded(
    State(state): State<WebState>,
    Officer(signed_in): Officer,
    Path((ma_ho_so, slug)): Path<(String, String)>,
    Query(query): Query<ForwardedQuery>,
) -> Result<Response, WebError> {
    let well_formed = crate::domain::codes::parse_ma_ho_so("ma_ho_so", &ma_ho_so).is_ok()
        && crate::domain::codes::check_code("den", &query.den).is_ok();
    if slug != DossierAction::Forward.slug() || !well_formed {
        return Ok(html(StatusCode::NOT_FOUND, &StatusPage::not_found()));
    }
    let module = state.module.clone();
    let (to, own) = (query.den.clone(), signed_in.account.agency_code.clone());
    let (agency, own_agency) =
        blocking(move || Ok((module.agency_name(&to)?, module.agency_name(&own)?))).await?;
    let page = ForwardedPage {
        officer: OfficerBar::of(&signed_in, own_agency),
        ma_ho_so,
        agency,
        agency_code: query.den,
    };
    Ok(html(StatusCode::OK, &page))
}

/// Where an accepted action leads: its printed form, the page, or — for a
/// dossier forwarded to another agency, which this officer may no longer
/// open — the address of the action itself, which says it was done.
fn after(action: DossierAction, dossier: &Dossier) -> String {
    let ma_ho_so = &dossier.ma_ho_so;
    if action == DossierAction::Forward {
        return format!(
            "{}/{}?den={}",
            href(ma_ho_so),
            action.slug(),
            dossier.agency_code
        );
    }
    let printed = match action {
        DossierAction::Receive => Some("mau-01"),
        DossierAction::RequestSupplement => Some("mau-02"),
        DossierAction::Refuse => Some("mau-03"),
        DossierAction::Reschedule => Some("mau-04"),
        _ => None,
    };
    match printed {
        Some(form) => format!("{}/in/{form}", href(ma_ho_so)),
        None => format!("{}?xong={}", href(ma_ho_so), action.slug()),
    }
}

/// The oldest version from which the dossier's later lines are all
/// partners' events (`record_partner_event`): a form opened at any of these
/// versions decides on the dossier as it still is.
fn current_since(version: u64, history: &[HistoryEntry]) -> u64 {
    history
        .iter()
        .rev()
        .take_while(|h| h.partner_event.is_some())
        .last()
        .map_or(version, |oldest| oldest.version.saturating_sub(1))
}

/// The hub's refusal of a command the form already checked, said to the
/// officer: the dossier changed meanwhile, or its status no longer allows
/// the action, or a rule only the hub knows. `None` for a failure that is
/// not the officer's to fix.
fn hub_refusal(error: &HubError, action: DossierAction) -> Option<FieldError> {
    match error {
        HubError::Engine(EngineError::VersionConflict {
            expected, actual, ..
        }) => Some(FieldError::new(
            "version",
            format!(
                "Hồ sơ đã thay đổi sau khi bạn mở trang (bạn xem phiên bản {expected}, hiện là phiên bản {actual}). Vui lòng xem lại hồ sơ rồi thực hiện lại."
            ),
        )),
        HubError::Engine(EngineError::IdempotencyKeyReused { .. }) => Some(FieldError::new(
            "key",
            "Biểu mẫu này đã được gửi với nội dung khác. Vui lòng nhập lại trên biểu mẫu mới.",
        )),
        HubError::Domain(DomainError::IllegalTransition { status, .. }) => Some(FieldError::new(
            "status",
            format!(
                "Hồ sơ đang ở trạng thái “{}”: không thể thực hiện “{}”.",
                status.vietnamese(),
                action.title()
            ),
        )),
        HubError::Domain(DomainError::InvalidField { field, rule }) => Some(FieldError::new(
            "status",
            format!("Hệ thống không nhận dữ liệu ở trường {field}: {rule}."),
        )),
        _ => None,
    }
}

fn refused(
    state: &WebState,
    signed_in: &SignedIn,
    loaded: &Loaded,
    action: DossierAction,
    sent: Fields,
    errors: Vec<FieldError>,
    code: StatusCode,
) -> Response {
    tracing::info!(
        login = %signed_in.account.login,
        dossier = %loaded.dossier.ma_ho_so,
        action = action.slug(),
        errors = errors.len(),
        "dossier form refused"
    );
    let page = render(state, signed_in, loaded, Some((action, sent, errors)), None);
    html(code, &page)
}

/// The whole page; `refused` opens that form with what was sent and its
/// errors.
fn render(
    state: &WebState,
    signed_in: &SignedIn,
    loaded: &Loaded,
    refused: Option<(DossierAction, Fields, Vec<FieldError>)>,
    done: Option<&'static str>,
) -> DossierPage {
    let account = &signed_in.account;
    let d = &loaded.dossier;
    let now = UnixMillis::now();
    let refused_at = refused.as_ref().map(|(a, _, _)| (a.slug(), a.title()));
    let mut available = forms::available(account.role, d.status);
    // Forwarding is offered only where the procedure has a next agency.
    if loaded.terms.next_agency().is_err() {
        available.retain(|a| *a != DossierAction::Forward);
    }
    if let Some((action, _, _)) = &refused {
        // The refused form stays on the page, to show its errors, even
        // when the status no longer offers it.
        if !available.contains(action) && action.roles().contains(&account.role) {
            available.insert(0, *action);
        }
    }
    let mut refused = refused;
    let forms = available
        .into_iter()
        .map(|action| {
            let (sent, errors) = match refused.take() {
                Some((a, sent, errors)) if a == action => (sent, errors),
                other => {
                    refused = other;
                    (Fields::default(), Vec::new())
                }
            };
            FormView {
                slug: action.slug(),
                title: action.title(),
                action: format!("{}/{}", href(&d.ma_ho_so), action.slug()),
                csrf: signed_in.session.csrf_token.clone(),
                version: d.version,
                key: session::random_token(),
                open: !errors.is_empty(),
                errors,
                sent,
                appointment: loaded.terms.appointment().map(super::format::date_time),
                next_agency: loaded.terms.next_agency().ok(),
                choices: choices(action, d),
                delivery: match d.result_delivery {
                    Some(crate::domain::ResultDelivery::ByPost) => "by_post",
                    Some(crate::domain::ResultDelivery::Electronic) => "electronic",
                    _ => "at_counter",
                },
            }
        })
        .collect();
    let clock_view = clock::view(d, &loaded.history, now, &loaded.terms.clock());
    DossierPage {
        officer: OfficerBar::of(signed_in, loaded.agency.clone()),
        ma_ho_so: d.ma_ho_so.clone(),
        status: d.status.vietnamese(),
        status_code: d.status.code(),
        procedure: view::procedure(d),
        facts: view::facts(d, account.role, &loaded.agency),
        status_reason: d.status_reason.clone(),
        clock: clock_view,
        documents: view::documents(d),
        fees: view::fees(d),
        payments: view::payments(d, &loaded.history, &state.module.partner().id),
        supplements: view::supplements(d),
        results: view::results(d),
        reschedules: view::reschedules(d),
        notifications: view::notifications(&loaded.notifications),
        sheet: view::sheet(
            &loaded.history,
            &state.module.partner().id,
            |id| state.module.partner_kind(id),
            &loaded.hand_overs,
        ),
        forms,
        prints: view::printable(d),
        done,
        refused: refused_at,
    }
}

/// What a form offers to tick: the dossier's components for a supplement
/// request; what the open request asked for when recording the supplement.
fn choices(action: DossierAction, d: &Dossier) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        if !name.trim().is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    };
    match action {
        DossierAction::RequestSupplement => d.documents.iter().for_each(|doc| push(&doc.name)),
        DossierAction::RecordSupplement => {
            if let Some(open) = d
                .supplements
                .iter()
                .rev()
                .find(|s| s.submitted_at.is_none())
            {
                open.items.iter().for_each(|item| push(item));
            }
        }
        _ => {}
    }
    out
}
