//! Building adapters from configuration: the [`AdapterKind`] the hub's
//! registry holds, one per adapter crate, and what a built [`Adapter`]
//! consists of.
//!
//! An adapter crate implements [`BuildAdapter`] on its `…Kind` type: its
//! `kind` name, its [`AdapterSettings`] and how to build from them. The
//! object-safe [`AdapterKind`] the hub calls follows from that, so reading
//! and checking the settings table happens the same way for every kind.

use crate::settings::{AdapterConfigError, AdapterSettings};
use crate::{HubApi, Sink};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A background task of an adapter (a poller); it ends when `stop` resolves.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A resolved future that signals the hub is stopping.
pub type Stop = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A poller's loop: a round, then `interval` of rest, again and again, until
/// `stop` resolves (in a round or in the rest; a round stopped halfway is
/// dropped at its next await). A stop already given wins over the next
/// round.
pub async fn every<F, R>(interval: std::time::Duration, mut stop: Stop, mut round: R)
where
    R: FnMut() -> F,
    F: Future<Output = ()>,
{
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => return,
            _ = round() => {}
        }
        tokio::select! {
            biased;
            _ = &mut stop => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// A task not yet started: the hub gives it its stop signal.
pub type TaskStarter = Box<dyn FnOnce(Stop) -> Task + Send>;

/// What one configured partner's adapter consists of.
#[derive(Default)]
pub struct Adapter {
    pub sink: Option<Arc<dyn Sink>>,
    /// Mounted by the hub under `/partners/<partner id>/`.
    pub routes: Option<axum::Router>,
    /// Started by the hub; each gets its own stop signal.
    pub tasks: Vec<TaskStarter>,
}

/// Builds adapters of one kind from configuration (what the hub calls).
pub trait AdapterKind: Send + Sync {
    /// The `kind` in `[partners.adapter]`, e.g. `postal_http`.
    fn kind(&self) -> &'static str;
    /// Checks the settings without building anything (`validate-config`).
    fn validate(&self, settings: &toml::Table) -> Result<(), AdapterConfigError>;
    /// Builds the partner's adapter; `hub` acts as `partner_id`.
    fn build(
        &self,
        partner_id: &str,
        settings: &toml::Table,
        hub: Arc<dyn HubApi>,
    ) -> Result<Adapter, AdapterConfigError>;
}

/// One configured partner, for whom an adapter is being built.
pub struct Partner<S> {
    /// The partner's id in the hub's registry.
    pub id: String,
    /// Its checked `[partners.adapter]` settings.
    pub settings: S,
    /// The hub, acting as this partner (with its rights).
    pub hub: Arc<dyn HubApi>,
}

/// What an adapter crate implements (on its `…Kind`); [`AdapterKind`]
/// follows.
pub trait BuildAdapter: Send + Sync {
    /// The `kind` in `[partners.adapter]`.
    const KIND: &'static str;
    /// The crate's checked settings.
    type Settings: AdapterSettings;
    /// Builds the partner's adapter.
    fn build_from(&self, partner: Partner<Self::Settings>) -> Result<Adapter, AdapterConfigError>;
}

impl<K: BuildAdapter> AdapterKind for K {
    fn kind(&self) -> &'static str {
        K::KIND
    }

    fn validate(&self, settings: &toml::Table) -> Result<(), AdapterConfigError> {
        K::Settings::from_table(settings).map(|_| ())
    }

    fn build(
        &self,
        partner_id: &str,
        settings: &toml::Table,
        hub: Arc<dyn HubApi>,
    ) -> Result<Adapter, AdapterConfigError> {
        self.build_from(Partner {
            id: partner_id.to_string(),
            settings: K::Settings::from_table(settings)?,
            hub,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;
    use std::time::Duration;

    #[tokio::test]
    async fn every_runs_rounds_until_stopped() {
        let (fire, fired) = tokio::sync::oneshot::channel::<()>();
        let fire = Mutex::new(Some(fire));
        let rounds = AtomicU32::new(0);
        let stop: Stop = Box::pin(async move {
            let _ = fired.await;
        });
        every(Duration::ZERO, stop, || async {
            if rounds.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
                crate::sync::lock(&fire).take();
            }
        })
        .await;
        assert_eq!(rounds.load(Ordering::SeqCst), 3);
    }
}
