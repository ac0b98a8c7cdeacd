//! The legacy system's endpoint as the adapter calls it: one POST of the
//! JSON body with the configured headers. A call that got no answer, 408,
//! 429 and 5xx are worth retrying; any other non-2xx is a refusal.

use crate::settings::Outbound;
use lienthong_adapter::http::{http_client, transport_failure};
use lienthong_adapter::{classify_http_status, DeliveryError};
use serde_json::Value;

pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    headers: Vec<(String, String)>,
}

impl Client {
    pub fn new(out: &Outbound) -> Result<Client, String> {
        Ok(Client {
            http: http_client(out.timeout, out.timeout)?,
            endpoint: out.endpoint.clone(),
            headers: out.headers.clone(),
        })
    }

    /// Posts `body`; answers the legacy system's 2xx answer text.
    pub async fn post(&self, body: &Value) -> Result<String, DeliveryError> {
        let mut request = self.http.post(&self.endpoint).json(body);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| {
            let failure = transport_failure(&e);
            DeliveryError::retry(format!("posting to the legacy system {failure}: {e}"))
        })?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| DeliveryError::retry(format!("reading the legacy answer failed: {e}")))?;
        classify_http_status(status, &text)?;
        Ok(text)
    }
}
