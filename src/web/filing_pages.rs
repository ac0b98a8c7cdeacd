//! Online filing (`/tai-khoan/nop/<MaTTHC>`): a signed-in applicant files a
//! procedure of online level 3 or 4 with its files, and the dossier goes
//! through the hub's command path on channel "online" like any other.
//!
//! The form is filled from what the portal knows (Circular 32: auto-fill):
//! the account's name and address, the ID number and phone of the
//! applicant's last dossier. Once the `admin_units` catalogue is
//! published, a result by post is addressed by choosing the province and
//! the commune (`portal::address_choices`) and filed structured, as the
//! post's order needs it. Each field says its format next to it, and a
//! posted form with any error comes back with every error next to its
//! field and nothing written (`portal::filing` decides). A good one stores
//! its files first (durably, each content once), then submits as the
//! module partner with the form's own token as the idempotency key — so a
//! double post, or a reload of the answer, yields one dossier — then
//! records the dossier as the applicant's and which files it carries, and
//! sends the applicant to their dossier's page.

use super::applicant_pages::AccountBar;
use super::applicant_session::{Applicant, SignedInApplicant};
use super::pages::{html, StatusPage};
use super::portal_pages::catalogue;
use super::uploads::{self, Unreadable};
use super::{blocking, session, WebError, WebState};
use crate::domain::attachment::size_text;
use crate::domain::{Action, CommandEnvelope, DossierRef, UnixMillis};
use crate::portal::address_choices::AddressChoices;
use crate::portal::filing::{self, Component, FieldErrors, FilingForm};
use crate::portal::services::online_level_name;
use crate::portal::Procedure;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

pub const FILE: &str = "/tai-khoan/nop/:code";

/// The idempotency key of a filing: the form's own token.
fn idempotency_key(token: &str) -> String {
    format!("cong-dich-vu:nop:{token}")
}

/// What the form shows in its fields.
#[derive(Default)]
pub struct Values {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub summary: String,
    pub delivery: String,
    pub address: String,
    pub province_code: String,
    pub commune_code: String,
}

/// One file field: a component of the procedure.
pub struct ComponentField {
    pub component: Component,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "applicant_filing.html", config = "src/web/askama.toml")]
pub struct FilingPage {
    pub section: &'static str,
    pub bar: AccountBar,
    pub code: String,
    pub name: String,
    pub agency: String,
    pub level: &'static str,
    pub csrf: String,
    /// The form's token: the filing's idempotency key.
    pub token: String,
    pub values: Values,
    pub errors: FieldErrors,
    pub components: Vec<ComponentField>,
    pub max_file: String,
    pub max_total: String,
    /// The dossier the ID number and phone were filled from.
    pub filled_from: Option<String>,
    /// A refusal of the whole filing (the hub's), shown at the top.
    pub refusal: Option<String>,
    /// The form came back with errors: the files must be chosen again.
    pub posted: bool,
    /// The provinces and communes to choose from for a result by post, once
    /// the `admin_units` catalogue is published; else one line of text.
    pub choices: Option<AddressChoices>,
}

impl FilingPage {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    /// `aria-describedby` (hint, error) and `aria-invalid` of a field.
    pub fn aria(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{field}-goi-y"));
        }
        let invalid = self.errors.contains_key(field);
        if invalid {
            ids.push(format!("{field}-loi"));
        }
        let mut out = String::new();
        if !ids.is_empty() {
            out.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
        }
        if invalid {
            out.push_str(" aria-invalid=\"true\"");
        }
        out
    }

    pub fn checked(&self, delivery: &str) -> bool {
        self.values.delivery == delivery
    }

    pub fn province_chosen(&self, code: &str) -> bool {
        self.values.province_code == code
    }

    pub fn commune_chosen(&self, code: &str) -> bool {
        self.values.commune_code == code
    }
}

