//! The hosted portal's applicants: their accounts, sessions, failed
//! sign-ins, single sign-on links, and which dossiers each filed online.
//!
//! A sled tree of its own (like the workspace's), outside the group commit:
//! these are the portal module's records, not dossier state. Every write is
//! flushed before the call returns, so an acknowledged registration,
//! sign-in or lock survives a crash. Sessions are keyed by the SHA-256 of
//! their token, so the data directory alone hands out no live session.
//!
//! | key                        | value                     |
//! |----------------------------|---------------------------|
//! | `a` e-mail                 | ApplicantAccount (JSON)   |
//! | `s` SHA-256 of token       | ApplicantSession (JSON)   |
//! | `f` e-mail                 | LoginFailures (JSON)      |
//! | `o` issuer 0 subject       | e-mail (single sign-on)   |
//! | `d` e-mail 0 MaHoSo        | (empty) filed online      |

use super::{decode, encode, Store, StoreError};
use crate::domain::applicant::{ApplicantAccount, ApplicantSession, OidcIdentity};
use crate::domain::officer::{LockoutPolicy, LoginFailures};
use crate::domain::UnixMillis;

const TREE: &str = "portal_applicants";
const READING: &str = "reading applicants";

fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![prefix];
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            key.push(0);
        }
        key.extend_from_slice(part);
    }
    key
}

fn account_key(email: &str) -> Vec<u8> {
    key(b'a', &[email.as_bytes()])
}

fn session_key(token_sha256: &[u8; 32]) -> Vec<u8> {
    key(b's', &[token_sha256])
}

fn failures_key(email: &str) -> Vec<u8> {
    key(b'f', &[email.as_bytes()])
}

fn oidc_key(identity: &OidcIdentity) -> Vec<u8> {
    key(
        b'o',
        &[identity.issuer.as_bytes(), identity.subject.as_bytes()],
    )
}

fn dossiers_prefix(email: &str) -> Vec<u8> {
    let mut prefix = key(b'd', &[email.as_bytes()]);
    prefix.push(0);
    prefix
}

impl Store {
    fn applicants(&self) -> Result<super::handle::TreeLease, StoreError> {
        self.tree(TREE, "opening the applicants' tree")
    }

    pub fn applicant_account(&self, email: &str) -> Result<Option<ApplicantAccount>, StoreError> {
        self.read_one(&*self.applicants()?, &account_key(email), READING)
    }

    /// Stores a new account, and its single sign-on link when it has one,
    /// in one atomic write; false (nothing written) when the address is
    /// taken already, even by a registration running at the same moment.
    pub fn create_applicant_account(&self, account: &ApplicantAccount) -> Result<bool, StoreError> {
        self.write_db()?;
        let tree = self.applicants()?;
        let key = account_key(&account.email);
        let value = encode(account);
        let link = account.oidc.as_ref().map(oidc_key);
        let created = tree
            .transaction(|tx| {
                if tx.get(&key)?.is_some() {
                    return Ok(false);
                }
                tx.insert(key.as_slice(), value.as_slice())?;
                if let Some(link) = &link {
                    tx.insert(link.as_slice(), account.email.as_bytes())?;
                }
                Ok(true)
            })
            .map_err(|e: sled::transaction::TransactionError<()>| {
                let e = match e {
                    sled::transaction::TransactionError::Storage(e) => e,
                    sled::transaction::TransactionError::Abort(()) => {
                        sled::Error::Unsupported("aborted".into())
                    }
                };
                self.failed("storing an applicant", e)
            })?;
        if created {
            self.flush()?;
        }
        Ok(created)
    }

    /// Links a single sign-on identity to an existing account.
    pub fn link_applicant_identity(
        &self,
        email: &str,
        identity: &OidcIdentity,
    ) -> Result<(), StoreError> {
        self.write_db()?;
        let tree = self.applicants()?;
        let Some(mut account) = self.applicant_account(email)? else {
            return Ok(());
        };
        account.oidc = Some(identity.clone());
        let mut batch = sled::Batch::default();
        batch.insert(account_key(email), encode(&account));
        batch.insert(oidc_key(identity), email.as_bytes());
        tree.apply_batch(batch)
            .map_err(|e| self.failed("linking an applicant", e))?;
        self.flush()
    }

