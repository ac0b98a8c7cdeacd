//! What the hub keeps for the hosted one-stop module's officers: accounts,
//! sessions and failed sign-ins. The web edge reads and writes them only
//! through [`OfficerRecords`]; storage stays in `store/officers.rs`, where
//! every write is flushed before it returns (acknowledged means durable, as
//! for dossiers).

use super::HubError;
use crate::domain::officer::{LockoutPolicy, LoginFailures, OfficerAccount, OfficerSession};
use crate::domain::UnixMillis;
use crate::store::Store;

/// The officers' records; `Hub::officer_records`, or
/// `RunningHub::officer_records` for an operator.
#[derive(Clone)]
pub struct OfficerRecords {
    store: Store,
}

impl OfficerRecords {
    pub(crate) fn new(store: Store) -> OfficerRecords {
        OfficerRecords { store }
    }

    pub fn account(&self, login: &str) -> Result<Option<OfficerAccount>, HubError> {
        Ok(self.store.officer_account(login)?)
    }

    /// Every account, in login order (the workspace lists departments and
    /// specialists from them).
    pub fn accounts(&self) -> Result<Vec<OfficerAccount>, HubError> {
        Ok(self.store.officer_accounts()?)
    }

    /// Makes `accounts` the whole set, atomically and durably.
    pub fn replace_accounts(&self, accounts: &[OfficerAccount]) -> Result<(), HubError> {
        Ok(self.store.replace_officer_accounts(accounts)?)
    }

    pub fn session(&self, token_sha256: &[u8; 32]) -> Result<Option<OfficerSession>, HubError> {
        Ok(self.store.officer_session(token_sha256)?)
    }

    pub fn put_session(
        &self,
        token_sha256: &[u8; 32],
        session: &OfficerSession,
    ) -> Result<(), HubError> {
        Ok(self.store.put_officer_session(token_sha256, session)?)
    }

    pub fn remove_session(&self, token_sha256: &[u8; 32]) -> Result<(), HubError> {
        Ok(self.store.remove_officer_session(token_sha256)?)
    }

    /// Removes the sessions expired before `now`; returns how many.
    pub fn remove_expired_sessions(&self, now: UnixMillis) -> Result<usize, HubError> {
        Ok(self.store.remove_expired_officer_sessions(now)?)
    }

    /// Sessions stored (expired ones go at the next start or use).
    pub fn session_count(&self) -> Result<usize, HubError> {
        Ok(self.store.officer_session_count()?)
    }

    /// Ends every session of `login` (a lost phone, a compromised password);
    /// returns how many.
    pub fn sign_out_everywhere(&self, login: &str) -> Result<usize, HubError> {
        Ok(self.store.remove_officer_sessions_of(login)?)
    }

    pub fn login_failures(&self, login: &str) -> Result<LoginFailures, HubError> {
        Ok(self.store.login_failures(login)?)
    }

    pub fn is_locked(&self, login: &str) -> Result<bool, HubError> {
        Ok(self.login_failures(login)?.is_locked(UnixMillis::now()))
    }

    /// Counts one failed sign-in atomically; returns the record now stored.
    pub fn record_login_failure(
        &self,
        login: &str,
        now: UnixMillis,
        policy: LockoutPolicy,
    ) -> Result<LoginFailures, HubError> {
        Ok(self.store.record_login_failure(login, now, policy)?)
    }

    pub fn clear_login_failures(&self, login: &str) -> Result<(), HubError> {
        Ok(self.store.clear_login_failures(login)?)
    }
}
