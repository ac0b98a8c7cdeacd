//! The applicant's payment of a dossier's fees (`/tai-khoan/ho-so/<MaHoSo>
//! /thanh-toan`): the fees requested (money as `1.500.000 đ`), what was
//! paid, and — while a request is outstanding — a "Thanh toán" button that
//! leads to the payment gateway's own page. The gateway's page comes from
//! the hub's facade (`Hub::payment_link`: the payment adapter's answer to
//! the fee request), never from the adapter itself.
//!
//! The button is a link to `…/thanh-toan/cong`, which redirects to the
//! gateway (a form could not: the content policy lets forms post only to
//! this origin). After paying, the gateway sends the browser back to
//! `…/thanh-toan/ket-qua` (the adapter's `return_url`); that page says
//! what the dossier says — paid, or not (yet) paid — and reads nothing the
//! browser brought but the dossier's code, which must be one of the
//! applicant's own. The gateway's verified callback records the payment
//! through the hub before it sends the browser back.
//!
//! Where the fees come from: an officer's request in the workspace
//! (`request_financial_obligation`, allowed from submitted, received and
//! processing by the transition table), not an automatic request at
//! filing — see ARCHITECTURE.md, `src/web/`.

use super::applicant_pages::AccountBar;
use super::applicant_session::Applicant;
use super::dossier_view::{self, MoneyRow};
use super::pages::html;
use super::{blocking, WebError, WebState};
use crate::domain::{DossierRef, Status};
use crate::hub::PaymentLink;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

pub const PAGE: &str = "/tai-khoan/ho-so/:ma_ho_so/thanh-toan";
pub const GO: &str = "/tai-khoan/ho-so/:ma_ho_so/thanh-toan/cong";
pub const RETURN: &str = "/tai-khoan/ho-so/:ma_ho_so/thanh-toan/ket-qua";

pub fn page_href(ma_ho_so: &str) -> String {
    format!("/tai-khoan/ho-so/{ma_ho_so}/thanh-toan")
}

/// What the page offers.
pub enum Offer {
    /// Fees due and the gateway's page ready: the button.
    Pay,
    /// Fees due, the gateway's page not made yet.
    Preparing,
    /// Paid in full.
    Paid,
    /// No fee was requested.
    Nothing,
    /// Fees are due but this portal takes no payments.
    Elsewhere,
}

#[derive(Template)]
#[template(path = "payment.html", config = "src/web/askama.toml")]
pub struct PaymentPage {
    pub section: &'static str,
    pub bar: AccountBar,
    pub ma_ho_so: String,
    pub procedure: String,
    pub status: &'static str,
    pub fees: Vec<MoneyRow>,
    pub total: String,
    pub payments: Vec<MoneyRow>,
    pub offer: Offer,
    pub go_href: String,
    /// The gateway sent the browser back here.
    pub returned: bool,
}

async fn render(
    state: WebState,
    applicant: super::applicant_session::SignedInApplicant,
    ma_ho_so: String,
    returned: bool,
) -> Result<Response, WebError> {
    let Some((dossier, history, link)) = look_up(&state, &applicant, &ma_ho_so).await? else {
        return Ok(super::not_found().await);
    };
    let owed = dossier.status == Status::FinancialObligation;
    let offer = match link {
        Some(PaymentLink::Ready(_)) => Offer::Pay,
        Some(PaymentLink::Preparing) => Offer::Preparing,
        None if owed => Offer::Elsewhere,
        _ if !dossier.payments.is_empty() => Offer::Paid,
        _ => Offer::Nothing,
    };
    let module = state.module.partner().id.clone();
    let page = PaymentPage {
        section: "tai-khoan",
        bar: AccountBar::of(&applicant),
        procedure: dossier_view::procedure(&dossier),
        status: dossier.status.vietnamese(),
        fees: dossier_view::fees(&dossier),
        total: dossier_view::money(dossier.fees.iter().map(|f| f.amount_vnd).sum()),
        payments: dossier_view::payments(&dossier, &history, &module),
        offer,
        go_href: format!("{}/cong", page_href(&ma_ho_so)),
        ma_ho_so,
        returned,
    };
    Ok(html(StatusCode::OK, &page))
}

/// The applicant's own dossier, its history, and its payment link (`None`
/// when the portal takes no payments); `None` when the dossier is not the
/// applicant's (the same answer as an unknown one).
#[allow(clippy::type_complexity)]
async fn look_up(
    state: &WebState,
    applicant: &super::applicant_session::SignedInApplicant,
    ma_ho_so: &str,
) -> Result<
    Option<(
        crate::domain::Dossier,
        Vec<crate::domain::HistoryEntry>,
        Option<PaymentLink>,
    )>,
    WebError,
> {
    let records = state.applicants.clone();
    let module = state.module.clone();
    let email = applicant.account.email.clone();
    let ma_ho_so = ma_ho_so.to_string();
    let payment_partner = state.settings.payment_partner.clone();
    blocking(move || {
        if !records.dossiers(&email)?.contains(&ma_ho_so) {
            return Ok(None);
        }
        let reference = DossierRef::MaHoSo(ma_ho_so);
        Ok(Some(match payment_partner {
            Some(partner) => {
                let (dossier, history, link) =
                    module
                        .hub()
                        .payment_link(module.partner(), &partner, &reference)?;
                (dossier, history, Some(link))
            }
            None => {
                let (dossier, history) = module.hub().get_dossier(module.partner(), &reference)?;
                (dossier, history, None)
            }
        }))
    })
    .await
}

pub async fn page(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(ma_ho_so): Path<String>,
) -> Result<Response, WebError> {
    render(state, applicant, ma_ho_so, false).await
}

pub async fn returned(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(ma_ho_so): Path<String>,
) -> Result<Response, WebError> {
    render(state, applicant, ma_ho_so, true).await
}

/// To the gateway's payment page, when one is ready; else back to the
/// payment page, which says why not.
pub async fn go(
    State(state): State<WebState>,
    Applicant(applicant): Applicant,
    Path(ma_ho_so): Path<String>,
) -> Result<Response, WebError> {
    match look_up(&state, &applicant, &ma_ho_so).await? {
        None => Ok(super::not_found().await),
        Some((_, _, Some(PaymentLink::Ready(url)))) => {
            tracing::info!("applicant sent to the payment gateway");
            Ok(Redirect::to(&url).into_response())
        }
        Some(_) => Ok(Redirect::to(&page_href(&ma_ho_so)).into_response()),
    }
}
