//! The profile's own rules: the built-in one is whole and valid, an
//! override is strict and named, and the codec reads strictly.

use super::*;
use serde_json::json;

/// The names lienthong used before profiles (mixed case, booleans,
/// numbers): a real, different profile.
pub const MIXED_CASE: &str = r#"
name = "lienthong-provisional"
version = "2024.1"
source = "lienthong's first provisional reading of the portal"
[parameters]
dossier_code = "MaHoSo"
procedure_code = "MaTTHC"
[encodings]
is_updating = "boolean"
numbers = "number"
[records.procedure]
MaTTHC = "MaTTHC"
TenTTHC = "TenTTHC"
"#;

#[test]
fn the_built_in_profile_follows_the_public_implementations() {
    let p = Profile::default_profile();
    assert_eq!(p.name, "dvcqg-public");
    assert!(p.source.contains("DVCQGIntegrationActionImpl"));
    assert_eq!(p.wire(Record::Procedure, "MaTTHC"), "MATTHC");
    assert_eq!(p.wire(Record::ProcedureSector, "MaLinhVuc"), "MALINHVUC");
    assert_eq!(p.wire(Record::DossierFee, "Gia"), "Gia");
    assert_eq!(p.wire(Record::Progress, "SoThuTu"), "");
    assert_eq!(p.parameters.dossier_code, "mahoso");
    assert_eq!(p.parameters.procedure_code, "maTTHC");
    assert_eq!(p.is_updating(true), json!("True"));
    assert_eq!(p.operation(Op::Fees).service, "LayDanhMucLePhi");
    // A lookup's dossier fields are named as the dossier's.
    assert_eq!(p.wire(Record::Lookup, "MaHoSo"), "MaHoSo");
}

#[test]
fn an_override_is_laid_over_the_default_and_named() {
    let p = Profile::from_toml(MIXED_CASE).unwrap();
    assert_eq!(
        p.label(),
        "lienthong-provisional 2024.1 (lienthong's first provisional reading of the portal)"
    );
    assert_eq!(p.wire(Record::Procedure, "MaTTHC"), "MaTTHC");
    assert_eq!(p.wire(Record::Procedure, "CanCuPhapLy"), "CANCUPHAPLY");
    assert_eq!(p.is_updating(false), json!(false));
    assert_eq!(p.read_is_updating(&json!("False")), None);
    assert_eq!(p.read_is_updating(&json!(false)), Some(false));
}

#[test]
fn bad_overrides_name_their_key() {
    for (text, key) in [
        (
            "name = \"x\"\nversion = \"1\"\nsource = \"s\"\nsurprise = 1",
            "profile.surprise",
        ),
        (
            "name = \"x\"\nversion = \"1\"\nsource = \"s\"\n[records.procedure]\nMaTTHCX = \"A\"",
            "profile.records.procedure.MaTTHCX",
        ),
        (
            "name = \"x\"\nversion = \"1\"\nsource = \"s\"\n[records.nope]\nA = \"B\"",
            "profile.records.nope",
        ),
        (
            "name = \"x\"\nversion = \"1\"\nsource = \"s\"\n[operations.nope]\nservice = \"B\"",
            "profile.operations.nope",
        ),
        (
            "name = \"x\"\nversion = \"1\"\nsource = \"s\"\n[operations.lookup]\nservice = \"\"",
            "profile.operations.lookup.service",
        ),
        (
            "name = \"x\"\nversion = \"1\"\nsource = \"s\"\n[encodings]\nis_updating = \"yes\"",
            "profile.encodings.is_updating",
        ),
        (
            "version = \"2\"\n[parameters]\nunit = \"x\"",
            "profile.name",
        ),
        (
            "name = \"x\"\nversion = \"1\"\nsource = \"s\"\n[parameters]\nunit = \"a b\"",
            "profile.parameters.unit",
        ),
    ] {
        let err = Profile::from_toml(text).unwrap_err();
        assert_eq!(err.key, key, "{text}: {err}");
    }
}

#[test]
fn an_upper_case_answer_under_mixed_case_names_is_refused_by_name() {
    let answer = json!({"MATTHC": "1.000894", "TENTTHC": "Cấp phiếu", "LINHVUCTHUCHIEN": []});
    let mixed = Profile::from_toml(MIXED_CASE).unwrap();
    let problems = mixed
        .decode(Record::Procedure, &answer, "result[0]")
        .unwrap_err();
    assert_eq!(problems.missing, ["result[0].MaTTHC", "result[0].TenTTHC"]);
    assert!(problems.unknown.contains(&"result[0].MATTHC".to_string()));
    let text = problems.to_string();
    assert!(text.contains("missing field result[0].MaTTHC"), "{text}");
    // The default reads it, nested lists included.
    let read = Profile::default_profile()
        .decode(Record::Procedure, &answer, "result[0]")
        .unwrap();
    assert_eq!(read.value["MaTTHC"], json!("1.000894"));
    assert!(read.unknown.is_empty());
}

#[test]
fn writing_renames_and_encodes_numbers_as_the_profile_says() {
    let fee = crate::protocol::LePhi {
        MaPhiLePhi: "LP01".into(),
        Gia: 200_000,
        ..Default::default()
    };
    let text = Profile::default_profile().write(Record::DossierFee, &fee);
    assert_eq!(text["Gia"], json!("200000"));
    assert!(text.get("MucPhi").is_none() && text.get("HinhThucThu").is_none());
    let number = Profile::from_toml(MIXED_CASE)
        .unwrap()
        .write(Record::DossierFee, &fee);
    assert_eq!(number["Gia"], json!(200_000));
    // A bad value is named with its path.
    let bad = Profile::default_profile()
        .decode(Record::DossierFee, &json!({"Gia": "hai"}), "data[0]")
        .unwrap_err();
    assert_eq!(bad.invalid.len(), 1);
    assert!(bad.invalid[0].starts_with("data[0].Gia"), "{bad}");
}
