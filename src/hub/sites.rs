//! What the site edge (`amqp::sites`) asks of the hub: this hub's site map,
//! and taking a transfer from another site through the writer, like any
//! command (`engine/sites.rs`).

use super::{Hub, HubError};
use crate::domain::site::{SiteMap, Transfer};
use crate::domain::HistoryEntry;
use crate::engine::SiteOutcome;
use std::sync::Arc;

impl Hub {
    /// This hub's site and its peers (`[site]`); `None` for a hub alone.
    pub fn sites(&self) -> Option<Arc<SiteMap>> {
        self.sites.clone()
    }

    /// Takes a dossier another site handed over (`handover`) or a change of
    /// one another site decides about; answered once it is durable. A
    /// duplicate (by the sending event's id, or a version already held)
    /// writes nothing and is answered as such.
    pub async fn receive_from_site(
        &self,
        handover: bool,
        transfer: Transfer,
    ) -> Result<SiteOutcome, HubError> {
        Ok(self.engine.receive_from_site(handover, transfer).await?)
    }
}

impl Hub {
    /// A dossier's history lines up to `version`, for a handover. Blocking
    /// (a store read).
    pub fn history_up_to(&self, id: u64, version: u64) -> Result<Vec<HistoryEntry>, HubError> {
        let mut lines = self.store.history(id)?;
        lines.retain(|line| line.version <= version);
        Ok(lines)
    }
}
