//! The web room: the hub's HTML pages on `[web] listen`, for the three
//! audiences that share one stack, one layout and one stylesheet — citizens
//! on the portal (`/`: home, dossier lookup, services, statistics; its
//! rules in `crate::portal`; signed-in applicants under `/tai-khoan/`), officers in the one-stop workspace
//! (`/mot-cua/`) and operators in the console (`/quan-tri/`).
//!
//! Pages are rendered on the server from compiled templates (askama, HTML
//! files in `templates/`) and work without JavaScript. The content policy
//! allows scripts only from this origin and never inline: the one script,
//! `static/upload.js`, shows the progress of forms with files (the online
//! filing and the supplement answer) and nothing depends on it. The one-stop workspace acts on
//! dossiers only through the hub's facade, as its own module partner
//! (`module`); what only the workspace owns (officer accounts, sessions,
//! failed sign-ins) lives in the hub's store and is flushed before a page
//! answers.

mod applicant_dossier_pages;
mod applicant_pages;
mod applicant_session;
mod assets;
mod attachment_pages;
mod clock;
mod console_delivery_pages;
mod console_ledger_pages;
mod console_message_pages;
mod console_pages;
mod dossier_pages;
mod dossier_templates;
mod dossier_view;
mod error;
mod feedback_answer_pages;
mod feedback_pages;
mod filing_pages;
mod filters;
mod format;
mod forms;
mod handover_pages;
mod headers;
mod lookup_pages;
mod module;
mod officer_pages;
mod oidc_pages;
mod pages;
mod passwords;
mod payment_pages;
mod portal_pages;
mod print_pages;
mod public_statistics_pages;
mod rating_pages;
mod service_pages;
mod session;
mod signin;
mod statistics_pages;
mod terms;
mod uploads;
mod workspace_pages;

pub use console_pages::Operations;
pub use error::WebError;
pub use module::OneStopModule;
pub use passwords::{check_hash, hash as hash_password, ConfiguredOfficer, OfficerPassword};

use crate::domain::officer::LockoutPolicy;
use crate::domain::UnixMillis;
use crate::hub::{ApplicantRecords, Hub, OfficerRecords};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How the web listener behaves (from `[web]`).
#[derive(Clone, Debug)]
pub struct WebSettings {
    pub listen: SocketAddr,
    pub session_ttl: Duration,
    pub lockout: LockoutPolicy,
    /// A TLS front serves these pages over HTTPS: cookies get `Secure` and
    /// answers carry HSTS.
    pub served_over_https: bool,
    /// The partner the one-stop module acts as.
    pub one_stop_partner: String,
    /// How often one client address may look a dossier up.
    pub lookup: crate::portal::ThrottleSettings,
    /// The header a reverse proxy names the client's address in, if any.
    pub client_address_header: Option<axum::http::HeaderName>,
    /// The partner whose adapter makes payment pages (`[web]
    /// payment_partner`), when fees are paid on the portal.
    pub payment_partner: Option<String>,
    /// Applicants' single sign-on (`[web.oidc]`), when configured.
    pub oidc: Option<crate::portal::oidc::OidcSettings>,
    /// How large an applicant's attached files may be.
    pub attachments: crate::domain::attachment::AttachmentLimits,
    /// The portal's public address for the links to attached files; empty
    /// until `prepare` fills in the listener's own.
    pub public_base_url: String,
    /// Dossiers one applicant may file in any 24 hours.
    pub max_filings_per_day: u32,
}

/// What every handler shares.
#[derive(Clone)]
pub struct WebState {
    officers: OfficerRecords,
    /// The portal's applicants: accounts, sessions, dossiers filed online.
    applicants: ApplicantRecords,
    /// The files attached to dossiers filed on the portal.
    attachments: crate::hub::AttachmentRecords,
    module: OneStopModule,
    /// The workspace's read model: queues, statistics, assignments.
    workspace: crate::workspace::Workspace,
    settings: Arc<WebSettings>,
    /// Verified against when an account is unknown or locked, so that every
    /// refusal costs one argon2 verification.
    decoy_hash: Arc<str>,
    /// Public lookups per client address (`portal::throttle`).
    lookups: Arc<crate::portal::Throttle>,
    /// Citizens' ratings and feedback (`hub::FeedbackRecords`).
    feedback: crate::hub::FeedbackRecords,
    /// Feedback sent per client address (the lookup's rule, its own table).
    feedback_sends: Arc<crate::portal::Throttle>,
    /// Signs the lookup's proof that lets the applicant rate.
    rating_proof: Arc<crate::portal::feedback::RatingProof>,
    /// The OpenID Connect relying party, when `[web.oidc]` is configured.
    oidc: Option<Arc<crate::portal::oidc::OidcClient>>,
    /// The operator console's doors (`console_pages`).
    operations: Operations,
}

/// A bound web listener, ready to serve.
pub struct WebServer {
    listener: tokio::net::TcpListener,
    pub addr: SocketAddr,
    router: Router,
}

