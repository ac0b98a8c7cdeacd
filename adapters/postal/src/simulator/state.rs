//! The simulated provider's memory: orders, the event feed, the switches and
//! the record of every call, all behind one lock.
//!
//! Emitting an event gives it an id and the current time (the logical
//! order); publishing it gives it a feed position and queues it for the
//! webhook. The out-of-order switch holds an event back and publishes it
//! after the next one, so the feed and the webhooks see them swapped while
//! their `Time` still tells the truth.

use crate::protocol::{OrderRequest, TrackingEvent};
use crate::vocabulary::ServiceType;
use lienthong_adapter::vietnam_time;
use std::collections::HashSet;
use std::time::Duration;

/// The misbehaviour switches.
#[derive(Debug, Clone, Default)]
pub struct Switches {
    /// Every API answer waits this long first.
    pub slow: Duration,
    /// The next N API calls answer 500 without doing anything.
    pub fail_next: u32,
    /// The next N API calls do their work, then answer 500 (the reply is
    /// "lost": a retry then meets "already exists").
    pub lose_reply_next: u32,
    /// Every event is published twice (webhook sent twice, listed twice).
    pub duplicate: bool,
    /// Webhooks are signed with the wrong secret.
    pub wrong_signature: bool,
    /// Consecutive events are published swapped.
    pub out_of_order: bool,
    /// New orders run through their flow by themselves, one step per period.
    pub autopilot: Option<Duration>,
}

/// An order the provider accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOrder {
    pub order_id: String,
    pub request: OrderRequest,
    /// The provider code of the order's last event.
    pub status: String,
}

/// One call of the provider's API, as answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// One webhook attempt and the hub's answer (`None`: no answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAttempt {
    pub event_id: String,
    pub code: String,
    pub status: Option<u16>,
    pub response: String,
}

#[derive(Debug, Default)]
pub struct Inner {
    pub switches: Switches,
    pub orders: Vec<SimOrder>,
    pub feed: Vec<TrackingEvent>,
    pub held: Option<TrackingEvent>,
    pub next_event: u64,
    pub next_order: u64,
    pub calls: Vec<ApiCall>,
    pub webhook_attempts: Vec<WebhookAttempt>,
    pub webhook_url: Option<String>,
    /// Dossiers whose delivery the autopilot fails and returns to sender.
    pub undeliverable: HashSet<String>,
}

/// An event ready for the webhook, with how many copies to send.
#[derive(Debug, Clone)]
pub struct Dispatch {
    pub event: TrackingEvent,
    pub copies: u8,
}

impl Inner {
    pub fn order(&self, number: &str, service: ServiceType) -> Option<&SimOrder> {
        self.orders
            .iter()
            .find(|o| o.request.order_number == number && o.request.service_type == service)
    }

    fn order_mut(&mut self, number: &str, service: ServiceType) -> Option<&mut SimOrder> {
        self.orders
            .iter_mut()
            .find(|o| o.request.order_number == number && o.request.service_type == service)
    }

    pub fn create(&mut self, request: OrderRequest) -> String {
        self.next_order += 1;
        let prefix = match request.service_type {
            ServiceType::Pickup => "PK",
            ServiceType::Delivery => "DL",
        };
        let order_id = format!("{prefix}{:09}VN", self.next_order);
        self.orders.push(SimOrder {
            order_id: order_id.clone(),
            request,
            status: String::new(),
        });
        order_id
    }

    /// A new event for an order; `None` when the provider has no such order.
    pub fn emit(
        &mut self,
        number: &str,
        service: ServiceType,
        code: &str,
        note: &str,
    ) -> Option<Vec<Dispatch>> {
        self.next_event += 1;
        let event_id = format!("EV{:08}", self.next_event);
        let order = self.order_mut(number, service)?;
        order.status = code.to_string();
        let event = TrackingEvent {
            event_id,
            seq: 0,
            order_id: order.order_id.clone(),
            order_number: number.to_string(),
            service_type: service,
            code: code.to_string(),
            time: vietnam_time::format(vietnam_time::now_unix()),
            location: "Bưu cục Hạ Long".to_string(),
            note: note.to_string(),
        };
        let mut out = Vec::new();
        if self.switches.out_of_order {
            match self.held.take() {
                None => self.held = Some(event),
                Some(held) => {
                    out.push(self.publish(event));
                    out.push(self.publish(held));
                }
            }
        } else {
            out.push(self.publish(event));
        }
        Some(out)
    }

    /// Publishes the event held back by the out-of-order switch, if any.
    pub fn release_held(&mut self) -> Option<Dispatch> {
        let held = self.held.take()?;
        Some(self.publish(held))
    }

    fn publish(&mut self, mut event: TrackingEvent) -> Dispatch {
        let copies = if self.switches.duplicate { 2 } else { 1 };
        for _ in 0..copies {
            event.seq = self.feed.len() as u64 + 1;
            self.feed.push(event.clone());
        }
        Dispatch { event, copies }
    }

    /// Feed entries after `cursor`, at most `limit`.
    pub fn events_after(&self, cursor: u64, limit: usize) -> Vec<TrackingEvent> {
        let start = usize::try_from(cursor)
            .unwrap_or(usize::MAX)
            .min(self.feed.len());
        self.feed[start..].iter().take(limit).cloned().collect()
    }
}
