//! The applicant's postal address, structured as the post and the national
//! portal need it: province, commune, street and house, phone.
//!
//! Since 1 July 2025 local government has two levels (province → commune;
//! the Law on the Organisation of Local Government of 16 June 2025, in
//! `legal::TEXTS`): an address is a province code (2 digits) and a commune code
//! (5 digits) of the statistical list of administrative units. An older
//! three-level address also names its district (3 digits), a level that no
//! longer exists: such an address stays readable, and is accepted, when the
//! shared catalogue marks that district as abolished (`admin_units`, entries
//! with `level = "district"` and `abolished_on`). The codes' shape is checked
//! here, purely; whether they are in the catalogue is the engine's check,
//! once the catalogue is published.

use super::catalog::CatalogEntry;
use super::validate::{text, MAX_ADDRESS_LEN};
use super::{quoted, DomainError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub province_code: String,
    pub commune_code: String,
    /// House number, street, hamlet (số nhà, đường, thôn/ấp).
    pub street: String,
    /// The number the post calls on pickup or delivery.
    pub phone: String,
    /// Only in an older three-level address: its (abolished) district. Not
    /// written while empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub district_code: String,
}

impl PostalAddress {
    /// Whether nothing was given (the contract's empty message).
    pub fn is_empty(&self) -> bool {
        self.province_code.is_empty()
            && self.commune_code.is_empty()
            && self.street.trim().is_empty()
            && self.phone.is_empty()
            && self.district_code.is_empty()
    }

    /// The rules of a given address, each naming its field under `field`
    /// (`submit.applicant_address.commune_code`): every part but the district
    /// is required, codes are the statistical list's digits.
    pub fn check(&self, field: &str) -> Result<(), DomainError> {
        code(&format!("{field}.province_code"), &self.province_code, 2)?;
        code(&format!("{field}.commune_code"), &self.commune_code, 5)?;
        if !self.district_code.is_empty() {
            code(&format!("{field}.district_code"), &self.district_code, 3)?;
        }
        let street = format!("{field}.street");
        if self.street.trim().is_empty() {
            return Err(DomainError::invalid(street, "is required"));
        }
        text(&street, &self.street, MAX_ADDRESS_LEN)?;
        let digits = self.phone.strip_prefix('+').unwrap_or(&self.phone);
        if digits.len() < 8 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::invalid(
                format!("{field}.phone"),
                "must be 8 to 15 digits, optionally after +",
            ));
        }
        Ok(())
    }
}

/// The `admin_units` entries an address names, looked up by the caller in
/// the published catalogue (`version` > 0).
pub struct AdminUnits<'a> {
    pub version: u64,
    pub province: Option<&'a CatalogEntry>,
    pub commune: Option<&'a CatalogEntry>,
    pub district: Option<&'a CatalogEntry>,
}

fn level(entry: &CatalogEntry) -> &str {
    entry.attributes.get("level").map_or("", String::as_str)
}

impl PostalAddress {
    /// The address against the published `admin_units` catalogue: its
    /// province is a province; a two-level address's commune is a commune of
    /// that province; a three-level address's district is a district of
    /// that province the catalogue marks abolished (`abolished_on`), and its
    /// commune — a code of before the reform, which the catalogue no longer
    /// lists — is taken as written.
    pub fn check_in_admin_units(&self, field: &str, units: &AdminUnits) -> Result<(), DomainError> {
        let version = units.version;
        let province_ok = units
            .province
            .is_some_and(|p| matches!(level(p), "province" | ""));
        if !province_ok {
            return Err(DomainError::invalid(
                format!("{field}.province_code"),
                format!(
                    "{} is not a province in the admin_units catalogue (version {version})",
                    quoted(&self.province_code)
                ),
            ));
        }
        if self.district_code.is_empty() {
            let commune_ok = units.commune.is_some_and(|c| {
                c.parent_code == self.province_code && matches!(level(c), "commune" | "")
            });
            if !commune_ok {
                return Err(DomainError::invalid(
                    format!("{field}.commune_code"),
                    format!(
                        "{} is not a commune of province {} in the admin_units catalogue (version {version})",
                        quoted(&self.commune_code),
                        quoted(&self.province_code)
                    ),
                ));
            }
            return Ok(());
        }
        let abolished = units.district.is_some_and(|d| {
            d.parent_code == self.province_code
                && level(d) == "district"
                && d.attributes
                    .get("abolished_on")
                    .is_some_and(|on| !on.is_empty())
        });
        if !abolished {
            return Err(DomainError::invalid(
                format!("{field}.district_code"),
                format!(
                    "{} is not an abolished district of province {} in the admin_units catalogue \
                     (version {version}); an address since 1 July 2025 names only province and commune",
                    quoted(&self.district_code),
                    quoted(&self.province_code)
                ),
            ));
        }
        Ok(())
    }
}

