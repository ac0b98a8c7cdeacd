//! A citizen looks a dossier up on the hosted portal (`/tra-cuu`), driven
//! over HTTP as a browser drives it: open the lookup page (its form token
//! cookie), post the MaHoSo with the ID number written on the dossier, and
//! read the page. The demo checks that the page names the dossier and the
//! status the hub holds, in Vietnamese, and that a wrong ID number gets
//! the "not found" answer instead — what a citizen would see.

use super::page::{client, cookies_of, form_posting_to};
use super::scenario::Lived;
use super::steps::id_number;
use super::world::World;
use super::DemoError;
use lienthong::domain::Status;
use lienthong::grpc::pb;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use std::net::SocketAddr;

fn failed(what: &str, reason: impl std::fmt::Display) -> DemoError {
    DemoError::web(what, reason)
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
    let http = client().map_err(|e| failed(&what, e))?;
    let url = format!("http://{web}/tra-cuu");
    let page = http.get(&url).send().await.map_err(|e| failed(&what, e))?;
    let cookie = cookies_of(page.headers());
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

/// The citizen of the first returned dossier in `lived` rates it from the
/// lookup result (the form the page offers, with its proof) and sends a
/// feedback on `/phan-anh`; answers the MaHoSo rated and the tracking code,
/// or `None` when no dossier was returned today.
pub async fn rate_and_comment(
    world: &World,
    web: SocketAddr,
    lived: &[Lived],
) -> Result<Option<(String, String)>, DemoError> {
    let mut returned = None;
    for one in lived {
        let reference = pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(one.ma_ho_so.clone())),
        };
        let held = world
            .officer
            .dossier(reference)
            .await?
            .and_then(|r| r.dossier);
        if held.is_some_and(|d| d.status == i32::from(Status::ResultReturned.code())) {
            returned = Some(one);
            break;
        }
    }
    let Some(one) = returned else {
        return Ok(None);
    };
    let what = format!("rating {} on the portal", one.ma_ho_so);
    let http = client().map_err(|e| failed(&what, e))?;
    let base = format!("http://{web}");
    let page = http
        .get(format!("{base}/tra-cuu"))
        .send()
        .await
        .map_err(|e| failed(&what, e))?;
    let cookie = cookies_of(page.headers());
    let html = page.text().await.map_err(|e| failed(&what, e))?;
    let lookup =
        form_posting_to(&html, "/tra-cuu").ok_or_else(|| failed(&what, "no lookup form"))?;
    let post = |path: &str, mut fields: Vec<(String, String)>, add: &[(&str, &str)]| {
        fields.extend(add.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        let body = serde_urlencoded::to_string(&fields).unwrap_or_default();
        http.post(format!("{base}{path}"))
            .header(COOKIE, &cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let csrf: Vec<(String, String)> = lookup.into_iter().filter(|(n, _)| n == "csrf").collect();
    let fact = id_number(one.plan.number);
    let found = post(
        "/tra-cuu",
        csrf.clone(),
        &[
            ("ma-ho-so", one.ma_ho_so.as_str()),
            ("thong-tin", fact.as_str()),
        ],
    )
    .await
    .map_err(|e| failed(&what, e))?;
    let found = found.text().await.map_err(|e| failed(&what, e))?;
    let rating = form_posting_to(&found, "/tra-cuu/danh-gia").ok_or_else(|| {
        failed(
            &what,
            "the lookup of a returned dossier offers no rating form",
        )
    })?;
    let rated = post(
        "/tra-cuu/danh-gia",
        rating.into_iter().filter(|(n, _)| n != "y-kien").collect(),
        &[
            ("muc-do", "1"),
            ("y-kien", "Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn."),
        ],
    )
    .await
    .map_err(|e| failed(&what, e))?;
    let code = rated.status();
    let shown = rated.text().await.map_err(|e| failed(&what, e))?;
    if !code.is_success() || !shown.contains("Đã ghi nhận đánh giá") {
        return Err(failed(
            &what,
            format!("HTTP {code}, the rating was not recorded"),
        ));
    }
    let what = "sending a feedback on the portal".to_string();
    let sent = post(
        "/phan-anh",
        csrf,
        &[
            ("ho-ten", "Trần Thị Bình"),
            ("lien-he", "binh@example.vn"),
            ("tieu-de", "Đề nghị niêm yết lệ phí"),
            (
                "chi-tiet",
                "Đề nghị niêm yết rõ mức lệ phí của từng thủ tục tại Bộ phận Một cửa.",
            ),
            ("ma-ho-so", one.ma_ho_so.as_str()),
        ],
    )
    .await
    .map_err(|e| failed(&what, e))?;
    let tracking = sent
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix("/phan-anh/"))
        .and_then(|l| l.split('?').next())
        .map(str::to_string)
        .ok_or_else(|| failed(&what, format!("HTTP {}, no tracking code", sent.status())))?;
    Ok(Some((one.ma_ho_so.clone(), tracking)))
}
