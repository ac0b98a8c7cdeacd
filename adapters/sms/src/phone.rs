//! Subscriber numbers in the form gateways want: `84` and the nine digits
//! after the leading 0 (`0912 345 678`, `+84 912345678` → `84912345678`).

use crate::SmsError;

/// Normalises a Vietnamese mobile number, or says why it is not one.
pub fn to_international(number: &str) -> Result<String, SmsError> {
    let digits: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    let national = if let Some(rest) = digits.strip_prefix("84") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        return Err(SmsError::InvalidPhone {
            problem: "does not start with 0, 84 or +84".into(),
        });
    };
    if national.len() != 9 || !national.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SmsError::InvalidPhone {
            problem: "a Vietnamese mobile number has 9 digits after 0 or 84".into(),
        });
    }
    if !matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9') {
        return Err(SmsError::InvalidPhone {
            problem: "not a mobile prefix (03x, 05x, 07x, 08x, 09x)".into(),
        });
    }
    Ok(format!("84{national}"))
}

#[cfg(test)]
mod tests {
    use super::to_international;

    #[test]
    fn national_and_international_forms_become_84() {
        assert_eq!(to_international("0912345678").unwrap(), "84912345678");
        assert_eq!(to_international("0912 345 678").unwrap(), "84912345678");
        assert_eq!(to_international("+84 912.345.678").unwrap(), "84912345678");
        assert_eq!(to_international("84387654321").unwrap(), "84387654321");
    }

    #[test]
    fn what_is_not_a_mobile_number_is_refused_with_the_rule() {
        for (number, rule) in [
            ("912345678", "does not start"),
            ("091234567", "9 digits"),
            ("09123456789", "9 digits"),
            ("0912a45678", "9 digits"),
            ("0243825678", "mobile prefix"),
        ] {
            let e = to_international(number).unwrap_err().to_string();
            assert!(e.contains(rule), "{number}: {e}");
        }
    }
}