fn code(field: &str, value: &str, digits: usize) -> Result<(), DomainError> {
    if value.len() == digits && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(DomainError::invalid(
        field,
        format!(
            "must be the {digits}-digit code of the statistical list of administrative units (is {})",
            super::quoted(value)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> PostalAddress {
        PostalAddress {
            province_code: "22".into(),
            commune_code: "06658".into(),
            street: "Số 12 phố Lê Thánh Tông".into(),
            phone: "0912345678".into(),
            district_code: String::new(),
        }
    }

    fn refused(change: impl FnOnce(&mut PostalAddress)) -> String {
        let mut a = address();
        change(&mut a);
        match a.check("submit.applicant_address") {
            Err(DomainError::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_part_is_checked_and_named() {
        assert_eq!(address().check("x"), Ok(()));
        assert_eq!(
            refused(|a| a.province_code = "Quảng Ninh".into()),
            "submit.applicant_address.province_code"
        );
        assert_eq!(
            refused(|a| a.commune_code = "193".into()),
            "submit.applicant_address.commune_code"
        );
        assert_eq!(
            refused(|a| a.district_code = "19".into()),
            "submit.applicant_address.district_code"
        );
        assert_eq!(
            refused(|a| a.street = " ".into()),
            "submit.applicant_address.street"
        );
        assert_eq!(
            refused(|a| a.phone = "gọi tôi".into()),
            "submit.applicant_address.phone"
        );
        let mut old = address();
        old.district_code = "193".into();
        assert_eq!(old.check("x"), Ok(()), "a three-level address reads");
        assert!(PostalAddress::default().is_empty());
    }

    fn unit(code: &str, parent: &str, attributes: &[(&str, &str)]) -> CatalogEntry {
        CatalogEntry {
            code: code.into(),
            name: code.into(),
            parent_code: parent.into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn an_address_is_judged_against_the_published_admin_units() {
        let province = unit("22", "", &[("level", "province")]);
        let commune = unit("06658", "22", &[("level", "commune")]);
        let elsewhere = unit("00004", "01", &[("level", "commune")]);
        let abolished = unit(
            "193",
            "22",
            &[("level", "district"), ("abolished_on", "2025-07-01")],
        );
        let standing = unit("193", "22", &[("level", "district")]);
        let units = |province, commune, district| AdminUnits {
            version: 3,
            province,
            commune,
            district,
        };
        let field = |r: Result<(), DomainError>| match r {
            Err(DomainError::InvalidField { field, rule }) => (field, rule),
            other => panic!("{other:?}"),
        };
        let a = address();
        assert_eq!(
            a.check_in_admin_units("a", &units(Some(&province), Some(&commune), None)),
            Ok(())
        );
        let (name, rule) = field(a.check_in_admin_units("a", &units(None, Some(&commune), None)));
        assert_eq!(name, "a.province_code");
        assert!(rule.contains("version 3"), "{rule}");
        let (name, _) =
            field(a.check_in_admin_units("a", &units(Some(&commune), Some(&commune), None)));
        assert_eq!(name, "a.province_code", "a commune is no province");
        let (name, rule) =
            field(a.check_in_admin_units("a", &units(Some(&province), Some(&elsewhere), None)));
        assert_eq!(name, "a.commune_code", "a commune of another province");
        assert!(rule.contains("province `22`"), "{rule}");
        let (name, _) = field(a.check_in_admin_units("a", &units(Some(&province), None, None)));
        assert_eq!(name, "a.commune_code");
        // An older three-level address: its district must be abolished.
        let mut old = address();
        old.district_code = "193".into();
        old.commune_code = "06661".into();
        assert_eq!(
            old.check_in_admin_units("a", &units(Some(&province), None, Some(&abolished))),
            Ok(())
        );
        for district in [None, Some(&standing)] {
            let (name, rule) =
                field(old.check_in_admin_units("a", &units(Some(&province), None, district)));
            assert_eq!(name, "a.district_code");
            assert!(rule.contains("only province and commune"), "{rule}");
        }
    }
}