/// Installs the configured officer accounts (durably), removes expired
/// sessions, and binds the listener. Dossiers are reached through `hub` as
/// the module partner; the officers' own records through
/// `Hub::officer_records`.
pub async fn prepare(
    hub: &Hub,
    mut settings: WebSettings,
    officers: Vec<ConfiguredOfficer>,
    workspace: crate::workspace::Workspace,
    operations: Operations,
) -> Result<WebServer, WebError> {
    let module = OneStopModule::new(hub.clone(), &settings.one_stop_partner)?;
    // Who answered, by name and unit, for the answers the portal's first
    // release stored without their agency.
    let answering: Vec<(String, String, String)> = officers
        .iter()
        .map(|o| (o.name.clone(), o.unit.clone(), o.agency_code.clone()))
        .collect();
    let records = hub.officer_records();
    let installing = records.clone();
    let applicants = hub.applicant_records();
    let sweeping = applicants.clone();
    let decoy_hash = blocking(move || {
        let accounts = passwords::accounts(&officers)?;
        installing.replace_accounts(&accounts)?;
        installing.remove_expired_sessions(UnixMillis::now())?;
        sweeping.remove_expired_sessions(UnixMillis::now())?;
        passwords::hash(&session::random_token())
    })
    .await?;
    move_first_layout(hub, &module, &answering).await?;
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|source| WebError::Bind {
            addr: settings.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| WebError::Bind {
        addr: settings.listen,
        source,
    })?;
    let oidc = match &settings.oidc {
        Some(oidc) => Some(Arc::new(
            crate::portal::oidc::OidcClient::new(oidc.clone())
                .map_err(|e| WebError::Oidc(e.to_string()))?,
        )),
        None => None,
    };
    if settings.public_base_url.is_empty() {
        settings.public_base_url = format!("http://{addr}");
    }
    let state = WebState {
        oidc,
        officers: records,
        applicants,
        attachments: hub.attachment_records(),
        module,
        workspace,
        lookups: Arc::new(crate::portal::Throttle::new(settings.lookup)),
        feedback: hub.feedback_records(),
        feedback_sends: Arc::new(crate::portal::Throttle::new(settings.lookup)),
        rating_proof: Arc::new(crate::portal::feedback::RatingProof::new(
            session::random_token().as_bytes(),
        )),
        settings: Arc::new(settings),
        decoy_hash: decoy_hash.into(),
        operations,
    };
    Ok(WebServer {
        listener,
        addr,
        router: crate::metrics::http::counted(router(state), hub.metrics().clone(), "web"),
    })
}

/// Moves the ratings and answers the portal's first release kept in its
/// own trees to the writer (`FeedbackRecords::move_first_layout`), before
/// any page can show statistics or offer a rating.
async fn move_first_layout(
    hub: &Hub,
    module: &OneStopModule,
    answering: &[(String, String, String)],
) -> Result<(), WebError> {
    let agency_of = |found: &crate::hub::EmbeddedAnswer| {
        let code = if found.feedback.agency_code.is_empty() {
            answering
                .iter()
                .find(|(name, unit, _)| *name == found.answer.officer && *unit == found.answer.unit)
                .map(|(_, _, agency)| agency.clone())?
        } else {
            found.feedback.agency_code.clone()
        };
        let name = module.agency_name(&code).unwrap_or_else(|_| code.clone());
        Some((code, name))
    };
    let moved = hub
        .feedback_records()
        .move_first_layout(module.partner(), agency_of)
        .await?;
    if moved != crate::hub::FirstLayoutMoved::default() {
        tracing::info!(
            ratings = moved.ratings,
            answers = moved.answers,
            "moved the portal's first-release ratings and answers to the writer"
        );
    }
    for kept in &moved.kept {
        tracing::warn!(what = %kept, "left in the portal's first-release layout");
    }
    Ok(())
}

impl WebServer {
    /// Serves until `shutdown` completes, then finishes the requests in
    /// flight.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The peer's address reaches the handlers: the public lookup is
        // limited per client address.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// The same, over TLS (`[tls]`; no client certificate is asked for:
    /// citizens and officers have none).
    pub async fn serve_tls(
        self,
        tls: crate::tls::ServerTls,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let which = crate::tls::Listener::Web;
        crate::tls::http::serve(self.listener, self.router, tls, which, shutdown).await
    }
}

