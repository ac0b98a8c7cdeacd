//! What a relay delivers to: anything that takes one core event and accepts
//! or refuses it. A partner's adapter is one (its `Sink` takes the event in
//! the contract's wire form, translated here); the hub's own notification
//! channels are others, so they get the same lanes, retries, parking and
//! re-drive without a second copy of that machinery.

use crate::domain::Event;
use lienthong_adapter::{Accepted, DeliveryError, Sink};
use std::sync::Arc;

#[async_trait::async_trait]
pub trait Outlet: Send + Sync + 'static {
    /// Delivers one event; returns only once it is accepted or refused.
    async fn deliver(&self, event: &Event) -> Result<Accepted, DeliveryError>;
}

/// A partner's adapter as an outlet.
pub struct AdapterOutlet(pub Arc<dyn Sink>);

#[async_trait::async_trait]
impl Outlet for AdapterOutlet {
    async fn deliver(&self, event: &Event) -> Result<Accepted, DeliveryError> {
        self.0
            .deliver(&crate::wire::to_proto::event(event.clone()))
            .await
    }
}
