//! What citizens may say back, and when: a satisfaction rating of a
//! dossier, once, only after its result was returned (Decree 61/2018 step
//! 9: "after return"), and feedback and petitions (phản ánh, kiến nghị)
//! with a tracking code the sender follows them by.
//!
//! The rating is reached from the lookup page, by the one who proved the
//! dossier there (MaHoSo plus the ID number or phone): the proof is carried
//! to the rating form as a signed, short-lived token (`RatingProof`) in the
//! form's body — never in a URL, and without an account. A refusal names
//! the rule and the dossier's state; nothing is written for it.
//!
//! A tracking code is `PAKN-yyMMdd-` and 8 characters drawn at random from
//! 32 that cannot be misread (no I, O, 0, 1): about 10^12 codes a day, so
//! a code cannot be guessed, and the lookup of a code is throttled per
//! address like the dossier lookup.

use crate::domain::feedback::{Rating, Satisfaction};
use crate::domain::{Status, UnixMillis};
use ring::hmac;
use thiserror::Error;

/// How long a lookup's proof lets the applicant rate.
pub const PROOF_MILLIS: i64 = 30 * 60 * 1000;
pub const MAX_COMMENT_CHARS: usize = 1000;
/// The alphabet of tracking codes: no 0/O, 1/I.
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_RANDOM_CHARS: usize = 8;

/// Why a rating is refused (shown to the applicant in these words).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FeedbackError {
    #[error("Chỉ đánh giá được hồ sơ đã trả kết quả; hồ sơ này đang ở trạng thái «{status}».")]
    NotReturned { status: &'static str },
    #[error("Hồ sơ này đã được đánh giá ngày {date} («{level}»); mỗi hồ sơ chỉ đánh giá một lần.")]
    AlreadyRated { date: String, level: &'static str },
    #[error(
        "Phiên tra cứu đã hết hạn hoặc không hợp lệ; vui lòng tra cứu lại hồ sơ rồi đánh giá."
    )]
    ProofExpired,
}

/// May the dossier in `status`, rated `existing`, be rated now?
pub fn may_rate(status: Status, existing: Option<&Rating>) -> Result<(), FeedbackError> {
    if let Some(r) = existing {
        return Err(FeedbackError::AlreadyRated {
            date: day_month_year(r.rated_at),
            level: r.level.vietnamese(),
        });
    }
    if status != Status::ResultReturned {
        return Err(FeedbackError::NotReturned {
            status: status.vietnamese(),
        });
    }
    Ok(())
}

/// `dd/MM/yyyy`, Vietnam time.
fn day_month_year(at: UnixMillis) -> String {
    let day = crate::domain::time::format_date(at.0.div_euclid(1000));
    match (day.get(0..4), day.get(4..6), day.get(6..8)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => day,
    }
}

/// The level posted by the form (`1`…`3`), or the field's error.
pub fn level_of(posted: &str) -> Result<Satisfaction, &'static str> {
    posted
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(Satisfaction::from_code)
        .ok_or("Chọn một mức đánh giá: Rất hài lòng, Hài lòng hoặc Không hài lòng.")
}

/// The optional comment, trimmed, or the field's error.
pub fn comment_of(posted: &str) -> Result<String, &'static str> {
    let text = posted.trim();
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err("Ý kiến góp ý dài quá 1000 ký tự; vui lòng rút gọn.");
    }
    Ok(text.to_string())
}

/// The signed proof that the holder looked the dossier up with its second
/// fact: `<expiry millis>.<HMAC-SHA256 of MaHoSo and expiry, hex>`, keyed
/// with a secret drawn at start (a restart only asks for a new lookup).
pub struct RatingProof {
    key: hmac::Key,
}

