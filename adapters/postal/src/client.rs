//! The HTTP client of the provider's API, with answers classified.
//!
//! Each call returns only once the provider answered: 2xx is acceptance;
//! "already exists" on create and "not found" on cancel are the idempotent
//! successes of a retried call; timeouts, connection errors and 5xx are
//! worth retrying; any other answer is the provider's definitive refusal.

use crate::protocol::{
    CancelRequest, ErrorReply, EventsPage, OrderReply, OrderRequest, NOT_CANCELLABLE, ORDER_EXISTS,
    ORDER_NOT_FOUND,
};
use crate::settings::Settings;
use lienthong_adapter::http::{http_client, transport_failure};
use lienthong_adapter::{classify_http_status, DeliveryError};
use std::time::Duration;

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    api_key: String,
}

/// What cancelling answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancelled {
    Done,
    /// The provider knows no such order: nothing to cancel.
    NoSuchOrder,
}

fn transport_error(what: &str, e: reqwest::Error) -> DeliveryError {
    DeliveryError::retry(format!("{what} {}: {e}", transport_failure(&e)))
}

impl Client {
    pub fn new(config: &Settings) -> Result<Client, String> {
        let http = http_client(config.timeout, Duration::from_secs(5))?;
        Ok(Client {
            http,
            endpoint: config.endpoint.clone(),
            api_key: config.api_key.clone(),
        })
    }

    async fn send(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, String), DeliveryError> {
        let response = request
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(|e| transport_error(what, e))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| transport_error(what, e))?;
        Ok((status, body))
    }

    /// Creates an order; an existing one with the same number and service
    /// counts as created. Returns the provider's order id.
    pub async fn create_order(&self, order: &OrderRequest) -> Result<String, DeliveryError> {
        let url = format!("{}/v1/orders", self.endpoint);
        let (status, body) = self
            .send("creating the order", self.http.post(url).json(order))
            .await?;
        if status == 409 {
            if let Ok(err) = serde_json::from_str::<ErrorReply>(&body) {
                if err.code == ORDER_EXISTS {
                    return Ok(err.order_id);
                }
            }
        }
        classify_http_status(status, &body)?;
        let reply: OrderReply = serde_json::from_str(&body).map_err(|e| {
            DeliveryError::retry(format!(
                "the provider accepted the order but its answer is unreadable ({e}): {}",
                body.chars().take(200).collect::<String>()
            ))
        })?;
        Ok(reply.order_id)
    }

    /// Cancels an open order.
    pub async fn cancel_order(
        &self,
        order_number: &str,
        cancel: &CancelRequest,
    ) -> Result<Cancelled, DeliveryError> {
        let url = format!(
            "{}/v1/orders/{}/cancel",
            self.endpoint,
            path_segment(order_number)
        );
        let (status, body) = self
            .send("cancelling the order", self.http.post(url).json(cancel))
            .await?;
        let code = serde_json::from_str::<ErrorReply>(&body)
            .map(|e| e.code)
            .unwrap_or_default();
        match (status, code.as_str()) {
            (404, ORDER_NOT_FOUND) => return Ok(Cancelled::NoSuchOrder),
            (409, NOT_CANCELLABLE) => {
                return Err(DeliveryError::reject(format!(
                    "the provider cannot cancel the {} order of {order_number} any more (collection began): {}",
                    cancel.service_type,
                    body.chars().take(200).collect::<String>()
                )))
            }
            _ => {}
        }
        classify_http_status(status, &body)?;
        Ok(Cancelled::Done)
    }

    /// Tracking events after `cursor`.
    pub async fn events(&self, cursor: u64, limit: u32) -> Result<EventsPage, DeliveryError> {
        let url = format!("{}/v1/events?after={cursor}&limit={limit}", self.endpoint);
        let (status, body) = self.send("polling events", self.http.get(url)).await?;
        classify_http_status(status, &body)?;
        serde_json::from_str(&body).map_err(|e| {
            DeliveryError::reject(format!("the provider's events page is unreadable: {e}"))
        })
    }
}

/// Escapes what a path segment cannot hold (MaHoSo holds only letters,
/// digits, dots and dashes, but the provider's numbers are not ours to trust).
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_segments_keep_dossier_numbers_readable() {
        assert_eq!(
            super::path_segment("000.00.01.H22-251122-00017"),
            "000.00.01.H22-251122-00017"
        );
        assert_eq!(super::path_segment("a/b c"), "a%2Fb%20c");
    }
}
