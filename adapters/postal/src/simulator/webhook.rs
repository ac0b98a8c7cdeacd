//! The simulated provider's webhook sender.
//!
//! One task sends queued events to the webhook URL one at a time, in
//! publication order, signed like the real provider (see `signature.rs`).
//! Like real providers it retries an event a few times on a 5xx answer or a
//! network error and gives up on a 4xx; every attempt and answer is recorded.

use crate::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::simulator::state::{Dispatch, WebhookAttempt};
use crate::simulator::Shared;
use lienthong_adapter::http::http_client;
use lienthong_adapter::simulator::answer_of;
use lienthong_adapter::vietnam_time;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const MAX_ATTEMPTS: u32 = 4;

pub async fn run(shared: Arc<Shared>, mut queue: mpsc::UnboundedReceiver<Dispatch>) {
    let timeout = Duration::from_secs(5);
    let http = match http_client(timeout, timeout) {
        Ok(http) => http,
        Err(e) => {
            tracing::error!(error = %e, "simulator: no HTTP client, webhooks disabled");
            return;
        }
    };
    while let Some(dispatch) = queue.recv().await {
        for _ in 0..dispatch.copies {
            send(&shared, &http, &dispatch).await;
        }
        shared.pending.send_modify(|n| *n = n.saturating_sub(1));
    }
}

async fn send(shared: &Shared, http: &reqwest::Client, dispatch: &Dispatch) {
    let body = match serde_json::to_vec(&dispatch.event) {
        Ok(body) => body,
        Err(_) => return,
    };
    for attempt in 0..MAX_ATTEMPTS {
        let (url, wrong) = {
            let inner = shared.lock();
            (inner.webhook_url.clone(), inner.switches.wrong_signature)
        };
        let Some(url) = url else { return };
        let secret = if wrong {
            format!("{}-not-the-secret", shared.webhook_secret)
        } else {
            shared.webhook_secret.clone()
        };
        let timestamp = vietnam_time::now_unix().to_string();
        let request = http
            .post(&url)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(
                SIGNATURE_HEADER,
                signature::sign(&secret, &timestamp, &body),
            )
            .body(body.clone());
        let (status, response) = answer_of(request).await;
        shared.lock().webhook_attempts.push(WebhookAttempt {
            event_id: dispatch.event.event_id.clone(),
            code: dispatch.event.code.clone(),
            status,
            response,
        });
        match status {
            Some(s) if s < 500 => return,
            _ if attempt + 1 < MAX_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
            _ => {}
        }
    }
}