impl RatingProof {
    pub fn new(secret: &[u8]) -> RatingProof {
        RatingProof {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    fn message(ma_ho_so: &str, expires: i64) -> Vec<u8> {
        format!("danh-gia\u{0}{ma_ho_so}\u{0}{expires}").into_bytes()
    }

    /// A proof for `ma_ho_so`, valid `PROOF_MILLIS` from `now`.
    pub fn issue(&self, ma_ho_so: &str, now: UnixMillis) -> String {
        let expires = now.0 + PROOF_MILLIS;
        let tag = hmac::sign(&self.key, &Self::message(ma_ho_so, expires));
        format!("{expires}.{}", hex::encode(tag.as_ref()))
    }

    /// Checks a proof for `ma_ho_so` at `now` (tag compared in constant
    /// time by `ring`).
    pub fn check(&self, ma_ho_so: &str, proof: &str, now: UnixMillis) -> Result<(), FeedbackError> {
        let (expires, tag) = proof.split_once('.').ok_or(FeedbackError::ProofExpired)?;
        let expires: i64 = expires.parse().map_err(|_| FeedbackError::ProofExpired)?;
        let tag = hex::decode(tag).map_err(|_| FeedbackError::ProofExpired)?;
        if now.0 >= expires {
            return Err(FeedbackError::ProofExpired);
        }
        hmac::verify(&self.key, &Self::message(ma_ho_so, expires), &tag)
            .map_err(|_| FeedbackError::ProofExpired)
    }
}

/// A new tracking code for a feedback sent at `now`, drawn from `random`
/// bytes (at least 8).
pub fn tracking_code(now: UnixMillis, random: &[u8]) -> String {
    let tail: String = random
        .iter()
        .take(CODE_RANDOM_CHARS)
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect();
    format!("PAKN-{}-{tail}", now.yymmdd())
}

/// A typed tracking code, normalised (upper case, spaces dropped), if it
/// has the shape of one.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let mut parts = code.split('-');
    let ok = parts.next() == Some("PAKN")
        && parts
            .next()
            .is_some_and(|d| d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_some_and(|t| {
            t.len() == CODE_RANDOM_CHARS && t.bytes().all(|b| CODE_ALPHABET.contains(&b))
        })
        && parts.next().is_none();
    ok.then_some(code)
}

/// The fields of a feedback as sent, each with its own error.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FeedbackFields {
    pub name: String,
    pub contact: String,
    pub subject: String,
    pub content: String,
    pub ma_ho_so: String,
    pub agency_code: String,
}

/// Field name (as the form names it) → the error in Vietnamese.
pub type FieldErrors = Vec<(&'static str, &'static str)>;

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>')
}

fn is_phone(text: &str) -> bool {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = digits
        .strip_prefix("+84")
        .map(|rest| format!("0{rest}"))
        .unwrap_or(digits);
    national.len() == 10
        && national.starts_with('0')
        && national.bytes().all(|b| b.is_ascii_digit())
}

fn length(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.chars().count())
}

