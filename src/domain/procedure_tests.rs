//! The procedure attributes the hub reads: one rule per test.

use super::*;
use std::collections::BTreeMap;

fn entry(attributes: &[(&str, &str)]) -> CatalogEntry {
    CatalogEntry {
        code: "1.000948.H38".into(),
        name: "Đăng ký khai sinh".into(),
        parent_code: String::new(),
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn terms(attributes: &[(&str, &str)]) -> ProcedureTerms {
    ProcedureTerms::from_entry("entries[0]", &entry(attributes)).unwrap()
}

fn refusal(attributes: &[(&str, &str)]) -> String {
    ProcedureTerms::from_entry("entries[4]", &entry(attributes))
        .unwrap_err()
        .to_string()
}

#[test]
fn time_limit_applies_to_every_channel_without_its_own() {
    let t = terms(&[
        ("time_limit", "15 working_days"),
        ("time_limit.online", "8 working_hours"),
    ]);
    assert_eq!(
        t.time_limit_for(Channel::Counter),
        Some(TimeLimit::WorkingDays(15))
    );
    assert_eq!(
        t.time_limit_for(Channel::Postal),
        Some(TimeLimit::WorkingDays(15))
    );
    assert_eq!(
        t.time_limit_for(Channel::Online),
        Some(TimeLimit::WorkingHours(8))
    );
}

#[test]
fn a_procedure_without_a_time_limit_has_none_for_its_other_channels() {
    let t = terms(&[("time_limit.counter", "3 working_days")]);
    assert_eq!(
        t.time_limit_for(Channel::Counter),
        Some(TimeLimit::WorkingDays(3))
    );
    assert_eq!(t.time_limit_for(Channel::Online), None);
    assert_eq!(terms(&[]).time_limit_for(Channel::Online), None);
}

#[test]
fn attributes_the_hub_does_not_read_are_left_alone() {
    let t = terms(&[
        ("time_limits", "[{\"raw\":\"portal\"}]"),
        ("sector_code", "G09"),
    ]);
    assert_eq!(
        t,
        ProcedureTerms {
            code: "1.000948.H38".into(),
            ..Default::default()
        }
    );
}

#[test]
fn a_malformed_time_limit_is_refused_naming_the_attribute_and_the_procedure() {
    for (value, why) in [
        ("15", "is not a number and a unit"),
        ("15 days", "has an unknown unit"),
        ("mười working_days", "does not start with a whole number"),
        ("0 working_days", "is zero"),
        ("15 working_days extra", "is not a number and a unit"),
    ] {
        let err = refusal(&[("time_limit", value)]);
        assert!(err.contains("entries[4].attributes.time_limit"), "{err}");
        assert!(err.contains("procedure `1.000948.H38`"), "{err}");
        assert!(err.contains(why), "{value}: {err}");
    }
    let err = refusal(&[("time_limit.online", "2 weeks")]);
    assert!(
        err.contains("entries[4].attributes.time_limit.online"),
        "{err}"
    );
}

#[test]
fn a_time_limit_for_an_unknown_channel_is_refused() {
    let err = refusal(&[("time_limit.fax", "3 working_days")]);
    assert!(
        err.contains("entries[4].attributes.time_limit.fax"),
        "{err}"
    );
    assert!(err.contains("`fax` is not a channel"), "{err}");
}

#[test]
fn the_interagency_sequence_is_read_in_order() {
    let t = terms(&[(
        "interagency_sequence",
        "000.00.01.H22, 000.00.02.H22 ,000.00.03.H22",
    )]);
    assert_eq!(
        t.interagency_sequence,
        vec!["000.00.01.H22", "000.00.02.H22", "000.00.03.H22"]
    );
}

#[test]
fn a_malformed_interagency_sequence_is_refused_naming_the_position() {
    let err = refusal(&[("interagency_sequence", "000.00.01.H22")]);
    assert!(
        err.contains("entries[4].attributes.interagency_sequence"),
        "{err}"
    );
    assert!(err.contains("at least two agencies"), "{err}");
    let err = refusal(&[("interagency_sequence", "000.00.01.H22,,000.00.02.H22")]);
    assert!(err.contains("interagency_sequence[1]"), "{err}");
    let err = refusal(&[("interagency_sequence", "A.1,B.2,A.1")]);
    assert!(err.contains("interagency_sequence[2]"), "{err}");
    assert!(err.contains("appears twice"), "{err}");
}

#[test]
fn a_forward_goes_only_to_the_next_agency_of_the_sequence() {
    let t = terms(&[("interagency_sequence", "A.1,B.2,C.3")]);
    assert!(t.check_forward("A.1", "B.2").is_ok());
    assert!(t.check_forward("B.2", "C.3").is_ok());
    let skip = t.check_forward("A.1", "C.3").unwrap_err().to_string();
    assert!(skip.contains("A.1 → B.2 → C.3"), "{skip}");
    assert!(skip.contains("current agency `A.1`"), "{skip}");
    assert!(skip.contains("goes to `B.2`"), "{skip}");
    let back = t.check_forward("B.2", "A.1").unwrap_err().to_string();
    assert!(back.contains("goes to `C.3`"), "{back}");
    let outside = t.check_forward("Z.9", "A.1").unwrap_err().to_string();
    assert!(
        outside.contains("current agency `Z.9` is not in"),
        "{outside}"
    );
    let last = t.check_forward("C.3", "A.1").unwrap_err().to_string();
    assert!(last.contains("is the last"), "{last}");
    let none = terms(&[])
        .check_forward("A.1", "B.2")
        .unwrap_err()
        .to_string();
    assert!(none.contains("has no inter-agency sequence"), "{none}");
}
