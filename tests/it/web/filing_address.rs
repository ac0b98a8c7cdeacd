//! A result by post addressed by choosing, once the `admin_units` catalogue
//! is published: the province, then a commune of it (the page's script
//! narrows the list; without it the server names a commune of another
//! province), the street line; the dossier carries the address structured,
//! as the post's order needs it, and the next form is filled from it.

use super::*;
use crate::common;

const STREET: &str = "Số 12 phố Lê Thánh Tông";
const LINE: &str = "Số 12 phố Lê Thánh Tông, Phường Hồng Gai, Tỉnh Quảng Ninh";

async fn publish_units(hub: &TestHub) {
    let mut portal = hub.client(PORTAL).await;
    let unit =
        |code: &str, name: &str, parent: &str, attributes: &[(&str, &str)]| pb::CatalogEntry {
            code: code.into(),
            name: name.into(),
            parent_code: parent.into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
    let units = vec![
        unit("22", "Tỉnh Quảng Ninh", "", &[("level", "province")]),
        unit("01", "Thành phố Hà Nội", "", &[("level", "province")]),
        unit("06652", "Phường Hồng Gai", "22", &[("level", "commune")]),
        unit("06658", "Phường Bãi Cháy", "22", &[("level", "commune")]),
        unit("00004", "Phường Ba Đình", "01", &[("level", "commune")]),
        unit(
            "193",
            "Thành phố Hạ Long",
            "22",
            &[("level", "district"), ("abolished_on", "2025-07-01")],
        ),
    ];
    common::publish_catalog(&mut portal, "units-filing-v1", "admin_units", units, None)
        .await
        .expect("admin units published");
}

impl Browser {
    async fn select(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    }
}

#[tokio::test]
async fn a_result_by_post_is_addressed_by_province_and_commune_once_units_are_published() {
    let mut hub = web_hub(5).await;
    let web = hub.web_addr.unwrap();
    publish_agencies(&hub).await;
    publish_procedure(&hub).await;
    publish_units(&hub).await;
    let (pdf, _, _) = files(&hub);
    let records = hub.running.as_ref().unwrap().applicant_records();
    let browser = Browser::start("filing_address", web, &shots(&hub)).await;

    browser.register_from_the_procedure_page(None).await;

    browser.fill("#so-giay-to", "001099012345").await;
    browser.fill("#dien-thoai", "0912345678").await;
    browser
        .fill("#trich-yeu", "Xin cấp giấy phép xây dựng nhà ở")
        .await;
    browser.choose("#nhan-buu-dien").await;
    let offered = browser
        .script("return [...document.querySelectorAll('#tinh option')].map(o => o.value).join(',')")
        .await;
    assert_eq!(
        offered, ",01,22",
        "the provinces, and no abolished district"
    );
    browser.select("#tinh", "22").await;
    let shown = browser
        .script(
            "return [...document.querySelectorAll('#xa optgroup')].filter(g => !g.hidden).map(g => g.dataset.tinh).join(',')",
        )
        .await;
    assert_eq!(
        shown, "22",
        "only the chosen province's communes are listed"
    );
    // No commune and no street yet: both named next to their fields, and
    // the province chosen stays chosen.
    browser.choose_file("#tp-1", &pdf).await;
    browser.click("form.filing button[type=submit]").await;
    let commune = browser.text_of("#xa-loi", "the commune's error").await;
    assert!(commune.contains("Chọn xã/phường/đặc khu"), "{commune}");
    let street = browser.text_of("#dia-chi-loi", "the street's error").await;
    assert!(street.contains("số nhà"), "{street}");
    assert_eq!(
        browser
            .script("return document.querySelector('#tinh').value")
            .await,
        "22"
    );
    assert!(records.dossiers(EMAIL).unwrap().is_empty());
    browser
        .screenshots_at("nop-ho-so-dia-chi-loi", Some("#tinh"))
        .await;
    browser.check_accessibility("nop-ho-so-dia-chi-loi").await;
    browser.select("#xa", "06652").await;
    browser.fill("#dia-chi", STREET).await;
    browser.choose_file("#tp-1", &pdf).await;
    browser
        .screenshots_at("nop-ho-so-dia-chi", Some("#tinh"))
        .await;
    browser.click("form.filing button[type=submit]").await;
    let path = browser.path().await;
    let ma = path
        .strip_prefix("/tai-khoan/ho-so/")
        .unwrap_or_else(|| panic!("on the dossier's page, not {path}"))
        .to_string();
    assert!(browser.text().await.contains(LINE));

    let d = stored(&hub, &ma);
    let address = d.applicant_address.clone().expect("filed structured");
    assert_eq!(
        (
            address.province_code.as_str(),
            address.commune_code.as_str(),
            address.street.as_str(),
            address.phone.as_str()
        ),
        ("22", "06652", STREET, "0912345678")
    );
    assert_eq!(d.result_address, LINE);

    // Without the script: a commune of another province is named, and
    // nothing is written.
    let cookie = browser.applicant_cookie().await;
    let form = http::get_as(web, &format!("/tai-khoan/nop/{BUILD}"), &cookie).await;
    assert!(
        form.body.contains(r#"<option value="22" selected>"#),
        "filled from the last dossier"
    );
    assert!(form.body.contains(r#"<option value="06652" selected>"#));
    let writes_before = hub.running.as_ref().unwrap().write_totals().0;
    let answer = http::post_multipart(
        web,
        &format!("/tai-khoan/nop/{BUILD}"),
        &cookie,
        &[
            ("csrf", &http::hidden(&form.body, "csrf")),
            ("ma-nop", &http::hidden(&form.body, "ma-nop")),
            ("ho-ten", "Trần Thị Hoa"),
            ("so-giay-to", "001099012345"),
            ("dien-thoai", "0912345678"),
            ("email", EMAIL),
            ("trich-yeu", "Xin cấp giấy phép xây dựng nhà ở"),
            ("nhan-ket-qua", "buu-dien"),
            ("tinh", "22"),
            ("xa", "00004"),
            ("dia-chi", STREET),
        ],
        &[("tp-1", "don.pdf", PDF)],
    )
    .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("Xã/phường/đặc khu đã chọn không thuộc tỉnh/thành phố đã chọn"),
        "{}",
        answer.body
    );
    assert_eq!(
        hub.running.as_ref().unwrap().write_totals().0,
        writes_before
    );
    assert_eq!(records.dossiers(EMAIL).unwrap().len(), 1);
    browser.close().await;
    hub.stop().await;
}
