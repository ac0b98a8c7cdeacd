//! Applicants of the hosted portal (`/tai-khoan/…`): their accounts, their
//! sessions, and the rule for the e-mail address an account is known by.
//!
//! Plain data and pure rules, like `officer`, so that the store keeps them
//! and tests name them without a web server. An account signs in with a
//! password (argon2 hash), through an OpenID Connect provider, or both.

use super::UnixMillis;
use serde::{Deserialize, Serialize};

/// The longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// One applicant's account, keyed by its normalised e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantAccount {
    pub email: String,
    /// Full name as the applicant gave it, to fill forms with.
    pub name: String,
    /// A PHC string (argon2id); none for an account made by single sign-on.
    pub password_hash: Option<String>,
    /// The single sign-on identity (`issuer` and `sub`), when linked.
    pub oidc: Option<OidcIdentity>,
    pub created_at: UnixMillis,
}

/// Who the OpenID Connect provider says the applicant is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcIdentity {
    pub issuer: String,
    pub subject: String,
}

/// A signed-in applicant's session, stored under the digest of its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantSession {
    pub email: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

impl ApplicantSession {
    pub fn is_live(&self, now: UnixMillis) -> bool {
        now < self.expires_at
    }
}

/// Why an e-mail address is refused, as the form says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailProblem {
    Missing,
    TooLong,
    Malformed,
}

impl EmailProblem {
    pub fn vietnamese(self) -> &'static str {
        match self {
            EmailProblem::Missing => "Nhập địa chỉ thư điện tử.",
            EmailProblem::TooLong => "Địa chỉ thư điện tử dài quá 254 ký tự.",
            EmailProblem::Malformed => {
                "Địa chỉ thư điện tử chưa đúng dạng, ví dụ: nguyenvana@example.vn."
            }
        }
    }
}

/// The address an account is stored under: trimmed, lower-cased; one `@`
/// with a non-empty local part and a domain with a dot, no spaces or
/// control characters. Deliverability is not checked here.
pub fn normalise_email(raw: &str) -> Result<String, EmailProblem> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(EmailProblem::Missing);
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(EmailProblem::TooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(EmailProblem::Malformed);
    };
    let well_formed = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if well_formed {
        Ok(email)
    } else {
        Err(EmailProblem::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalise_email("  NguyenVanA@Example.VN "),
            Ok("nguyenvana@example.vn".to_string())
        );
    }

    #[test]
    fn malformed_addresses_are_refused_with_their_reason() {
        assert_eq!(normalise_email("   "), Err(EmailProblem::Missing));
        for bad in [
            "a", "a@b", "@b.vn", "a@b@c.vn", "a b@c.vn", "a@.vn", "a@b.vn.",
        ] {
            assert_eq!(normalise_email(bad), Err(EmailProblem::Malformed), "{bad}");
        }
        let long = format!("{}@example.vn", "a".repeat(250));
        assert_eq!(normalise_email(&long), Err(EmailProblem::TooLong));
    }

    #[test]
    fn a_session_is_live_until_its_expiry() {
        let session = ApplicantSession {
            email: "a@b.vn".into(),
            csrf_token: "t".into(),
            created_at: UnixMillis(0),
            expires_at: UnixMillis(10),
        };
        assert!(session.is_live(UnixMillis(9)));
        assert!(!session.is_live(UnixMillis(10)));
    }
}
