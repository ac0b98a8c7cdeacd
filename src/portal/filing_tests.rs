//! The filing form's rules: every field named on its own, files judged by
//! their bytes and held to the limits, only a form with no error becomes a
//! submission, and the submission passes the hub's own field rules.

use super::*;
use crate::domain::attachment::MediaType;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
const BASE: &str = "https://dichvucong.example.vn";

fn components() -> Vec<Component> {
    let item = |json: &str| serde_json::from_str(json).unwrap();
    vec![
        Component::from_catalogue(0, &item(r#"{"Ma":"TP01","Ten":"Tờ khai"}"#)),
        Component::from_catalogue(1, &item(r#"{"Ma":"TP02","Ten":"Bản vẽ","BatBuoc":false}"#)),
    ]
}

fn limits() -> AttachmentLimits {
    AttachmentLimits {
        max_file_bytes: 1000,
        max_dossier_bytes: 1500,
    }
}

fn upload(field: &str, name: &str, bytes: &[u8]) -> Upload {
    Upload {
        field: field.into(),
        file_name: name.into(),
        bytes: bytes.to_vec(),
    }
}

fn form() -> FilingForm {
    FilingForm {
        name: " Trần Thị Hoa ".into(),
        id_number: "001 099 012 345".into(),
        phone: "+84 912 345 678".into(),
        email: "TranThiHoa@Example.vn".into(),
        summary: "Xin cấp giấy phép xây dựng nhà ở".into(),
        delivery: "buu-dien".into(),
        address: "Số 12 phố Lê Thánh Tông, phường Hồng Gai, TP Hạ Long".into(),
        province_code: String::new(),
        commune_code: String::new(),
        uploads: vec![
            upload("tp-1", "C:\\fakepath\\to-khai.pdf", PDF),
            upload("tp-2", "ban-ve.png", PNG),
        ],
    }
}

fn check_form(form: &FilingForm) -> Result<Filing, FieldErrors> {
    check_with(form, None)
}

fn check_with(form: &FilingForm, choices: Option<&AddressChoices>) -> Result<Filing, FieldErrors> {
    let components = components();
    let fees = [crate::domain::Fee {
        code: "LP01".into(),
        name: "Lệ phí".into(),
        amount_vnd: 75_000,
    }];
    let procedure = Procedure {
        code: "1.001612.000.00.00.H22",
        name: "Cấp giấy phép xây dựng",
        agency_code: "000.00.01.H22",
        sector_code: "G05",
        components: &components,
        fees: &fees,
    };
    check(&procedure, form, choices, limits(), BASE, UnixMillis(7))
}

#[test]
fn components_read_the_catalogue_and_are_required_unless_it_says_not() {
    let c = components();
    assert_eq!(
        (c[0].code.as_str(), c[0].name.as_str()),
        ("TP01", "Tờ khai")
    );
    assert!(c[0].required);
    assert!(!c[1].required);
    assert_eq!((c[0].field.as_str(), c[1].field.as_str()), ("tp-1", "tp-2"));
    let bare = Component::from_catalogue(2, &serde_json::Map::new());
    assert_eq!(
        (bare.code.as_str(), bare.name.as_str()),
        ("TP3", "Thành phần 3")
    );
}

#[test]
fn a_good_form_becomes_a_submission_the_hub_accepts() {
    let filing = check_form(&form()).expect("no errors");
    let new = &filing.submission;
    assert_eq!(new.owner_name, "Trần Thị Hoa");
    assert_eq!(new.owner_id_number, "001099012345");
    assert_eq!(new.phone, "0912345678");
    assert_eq!(new.email, "tranthihoa@example.vn");
    assert_eq!(new.channel, Some(Channel::Online));
    assert_eq!(new.result_delivery, Some(ResultDelivery::ByPost));
    assert!(new.result_address.starts_with("Số 12 phố Lê Thánh Tông"));
    assert_eq!(new.fees.len(), 1);
    assert_eq!(filing.files.len(), 2);
    assert_eq!(filing.files[0].meta.media_type, MediaType::Pdf);
    assert_eq!(filing.files[1].meta.media_type, MediaType::Png);
    let doc = &new.documents[0];
    assert_eq!(doc.component_code, "TP01");
    assert_eq!(doc.name, "Tờ khai (to-khai.pdf)");
    assert_eq!(doc.url, format!("{BASE}/tep/{}", attachment::digest(PDF)));
    let envelope = crate::domain::CommandEnvelope {
        idempotency_key: "cong:abc".into(),
        expected_version: None,
        actor: "Trần Thị Hoa".into(),
        unit: "Cổng dịch vụ công".into(),
        action: crate::domain::Action::Submit(Box::new(new.clone())),
    };
    crate::domain::validate::envelope(&envelope).expect("the hub's rules pass");
}

#[test]
fn every_wrong_field_is_named_and_nothing_is_made() {
    let mut bad = form();
    bad.name = "  ".into();
    bad.id_number = "12345".into();
    bad.phone = "12345678901".into();
    bad.email = "hoa@".into();
    bad.summary = String::new();
    bad.address = "Hạ Long".into();
    bad.uploads = vec![upload("tp-2", "virus.exe", b"MZ\x90\0")];
    let errors = check_form(&bad).expect_err("errors");
    for field in [
        "ho-ten",
        "so-giay-to",
        "dien-thoai",
        "email",
        "trich-yeu",
        "dia-chi",
        "tp-1",
        "tp-2",
    ] {
        assert!(errors.contains_key(field), "{field}: {errors:?}");
    }
    assert!(errors["tp-1"].contains("bắt buộc"), "{errors:?}");
    assert!(
        errors["tp-2"].contains("virus.exe") && errors["tp-2"].contains("chương trình"),
        "{errors:?}"
    );
    bad = form();
    bad.delivery = "bay".into();
    let errors = check_form(&bad).expect_err("no delivery");
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["nhan-ket-qua"]);
}

#[test]
fn an_address_is_asked_only_for_the_post() {
    let mut at_counter = form();
    at_counter.delivery = "quay".into();
    at_counter.address = String::new();
    let filing = check_form(&at_counter).expect("no address needed");
    assert_eq!(filing.submission.result_address, "");
    at_counter.address = "Số 1 đường 25/4, Hạ Long".into();
    let filing = check_form(&at_counter).expect("an address typed anyway");
    assert_eq!(filing.submission.result_address, "", "not carried");
}

fn choices() -> AddressChoices {
    use super::super::address_choices::{Commune, Province};
    AddressChoices {
        version: 2,
        provinces: vec![
            Province {
                code: "22".into(),
                name: "Tỉnh Quảng Ninh".into(),
                communes: vec![Commune {
                    code: "06652".into(),
                    name: "Phường Hồng Gai".into(),
                }],
            },
            Province {
                code: "01".into(),
                name: "Thành phố Hà Nội".into(),
                communes: vec![Commune {
                    code: "00004".into(),
                    name: "Phường Ba Đình".into(),
                }],
            },
        ],
    }
}

#[test]
fn with_published_units_an_address_by_post_is_filed_structured() {
    let mut f = form();
    f.address = " Số 12 phố Lê Thánh Tông ".into();
    f.province_code = "22".into();
    f.commune_code = "06652".into();
    let filing = check_with(&f, Some(&choices())).expect("no errors");
    let new = &filing.submission;
    let address = new.applicant_address.as_ref().expect("structured");
    assert_eq!(
        (
            address.province_code.as_str(),
            address.commune_code.as_str()
        ),
        ("22", "06652")
    );
    assert_eq!(address.street, "Số 12 phố Lê Thánh Tông");
    assert_eq!(
        address.phone, "0912345678",
        "the post calls the applicant's phone"
    );
    assert_eq!(
        new.result_address,
        "Số 12 phố Lê Thánh Tông, Phường Hồng Gai, Tỉnh Quảng Ninh"
    );
    address
        .check("submit.applicant_address")
        .expect("the hub's shape rules pass");
    f.delivery = "quay".into();
    let at_counter = check_with(&f, Some(&choices())).expect("no address needed");
    assert_eq!(at_counter.submission.applicant_address, None);
    assert_eq!(at_counter.submission.result_address, "");
}

#[test]
fn with_published_units_each_missing_or_mismatched_part_is_named() {
    let mut f = form();
    f.address = "Số".into();
    let errors = check_with(&f, Some(&choices())).expect_err("nothing chosen");
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["dia-chi", "tinh"]);
    f.address = "Số 12 phố Lê Thánh Tông".into();
    f.province_code = "22".into();
    let errors = check_with(&f, Some(&choices())).expect_err("no commune");
    assert_eq!(errors["xa"], "Chọn xã/phường/đặc khu nhận kết quả.");
    f.commune_code = "00004".into();
    let errors = check_with(&f, Some(&choices())).expect_err("a commune of Hà Nội");
    assert!(errors["xa"].contains("không thuộc tỉnh"), "{errors:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    f.province_code = "99".into();
    let errors = check_with(&f, Some(&choices())).expect_err("no such province");
    assert!(
        errors.contains_key("tinh") && !errors.contains_key("xa"),
        "{errors:?}"
    );
}

#[test]
fn files_are_held_to_the_limits_each_and_together() {
    let mut big = form();
    let mut large = PDF.to_vec();
    large.resize(1001, b' ');
    big.uploads[0] = upload("tp-1", "lon.pdf", &large);
    let errors = check_form(&big).expect_err("too large");
    assert!(errors["tp-1"].contains("quá giới hạn"), "{errors:?}");
    let mut together = form();
    let mut a = PDF.to_vec();
    a.resize(900, b' ');
    let mut b = PNG.to_vec();
    b.resize(900, 0);
    together.uploads = vec![upload("tp-1", "a.pdf", &a), upload("tp-2", "b.png", &b)];
    let errors = check_form(&together).expect_err("1800 > 1500 together");
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["tep"], "{errors:?}");
}

#[test]
fn html_svg_and_scripts_are_refused_whatever_their_name() {
    for (bytes, word) in [
        (b"<!doctype html><script>x</script>".as_slice(), "HTML"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".as_slice(),
            "SVG",
        ),
        (b"#!/bin/bash\necho".as_slice(), "kịch bản"),
        (b"plain text".as_slice(), "không phải PDF"),
    ] {
        let mut sneaky = form();
        sneaky.uploads[0] = upload("tp-1", "to-khai.pdf", bytes);
        let errors = check_form(&sneaky).expect_err("refused");
        assert!(errors["tp-1"].contains(word), "{word}: {errors:?}");
    }
}

#[test]
fn fees_and_shown_names() {
    let items: Vec<serde_json::Map<String, Value>> = serde_json::from_str(
        r#"[{"MaPhiLePhi":"LP01","MucPhi":200000},{"MaPhiLePhi":"LP02"},{"Ten":"x","MucPhi":5}]"#,
    )
    .unwrap();
    let fees = fees_of(&items);
    assert_eq!(fees.len(), 1, "only items with a code and an amount");
    assert_eq!(
        (fees[0].code.as_str(), fees[0].amount_vnd),
        ("LP01", 200_000)
    );
    assert_eq!(
        shown_file_name("/home/hoa/Tài liệu/tờ khai.pdf"),
        "tờ khai.pdf"
    );
    assert_eq!(shown_file_name(""), "(không tên)");
    assert_eq!(shown_file_name(&"a".repeat(100)).chars().count(), 81);
}
