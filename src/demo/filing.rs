//! A citizen files a dossier online on the hosted portal, driven over HTTP
//! as a browser without JavaScript drives it: register a local account
//! (`/tai-khoan/dang-ky`), open the procedure's filing form
//! (`/tai-khoan/nop/<MaTTHC>`), fill it in, attach a PDF to every file the
//! form asks for, and post it as `multipart/form-data`. The hub takes the
//! dossier through its command path on channel "online", exactly as for a
//! real applicant; the demo then follows it like any other dossier.

use super::page::{client, cookies_of, file_inputs_of, form_posting_to, multipart, page_errors};
use super::DemoError;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::StatusCode;
use std::net::SocketAddr;

/// The scanned declaration the demo's applicants attach (a small, valid
/// PDF: the portal recognises files by their bytes).
const DECLARATION_PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// The password of every demo applicant's account.
pub const APPLICANT_PASSWORD: &str = "mat-khau-cong-dan-demo";

/// What the applicant types into the forms.
pub struct Filer<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub id_number: &'a str,
    pub phone: &'a str,
    pub summary: &'a str,
    /// `quay`, `buu-dien` or `dien-tu`, as the form's choice says.
    pub delivery: &'a str,
    /// Where the post brings the result (by post only): the street line,
    /// and the province and commune chosen from the published admin units.
    pub address: &'a str,
    pub province_code: &'a str,
    pub commune_code: &'a str,
}

fn failed(what: &str, reason: impl std::fmt::Display) -> DemoError {
    DemoError::web(what, reason)
}

/// Registers `filer` on the portal, files procedure `code` with a file for
/// every file input of the form; answers the MaHoSo the portal gave.
pub async fn file_online(
    web: SocketAddr,
    code: &str,
    filer: &Filer<'_>,
) -> Result<String, DemoError> {
    let what = format!("filing {code} online on the portal as {}", filer.email);
    let http = client().map_err(|e| failed(&what, e))?;
    let base = format!("http://{web}");
    let session = register(&http, &base, filer)
        .await
        .map_err(|answer| failed(&what, answer))?;

    let path = format!("/tai-khoan/nop/{code}");
    let page = http
        .get(format!("{base}{path}"))
        .header(COOKIE, &session)
        .send()
        .await
        .map_err(|e| failed(&what, e))?;
    if page.status() != StatusCode::OK {
        return Err(failed(
            &what,
            format!("the form answered HTTP {}", page.status()),
        ));
    }
    let html = page.text().await.map_err(|e| failed(&what, e))?;
    let mut fields = form_posting_to(&html, &path)
        .ok_or_else(|| failed(&what, "the page has no filing form"))?;
    for (name, value) in [
        ("ho-ten", filer.name),
        ("so-giay-to", filer.id_number),
        ("dien-thoai", filer.phone),
        ("email", filer.email),
        ("trich-yeu", filer.summary),
        ("nhan-ket-qua", filer.delivery),
        ("dia-chi", filer.address),
        ("tinh", filer.province_code),
        ("xa", filer.commune_code),
    ] {
        fields.retain(|(field, _)| field != name);
        fields.push((name.to_string(), value.to_string()));
    }
    let files: Vec<_> = file_inputs_of(&html, &path)
        .into_iter()
        .map(|(field, _)| (field, "to-khai.pdf".to_string(), DECLARATION_PDF.to_vec()))
        .collect();
    if files.is_empty() {
        return Err(failed(&what, "the filing form asks for no file"));
    }
    let (content_type, body) = multipart(&fields, &files);
    let filed = http
        .post(format!("{base}{path}"))
        .header(COOKIE, &session)
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .map_err(|e| failed(&what, e))?;
    let status = filed.status();
    let location = filed
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_string);
    let Some(own_page) = location.filter(|_| status == StatusCode::SEE_OTHER) else {
        let text = filed.text().await.unwrap_or_default();
        return Err(failed(
            &what,
            format!("HTTP {status}: {}", page_errors(&text)),
        ));
    };
    let ma_ho_so = own_page
        .strip_prefix("/tai-khoan/ho-so/")
        .and_then(|rest| rest.split('?').next())
        .filter(|ma| !ma.is_empty())
        .ok_or_else(|| failed(&what, format!("sent to {own_page}, not to a dossier page")))?
        .to_string();
    // The applicant's own page shows the dossier just filed.
    let shown = http
        .get(format!("{base}{own_page}"))
        .header(COOKIE, &session)
        .send()
        .await
        .map_err(|e| failed(&what, e))?;
    let code = shown.status();
    let shown = shown.text().await.map_err(|e| failed(&what, e))?;
    if code != StatusCode::OK || !shown.contains(&ma_ho_so) {
        return Err(failed(
            &what,
            format!("HTTP {code}: the applicant's page does not show {ma_ho_so}"),
        ));
    }
    Ok(ma_ho_so)
}

/// Creates the account; answers the session cookie the portal set.
async fn register(http: &reqwest::Client, base: &str, filer: &Filer<'_>) -> Result<String, String> {
    const PATH: &str = "/tai-khoan/dang-ky";
    let page = http
        .get(format!("{base}{PATH}"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let form_cookie = cookies_of(page.headers());
    let html = page.text().await.map_err(|e| e.to_string())?;
    let mut fields = form_posting_to(&html, PATH).ok_or("the page has no registration form")?;
    for (name, value) in [
        ("ho-ten", filer.name),
        ("email", filer.email),
        ("mat-khau", APPLICANT_PASSWORD),
        ("nhap-lai", APPLICANT_PASSWORD),
    ] {
        fields.retain(|(field, _)| field != name);
        fields.push((name.to_string(), value.to_string()));
    }
    let body = serde_urlencoded::to_string(&fields).map_err(|e| e.to_string())?;
    let answer = http
        .post(format!("{base}{PATH}"))
        .header(COOKIE, form_cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status();
    let session = cookies_of(answer.headers());
    if status != StatusCode::SEE_OTHER || !session.contains("lienthong_cong_dan=") {
        let text = answer.text().await.unwrap_or_default();
        return Err(format!(
            "registering answered HTTP {status}: {}",
            page_errors(&text)
        ));
    }
    Ok(session)
}
