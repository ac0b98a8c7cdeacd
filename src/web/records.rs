//! What an operator may read or do about officers' sign-in records without
//! the pages: sessions open, failed sign-ins and locks, and signing an
//! officer out everywhere (a lost phone, a compromised password).

use super::WebError;
use crate::domain::officer::LoginFailures;
use crate::domain::UnixMillis;
use crate::store::Store;

#[derive(Clone)]
pub struct OfficerRecords {
    store: Store,
}

impl OfficerRecords {
    pub(crate) fn new(store: Store) -> OfficerRecords {
        OfficerRecords { store }
    }

    /// Sessions stored (expired ones go at the next start or use).
    pub fn session_count(&self) -> Result<usize, WebError> {
        Ok(self.store.officer_session_count()?)
    }

    pub fn login_failures(&self, login: &str) -> Result<LoginFailures, WebError> {
        Ok(self.store.login_failures(login)?)
    }

    pub fn is_locked(&self, login: &str) -> Result<bool, WebError> {
        Ok(self.login_failures(login)?.is_locked(UnixMillis::now()))
    }

    /// Ends every session of `login`, durably; returns how many.
    pub fn sign_out_everywhere(&self, login: &str) -> Result<usize, WebError> {
        Ok(self.store.remove_officer_sessions_of(login)?)
    }
}
