//! The provinces and communes a filing form offers for a result by post.
//!
//! The post's order needs the applicant's address structured — province,
//! commune, street, phone (DOMAIN.md §5) — and the hub checks a dossier's
//! structured address against the published `admin_units` catalogue. So
//! once that catalogue is published the hosted form offers its units to
//! choose from, two levels (province → commune) as local government has
//! been since 1 July 2025, and files the address structured; before it is
//! published the form keeps one line of text, which the hub cannot check.
//! Districts, abolished units and entries whose parent is not a listed
//! province are never offered: nobody should file a new address with them.

use crate::domain::catalog::CatalogEntry;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commune {
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub communes: Vec<Commune>,
}

/// The current units of one published version of `admin_units`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressChoices {
    pub version: u64,
    /// In the catalogue's code order, each with its communes in code order.
    pub provinces: Vec<Province>,
}

fn level(entry: &CatalogEntry) -> &str {
    entry.attributes.get("level").map_or("", String::as_str)
}

fn abolished(entry: &CatalogEntry) -> bool {
    entry
        .attributes
        .get("abolished_on")
        .is_some_and(|on| !on.is_empty())
}

impl AddressChoices {
    /// The choices of a published catalogue; `None` when it is not
    /// published (version 0) or lists no province.
    pub fn from_catalog(version: u64, entries: &[CatalogEntry]) -> Option<AddressChoices> {
        if version == 0 {
            return None;
        }
        let mut provinces: Vec<Province> = entries
            .iter()
            .filter(|e| !abolished(e))
            .filter(|e| level(e) == "province" || (level(e).is_empty() && e.parent_code.is_empty()))
            .map(|e| Province {
                code: e.code.clone(),
                name: e.name.clone(),
                communes: Vec::new(),
            })
            .collect();
        if provinces.is_empty() {
            return None;
        }
        provinces.sort_by(|a, b| a.code.cmp(&b.code));
        for e in entries.iter().filter(|e| !abolished(e)) {
            if !(level(e) == "commune" || level(e).is_empty()) || e.parent_code.is_empty() {
                continue;
            }
            if let Ok(at) = provinces.binary_search_by(|p| p.code.cmp(&e.parent_code)) {
                provinces[at].communes.push(Commune {
                    code: e.code.clone(),
                    name: e.name.clone(),
                });
            }
        }
        for p in &mut provinces {
            p.communes.sort_by(|a, b| a.code.cmp(&b.code));
        }
        Some(AddressChoices { version, provinces })
    }

    pub fn province(&self, code: &str) -> Option<&Province> {
        self.provinces.iter().find(|p| p.code == code)
    }
}

impl Province {
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.communes.iter().find(|c| c.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, name: &str, parent: &str, level: &str, abolished_on: &str) -> CatalogEntry {
        let mut attributes = std::collections::BTreeMap::new();
        if !level.is_empty() {
            attributes.insert("level".to_string(), level.to_string());
        }
        if !abolished_on.is_empty() {
            attributes.insert("abolished_on".to_string(), abolished_on.to_string());
        }
        CatalogEntry {
            code: code.into(),
            name: name.into(),
            parent_code: parent.into(),
            attributes,
        }
    }

    #[test]
    fn only_current_provinces_and_their_communes_are_offered() {
        let entries = [
            unit("01", "Thành phố Hà Nội", "", "province", ""),
            unit("79", "Thành phố Hồ Chí Minh", "", "province", ""),
            unit("00004", "Phường Ba Đình", "01", "commune", ""),
            unit("00001", "Phường Hoàn Kiếm", "01", "commune", ""),
            unit("001", "Quận Ba Đình", "01", "district", "2025-07-01"),
            unit("00007", "Phường Phúc Xá", "01", "commune", "2025-07-01"),
            unit("26734", "Phường Sài Gòn", "79", "commune", ""),
            unit("99999", "Xã lạc", "42", "commune", ""),
        ];
        let choices = AddressChoices::from_catalog(3, &entries).unwrap();
        assert_eq!(choices.version, 3);
        let codes: Vec<&str> = choices.provinces.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["01", "79"]);
        let hanoi = choices.province("01").unwrap();
        let communes: Vec<&str> = hanoi.communes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(
            communes,
            ["00001", "00004"],
            "sorted; the abolished one and the district left out"
        );
        assert!(
            hanoi.commune("26734").is_none(),
            "a commune of another province"
        );
        assert!(choices.province("42").is_none());
    }

    #[test]
    fn an_unpublished_or_provinceless_catalogue_offers_nothing() {
        assert!(
            AddressChoices::from_catalog(0, &[unit("01", "Hà Nội", "", "province", "")]).is_none()
        );
        assert!(
            AddressChoices::from_catalog(2, &[unit("00001", "Phường", "01", "commune", "")])
                .is_none()
        );
    }
}