    /// The e-mail of the account a single sign-on identity is linked to.
    pub fn applicant_by_identity(
        &self,
        identity: &OidcIdentity,
    ) -> Result<Option<String>, StoreError> {
        let found = self
            .applicants()?
            .get(oidc_key(identity))
            .map_err(|e| self.failed(READING, e))?;
        Ok(found.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    pub fn applicant_session(
        &self,
        token_sha256: &[u8; 32],
    ) -> Result<Option<ApplicantSession>, StoreError> {
        self.read_one(&*self.applicants()?, &session_key(token_sha256), READING)
    }

    pub fn put_applicant_session(
        &self,
        token_sha256: &[u8; 32],
        session: &ApplicantSession,
    ) -> Result<(), StoreError> {
        self.write_db()?;
        self.applicants()?
            .insert(session_key(token_sha256), encode(session))
            .map_err(|e| self.failed("storing a session", e))?;
        self.flush()
    }

    pub fn remove_applicant_session(&self, token_sha256: &[u8; 32]) -> Result<(), StoreError> {
        self.write_db()?;
        self.applicants()?
            .remove(session_key(token_sha256))
            .map_err(|e| self.failed("removing a session", e))?;
        self.flush()
    }

    /// Removes every session that expired before `now`; returns how many.
    pub fn remove_expired_applicant_sessions(&self, now: UnixMillis) -> Result<usize, StoreError> {
        let tree = self.applicants()?;
        let mut removed = 0;
        for item in tree.scan_prefix([b's']) {
            let (key, value) = item.map_err(|e| self.failed(READING, e))?;
            let session: ApplicantSession = decode(&key, &value)?;
            if !session.is_live(now) {
                self.write_db()?;
                tree.remove(&key)
                    .map_err(|e| self.failed("removing sessions", e))?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.flush()?;
        }
        Ok(removed)
    }

    pub fn applicant_login_failures(&self, email: &str) -> Result<LoginFailures, StoreError> {
        Ok(self
            .read_one(&*self.applicants()?, &failures_key(email), READING)?
            .unwrap_or_default())
    }

    /// Counts one failed sign-in atomically and returns the record stored.
    pub fn record_applicant_login_failure(
        &self,
        email: &str,
        now: UnixMillis,
        policy: LockoutPolicy,
    ) -> Result<LoginFailures, StoreError> {
        self.write_db()?;
        self.count_login_failure(&*self.applicants()?, &failures_key(email), now, policy)
    }

    pub fn clear_applicant_login_failures(&self, email: &str) -> Result<(), StoreError> {
        self.write_db()?;
        let old = self
            .applicants()?
            .remove(failures_key(email))
            .map_err(|e| self.failed("clearing failed sign-ins", e))?;
        if old.is_some() {
            self.flush()?;
        }
        Ok(())
    }

    /// Records that `email` filed dossier `ma_ho_so` online.
    pub fn add_applicant_dossier(&self, email: &str, ma_ho_so: &str) -> Result<(), StoreError> {
        self.write_db()?;
        let mut key = dossiers_prefix(email);
        key.extend_from_slice(ma_ho_so.as_bytes());
        self.applicants()?
            .insert(key, &[] as &[u8])
            .map_err(|e| self.failed("recording an applicant's dossier", e))?;
        self.flush()
    }

    /// The MaHoSo of every dossier `email` filed online, in code order.
    pub fn applicant_dossiers(&self, email: &str) -> Result<Vec<String>, StoreError> {
        self.key_suffixes(&*self.applicants()?, &dossiers_prefix(email), READING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store as store;

    fn account(email: &str) -> ApplicantAccount {
        ApplicantAccount {
            email: email.into(),
            name: "Trần Thị Hoa".into(),
            password_hash: Some("$argon2id$placeholder".into()),
            oidc: None,
            created_at: UnixMillis(1),
        }
    }

    #[test]
    fn an_address_is_registered_once() {
        let (_dir, store) = store();
        assert!(store
            .create_applicant_account(&account("hoa@example.vn"))
            .unwrap());
        let mut other = account("hoa@example.vn");
        other.name = "Kẻ khác".into();
        assert!(!store.create_applicant_account(&other).unwrap());
        let kept = store.applicant_account("hoa@example.vn").unwrap().unwrap();
        assert_eq!(kept.name, "Trần Thị Hoa");
    }

    #[test]
    fn identities_link_to_their_account() {
        let (_dir, store) = store();
        store
            .create_applicant_account(&account("hoa@example.vn"))
            .unwrap();
        let identity = OidcIdentity {
            issuer: "https://sso.example.vn".into(),
            subject: "0123".into(),
        };
        assert_eq!(store.applicant_by_identity(&identity).unwrap(), None);
        store
            .link_applicant_identity("hoa@example.vn", &identity)
            .unwrap();
        assert_eq!(
            store.applicant_by_identity(&identity).unwrap().as_deref(),
            Some("hoa@example.vn")
        );
        let linked = store.applicant_account("hoa@example.vn").unwrap().unwrap();
        assert_eq!(linked.oidc, Some(identity));
    }

    #[test]
    fn dossiers_are_listed_per_applicant_only() {
        let (_dir, store) = store();
        store.add_applicant_dossier("a@example.vn", "X-2").unwrap();
        store.add_applicant_dossier("a@example.vn", "X-1").unwrap();
        store.add_applicant_dossier("ab@example.vn", "Y-1").unwrap();
        assert_eq!(
            store.applicant_dossiers("a@example.vn").unwrap(),
            ["X-1", "X-2"]
        );
        assert_eq!(store.applicant_dossiers("ab@example.vn").unwrap(), ["Y-1"]);
    }

    #[test]
    fn failures_lock_and_clear_and_sessions_expire() {
        let (_dir, store) = store();
        let policy = LockoutPolicy {
            max_failures: 2,
            lock_millis: 1000,
        };
        store
            .record_applicant_login_failure("a@b.vn", UnixMillis(10), policy)
            .unwrap();
        let locked = store
            .record_applicant_login_failure("a@b.vn", UnixMillis(20), policy)
            .unwrap();
        assert!(locked.is_locked(UnixMillis(500)));
        store.clear_applicant_login_failures("a@b.vn").unwrap();
        assert_eq!(
            store.applicant_login_failures("a@b.vn").unwrap(),
            LoginFailures::default()
        );
        let session = |expires| ApplicantSession {
            email: "a@b.vn".into(),
            csrf_token: "t".into(),
            created_at: UnixMillis(0),
            expires_at: UnixMillis(expires),
        };
        store
            .put_applicant_session(&[1; 32], &session(100))
            .unwrap();
        store
            .put_applicant_session(&[2; 32], &session(300))
            .unwrap();
        assert_eq!(
            store
                .remove_expired_applicant_sessions(UnixMillis(200))
                .unwrap(),
            1
        );
        assert!(store.applicant_session(&[1; 32]).unwrap().is_none());
        assert!(store.applicant_session(&[2; 32]).unwrap().is_some());
    }
}
