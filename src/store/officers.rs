//! The one-stop module's own records: officer accounts, their sessions and
//! their failed sign-ins.
//!
//! They are not dossier state, so they do not go through the engine's group
//! commit; but they get the same promise: every write here is flushed before
//! the call returns, so an acknowledged sign-in, sign-out or lock survives a
//! crash. Sessions are keyed by the SHA-256 of their token, so the data
//! directory alone does not hand out live sessions.

use super::{decode, encode, keys, Store, StoreError};
use crate::domain::officer::{LockoutPolicy, LoginFailures, OfficerAccount, OfficerSession};
use crate::domain::UnixMillis;
use std::collections::BTreeSet;

impl Store {
    pub fn officer_account(&self, login: &str) -> Result<Option<OfficerAccount>, StoreError> {
        self.get_json(&keys::officer_account(login))
    }

    /// Every stored account, in login order.
    pub fn officer_accounts(&self) -> Result<Vec<OfficerAccount>, StoreError> {
        let db = self.db()?;
        self.read_all(&db, keys::officer_account_prefix(), "reading officers")
    }

    /// Makes `accounts` the whole set of accounts, in one atomic batch:
    /// accounts not listed are removed with their failure records (their
    /// sessions die with them, since a session needs its account).
    pub fn replace_officer_accounts(&self, accounts: &[OfficerAccount]) -> Result<(), StoreError> {
        let keep: BTreeSet<&str> = accounts.iter().map(|a| a.login.as_str()).collect();
        let mut batch = sled::Batch::default();
        for old in self.officer_accounts()? {
            if !keep.contains(old.login.as_str()) {
                batch.remove(keys::officer_account(&old.login));
                batch.remove(keys::login_failures(&old.login));
            }
        }
        for account in accounts {
            batch.insert(keys::officer_account(&account.login), encode(account));
        }
        self.write_db()?
            .apply_batch(batch)
            .map_err(|e| self.failed("storing officers", e))?;
        self.flush()
    }

