//! Administrative codes and the national dossier code.
//!
//! Agency and procedure codes are dot-separated (`000.00.01.H22`,
//! `1.000948.H38`); a MaHoSo is `<agency code>-<yyMMdd>-<NNNNN>`. The dots are
//! why these codes must never be used raw as AMQP topic routing words.

use super::time::is_valid_yymmdd;
use super::{quoted, DomainError};

pub const MAX_CODE_LEN: usize = 64;
/// Five digits: at most 99 999 dossiers per agency per day.
pub const MAX_DAILY_SEQUENCE: u32 = 99_999;

/// Checks an administrative code: letters, digits and single dots between
/// them, at most 64 characters.
pub fn check_code(field: &str, code: &str) -> Result<(), DomainError> {
    if code.is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    if code.len() > MAX_CODE_LEN {
        return Err(DomainError::invalid(
            field,
            format!(
                "must be at most {MAX_CODE_LEN} characters (has {} bytes: {})",
                code.len(),
                quoted(code)
            ),
        ));
    }
    let well_formed = code
        .split('.')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !well_formed {
        return Err(DomainError::invalid(
            field,
            format!("{} is not an administrative code (letters and digits separated by single dots, e.g. 000.00.01.H22)", quoted(code)),
        ));
    }
    Ok(())
}

/// A parsed MaHoSo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaHoSo<'a> {
    pub agency_code: &'a str,
    pub yymmdd: &'a str,
    pub sequence: u32,
}

pub fn parse_ma_ho_so<'a>(field: &str, text: &'a str) -> Result<MaHoSo<'a>, DomainError> {
    let malformed = || {
        DomainError::invalid(
            field,
            format!("{} is not a MaHoSo of the form <agency code>-<yyMMdd>-<NNNNN>, e.g. 000.00.01.H22-251122-00017", quoted(text)),
        )
    };
    let mut parts = text.rsplitn(3, '-');
    let (Some(seq), Some(date), Some(agency)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    if seq.len() != 5 || !seq.bytes().all(|b| b.is_ascii_digit()) || !is_valid_yymmdd(date) {
        return Err(malformed());
    }
    check_code(field, agency).map_err(|_| malformed())?;
    let sequence: u32 = seq.parse().map_err(|_| malformed())?;
    if sequence == 0 {
        return Err(malformed());
    }
    Ok(MaHoSo {
        agency_code: agency,
        yymmdd: date,
        sequence,
    })
}

pub fn format_ma_ho_so(agency_code: &str, yymmdd: &str, sequence: u32) -> String {
    format!("{agency_code}-{yymmdd}-{sequence:05}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ma_ho_so_round_trips() {
        let text = format_ma_ho_so("000.00.01.H22", "251122", 17);
        assert_eq!(text, "000.00.01.H22-251122-00017");
        let parsed = parse_ma_ho_so("ma_ho_so", &text).unwrap();
        assert_eq!(parsed.agency_code, "000.00.01.H22");
        assert_eq!(parsed.yymmdd, "251122");
        assert_eq!(parsed.sequence, 17);
    }

    #[test]
    fn malformed_ma_ho_so_names_the_field() {
        for bad in [
            "",
            "000.00.01.H22",
            "000.00.01.H22-251122-17",
            "000.00.01.H22-251322-00017",
            "..-251122-00017",
            "000.00.01.H22-251122-00000",
        ] {
            let err = parse_ma_ho_so("submit.ma_ho_so", bad).unwrap_err();
            assert!(err.to_string().contains("submit.ma_ho_so"), "{err}");
        }
    }

    #[test]
    fn codes_allow_dots_but_not_empty_parts() {
        assert!(check_code("c", "1.000948.H38").is_ok());
        assert!(check_code("c", "1..2").is_err());
        assert!(check_code("c", ".1").is_err());
        assert!(check_code("c", "1-2").is_err());
        assert!(check_code("c", &"9".repeat(65)).is_err());
    }
}
