//! A configuration checked whole, once, with what the hub needs built from
//! it: the partner registry and each partner's adapter table. Everything
//! that starts the hub takes a `LoadedConfig`, so nothing checks or builds
//! partners again.

use super::adapters::{self, AdapterConfig};
use super::{
    calendar, limits, notifications, partners, sections, tls, ConfigError, HubConfig, TlsSettings,
};
use crate::domain::working_time::WorkingTime;
use crate::limits::Limit;
use crate::notify::NotificationSettings;
use crate::partners::PartnerRegistry;
use lienthong_adapter::AdapterKind;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct LoadedConfig {
    /// The file (or other source) it came from, for errors found later.
    pub origin: String,
    /// The sections as written, every value checked.
    pub sections: HubConfig,
    pub partners: PartnerRegistry,
    /// The partners' adapter tables, in the order of `[[partners]]`.
    pub adapters: Vec<AdapterConfig>,
    /// E-mail and SMS to applicants (`[notifications]`); `None`: none sent.
    pub notifications: Option<NotificationSettings>,
    /// The holiday calendar and working-time rules of `[calendar]`, loaded
    /// once here (the holiday file is read and checked now, not at the first
    /// receipt).
    pub working_time: Arc<WorkingTime>,
    /// Each partner's limits (`[limits]`); empty: no partner is limited.
    pub limits: Vec<(String, Limit)>,
    /// `[tls]`: the listeners' certificate files, or which are plaintext.
    pub tls: TlsSettings,
}

impl HubConfig {
    /// Checks every section and every partner, and builds the registry and
    /// the adapter tables. `file` names the source in errors; `kinds` are the
    /// adapter kinds this hub is built with (`adapters::kinds()`).
    pub fn check(
        self,
        file: &str,
        kinds: &[Box<dyn AdapterKind>],
    ) -> Result<LoadedConfig, ConfigError> {
        sections::check(&self, file)?;
        let partners = partners::registry(file, &self.partners, self.amqp.url.is_some())?;
        if let Some(web) = &self.web {
            web.validate(file, &self)?;
        }
        if let Some(admin) = &self.admin {
            admin.validate(file, &self)?;
        }
        if let Some(site) = &self.site {
            site.validate(file, &self)?;
        }
        let adapters = adapters::check_all(file, &self.partners, kinds)?;
        let notifications = notifications::check(file, self.notifications.as_ref())?;
        let working_time = Arc::new(calendar::check(file, &self.calendar)?);
        let limits = limits::check(file, self.limits.as_ref(), &partners)?;
        // Last, so that every other section's problem is named first.
        let tls = tls::check(file, &self)?;
        partners::check_certificates(file, &self.partners, &tls)?;
        if !adapters.is_empty() && self.hub.http_listen.is_none() {
            tracing::debug!("partners have adapters but hub.http_listen is not set: their inbound routes are not served");
        }
        Ok(LoadedConfig {
            origin: file.to_string(),
            sections: self,
            partners,
            adapters,
            notifications,
            working_time,
            limits,
            tls,
        })
    }
}