    pub fn officer_session(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<OfficerSession>, StoreError> {
        self.get_json(&keys::officer_session(token_sha256))
    }

    pub fn put_officer_session(
        &self,
        token_sha256: &[u8; 32],
        session: &OfficerSession,
    ) -> Result<(), StoreError> {
        self.write_db()?
            .insert(keys::officer_session(token_sha256), encode(session))
            .map_err(|e| self.failed("storing a session", e))?;
        self.flush()
    }

    pub fn remove_officer_session(&self, token_sha256: &[u8; 32]) -> Result<(), StoreError> {
        self.write_db()?
            .remove(keys::officer_session(token_sha256))
            .map_err(|e| self.failed("removing a session", e))?;
        self.flush()
    }

    /// Removes every session that expired before `now`; returns how many.
    pub fn remove_expired_officer_sessions(&self, now: UnixMillis) -> Result<usize, StoreError> {
        self.remove_officer_sessions_where(|session| !session.is_live(now))
    }

    /// Removes every session of `login` (signs the officer out everywhere);
    /// returns how many.
    pub fn remove_officer_sessions_of(&self, login: &str) -> Result<usize, StoreError> {
        self.remove_officer_sessions_where(|session| session.login == login)
    }

    /// Removes every session `doomed` picks, flushing once if any went;
    /// returns how many.
    fn remove_officer_sessions_where(
        &self,
        doomed: impl Fn(&OfficerSession) -> bool,
    ) -> Result<usize, StoreError> {
        let mut doomed_keys = Vec::new();
        for item in self.db()?.scan_prefix(keys::officer_session_prefix()) {
            let (key, value) = item.map_err(|e| self.failed("reading sessions", e))?;
            let session: OfficerSession = decode(&key, &value)?;
            if doomed(&session) {
                doomed_keys.push(key);
            }
        }
        // Removed after the scan's lease is dropped (see `handle::Lease`).
        let removed = doomed_keys.len();
        for key in doomed_keys {
            self.write_db()?
                .remove(&key)
                .map_err(|e| self.failed("removing sessions", e))?;
        }
        if removed > 0 {
            self.flush()?;
        }
        Ok(removed)
    }

    /// Sessions stored, live or not yet swept.
    pub fn officer_session_count(&self) -> Result<usize, StoreError> {
        let mut count = 0;
        for item in self.db()?.scan_prefix(keys::officer_session_prefix()) {
            item.map_err(|e| self.failed("reading sessions", e))?;
            count += 1;
        }
        Ok(count)
    }

    pub fn login_failures(&self, login: &str) -> Result<LoginFailures, StoreError> {
        Ok(self
            .get_json(&keys::login_failures(login))?
            .unwrap_or_default())
    }

    /// Counts one failed sign-in, atomically (two attempts at once both
    /// count), and returns the record now stored.
    pub fn record_login_failure(
        &self,
        login: &str,
        now: UnixMillis,
        policy: LockoutPolicy,
    ) -> Result<LoginFailures, StoreError> {
        let key = keys::login_failures(login);
        self.count_login_failure(&*self.write_db()?, &key, now, policy)
    }

    /// The one failed-sign-in counter, for officers (the main tree) and
    /// applicants (their own tree): read, add one under the lockout policy
    /// and write back in one atomic `update_and_fetch`, then flush, so two
    /// attempts at once both count and a lock outlives a crash.
    pub(super) fn count_login_failure(
        &self,
        tree: &sled::Tree,
        key: &[u8],
        now: UnixMillis,
        policy: LockoutPolicy,
    ) -> Result<LoginFailures, StoreError> {
        let mut corrupt = None;
        let updated = tree
            .update_and_fetch(key, |old| {
                let current = match old.map(|bytes| decode::<LoginFailures>(key, bytes)) {
                    None => LoginFailures::default(),
                    Some(Ok(current)) => current,
                    Some(Err(e)) => {
                        corrupt = Some(e);
                        return old.map(|b| b.to_vec());
                    }
                };
                Some(encode(&current.after_failure(now, policy)))
            })
            .map_err(|e| self.failed("counting a failed sign-in", e))?;
        if let Some(e) = corrupt {
            return Err(e);
        }
        self.flush()?;
        match updated {
            Some(bytes) => decode(key, &bytes),
            None => Ok(LoginFailures::default()),
        }
    }

    /// Forgets the failures of an account after a successful sign-in.
    pub fn clear_login_failures(&self, login: &str) -> Result<(), StoreError> {
        let old = self
            .write_db()?
            .remove(keys::login_failures(login))
            .map_err(|e| self.failed("clearing failed sign-ins", e))?;
        if old.is_some() {
            self.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::officer::OfficerRole;
    use crate::store::test_store as store;

    fn account(login: &str) -> OfficerAccount {
        OfficerAccount {
            login: login.into(),
            name: "Nguyễn Thị Lan".into(),
            role: OfficerRole::Reception,
            agency_code: "000.00.01.H22".into(),
            unit: "Bộ phận Một cửa".into(),
            password_hash: "$argon2id$placeholder".into(),
        }
    }

    /// Locks an account for a second after `max_failures` failures.
    fn locks_after(max_failures: u32) -> LockoutPolicy {
        LockoutPolicy {
            max_failures,
            lock_millis: 1000,
        }
    }

    fn assert_no_failures(store: &Store, login: &str) {
        let failures = store.login_failures(login).unwrap();
        assert_eq!(failures, LoginFailures::default(), "{login}");
    }

    #[test]
    fn replacing_accounts_removes_the_unlisted_with_their_failures() {
        let (_dir, store) = store();
        let policy = locks_after(5);
        store
            .replace_officer_accounts(&[account("lan"), account("minh")])
            .unwrap();
        store
            .record_login_failure("minh", UnixMillis(1), policy)
            .unwrap();
        store.replace_officer_accounts(&[account("lan")]).unwrap();
        let logins: Vec<_> = store
            .officer_accounts()
            .unwrap()
            .into_iter()
            .map(|a| a.login)
            .collect();
        assert_eq!(logins, ["lan"]);
        assert_no_failures(&store, "minh");
    }

    #[test]
    fn failures_accumulate_and_clear() {
        let (_dir, store) = store();
        let policy = locks_after(2);
        let first = store
            .record_login_failure("lan", UnixMillis(10), policy)
            .unwrap();
        assert_eq!(first.count, 1);
        let second = store
            .record_login_failure("lan", UnixMillis(20), policy)
            .unwrap();
        assert_eq!(second.locked_until, Some(UnixMillis(1020)));
        assert_eq!(store.login_failures("lan").unwrap(), second);
        store.clear_login_failures("lan").unwrap();
        assert_no_failures(&store, "lan");
    }

    #[test]
    fn expired_sessions_are_swept() {
        let (_dir, store) = store();
        let session = |expires| OfficerSession {
            login: "lan".into(),
            csrf_token: "t".into(),
            created_at: UnixMillis(0),
            expires_at: UnixMillis(expires),
        };
        store.put_officer_session(&[1; 32], &session(100)).unwrap();
        store.put_officer_session(&[2; 32], &session(300)).unwrap();
        assert_eq!(
            store
                .remove_expired_officer_sessions(UnixMillis(200))
                .unwrap(),
            1
        );
        assert!(store.officer_session(&[1; 32]).unwrap().is_none());
        assert_eq!(store.officer_session(&[2; 32]).unwrap(), Some(session(300)));
        store.remove_officer_session(&[2; 32]).unwrap();
        assert_eq!(store.officer_session_count().unwrap(), 0);
    }
}
