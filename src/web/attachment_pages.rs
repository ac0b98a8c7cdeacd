//! Serving an attached file (`/tep/<sha256>`): only to the applicant whose
//! dossier carries it, or to an officer of the agency that holds such a
//! dossier; to anyone else exactly as a file that does not exist (404).
//!
//! A file is sent with the type its bytes were recognised as when it was
//! stored (PDF, JPEG or PNG — never one a browser would run), as a
//! download (`Content-Disposition: attachment`), with `nosniff` (added to
//! every answer by `headers`) and a sandboxing content policy of its own,
//! so even a file that fooled the sniffing could not act as a page here.

use super::pages::{html, StatusPage};
use super::{applicant_session, blocking, session, WebError, WebState};
use crate::domain::attachment::{digest_of_url, is_digest};
use crate::domain::{Dossier, DossierRef};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub const FILE: &str = "/tep/:digest";

/// A file is no page: nothing in it may run or load anything.
pub const FILE_POLICY: &str = "default-src 'none'; sandbox";

fn missing() -> Response {
    let page = StatusPage {
        title: "Không tìm thấy tệp",
        message: "Không có tệp nào tại địa chỉ này mà bạn được xem. Đăng nhập bằng tài khoản đã nộp hồ sơ để tải tệp của hồ sơ.",
        back_href: "/",
        back_label: "Về trang chủ",
    };
    html(StatusCode::NOT_FOUND, &page)
}

/// Whether the dossier links to the file `digest`.
fn carries(d: &Dossier, digest: &str) -> bool {
    d.documents
        .iter()
        .chain(d.supplements.iter().flat_map(|s| s.documents.iter()))
        .any(|doc| digest_of_url(&doc.url) == Some(digest))
}

/// Who is asking, as far as files go.
enum Asker {
    Applicant(String),
    Officer(String),
}

pub async fn file(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(digest): Path<String>,
) -> Result<Response, WebError> {
    if !is_digest(&digest) {
        return Ok(missing());
    }
    let asker = match applicant_session::current(&state, &headers).await? {
        Some(applicant) => Asker::Applicant(applicant.account.email),
        None => match session::current(&state, &headers).await? {
            Some(officer) => Asker::Officer(officer.account.agency_code),
            None => return Ok(missing()),
        },
    };
    let web = state.clone();
    let asked = digest.clone();
    let found = blocking(move || {
        let module = &web.module;
        let own = match &asker {
            Asker::Applicant(email) => web.applicants.dossiers(email)?,
            Asker::Officer(_) => Vec::new(),
        };
        let mut allowed = false;
        for ma_ho_so in web.attachments.carriers(&asked)? {
            if let Asker::Applicant(_) = asker {
                if !own.contains(&ma_ho_so) {
                    continue;
                }
            }
            let dossier = match module
                .hub()
                .get_dossier(module.partner(), &DossierRef::MaHoSo(ma_ho_so))
            {
                Ok((dossier, _)) => dossier,
                Err(crate::hub::HubError::NotFound { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            let agency_ok = match &asker {
                Asker::Applicant(_) => true,
                Asker::Officer(agency) => &dossier.agency_code == agency,
            };
            if agency_ok && carries(&dossier, &asked) {
                allowed = true;
                break;
            }
        }
        if !allowed {
            return Ok(None);
        }
        let Some(meta) = web.attachments.meta(&asked)? else {
            return Ok(None);
        };
        Ok(web.attachments.bytes(&asked)?.map(|bytes| (meta, bytes)))
    })
    .await?;
    let Some((meta, bytes)) = found else {
        return Ok(missing());
    };
    let kind = meta.media_type;
    let disposition = format!(
        "attachment; filename=\"tep-{}.{}\"",
        &digest[..16],
        kind.extension()
    );
    let mut response = ([(CONTENT_TYPE, kind.mime().to_string())], bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_DISPOSITION,
        disposition.parse().expect("ASCII header value"),
    );
    headers.insert(
        CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(FILE_POLICY),
    );
    Ok(response)
}