fn router(state: WebState) -> Router {
    use applicant_pages as applicant;
    use axum::extract::DefaultBodyLimit;
    use officer_pages as officer;
    let upload_limit = uploads::body_limit(state.settings.attachments.max_dossier_bytes);
    Router::new()
        .route(portal_pages::HOME, get(portal_pages::home))
        .route(
            lookup_pages::LOOKUP,
            get(lookup_pages::form).post(lookup_pages::look_up),
        )
        .route(rating_pages::RATE, post(rating_pages::rate))
        .route(
            feedback_pages::FEEDBACK,
            get(feedback_pages::form).post(feedback_pages::send),
        )
        .route(feedback_pages::ONE, get(feedback_pages::one))
        .route(
            feedback_answer_pages::QUEUE,
            get(feedback_answer_pages::queue),
        )
        .route(
            feedback_answer_pages::ONE,
            get(feedback_answer_pages::page).post(feedback_answer_pages::answer),
        )
        .route(service_pages::SERVICES, get(service_pages::search))
        .route(service_pages::SERVICE, get(service_pages::procedure))
        .route(
            public_statistics_pages::STATISTICS,
            get(public_statistics_pages::page),
        )
        .route(
            public_statistics_pages::SERVICES_CSV,
            get(public_statistics_pages::services_csv),
        )
        .route(
            public_statistics_pages::AGENCIES_CSV,
            get(public_statistics_pages::agencies_csv),
        )
        .route(
            "/tai-khoan",
            get(|| async { Redirect::to(applicant::HOME) }),
        )
        .route(applicant::HOME, get(applicant::home))
        .route(
            applicant::REGISTER,
            get(applicant::register_page).post(applicant::register),
        )
        .route(
            applicant::SIGN_IN,
            get(applicant::sign_in_form).post(applicant::sign_in),
        )
        .route(applicant::SIGN_OUT, post(applicant::sign_out))
        .route(payment_pages::PAGE, get(payment_pages::page))
        .route(payment_pages::GO, get(payment_pages::go))
        .route(payment_pages::RETURN, get(payment_pages::returned))
        .route(oidc_pages::START, get(oidc_pages::start))
        .route(oidc_pages::CALLBACK, get(oidc_pages::finish))
        .route(
            filing_pages::FILE,
            get(filing_pages::form)
                .post(filing_pages::file)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            applicant_dossier_pages::DOSSIER,
            get(applicant_dossier_pages::page),
        )
        .route(
            applicant_dossier_pages::SUPPLEMENT,
            post(applicant_dossier_pages::supplement).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            applicant_dossier_pages::WITHDRAW,
            get(applicant_dossier_pages::withdraw_form).post(applicant_dossier_pages::withdraw),
        )
        .route(attachment_pages::FILE, get(attachment_pages::file))
        .route("/mot-cua", get(|| async { Redirect::to(officer::HOME) }))
        .route(officer::HOME, get(workspace_pages::home))
        .route(
            officer::SIGN_IN,
            get(officer::sign_in_page).post(officer::sign_in),
        )
        .route(officer::SIGN_OUT, post(officer::sign_out))
        .route(dossier_pages::DOSSIER, get(dossier_pages::page))
        .route(
            dossier_pages::ACTION,
            get(dossier_pages::forwarded).post(dossier_pages::act),
        )
        .route(print_pages::PRINT, get(print_pages::print))
        .route(workspace_pages::QUEUES, get(workspace_pages::first_queue))
        .route(workspace_pages::QUEUE, get(workspace_pages::queue))
        .route(handover_pages::PAGE, get(handover_pages::page))
        .route(handover_pages::ACTION, post(handover_pages::act))
        .route(statistics_pages::STATISTICS, get(statistics_pages::page))
        .route(statistics_pages::STATISTICS_CSV, get(statistics_pages::csv))
        .route(
            "/quan-tri",
            get(|| async { Redirect::to(console_pages::HOME) }),
        )
        .route(console_pages::HOME, get(console_pages::overview))
        .route(console_pages::SEARCH, get(console_pages::search))
        .route(console_ledger_pages::PAGE, get(console_ledger_pages::page))
        .route(
            console_delivery_pages::PAGE,
            get(console_delivery_pages::page),
        )
        .route(
            console_delivery_pages::REDRIVE,
            get(console_delivery_pages::confirm).post(console_delivery_pages::redrive),
        )
        .route(
            console_message_pages::PAGE,
            get(console_message_pages::page),
        )
        .route(
            console_message_pages::REDRIVE,
            get(console_message_pages::confirm).post(console_message_pages::redrive),
        )
        .route(assets::STYLESHEET, get(assets::stylesheet))
        .route(assets::ICON, get(assets::icon))
        .route(assets::DOSSIER_STYLESHEET, get(assets::dossier_stylesheet))
        .route(assets::UPLOAD_SCRIPT, get(assets::upload_script))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::add,
        ))
        .with_state(state)
}

async fn not_found() -> Response {
    pages::html(StatusCode::NOT_FOUND, &pages::StatusPage::not_found())
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.is_refusal() {
            tracing::info!(reason = %self, "web form refused");
            pages::html(StatusCode::FORBIDDEN, &pages::StatusPage::forbidden())
        } else {
            tracing::error!(error = %self, "web request failed");
            pages::html(
                StatusCode::INTERNAL_SERVER_ERROR,
                &pages::StatusPage::failed(),
            )
        }
    }
}

/// Runs store and password work (which block) off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| WebError::Task(e.to_string()))?
}
