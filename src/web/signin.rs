//! The sign-in rule: a password is checked only while the account is not
//! locked; the failure that reaches the configured count locks it; and the
//! answer never tells whether the account exists or is locked (every path
//! runs one argon2 verification, so it takes about as long too).

use super::passwords;
use super::WebError;
use crate::domain::officer::{LockoutPolicy, OfficerAccount};
use crate::domain::UnixMillis;
use crate::hub::OfficerRecords;

pub enum SignIn {
    Accepted(OfficerAccount),
    /// Wrong login, wrong password, or a locked account: one answer.
    Refused,
}

/// Checks one attempt and records its outcome durably. Blocking (argon2 and
/// a flush): call it off the async runtime.
pub fn attempt(
    officers: &OfficerRecords,
    policy: LockoutPolicy,
    decoy_hash: &str,
    login: &str,
    password: &str,
    now: UnixMillis,
) -> Result<SignIn, WebError> {
    let Some(account) = officers.account(login)? else {
        passwords::verify(decoy_hash, password);
        return Ok(SignIn::Refused);
    };
    if officers.login_failures(login)?.is_locked(now) {
        passwords::verify(decoy_hash, password);
        return Ok(SignIn::Refused);
    }
    if passwords::verify(&account.password_hash, password) {
        officers.clear_login_failures(login)?;
        Ok(SignIn::Accepted(account))
    } else {
        let failures = officers.record_login_failure(login, now, policy)?;
        if failures.is_locked(now) {
            tracing::warn!(
                login,
                "officer account locked after repeated failed sign-ins"
            );
        }
        Ok(SignIn::Refused)
    }
}
