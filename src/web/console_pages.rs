//! The operator console (`/quan-tri/`): who may use it, how its pages name
//! destinations and problems, and its overview — every destination's state
//! and lag, with a box to open a dossier's delivery ledger.
//!
//! The console is for officers with the Administrator role (Quản trị hệ
//! thống), signed in through the workspace's sign-in: signed out, a page
//! sends the browser to sign in; another role gets a 403 page saying so.
//! What it shows comes from the hub's one enumeration of destinations
//! (`Hub::destinations`, which the metrics use too); what it does goes
//! through the same doors as the admin gRPC service (`AdapterDeliveries`,
//! `Hub::redrive_parked_messages`), each re-drive naming the officer in
//! the audit log (`operator_name`). The destination pages are in
//! `console_delivery_pages`, the broker's parked messages in
//! `console_message_pages`, a dossier's ledger in `console_ledger_pages`.

use super::format;
use super::pages::{html, OfficerBar, StatusPage};
use super::session::{self, Officer, SignedIn};
use super::{blocking, WebError, WebState};
use crate::domain::officer::{OfficerAccount, OfficerRole};
use crate::hub::{DestinationInfo, DestinationState};
use crate::metrics::DestinationKind;
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// What the operator console acts through, as the admin gRPC service
/// does: the hub, the adapter relays' deliveries, and the broker's parking
/// queue when `[amqp]` is configured.
#[derive(Clone)]
pub struct Operations {
    pub hub: crate::hub::Hub,
    pub deliveries: std::sync::Arc<dyn crate::hub::AdapterDeliveries>,
    pub dead_letters: Option<std::sync::Arc<dyn crate::hub::DeadLetters>>,
}

pub const HOME: &str = "/quan-tri/";
pub const SEARCH: &str = "/quan-tri/ho-so";

/// A destination whose oldest waiting event is older than this is in
/// arrears ("tồn đọng"): the delivery objective of
/// `deploy/observability/lienthong.rules.yml`
/// (`lienthong:objective_delivery_lag_seconds`, 15 minutes), so the
/// console and the alert agree.
pub const BACKLOG_SECONDS: f64 = 900.0;

/// The audit log's name for an officer acting as operator: the login,
/// marked as an officer's so it is never read as a partner id.
pub fn operator_name(account: &OfficerAccount) -> String {
    format!("officer:{}", account.login)
}

/// The signed-in administrator a console page is for. Signed out: the
/// sign-in page; signed in with another role: 403, saying so.
pub struct Operator(pub SignedIn);

#[axum::async_trait]
impl FromRequestParts<WebState> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let Officer(signed_in) = Officer::from_request_parts(parts, state).await?;
        if signed_in.account.role != OfficerRole::Administrator {
            tracing::info!(login = %signed_in.account.login, "console refused: not an administrator");
            return Err(html(
                StatusCode::FORBIDDEN,
                &StatusPage::not_administrator(),
            ));
        }
        Ok(Operator(signed_in))
    }
}

impl Operator {
    pub fn bar(&self) -> OfficerBar {
        OfficerBar::of(&self.0, self.0.account.agency_code.clone())
    }

    /// Every form of the console carries the session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), Problem> {
        if session::same_secret(&self.0.session.csrf_token, sent) {
            return Ok(());
        }
        tracing::info!(login = %self.0.account.login, "console form refused: token missing or wrong");
        Err(Problem {
            status: StatusCode::FORBIDDEN,
            title: "Yêu cầu bị từ chối",
            message: "Biểu mẫu thiếu mã xác thực của phiên làm việc hoặc mã không đúng (biểu mẫu cũ, hoặc không gửi từ trang của hệ thống). Không có gì thay đổi. Mở lại trang và thực hiện lại.".into(),
            back_href: HOME.into(),
        })
    }

    /// The page saying what `problem` is.
    pub fn refuse(&self, problem: Problem) -> Response {
        self.problem(
            problem.status,
            problem.title,
            problem.message,
            problem.back_href,
        )
    }

    /// A page in the console's layout saying what was wrong (an unknown
    /// destination or dossier, a confirmation gone stale, bad input).
    pub fn problem(
        &self,
        status: StatusCode,
        title: &'static str,
        message: String,
        back_href: String,
    ) -> Response {
        html(
            status,
            &ProblemPage {
                officer: self.bar(),
                title,
                message,
                back_href,
            },
        )
    }
}

