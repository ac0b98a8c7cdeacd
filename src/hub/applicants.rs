//! What the hub keeps for the hosted portal's applicants: accounts,
//! sessions, failed sign-ins, single sign-on links and the dossiers each
//! filed online. The web edge reaches them only through
//! [`ApplicantRecords`]; storage stays in `store/applicants.rs`, where every
//! write is flushed before it returns.

use super::HubError;
use crate::domain::applicant::{ApplicantAccount, ApplicantSession, OidcIdentity};
use crate::domain::officer::{LockoutPolicy, LoginFailures};
use crate::domain::UnixMillis;
use crate::store::Store;

/// The applicants' records; `Hub::applicant_records`.
#[derive(Clone)]
pub struct ApplicantRecords {
    store: Store,
}

impl ApplicantRecords {
    pub(crate) fn new(store: Store) -> ApplicantRecords {
        ApplicantRecords { store }
    }

    pub fn account(&self, email: &str) -> Result<Option<ApplicantAccount>, HubError> {
        Ok(self.store.applicant_account(email)?)
    }

    /// Stores a new account; false when the address is taken.
    pub fn create_account(&self, account: &ApplicantAccount) -> Result<bool, HubError> {
        Ok(self.store.create_applicant_account(account)?)
    }

    pub fn link_identity(&self, email: &str, identity: &OidcIdentity) -> Result<(), HubError> {
        Ok(self.store.link_applicant_identity(email, identity)?)
    }

    pub fn by_identity(&self, identity: &OidcIdentity) -> Result<Option<String>, HubError> {
        Ok(self.store.applicant_by_identity(identity)?)
    }

    pub fn session(&self, token_sha256: &[u8; 32]) -> Result<Option<ApplicantSession>, HubError> {
        Ok(self.store.applicant_session(token_sha256)?)
    }

    pub fn put_session(
        &self,
        token_sha256: &[u8; 32],
        session: &ApplicantSession,
    ) -> Result<(), HubError> {
        Ok(self.store.put_applicant_session(token_sha256, session)?)
    }

    pub fn remove_session(&self, token_sha256: &[u8; 32]) -> Result<(), HubError> {
        Ok(self.store.remove_applicant_session(token_sha256)?)
    }

    pub fn remove_expired_sessions(&self, now: UnixMillis) -> Result<usize, HubError> {
        Ok(self.store.remove_expired_applicant_sessions(now)?)
    }

    pub fn login_failures(&self, email: &str) -> Result<LoginFailures, HubError> {
        Ok(self.store.applicant_login_failures(email)?)
    }

    pub fn record_login_failure(
        &self,
        email: &str,
        now: UnixMillis,
        policy: LockoutPolicy,
    ) -> Result<LoginFailures, HubError> {
        Ok(self
            .store
            .record_applicant_login_failure(email, now, policy)?)
    }

    pub fn clear_login_failures(&self, email: &str) -> Result<(), HubError> {
        Ok(self.store.clear_applicant_login_failures(email)?)
    }

    pub fn add_dossier(&self, email: &str, ma_ho_so: &str) -> Result<(), HubError> {
        Ok(self.store.add_applicant_dossier(email, ma_ho_so)?)
    }

    pub fn dossiers(&self, email: &str) -> Result<Vec<String>, HubError> {
        Ok(self.store.applicant_dossiers(email)?)
    }
}
