//! The static assets: the stylesheets, one icon and one script (the upload
//! progress of forms with files, `static/upload.js`), compiled into the
//! binary and served with their exact types (the listener sends `nosniff`,
//! so a wrong type would break them).

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

pub const STYLESHEET: &str = "/tai-nguyen/giao-dien.css";
pub const ICON: &str = "/tai-nguyen/bieu-tuong.svg";
/// The dossier page's and the printed forms' own rules (and print sheet).
pub const DOSSIER_STYLESHEET: &str = "/tai-nguyen/ho-so.css";

const CSS: &str = include_str!("static/site.css");
const SVG: &str = include_str!("static/icon.svg");
const DOSSIER_CSS: &str = include_str!("static/dossier.css");
/// Progress in percent while files are sent (progressive enhancement).
pub const UPLOAD_SCRIPT: &str = "/tai-nguyen/tai-len.js";
const UPLOAD_JS: &str = include_str!("static/upload.js");

pub async fn upload_script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        UPLOAD_JS,
    )
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

pub async fn dossier_stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        DOSSIER_CSS,
    )
}

pub async fn icon() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        SVG,
    )
}