/// What was wrong with a request, before it is a page (`Operator::refuse`).
pub struct Problem {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    pub back_href: String,
}

#[derive(Template)]
#[template(path = "console_problem.html", config = "src/web/askama.toml")]
pub struct ProblemPage {
    pub officer: OfficerBar,
    pub title: &'static str,
    pub message: String,
    pub back_href: String,
}

/// The kinds as the console's addresses spell them (the metrics' labels).
const KINDS: [DestinationKind; 6] = [
    DestinationKind::Partner,
    DestinationKind::Adapter,
    DestinationKind::Amqp,
    DestinationKind::Workspace,
    DestinationKind::Notification,
    DestinationKind::Site,
];

pub fn parse_kind(text: &str) -> Option<DestinationKind> {
    KINDS.into_iter().find(|k| k.name() == text)
}

/// What kind of destination it is, as the pages say it.
pub fn kind_text(kind: DestinationKind) -> &'static str {
    match kind {
        DestinationKind::Partner => "Đối tác nhận qua gRPC",
        DestinationKind::Adapter => "Bộ chuyển đổi của đối tác",
        DestinationKind::Amqp => "RabbitMQ (AMQP)",
        DestinationKind::Workspace => "Một cửa điện tử (nội bộ)",
        DestinationKind::Notification => "Kênh thông báo",
        DestinationKind::Site => "Hệ thống liên thông của địa phương, bộ khác",
    }
}

/// A destination's name as the pages show it.
pub fn destination_label(destination: &DestinationInfo) -> String {
    match (destination.kind, destination.name.as_str()) {
        (DestinationKind::Amqp, _) => "Sàn sự kiện RabbitMQ".into(),
        (DestinationKind::Notification, "notify.sms") => "Tin nhắn SMS".into(),
        (DestinationKind::Notification, "notify.email") => "Thư điện tử".into(),
        (DestinationKind::Site, site) => format!("Liên thông với {site}"),
        (_, name) => name.to_string(),
    }
}

pub fn destination_href(destination: &DestinationInfo) -> String {
    format!(
        "/quan-tri/diem-nhan/{}/{}",
        destination.kind.name(),
        destination.name
    )
}

pub fn ledger_href(ma_ho_so: &str) -> String {
    format!("/quan-tri/ho-so/{ma_ho_so}")
}

/// A destination's state in words, and the flag's style.
pub fn state_of(state: &DestinationState) -> (&'static str, &'static str) {
    if state.parked.is_some_and(|n| n > 0) {
        ("Có sự kiện bị giữ", "flag flag--overdue")
    } else if state.lag.events == 0 {
        ("Đang chạy", "tag")
    } else if state.lag.seconds >= BACKLOG_SECONDS {
        ("Tồn đọng", "flag flag--overdue")
    } else if state.destination.kind == DestinationKind::Site {
        // Handed over and not yet acknowledged by the other site's hub.
        ("Chờ nơi nhận xác nhận", "flag")
    } else if state.destination.kind == DestinationKind::Partner {
        // A subscriber's cursor moves when it acknowledges what it read.
        ("Chờ đối tác xác nhận", "flag")
    } else {
        ("Đang gửi", "flag")
    }
}

pub struct DestinationRow {
    pub label: String,
    pub name: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub state_class: &'static str,
    pub lag_events: String,
    pub lag_time: String,
    pub delivered: String,
    pub retries: String,
    pub parked: String,
    pub href: String,
}

impl DestinationRow {
    pub fn of(state: &DestinationState) -> DestinationRow {
        let (said, class) = state_of(state);
        DestinationRow {
            label: destination_label(&state.destination),
            name: state.destination.name.clone(),
            kind: kind_text(state.destination.kind),
            state: said,
            state_class: class,
            lag_events: format::count(state.lag.events),
            lag_time: format::duration(state.lag.seconds),
            delivered: format::count(state.delivered),
            retries: format::count(state.retries),
            parked: state.parked.map_or("—".into(), format::count),
            href: destination_href(&state.destination),
        }
    }
}

