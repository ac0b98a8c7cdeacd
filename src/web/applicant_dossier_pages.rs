//! The applicant's own dossier (`/tai-khoan/ho-so/<MaHoSo>`): its status
//! at every step, what is asked of the applicant, how the result comes
//! back, the files attached; and what the applicant may do on it — answer
//! a supplement request with the missing files (`/bo-sung`), withdraw it
//! after a confirmation page (`/rut`).
//!
//! Only dossiers recorded as the applicant's (`ApplicantRecords`) are
//! shown: another applicant's dossier answers exactly as an unknown one
//! (the same 404 page), so a MaHoSo tried reveals nothing. Actions go
//! through the hub as the module partner with the version the page showed
//! (`expected_version`), and are offered only where the transition table
//! allows them; a refused one comes back with its reason, nothing written.

use super::applicant_pages::AccountBar;
use super::applicant_session::{Applicant, SignedInApplicant};
use super::dossier_view::{command_text, procedure};
use super::filing_pages::{refusal_text, unreadable};
use super::format;
use super::lookup_pages::{asks, Ask};
use super::module::PORTAL_UNIT;
use super::pages::{html, StatusPage};
use super::uploads;
use super::{blocking, WebError, WebState};
use crate::domain::attachment::{digest_of_url, size_text, URL_PREFIX};
use crate::domain::machine::transition;
use crate::domain::{
    Action, Command, CommandEnvelope, CommandName, Dossier, DossierRef, HistoryEntry, Status,
    UnixMillis,
};
use crate::portal::filing::{self, Component, FieldErrors};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

pub const DOSSIER: &str = "/tai-khoan/ho-so/:ma";
pub const SUPPLEMENT: &str = "/tai-khoan/ho-so/:ma/bo-sung";
pub const WITHDRAW: &str = "/tai-khoan/ho-so/:ma/rut";

const MAX_REASON_CHARS: usize = 500;

fn dossier_href(ma_ho_so: &str) -> String {
    format!("/tai-khoan/ho-so/{ma_ho_so}")
}

