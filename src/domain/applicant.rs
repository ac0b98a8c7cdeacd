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

impl ApplicantAccount {
    /// The address to write to, if the account has one: not the key of an
    /// account made by single sign-on without an address.
    pub fn contact_email(&self) -> Option<&str> {
        Some(self.email.as_str()).filter(|e| !e.ends_with(SINGLE_SIGN_ON_DOMAIN))
    }
}

/// The domain of the keys of accounts made by single sign-on without an
/// e-mail address: `.invalid` (RFC 2606) is never delivered to.
pub const SINGLE_SIGN_ON_DOMAIN: &str = "@dinh-danh.invalid";

/// The key of an account made by single sign-on when the provider gives
/// no verified address: a digest of issuer and subject, so the same
/// identity always gets the same key and no number is shown in it.
pub fn single_sign_on_key(identity: &OidcIdentity) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(identity.issuer.as_bytes());
    hasher.update([0]);
    hasher.update(identity.subject.as_bytes());
    let digest = hex::encode(hasher.finalize());
    format!("sso-{}{SINGLE_SIGN_ON_DOMAIN}", &digest[..24])
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
    fn single_sign_on_keys_are_stable_and_have_no_contact_address() {
        let identity = OidcIdentity {
            issuer: "https://sso.example.vn".into(),
            subject: "079203001234".into(),
        };
        let key = single_sign_on_key(&identity);
        assert_eq!(key, single_sign_on_key(&identity.clone()));
        assert!(!key.contains("079203001234"), "{key}");
        assert!(key.ends_with("@dinh-danh.invalid"), "{key}");
        let other = OidcIdentity {
            subject: "079203001235".into(),
            ..identity
        };
        assert_ne!(key, single_sign_on_key(&other));
        let account = ApplicantAccount {
            email: key,
            name: "A".into(),
            password_hash: None,
            oidc: Some(other),
            created_at: UnixMillis(0),
        };
        assert_eq!(account.contact_email(), None);
        let local = ApplicantAccount {
            email: "a@b.vn".into(),
            oidc: None,
            ..account
        };
        assert_eq!(local.contact_email(), Some("a@b.vn"));
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