#[derive(Template)]
#[template(path = "console_overview.html", config = "src/web/askama.toml")]
pub struct OverviewPage {
    pub officer: OfficerBar,
    pub committed: String,
    pub rows: Vec<DestinationRow>,
    pub broker: bool,
    pub ma_ho_so: String,
    pub search_error: Option<String>,
}

pub async fn overview(
    operator: Operator,
    State(state): State<WebState>,
) -> Result<Response, WebError> {
    let page = overview_page(&operator, &state, String::new(), None).await?;
    Ok(html(StatusCode::OK, &page))
}

async fn overview_page(
    operator: &Operator,
    state: &WebState,
    ma_ho_so: String,
    search_error: Option<String>,
) -> Result<OverviewPage, WebError> {
    let hub = state.operations.hub.clone();
    let (committed, states) = blocking(move || {
        let committed = *hub.committed().borrow();
        Ok((committed, hub.destination_states()?))
    })
    .await?;
    Ok(OverviewPage {
        officer: operator.bar(),
        committed: format::count(committed),
        rows: states.iter().map(DestinationRow::of).collect(),
        broker: state.operations.dead_letters.is_some(),
        ma_ho_so,
        search_error,
    })
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default, rename = "ma-ho-so")]
    ma_ho_so: String,
}

/// The overview's search box: to the dossier's ledger, or the overview
/// again with the error next to the field.
pub async fn search(
    operator: Operator,
    State(state): State<WebState>,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let ma_ho_so = query.ma_ho_so.trim().to_string();
    if ma_ho_so.is_empty() {
        let error = "Nhập mã hồ sơ (MaHoSo) cần xem.".to_string();
        let page = overview_page(&operator, &state, ma_ho_so, Some(error)).await?;
        return Ok(html(StatusCode::BAD_REQUEST, &page));
    }
    if !well_formed(&ma_ho_so) {
        let error = malformed_text(&ma_ho_so);
        let page = overview_page(&operator, &state, ma_ho_so, Some(error)).await?;
        return Ok(html(StatusCode::BAD_REQUEST, &page));
    }
    Ok(Redirect::to(&ledger_href(&ma_ho_so)).into_response())
}

/// Whether `text` is a MaHoSo as the hub writes them.
pub fn well_formed(text: &str) -> bool {
    crate::domain::codes::parse_ma_ho_so("ma_ho_so", text).is_ok()
}

/// What a malformed MaHoSo is told, naming the form it must have.
pub fn malformed_text(text: &str) -> String {
    format!(
        "Mã hồ sơ «{}» không đúng định dạng: mã cơ quan, ngày nộp (năm tháng ngày, 6 chữ số) và số thứ tự (5 chữ số), nối bằng dấu gạch ngang, ví dụ 000.00.01.H22-251122-00017.",
        text.chars().take(64).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::{CursorId, DestinationLag};

    fn state(
        kind: DestinationKind,
        events: u64,
        seconds: f64,
        parked: Option<u64>,
    ) -> DestinationState {
        DestinationState {
            destination: DestinationInfo {
                kind,
                name: "x".into(),
                cursor: CursorId::Adapter("x".into()),
                filter: Default::default(),
            },
            lag: DestinationLag {
                cursor: 0,
                events,
                seconds,
            },
            delivered: 0,
            retries: 0,
            parked,
        }
    }

    #[test]
    fn a_destination_state_is_parked_before_backlog_before_sending() {
        let adapter = DestinationKind::Adapter;
        assert_eq!(state_of(&state(adapter, 0, 0.0, Some(0))).0, "Đang chạy");
        assert_eq!(state_of(&state(adapter, 3, 10.0, Some(0))).0, "Đang gửi");
        assert_eq!(
            state_of(&state(adapter, 3, BACKLOG_SECONDS, None)).0,
            "Tồn đọng"
        );
        assert_eq!(
            state_of(&state(adapter, 0, 0.0, Some(2))).0,
            "Có sự kiện bị giữ"
        );
        let partner = DestinationKind::Partner;
        assert_eq!(
            state_of(&state(partner, 3, 10.0, None)).0,
            "Chờ đối tác xác nhận"
        );
    }

    #[test]
    fn kinds_read_back_as_the_metrics_spell_them() {
        for kind in KINDS {
            assert_eq!(parse_kind(kind.name()), Some(kind));
        }
        assert_eq!(parse_kind("Adapter"), None);
    }
}