fn not_found() -> Response {
    let page = StatusPage {
        title: "Không tìm thấy thủ tục",
        message: "Danh mục thủ tục hành chính không có thủ tục mang mã này.",
        back_href: super::service_pages::SERVICES,
        back_label: "Tìm thủ tục khác",
    };
    html(StatusCode::NOT_FOUND, &page)
}

fn not_online() -> Response {
    let page = StatusPage {
        title: "Thủ tục chưa nộp trực tuyến được",
        message: "Thủ tục này chưa được cung cấp dịch vụ công trực tuyến (một phần hoặc toàn trình). Vui lòng nộp hồ sơ trực tiếp hoặc qua bưu chính công ích.",
        back_href: super::service_pages::SERVICES,
        back_label: "Về danh mục dịch vụ công",
    };
    html(StatusCode::CONFLICT, &page)
}

fn blank_page(
    state: &WebState,
    applicant: &SignedInApplicant,
    p: &Procedure,
    token: String,
) -> FilingPage {
    FilingPage {
        section: "tai-khoan",
        bar: AccountBar::of(applicant),
        code: p.code.clone(),
        name: p.name.clone(),
        agency: p.agency_name.clone(),
        level: p.online_level.map(online_level_name).unwrap_or(""),
        csrf: applicant.session.csrf_token.clone(),
        token,
        values: Values::default(),
        errors: FieldErrors::new(),
        components: p
            .filing_components
            .iter()
            .map(|c| ComponentField {
                component: c.clone(),
                error: None,
            })
            .collect(),
        max_file: size_text(state.settings.attachments.max_file_bytes),
        max_total: size_text(state.settings.attachments.max_dossier_bytes),
        filled_from: None,
        refusal: None,
        posted: false,
        choices: None,
    }
}

/// What the form offers for a postal address (`portal::address_choices`).
async fn address_choices(state: &WebState) -> Result<Option<AddressChoices>, WebError> {
    let module = state.module.clone();
    blocking(move || {
        let (version, units) = module.hub().catalog("admin_units")?;
        Ok(AddressChoices::from_catalog(version, &units))
    })
    .await
}

/// The procedure `code` if the portal files it online.
async fn online_procedure(
    state: &WebState,
    code: &str,
) -> Result<Result<Procedure, Response>, WebError> {
    let catalogue = catalogue(state).await?;
    let Some(p) = catalogue.procedure(code) else {
        return Ok(Err(not_found()));
    };
    if !filing::files_online(p.online_level) {
        return Ok(Err(not_online()));
    }
    Ok(Ok(p.clone()))
}