/// The dossier `ma_ho_so` with its history, if it is recorded as this
/// applicant's; `None` for another's and for none alike. Blocking.
fn own(
    state: &WebState,
    email: &str,
    ma_ho_so: &str,
) -> Result<Option<(Dossier, Vec<HistoryEntry>)>, WebError> {
    if !state
        .applicants
        .dossiers(email)?
        .iter()
        .any(|m| m == ma_ho_so)
    {
        return Ok(None);
    }
    let module = &state.module;
    match module
        .hub()
        .get_dossier(module.partner(), &DossierRef::MaHoSo(ma_ho_so.into()))
    {
        Ok(found) => Ok(Some(found)),
        Err(crate::hub::HubError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn load(
    state: &WebState,
    applicant: &SignedInApplicant,
    ma_ho_so: &str,
) -> Result<Option<(Dossier, Vec<HistoryEntry>)>, WebError> {
    let web = state.clone();
    let email = applicant.account.email.clone();
    let ma_ho_so = ma_ho_so.to_string();
    blocking(move || own(&web, &email, &ma_ho_so)).await
}

/// The one answer to another applicant's dossier and to none.
fn not_found() -> Response {
    let page = StatusPage {
        title: "Không tìm thấy hồ sơ",
        message: "Tài khoản của bạn không có hồ sơ nào mang mã này. Kiểm tra lại mã hồ sơ, hoặc tra cứu hồ sơ nộp trực tiếp tại trang Tra cứu hồ sơ.",
        back_href: super::applicant_pages::HOME,
        back_label: "Về hồ sơ của tôi",
    };
    html(StatusCode::NOT_FOUND, &page)
}

pub struct Step {
    pub at: String,
    pub what: String,
    pub unit: String,
    pub status: &'static str,
    pub note: String,
}

pub struct FileLink {
    pub name: String,
    pub href: String,
    pub code: String,
}

/// The supplement answer's form: one file per item requested.
pub struct SupplementForm {
    pub csrf: String,
    pub version: u64,
    pub fields: Vec<(Component, Option<String>)>,
    pub error: Option<String>,
    pub refusal: Option<String>,
    pub max_file: String,
    pub max_total: String,
}

impl SupplementForm {
    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.fields.iter().any(|(_, e)| e.is_some())
    }
}

#[derive(Template)]
#[template(path = "applicant_dossier.html", config = "src/web/askama.toml")]
pub struct DossierPage {
    pub section: &'static str,
    pub bar: AccountBar,
    pub ma_ho_so: String,
    pub status: &'static str,
    pub status_code: u8,
    pub facts: Vec<(&'static str, String)>,
    /// What is asked of the applicant now (the supplement, the fees…).
    pub asks: Vec<Ask>,
    pub supplement: Option<SupplementForm>,
    pub steps: Vec<Step>,
    pub delivery: Vec<(&'static str, String)>,
    pub documents: Vec<FileLink>,
    pub results: Vec<FileLink>,
    /// The withdrawal is offered (the transition table allows it now).
    pub may_withdraw: bool,
    /// The page after an action: what was done.
    pub done: Option<&'static str>,
}

/// A link to a document: our own files by their path on this origin.
fn link(name: &str, url: &str, code: &str) -> FileLink {
    let href = match digest_of_url(url) {
        Some(digest) => format!("{URL_PREFIX}{digest}"),
        None => url.to_string(),
    };
    FileLink {
        name: name.to_string(),
        href,
        code: code.to_string(),
    }
}

/// The supplement request still open.
fn open_supplement(d: &Dossier) -> Option<&crate::domain::Supplement> {
    if d.status != Status::SupplementRequested {
        return None;
    }
    d.supplements
        .iter()
        .rev()
        .find(|s| s.submitted_at.is_none())
}

/// One file field per item of the open request (or one, for a request that
/// names none).
fn supplement_components(d: &Dossier) -> Vec<Component> {
    let Some(open) = open_supplement(d) else {
        return Vec::new();
    };
    let names: Vec<String> = if open.items.is_empty() {
        vec!["Giấy tờ bổ sung".to_string()]
    } else {
        open.items.clone()
    };
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| Component {
            code: String::new(),
            name,
            required: true,
            field: format!("bs-{}", i + 1),
        })
        .collect()
}

fn view(
    state: &WebState,
    applicant: &SignedInApplicant,
    d: &Dossier,
    history: &[HistoryEntry],
    agency: String,
) -> DossierPage {
    let mut facts = vec![
        ("Thủ tục", procedure(d)),
        ("Cơ quan giải quyết", agency),
        ("Người nộp", d.owner_name.clone()),
        ("Số giấy tờ", d.owner_id_number.clone()),
        ("Số điện thoại", d.phone.clone()),
        ("Thư điện tử", d.email.clone()),
        ("Trích yếu", d.summary.clone()),
        ("Kênh nộp", format::channel(d.channel).to_string()),
        ("Ngày nộp", format::date_time(d.submitted_at)),
        (
            "Ngày tiếp nhận",
            d.received_at
                .map(format::date_time)
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "Ngày hẹn trả kết quả",
            d.due_at
                .map(format::date_time)
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    facts.retain(|(_, v)| !v.is_empty());
    if matches!(
        d.status,
        Status::Refused | Status::Stopped | Status::Withdrawn
    ) && !d.status_reason.is_empty()
    {
        facts.push(("Lý do", d.status_reason.clone()));
    }
    let asks = asks(d);
    let supplement = open_supplement(d).map(|_| SupplementForm {
        csrf: applicant.session.csrf_token.clone(),
        version: d.version,
        fields: supplement_components(d)
            .into_iter()
            .map(|c| (c, None))
            .collect(),
        error: None,
        refusal: None,
        max_file: size_text(state.settings.attachments.max_file_bytes),
        max_total: size_text(state.settings.attachments.max_dossier_bytes),
    });
    let steps = history
        .iter()
        .map(|entry| Step {
            at: format::date_time(entry.at),
            what: command_text(&entry.command),
            unit: entry.unit.clone(),
            status: entry.to_status.vietnamese(),
            note: entry.note.clone(),
        })
        .collect();
    let mut delivered = vec![(
        "Hình thức nhận",
        d.result_delivery
            .map(filing::delivery_name)
            .unwrap_or("Chưa chọn")
            .to_string(),
    )];
    if !d.result_address.is_empty() {
        delivered.push(("Địa chỉ nhận", d.result_address.clone()));
    }
    delivered.push((
        "Ngày trả kết quả",
        d.returned_at
            .map(format::date_time)
            .unwrap_or_else(|| "—".into()),
    ));
    DossierPage {
        section: "tai-khoan",
        bar: AccountBar::of(applicant),
        ma_ho_so: d.ma_ho_so.clone(),
        status: d.status.vietnamese(),
        status_code: d.status.code(),
        facts,
        asks,
        supplement,
        steps,
        delivery: delivered,
        documents: d
            .documents
            .iter()
            .map(|doc| link(&doc.name, &doc.url, &doc.component_code))
            .collect(),
        results: d
            .results
            .iter()
            .map(|r| link(&r.name, &r.url, &r.code))
            .collect(),
        may_withdraw: transition(CommandName::Withdraw, d.status).is_ok(),
        done: None,
    }
}

async fn page_of(
    state: &WebState,
    applicant: &SignedInApplicant,
    ma_ho_so: &str,
) -> Result<Option<DossierPage>, WebError> {
    let Some((d, history)) = load(state, applicant, ma_ho_so).await? else {
        return Ok(None);
    };
    let module = state.module.clone();
    let code = d.agency_code.clone();
    let agency = blocking(move || module.agency_name(&code)).await?;
    Ok(Some(view(state, applicant, &d, &history, agency)))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default, rename = "da-nop")]
    filed: String,
    #[serde(default, rename = "da-bo-sung")]
    supplemented: String,
    #[serde(default, rename = "da-rut")]
    withdrawn: String,
}

pub async fn page(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(ma_ho_so): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let Some(mut page) = page_of(&state, &applicant, &ma_ho_so).await? else {
        return Ok(not_found());
    };
    page.done = if !done.filed.is_empty() {
        Some("Đã nộp hồ sơ. Cơ quan giải quyết sẽ kiểm tra và tiếp nhận; bạn nhận thông báo qua thư điện tử và tin nhắn.")
    } else if !done.supplemented.is_empty() {
        Some("Đã gửi giấy tờ bổ sung. Hồ sơ tiếp tục được giải quyết.")
    } else if !done.withdrawn.is_empty() {
        Some("Đã rút hồ sơ. Cơ quan giải quyết dừng xử lý hồ sơ này.")
    } else {
        None
    };
    Ok(html(StatusCode::OK, &page))
}

pub async fn supplement(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(ma_ho_so): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart = multipart.map_err(|_| WebError::Forbidden("not a form with files"))?;
    let limits = state.settings.attachments;
    let posted = match uploads::read(multipart).await {
        Ok(posted) => posted,
        Err(problem) => return Ok(unreadable(problem, limits.max_dossier_bytes)),
    };
    applicant.check_csrf(posted.one("csrf"))?;
    let Some((d, history)) = load(&state, &applicant, &ma_ho_so).await? else {
        return Ok(not_found());
    };
    let module = state.module.clone();
    let code = d.agency_code.clone();
    let agency = blocking(move || module.agency_name(&code)).await?;
    let version: Option<u64> = posted.one("phien-ban").parse().ok();
    if done_already(&history, version, CommandName::SubmitSupplement, &applicant) {
        // The same form posted twice (a double click, a resend after a
        // lost answer): the first one went through.
        return Ok(
            Redirect::to(&format!("{}?da-bo-sung=1", dossier_href(&d.ma_ho_so))).into_response(),
        );
    }
    let mut page = view(&state, &applicant, &d, &history, agency);
    let Some(form) = page.supplement.as_mut() else {
        // Nothing is asked any more: the page says where the dossier is.
        return Ok(html(StatusCode::CONFLICT, &page));
    };
    if version != Some(d.version) {
        form.refusal = Some(
            "Hồ sơ đã thay đổi từ khi bạn mở trang. Xem lại yêu cầu bên dưới rồi gửi lại.".into(),
        );
        return Ok(html(StatusCode::CONFLICT, &page));
    }
    let components: Vec<Component> = form.fields.iter().map(|(c, _)| c.clone()).collect();
    let mut errors = FieldErrors::new();
    let files = filing::check_files(
        &components,
        &posted.uploads,
        limits,
        &state.settings.public_base_url,
        UnixMillis::now(),
        &mut errors,
    );
    if !errors.is_empty() {
        for (component, error) in &mut form.fields {
            *error = errors.get(&component.field).cloned();
        }
        form.error = errors.get("tep").cloned();
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let attachments = state.attachments.clone();
    let stored = files.clone();
    let hub_dossier = d.clone();
    let module = state.module.clone();
    let new_due_at = blocking(move || {
        let batch: Vec<_> = stored
            .iter()
            .map(|f| (f.digest.clone(), f.meta.clone(), f.bytes.as_slice()))
            .collect();
        attachments.put(&batch)?;
        Ok(module
            .hub()
            .due_after_supplement(&hub_dossier, UnixMillis::now())?)
    })
    .await?;
    let envelope = CommandEnvelope {
        idempotency_key: format!("cong-dich-vu:bo-sung:{}:{}", d.ma_ho_so, d.version),
        expected_version: Some(d.version),
        actor: String::new(),
        unit: String::new(),
        action: Action::OnDossier {
            dossier: DossierRef::MaHoSo(d.ma_ho_so.clone()),
            command: Command::SubmitSupplement {
                documents: files.iter().map(|f| f.document.clone()).collect(),
                new_due_at,
            },
        },
    };
    if let Err(refused) = state
        .module
        .execute_for_applicant(&applicant.account.name, envelope)
        .await
    {
        let (status, text) = refusal_text(&refused);
        tracing::info!(error = %refused, "a supplement answer was refused by the hub");
        form.refusal = Some(text.into());
        return Ok(html(status, &page));
    }
    let attachments = state.attachments.clone();
    let digests: Vec<String> = files.iter().map(|f| f.digest.clone()).collect();
    let carrier = d.ma_ho_so.clone();
    blocking(move || Ok(attachments.add_carrier(&digests, &carrier)?)).await?;
    Ok(Redirect::to(&format!("{}?da-bo-sung=1", dossier_href(&d.ma_ho_so))).into_response())
}

#[derive(Template)]
#[template(path = "applicant_withdraw.html", config = "src/web/askama.toml")]
pub struct WithdrawPage {
    pub section: &'static str,
    pub bar: AccountBar,
    pub ma_ho_so: String,
    pub procedure: String,
    pub status: &'static str,
    pub csrf: String,
    pub version: u64,
    pub reason: String,
    pub reason_error: Option<&'static str>,
    pub refusal: Option<String>,
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "phien-ban")]
    version: String,
    #[serde(default, rename = "ly-do")]
    reason: String,
}

fn withdraw_page(applicant: &SignedInApplicant, d: &Dossier) -> WithdrawPage {
    WithdrawPage {
        section: "tai-khoan",
        bar: AccountBar::of(applicant),
        ma_ho_so: d.ma_ho_so.clone(),
        procedure: procedure(d),
        status: d.status.vietnamese(),
        csrf: applicant.session.csrf_token.clone(),
        version: d.version,
        reason: String::new(),
        reason_error: None,
        refusal: None,
    }
}

/// Whether the form the applicant posted, opened at dossier version
/// `posted`, was carried out already: the history's step right after that
/// version is `command`, taken by this applicant on the portal. A form
/// posted twice then answers as the first did, instead of "the dossier
/// changed since you opened the page".
fn done_already(
    history: &[HistoryEntry],
    posted: Option<u64>,
    command: CommandName,
    applicant: &SignedInApplicant,
) -> bool {
    let Some(posted) = posted else {
        return false;
    };
    history.iter().any(|h| {
        h.version == posted + 1
            && h.command == command.as_str()
            && h.unit == PORTAL_UNIT
            && h.actor == applicant.account.name
    })
}

/// The confirmation page; a dossier that may not be withdrawn now goes back
/// to its page (which offers no button).
pub async fn withdraw_form(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(ma_ho_so): Path<String>,
) -> Result<Response, WebError> {
    let Some((d, _)) = load(&state, &applicant, &ma_ho_so).await? else {
        return Ok(not_found());
    };
    if transition(CommandName::Withdraw, d.status).is_err() {
        return Ok(Redirect::to(&dossier_href(&d.ma_ho_so)).into_response());
    }
    Ok(html(StatusCode::OK, &withdraw_page(&applicant, &d)))
}

pub async fn withdraw(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(ma_ho_so): Path<String>,
    form: Result<Form<WithdrawForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|_| WebError::Forbidden("not a withdrawal form"))?;
    applicant.check_csrf(&form.csrf)?;
    let Some((d, history)) = load(&state, &applicant, &ma_ho_so).await? else {
        return Ok(not_found());
    };
    if done_already(
        &history,
        form.version.parse().ok(),
        CommandName::Withdraw,
        &applicant,
    ) {
        return Ok(
            Redirect::to(&format!("{}?da-rut=1", dossier_href(&d.ma_ho_so))).into_response(),
        );
    }
    let mut page = withdraw_page(&applicant, &d);
    page.reason = form.reason.trim().to_string();
    if let Err(e) = transition(CommandName::Withdraw, d.status) {
        tracing::info!(error = %e, "a withdrawal in a status that allows none");
        page.refusal = Some(format!(
            "Hồ sơ đang ở trạng thái “{}”: không thể rút hồ sơ.",
            d.status.vietnamese()
        ));
        return Ok(html(StatusCode::CONFLICT, &page));
    }
    if form.version.parse::<u64>().ok() != Some(d.version) {
        page.refusal = Some(
            "Hồ sơ đã thay đổi từ khi bạn mở trang. Xem lại trạng thái rồi xác nhận lại.".into(),
        );
        return Ok(html(StatusCode::CONFLICT, &page));
    }
    let chars = page.reason.chars().count();
    if chars == 0 {
        page.reason_error = Some("Nêu lý do rút hồ sơ.");
    } else if chars > MAX_REASON_CHARS {
        page.reason_error = Some("Lý do dài quá 500 ký tự.");
    } else if page
        .reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        page.reason_error = Some("Lý do có ký tự điều khiển không được phép.");
    }
    if page.reason_error.is_some() {
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let envelope = CommandEnvelope {
        idempotency_key: format!("cong-dich-vu:rut:{}:{}", d.ma_ho_so, d.version),
        expected_version: Some(d.version),
        actor: String::new(),
        unit: String::new(),
        action: Action::OnDossier {
            dossier: DossierRef::MaHoSo(d.ma_ho_so.clone()),
            command: Command::Withdraw {
                reason: page.reason.clone(),
            },
        },
    };
    if let Err(refused) = state
        .module
        .execute_for_applicant(&applicant.account.name, envelope)
        .await
    {
        let (status, text) = refusal_text(&refused);
        tracing::info!(error = %refused, "a withdrawal was refused by the hub");
        page.refusal = Some(text.into());
        return Ok(html(status, &page));
    }
    Ok(Redirect::to(&format!("{}?da-rut=1", dossier_href(&d.ma_ho_so))).into_response())
}
