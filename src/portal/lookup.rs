//! Who may see a dossier on the public lookup page: the one who knows its
//! MaHoSo *and* a second fact only the applicant knows — the ID number or
//! the phone number written on the dossier (Circular 22/2019 Art. 4 §2 asks
//! the status to be shown to the applicant; Decree 13/2023/NĐ-CP asks that
//! nobody else sees it). A MaHoSo alone is printed on receipts and guessable
//! (`<agency>-<yyMMdd>-<NNNNN>`), so it must reveal nothing by itself.
//!
//! Both facts are normalised the way people write them (spaces, dots and
//! dashes dropped; a phone's `+84`/`84` prefix as the leading `0`; letters
//! of a passport number in upper case) and compared whole, in time that
//! does not depend on where they differ, and both are always compared:
//! the caller answers an unknown dossier by checking against a decoy, so a
//! wrong pair and an unknown MaHoSo cost the same work and get the same page.

/// The shortest second fact accepted: a phone has 10 digits, an ID card
/// 12, an old ID 9, a passport 8 characters; anything shorter is no secret.
pub const MIN_FACT_CHARS: usize = 8;
/// The longest, so a pasted text costs nothing to refuse.
pub const MAX_FACT_CHARS: usize = 20;

/// What the applicant typed as the second fact, normalised; `None` when it
/// cannot be an ID or a phone number (too short, too long, other signs).
pub fn normalise_fact(typed: &str) -> Option<String> {
    let mut out = String::new();
    for c in typed.chars() {
        match c {
            ' ' | '.' | '-' | '(' | ')' | '\u{a0}' => {}
            '+' if out.is_empty() => out.push('+'),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
        if out.chars().count() > MAX_FACT_CHARS + 3 {
            return None;
        }
    }
    let out = phone_as_national(&out);
    (MIN_FACT_CHARS..=MAX_FACT_CHARS)
        .contains(&out.chars().count())
        .then_some(out)
}

/// `+84912…` and `84912…` (11 digits) written as `0912…`, as the dossier
/// keeps phones; anything else unchanged but the plus sign.
fn phone_as_national(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("+84") {
        return format!("0{rest}");
    }
    let digits = text.bytes().all(|b| b.is_ascii_digit());
    if digits && text.len() == 11 && text.starts_with("84") {
        return format!("0{}", &text[2..]);
    }
    text.trim_start_matches('+').to_string()
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The two facts of a dossier a person may prove, normalised once.
pub struct FactCheck {
    id_number: Option<String>,
    phone: Option<String>,
}

impl FactCheck {
    pub fn of(id_number: &str, phone: &str) -> FactCheck {
        FactCheck {
            id_number: normalise_fact(id_number),
            phone: normalise_fact(phone),
        }
    }

    /// A dossier that exists for nobody: what an unknown MaHoSo is checked
    /// against, so that it costs what a wrong fact costs.
    pub fn decoy() -> FactCheck {
        FactCheck {
            id_number: Some("DECOY-NEVER-MATCHES".into()),
            phone: Some("DECOY-NEVER-MATCH".into()),
        }
    }
}

/// True when `typed` (normalised by `normalise_fact`) is the dossier's ID
/// number or its phone number. Both are compared whatever the first gave;
/// a fact the dossier does not carry matches nothing.
pub fn fact_matches(check: &FactCheck, typed: &str) -> bool {
    let against = |fact: &Option<String>| {
        // An absent fact is compared with a value of the typed length that
        // the typed text can never be, so the work is the same.
        let known = fact.as_deref().unwrap_or("\u{0}");
        same_secret(known, typed) && fact.is_some()
    };
    let id = against(&check.id_number);
    let phone = against(&check.phone);
    id | phone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_normalised_as_people_write_them() {
        assert_eq!(
            normalise_fact(" 0912 345 678 ").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalise_fact("+84 912-345-678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(normalise_fact("84912345678").as_deref(), Some("0912345678"));
        assert_eq!(
            normalise_fact("001.099.012.345").as_deref(),
            Some("001099012345")
        );
        assert_eq!(normalise_fact("b1234567").as_deref(), Some("B1234567"));
    }

    #[test]
    fn what_cannot_be_an_id_or_a_phone_is_refused() {
        assert_eq!(normalise_fact(""), None);
        assert_eq!(normalise_fact("1234567"), None, "too short to be a secret");
        assert_eq!(normalise_fact("123456789012345678901"), None, "too long");
        assert_eq!(normalise_fact("0912'345678"), None, "other signs");
        assert_eq!(normalise_fact("Nguyễn Văn A"), None);
    }

    #[test]
    fn the_id_number_or_the_phone_opens_the_dossier() {
        let check = FactCheck::of("001099012345", "0912 345 678");
        assert!(fact_matches(&check, "001099012345"));
        assert!(fact_matches(&check, "0912345678"));
        assert!(fact_matches(
            &check,
            &normalise_fact("+84912345678").unwrap()
        ));
    }

    #[test]
    fn a_wrong_fact_or_a_missing_one_opens_nothing() {
        let check = FactCheck::of("001099012345", "");
        assert!(!fact_matches(&check, "001099012346"));
        assert!(
            !fact_matches(&check, "00109901234"),
            "a prefix is not the fact"
        );
        // The dossier has no phone: nothing typed can match it.
        assert!(!fact_matches(&FactCheck::of("", ""), "0912345678"));
        assert!(!fact_matches(&check, "\u{0}"));
    }

    #[test]
    fn the_decoy_matches_nothing_a_person_can_type() {
        let decoy = FactCheck::decoy();
        for typed in ["001099012345", "0912345678", "DECOYNEVERMATCHES"] {
            assert!(!fact_matches(&decoy, typed));
        }
        // What normalisation lets through never holds a dash.
        assert!(!normalise_fact("DECOY-NEVER-MATCHES")
            .unwrap_or_default()
            .contains('-'));
    }
}
