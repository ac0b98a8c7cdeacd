//! Adapters' durable state, one partner's space at a time
//! (`Hub::adapter_state`): what the adapter edge's `HubApi` state calls
//! reach. Storage is `store/adapter_state.rs`; every call runs on the
//! blocking pool (a put waits for the disk) and a put or delete is flushed
//! before it returns.
//!
//! The space is named by the partner the adapter acts as, fixed when the
//! adapter is built: an adapter has no way to name another partner's keys.

use super::HubError;
use crate::store::{Store, StoreError};

/// One partner's adapter state.
#[derive(Clone)]
pub struct AdapterState {
    pub(super) store: Store,
    pub(super) partner: String,
}

impl AdapterState {
    pub fn partner(&self) -> &str {
        &self.partner
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, HubError> {
        let key = key.to_string();
        self.blocking(move |store, partner| store.adapter_state(partner, &key))
            .await
    }

    pub async fn put(&self, key: &str, value: Vec<u8>) -> Result<(), HubError> {
        let key = key.to_string();
        self.blocking(move |store, partner| store.put_adapter_state(partner, &key, &value))
            .await
    }

    pub async fn delete(&self, key: &str) -> Result<(), HubError> {
        let key = key.to_string();
        self.blocking(move |store, partner| store.delete_adapter_state(partner, &key))
            .await
    }

    pub async fn scan(
        &self,
        prefix: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, HubError> {
        let (prefix, after) = (prefix.to_string(), after.to_string());
        self.blocking(move |store, partner| {
            store.scan_adapter_state(partner, &prefix, &after, limit)
        })
        .await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store, &str) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, HubError> {
        let (store, partner) = (self.store.clone(), self.partner.clone());
        let done = tokio::task::spawn_blocking(move || work(&store, &partner))
            .await
            .map_err(|e| HubError::TaskFailed {
                what: "an adapter state call".into(),
                reason: e.to_string(),
            })?;
        Ok(done?)
    }
}