pub async fn form(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let p = match online_procedure(&state, &code).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let mut page = blank_page(&state, &applicant, &p, session::random_token());
    page.choices = address_choices(&state).await?;
    page.values.name = applicant.account.name.clone();
    page.values.email = applicant
        .account
        .contact_email()
        .unwrap_or_default()
        .to_string();
    page.values.delivery = "dien-tu".into();
    // What the applicant gave on their last dossier fills the rest.
    let records = state.applicants.clone();
    let module = state.module.clone();
    let email = applicant.account.email.clone();
    let last = blocking(move || {
        let Some(ma_ho_so) = records.dossiers(&email)?.into_iter().next_back() else {
            return Ok(None);
        };
        match module
            .hub()
            .get_dossier(module.partner(), &DossierRef::MaHoSo(ma_ho_so))
        {
            Ok((dossier, _)) => Ok(Some(dossier)),
            Err(crate::hub::HubError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    if let Some(last) = last {
        page.values.id_number = last.owner_id_number.clone();
        page.values.phone = last.phone.clone();
        match (&last.applicant_address, &page.choices) {
            (Some(a), Some(_)) => {
                page.values.province_code = a.province_code.clone();
                page.values.commune_code = a.commune_code.clone();
                page.values.address = a.street.clone();
            }
            _ if !last.result_address.is_empty() => {
                page.values.address = last.result_address.clone();
            }
            _ => {}
        }
        page.filled_from = Some(last.ma_ho_so);
    }
    Ok(html(StatusCode::OK, &page))
}

/// How many dossiers `applicant` filed on the portal in the last 24 hours.
async fn filed_in_the_last_day(
    state: &WebState,
    applicant: &SignedInApplicant,
) -> Result<u32, WebError> {
    let records = state.applicants.clone();
    let module = state.module.clone();
    let email = applicant.account.email.clone();
    let since = UnixMillis(UnixMillis::now().0 - 24 * 3600 * 1000);
    blocking(move || {
        let mut filed = 0;
        for ma_ho_so in records.dossiers(&email)? {
            match module
                .hub()
                .get_dossier(module.partner(), &DossierRef::MaHoSo(ma_ho_so))
            {
                Ok((dossier, _)) if dossier.submitted_at >= since => filed += 1,
                Ok(_) | Err(crate::hub::HubError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(filed)
    })
    .await
}

/// The answer to a post that could not be read as a form.
pub fn unreadable(problem: Unreadable, max_total: u64) -> Response {
    match problem {
        Unreadable::TooLarge => {
            let page = StatusPage {
                title: "Tệp gửi lên quá lớn",
                message: "Tổng dung lượng các tệp vượt giới hạn của một lần nộp. Hãy giảm dung lượng tệp (quét ở độ phân giải thấp hơn, hoặc nén PDF) rồi nộp lại.",
                back_href: super::applicant_pages::HOME,
                back_label: "Về trang hồ sơ của tôi",
            };
            tracing::info!(limit = max_total, "a form with files was over the limit");
            html(StatusCode::PAYLOAD_TOO_LARGE, &page)
        }
        Unreadable::Malformed => WebError::Forbidden("not a form with files").into_response(),
    }
}

pub async fn file(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(code): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart = multipart.map_err(|_| WebError::Forbidden("not a form with files"))?;
    let posted = match uploads::read(multipart).await {
        Ok(posted) => posted,
        Err(problem) => {
            return Ok(unreadable(
                problem,
                state.settings.attachments.max_dossier_bytes,
            ))
        }
    };
    applicant.check_csrf(posted.one("csrf"))?;
    let token = posted.one("ma-nop").to_string();
    if !(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(WebError::Forbidden("a filing without its form token"));
    }
    let p = match online_procedure(&state, &code).await? {
        Ok(p) => p,
        Err(answer) => return Ok(answer),
    };
    let form = FilingForm {
        name: posted.one("ho-ten").to_string(),
        id_number: posted.one("so-giay-to").to_string(),
        phone: posted.one("dien-thoai").to_string(),
        email: posted.one("email").to_string(),
        summary: posted.one("trich-yeu").to_string(),
        delivery: posted.one("nhan-ket-qua").to_string(),
        address: posted.one("dia-chi").to_string(),
        province_code: posted.one("tinh").to_string(),
        commune_code: posted.one("xa").to_string(),
        uploads: posted.uploads,
    };
    let choices = address_choices(&state).await?;
    let rules = filing::Procedure {
        code: &p.code,
        name: &p.name,
        agency_code: &p.agency_code,
        sector_code: &p.sector_code,
        components: &p.filing_components,
        fees: &p.filing_fees,
    };
    let checked = filing::check(
        &rules,
        &form,
        choices.as_ref(),
        state.settings.attachments,
        &state.settings.public_base_url,
        UnixMillis::now(),
    );
    let again = |errors: FieldErrors, refusal: Option<String>, status: StatusCode| {
        let mut page = blank_page(&state, &applicant, &p, token.clone());
        page.values = Values {
            name: form.name.trim().to_string(),
            id_number: form.id_number.trim().to_string(),
            phone: form.phone.trim().to_string(),
            email: form.email.trim().to_string(),
            summary: form.summary.trim().to_string(),
            delivery: form.delivery.clone(),
            address: form.address.trim().to_string(),
            province_code: form.province_code.trim().to_string(),
            commune_code: form.commune_code.trim().to_string(),
        };
        page.choices = choices.clone();
        for field in &mut page.components {
            field.error = errors.get(&field.component.field).cloned();
        }
        page.errors = errors;
        page.refusal = refusal;
        page.posted = true;
        html(status, &page)
    };
    let filing = match checked {
        Ok(filing) => filing,
        Err(errors) => return Ok(again(errors, None, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    // One account files a bounded number of dossiers a day (with the size
    // limits, a bound on the disk it can fill); nothing is stored past it.
    let limit = state.settings.max_filings_per_day;
    let filed = filed_in_the_last_day(&state, &applicant).await?;
    if filed >= limit {
        tracing::info!(filed, limit, "an applicant reached the daily filing limit");
        let refusal = format!(
            "Tài khoản này đã nộp {filed} hồ sơ trong 24 giờ qua; mỗi tài khoản được nộp tối đa {limit} hồ sơ trong 24 giờ. Hồ sơ này chưa được gửi: hãy nộp lại sau, hoặc nộp tại Bộ phận Một cửa."
        );
        return Ok(again(
            FieldErrors::new(),
            Some(refusal),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    // The files first, durably: the dossier links to them.
    let attachments = state.attachments.clone();
    let files = filing.files.clone();
    blocking(move || {
        let batch: Vec<_> = files
            .iter()
            .map(|f| (f.digest.clone(), f.meta.clone(), f.bytes.as_slice()))
            .collect();
        Ok(attachments.put(&batch)?)
    })
    .await?;
    let envelope = CommandEnvelope {
        idempotency_key: idempotency_key(&token),
        expected_version: None,
        actor: String::new(),
        unit: String::new(),
        action: Action::Submit(Box::new(filing.submission)),
    };
    let outcome = match state
        .module
        .execute_for_applicant(&applicant.account.name, envelope)
        .await
    {
        Ok(outcome) => outcome,
        Err(refused) => {
            let (status, text) = refusal_text(&refused);
            tracing::info!(error = %refused, "an online filing was refused by the hub");
            return Ok(again(FieldErrors::new(), Some(text.into()), status));
        }
    };
    let ma_ho_so = outcome.dossier.ma_ho_so.clone();
    let records = state.applicants.clone();
    let attachments = state.attachments.clone();
    let email = applicant.account.email.clone();
    let digests: Vec<String> = filing.files.iter().map(|f| f.digest.clone()).collect();
    let recorded = ma_ho_so.clone();
    blocking(move || {
        records.add_dossier(&email, &recorded)?;
        attachments.add_carrier(&digests, &recorded)?;
        Ok(())
    })
    .await?;
    if !outcome.replayed {
        tracing::info!(ma_ho_so = %ma_ho_so, "a dossier was filed online on the portal");
    }
    Ok(Redirect::to(&format!("/tai-khoan/ho-so/{ma_ho_so}?da-nop=1")).into_response())
}

/// What the page says when the hub refuses a command the form passed.
pub fn refusal_text(error: &crate::hub::HubError) -> (StatusCode, &'static str) {
    use lienthong_proto::ErrorCode;
    match error.code() {
        ErrorCode::Unavailable | ErrorCode::ResourceExhausted | ErrorCode::Internal => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Hệ thống tạm thời chưa nhận được hồ sơ. Vui lòng thử lại sau ít phút: hồ sơ chưa được ghi nhận.",
        ),
        ErrorCode::AlreadyExists | ErrorCode::Aborted | ErrorCode::FailedPrecondition => (
            StatusCode::CONFLICT,
            "Biểu mẫu này đã được dùng để gửi một hồ sơ khác hoặc hồ sơ đã thay đổi. Mở lại trang để thực hiện lại.",
        ),
        _ => (
            StatusCode::CONFLICT,
            "Cổng dịch vụ công chưa được phép nhận hồ sơ của thủ tục này cho cơ quan giải quyết. Vui lòng nộp trực tiếp hoặc liên hệ cơ quan giải quyết.",
        ),
    }
}
