//! Officers' passwords: argon2id hashes in PHC strings, and the accounts the
//! configuration asks for, turned into stored accounts at start.
//!
//! Production configuration holds only hashes; the development
//! configuration holds PUBLIC clear passwords, hashed here at every start.

use super::WebError;
use crate::domain::officer::{OfficerAccount, OfficerRole};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// How the configuration gives an officer's password.
#[derive(Clone, Debug)]
pub enum OfficerPassword {
    /// Development only: printed by `lienthong serve`.
    Clear(String),
    /// A PHC string (`$argon2id$v=19$…`).
    Hashed(String),
}

/// An officer as configured.
#[derive(Clone, Debug)]
pub struct ConfiguredOfficer {
    pub login: String,
    pub name: String,
    pub role: OfficerRole,
    pub agency_code: String,
    pub unit: String,
    pub password: OfficerPassword,
}

/// An argon2id hash of `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, WebError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| WebError::PasswordHash(e.to_string()))
}

/// True when `phc` is a hash of `password`. An unreadable hash verifies
/// nothing.
pub fn verify(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Checks that a configured hash is a PHC string argon2 can verify.
pub fn check_hash(phc: &str) -> Result<(), String> {
    let parsed = PasswordHash::new(phc).map_err(|e| format!("is not a PHC string: {e}"))?;
    if !parsed.algorithm.as_str().starts_with("argon2") {
        return Err(format!(
            "uses `{}`; only argon2 hashes are accepted",
            parsed.algorithm
        ));
    }
    Ok(())
}

/// The stored form of the configured officers (clear passwords hashed).
pub fn accounts(configured: &[ConfiguredOfficer]) -> Result<Vec<OfficerAccount>, WebError> {
    configured
        .iter()
        .map(|officer| {
            let password_hash = match &officer.password {
                OfficerPassword::Clear(clear) => hash(clear)?,
                OfficerPassword::Hashed(phc) => phc.clone(),
            };
            Ok(OfficerAccount {
                login: officer.login.clone(),
                name: officer.name.clone(),
                role: officer.role,
                agency_code: officer.agency_code.clone(),
                unit: officer.unit.clone(),
                password_hash,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("mật-khẩu-đúng").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(check_hash(&phc).is_ok());
        assert!(verify(&phc, "mật-khẩu-đúng"));
        assert!(!verify(&phc, "mat-khau-dung"));
        assert!(!verify("not a hash", "anything"));
    }

    #[test]
    fn only_argon2_phc_strings_are_accepted_in_configuration() {
        assert!(check_hash("plain").is_err());
        assert!(check_hash("$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA").is_err());
    }
}
