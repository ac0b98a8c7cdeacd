//! A citizen looks a dossier up on the hosted portal (`/tra-cuu`), driven
//! over HTTP as a browser drives it: open the lookup page (its form token
//! cookie), post the MaHoSo with the ID number written on the dossier, and
//! read the page. The demo checks that the page names the dossier and the
//! status the hub holds, in Vietnamese, and that a wrong ID number gets
//! the "not found" answer instead — what a citizen would see.

use super::scenario::Lived;
use super::steps::id_number;
use super::workspace::form_posting_to;
use super::world::World;
use super::DemoError;
use lienthong::domain::Status;
use lienthong::grpc::pb;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use std::net::SocketAddr;
use std::time::Duration;

fn failed(what: &str, reason: impl std::fmt::Display) -> DemoError {
    DemoError::Workspace {
        what: what.to_string(),
        answer: reason.to_string(),
    }
}

/// Looks `one` up with its ID number (and once with a wrong one); answers
/// the status the page showed.
pub async fn look_up(world: &World, web: SocketAddr, one: &Lived) -> Result<String, DemoError> {
    let what = format!("looking {} up on the portal", one.ma_ho_so);
    let reference = pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(one.ma_ho_so.clone())),
    };
    let held = world
        .officer
        .dossier(reference)
        .await?
        .and_then(|reply| reply.dossier)
        .ok_or_else(|| failed(&what, "the hub does not have the dossier"))?;
    let status = u8::try_from(held.status)
        .ok()
        .and_then(Status::from_code)
        .ok_or_else(|| failed(&what, format!("unknown status {}", held.status)))?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| failed(&what, e))?;
    let url = format!("http://{web}/tra-cuu");
    let page = http.get(&url).send().await.map_err(|e| failed(&what, e))?;
    let cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let html = page.text().await.map_err(|e| failed(&what, e))?;
    let form = form_posting_to(&html, "/tra-cuu").ok_or_else(|| failed(&what, "no lookup form"))?;
    let post = |fact: String| {
        let mut fields: Vec<(String, String)> = form
            .iter()
            .filter(|(name, _)| name == "csrf")
            .cloned()
            .collect();
        fields.push(("ma-ho-so".into(), one.ma_ho_so.clone()));
        fields.push(("thong-tin".into(), fact));
        let body = serde_urlencoded::to_string(&fields).unwrap_or_default();
        http.post(&url)
            .header(COOKIE, &cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let answer = post(id_number(one.plan.number))
        .await
        .map_err(|e| failed(&what, e))?;
    let code = answer.status();
    let shown = answer.text().await.map_err(|e| failed(&what, e))?;
    let expected = format!("Trạng thái: <strong>{}</strong>", status.vietnamese());
    if !code.is_success() || !shown.contains(&one.ma_ho_so) || !shown.contains(&expected) {
        return Err(failed(
            &what,
            format!("HTTP {code}, the page does not show `{expected}`"),
        ));
    }
    let wrong = post("000000000000".into())
        .await
        .map_err(|e| failed(&what, e))?;
    let wrong = wrong.text().await.map_err(|e| failed(&what, e))?;
    if !wrong.contains("Không tìm thấy hồ sơ") || wrong.contains(&expected) {
        return Err(failed(
            &what,
            "a wrong ID number was not answered as not found",
        ));
    }
    Ok(status.vietnamese().to_string())
}
