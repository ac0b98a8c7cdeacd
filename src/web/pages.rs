//! The compiled templates (HTML files in `templates/`, all extending the one
//! layout) and how a page becomes an answer.

use super::session::SignedIn;
use askama::Template;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The officer's bar at the top of every workspace page.
#[derive(Clone)]
pub struct OfficerBar {
    pub name: String,
    pub role: &'static str,
    pub unit: String,
    pub agency: String,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
    /// An administrator: the workspace's navigation links the console.
    pub administrator: bool,
}

impl OfficerBar {
    pub fn of(signed_in: &SignedIn, agency: String) -> OfficerBar {
        let account = &signed_in.account;
        OfficerBar {
            name: account.name.clone(),
            role: account.role.vietnamese(),
            unit: account.unit.clone(),
            agency,
            csrf: signed_in.session.csrf_token.clone(),
            administrator: account.role == crate::domain::officer::OfficerRole::Administrator,
        }
    }
}

#[derive(Template)]
#[template(path = "sign_in.html", config = "src/web/askama.toml")]
pub struct SignInPage {
    pub csrf: String,
    /// What the officer typed, kept after a refusal (never the password).
    pub login: String,
    pub refused: bool,
    pub max_failures: u32,
    pub lock_minutes: u64,
}

/// A page that only says what happened (403, 404, 500).
#[derive(Template)]
#[template(path = "status.html", config = "src/web/askama.toml")]
pub struct StatusPage {
    pub title: &'static str,
    pub message: &'static str,
    pub back_href: &'static str,
    pub back_label: &'static str,
}

impl StatusPage {
    pub fn forbidden() -> StatusPage {
        StatusPage {
            title: "Yêu cầu bị từ chối",
            message: "Biểu mẫu đã hết hiệu lực hoặc không gửi từ trang của hệ thống. Vui lòng mở lại trang và thực hiện lại.",
            back_href: "/mot-cua/",
            back_label: "Về trang Một cửa điện tử",
        }
    }

    /// An officer of another role opened the operator console.
    pub fn not_administrator() -> StatusPage {
        StatusPage {
            title: "Không có quyền truy cập",
            message: "Trang quản trị vận hành chỉ dành cho cán bộ có vai trò Quản trị hệ thống. Tài khoản của bạn không có vai trò này; nếu cần, hãy liên hệ quản trị hệ thống của cơ quan.",
            back_href: "/mot-cua/",
            back_label: "Về trang Một cửa điện tử",
        }
    }

    pub fn not_found() -> StatusPage {
        StatusPage {
            title: "Không tìm thấy trang",
            message: "Địa chỉ này không có trang nào. Kiểm tra lại đường dẫn.",
            back_href: "/",
            back_label: "Về trang chủ",
        }
    }

    pub fn failed() -> StatusPage {
        StatusPage {
            title: "Hệ thống đang gặp sự cố",
            message: "Yêu cầu chưa được thực hiện. Vui lòng thử lại sau ít phút.",
            back_href: "/",
            back_label: "Về trang chủ",
        }
    }
}

/// An HTML answer; a template that fails to render is logged and answered
/// with a plain 500.
pub fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}
