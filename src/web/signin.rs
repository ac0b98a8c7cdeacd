//! The sign-in rule: a password is checked only while the account is not
//! locked; the failure that reaches the configured count locks it; and the
//! answer never tells whether the account exists or is locked (every path
//! runs one argon2 verification, so it takes about as long too).

use super::passwords;
use super::WebError;
use crate::domain::officer::{LockoutPolicy, OfficerAccount};
use crate::domain::UnixMillis;
use crate::store::Store;

pub enum SignIn {
    Accepted(OfficerAccount),
    /// Wrong login, wrong password, or a locked account: one answer.
    Refused,
}

/// Checks one attempt and records its outcome durably. Blocking (argon2 and
/// a flush): call it off the async runtime.
pub fn attempt(
    store: &Store,
    policy: LockoutPolicy,
    decoy_hash: &str,
    login: &str,
    password: &str,
    now: UnixMillis,
) -> Result<SignIn, WebError> {
    let Some(account) = store.officer_account(login)? else {
        passwords::verify(decoy_hash, password);
        return Ok(SignIn::Refused);
    };
    if store.login_failures(login)?.is_locked(now) {
        passwords::verify(decoy_hash, password);
        return Ok(SignIn::Refused);
    }
    if passwords::verify(&account.password_hash, password) {
        store.clear_login_failures(login)?;
        Ok(SignIn::Accepted(account))
    } else {
        let failures = store.record_login_failure(login, now, policy)?;
        if failures.is_locked(now) {
            tracing::warn!(
                login,
                "officer account locked after repeated failed sign-ins"
            );
        }
        Ok(SignIn::Refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::officer::OfficerRole;

    const POLICY: LockoutPolicy = LockoutPolicy {
        max_failures: 2,
        lock_millis: 60_000,
    };

    fn store_with_lan() -> (tempfile::TempDir, Store, String) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let account = OfficerAccount {
            login: "lan".into(),
            name: "Nguyễn Thị Lan".into(),
            role: OfficerRole::Reception,
            agency_code: "000.00.01.H22".into(),
            unit: "Bộ phận Một cửa".into(),
            password_hash: passwords::hash("mật-khẩu-của-lan").unwrap(),
        };
        store.replace_officer_accounts(&[account]).unwrap();
        let decoy = passwords::hash("decoy").unwrap();
        (dir, store, decoy)
    }

    fn accepted(outcome: SignIn) -> bool {
        matches!(outcome, SignIn::Accepted(_))
    }

    #[test]
    fn the_right_password_is_accepted_and_clears_earlier_failures() {
        let (_dir, store, decoy) = store_with_lan();
        let now = UnixMillis(1_000);
        assert!(!accepted(
            attempt(&store, POLICY, &decoy, "lan", "sai", now).unwrap()
        ));
        assert_eq!(store.login_failures("lan").unwrap().count, 1);
        assert!(accepted(
            attempt(&store, POLICY, &decoy, "lan", "mật-khẩu-của-lan", now).unwrap()
        ));
        assert_eq!(store.login_failures("lan").unwrap().count, 0);
    }

    #[test]
    fn a_locked_account_refuses_even_the_right_password_until_the_lock_ends() {
        let (_dir, store, decoy) = store_with_lan();
        let now = UnixMillis(1_000);
        for _ in 0..2 {
            attempt(&store, POLICY, &decoy, "lan", "sai", now).unwrap();
        }
        assert!(!accepted(
            attempt(&store, POLICY, &decoy, "lan", "mật-khẩu-của-lan", now).unwrap()
        ));
        let later = UnixMillis(now.0 + 60_000);
        assert!(accepted(
            attempt(&store, POLICY, &decoy, "lan", "mật-khẩu-của-lan", later).unwrap()
        ));
    }

    #[test]
    fn an_unknown_login_is_refused_and_leaves_no_record() {
        let (_dir, store, decoy) = store_with_lan();
        assert!(!accepted(
            attempt(&store, POLICY, &decoy, "ai-do", "decoy", UnixMillis(1)).unwrap()
        ));
        assert_eq!(
            store.login_failures("ai-do").unwrap(),
            Default::default(),
            "unknown names are not stored (nobody can fill the store with them)"
        );
    }
}