/// Checks a feedback's fields (trimmed in place); `known_agency` says
/// whether an agency code is in the catalogue.
pub fn check_feedback(
    fields: &mut FeedbackFields,
    known_agency: impl Fn(&str) -> bool,
) -> Result<(), FieldErrors> {
    for f in [
        &mut fields.name,
        &mut fields.contact,
        &mut fields.subject,
        &mut fields.content,
        &mut fields.ma_ho_so,
        &mut fields.agency_code,
    ] {
        *f = f.trim().to_string();
    }
    let mut errors = FieldErrors::new();
    if !length(&fields.name, 2, 100) {
        errors.push(("ho-ten", "Nhập họ và tên (2 đến 100 ký tự)."));
    }
    if !(is_email(&fields.contact) || is_phone(&fields.contact)) || fields.contact.len() > 254 {
        errors.push((
            "lien-he",
            "Nhập địa chỉ thư điện tử (ví dụ ten@example.vn) hoặc số điện thoại 10 chữ số để nhận trả lời.",
        ));
    }
    if !length(&fields.subject, 5, 200) {
        errors.push(("tieu-de", "Nhập tiêu đề (5 đến 200 ký tự)."));
    }
    if !length(&fields.content, 10, 5000) {
        errors.push((
            "chi-tiet",
            "Nhập nội dung phản ánh, kiến nghị (10 đến 5000 ký tự).",
        ));
    }
    if fields.ma_ho_so.chars().count() > 64 {
        errors.push((
            "ma-ho-so",
            "Mã hồ sơ dài quá 64 ký tự; nhập đúng mã ghi trên giấy tiếp nhận.",
        ));
    }
    if !fields.agency_code.is_empty() && !known_agency(&fields.agency_code) {
        errors.push(("co-quan", "Chọn một cơ quan trong danh sách."));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The share of satisfied ratings (very satisfied or satisfied) in per
/// cent, rounded down; `None` without ratings.
pub fn satisfied_percent<'a>(ratings: impl IntoIterator<Item = &'a Rating>) -> Option<u64> {
    let (mut all, mut satisfied) = (0u64, 0u64);
    for r in ratings {
        all += 1;
        satisfied += u64::from(r.level.is_satisfied());
    }
    (all > 0).then(|| satisfied * 100 / all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(level: Satisfaction) -> Rating {
        Rating {
            ma_ho_so: "A-1".into(),
            agency_code: "A".into(),
            procedure_code: "P".into(),
            level,
            comment: String::new(),
            rated_at: UnixMillis(1_764_633_600_000),
        }
    }

    #[test]
    fn only_a_returned_dossier_is_rated() {
        assert_eq!(may_rate(Status::ResultReturned, None), Ok(()));
        for status in [Status::Submitted, Status::Received, Status::Finished] {
            let refused = may_rate(status, None).unwrap_err();
            assert_eq!(
                refused,
                FeedbackError::NotReturned {
                    status: status.vietnamese()
                }
            );
            assert!(refused.to_string().contains(status.vietnamese()));
        }
    }

    #[test]
    fn a_dossier_is_rated_once() {
        let first = rating(Satisfaction::Satisfied);
        let refused = may_rate(Status::ResultReturned, Some(&first)).unwrap_err();
        assert!(matches!(
            refused,
            FeedbackError::AlreadyRated {
                level: "Hài lòng",
                ..
            }
        ));
        assert!(refused.to_string().contains("chỉ đánh giá một lần"));
    }

    #[test]
    fn levels_and_comments_are_checked() {
        assert_eq!(level_of("1"), Ok(Satisfaction::VerySatisfied));
        assert_eq!(level_of(" 3 "), Ok(Satisfaction::Unsatisfied));
        assert!(level_of("").is_err());
        assert!(level_of("4").is_err());
        assert!(level_of("0").is_err());
        assert_eq!(comment_of("  tốt  ").unwrap(), "tốt");
        assert!(comment_of(&"á".repeat(1001)).is_err());
        assert!(comment_of(&"á".repeat(1000)).is_ok());
    }

    #[test]
    fn a_proof_opens_its_own_dossier_until_it_expires() {
        let proof = RatingProof::new(b"secret");
        let now = UnixMillis(1_000_000);
        let token = proof.issue("A-1", now);
        assert_eq!(proof.check("A-1", &token, now), Ok(()));
        assert_eq!(
            proof.check("A-2", &token, now),
            Err(FeedbackError::ProofExpired),
            "another dossier"
        );
        assert_eq!(
            proof.check("A-1", &token, UnixMillis(now.0 + PROOF_MILLIS)),
            Err(FeedbackError::ProofExpired),
            "expired"
        );
        let forged = format!(
            "{}.{}",
            now.0 + 10 * PROOF_MILLIS,
            token.split_once('.').unwrap().1
        );
        assert_eq!(
            proof.check("A-1", &forged, now),
            Err(FeedbackError::ProofExpired)
        );
        assert_eq!(
            RatingProof::new(b"other").check("A-1", &token, now),
            Err(FeedbackError::ProofExpired),
            "another key"
        );
        assert!(proof.check("A-1", "garbage", now).is_err());
    }

    #[test]
    fn tracking_codes_have_their_format_and_are_recognised() {
        let code = tracking_code(UnixMillis(1_764_633_600_000), &[0, 1, 31, 32, 200, 7, 8, 9]);
        assert_eq!(code.len(), "PAKN-261202-".len() + 8);
        assert!(code.starts_with("PAKN-"));
        assert_eq!(normalise_code(&code), Some(code.clone()));
        assert_eq!(
            normalise_code(&format!(" {} ", code.to_lowercase())),
            Some(code.clone())
        );
        assert_eq!(normalise_code("PAKN-261202-ABCDEFG"), None, "7 characters");
        assert_eq!(
            normalise_code("PAKN-261202-ABCDEFGO"),
            None,
            "O is not in the alphabet"
        );
        assert_eq!(normalise_code("PAKN-2612X2-ABCDEFGH"), None);
        assert_eq!(normalise_code("HS-261202-ABCDEFGH"), None);
        assert_eq!(normalise_code(""), None);
    }

    #[test]
    fn a_feedback_gets_one_error_per_wrong_field() {
        let mut fields = FeedbackFields {
            name: " A ".into(),
            contact: "not a contact".into(),
            subject: "Hỏi".into(),
            content: "ngắn".into(),
            ma_ho_so: "x".repeat(65),
            agency_code: "KHONG-CO".into(),
        };
        let errors = check_feedback(&mut fields, |code| code == "A").unwrap_err();
        let named: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            named,
            ["ho-ten", "lien-he", "tieu-de", "chi-tiet", "ma-ho-so", "co-quan"]
        );
        let mut good = FeedbackFields {
            name: " Trần Thị Bình ".into(),
            contact: "+84 912 345 678".into(),
            subject: "Hỏi về lệ phí".into(),
            content: "Lệ phí cấp giấy phép là bao nhiêu?".into(),
            ma_ho_so: String::new(),
            agency_code: "A".into(),
        };
        assert_eq!(check_feedback(&mut good, |code| code == "A"), Ok(()));
        assert_eq!(good.name, "Trần Thị Bình", "trimmed");
        good.contact = "binh@example.vn".into();
        assert_eq!(check_feedback(&mut good, |_| true), Ok(()));
    }

    #[test]
    fn satisfaction_is_the_share_of_satisfied_ratings() {
        assert_eq!(satisfied_percent(&[]), None);
        let ratings = [
            rating(Satisfaction::VerySatisfied),
            rating(Satisfaction::Satisfied),
            rating(Satisfaction::Unsatisfied),
        ];
        assert_eq!(satisfied_percent(&ratings), Some(66));
    }
}
