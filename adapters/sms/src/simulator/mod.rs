//! A simulated brandname SMS gateway on loopback, for tests and the demo.
//!
//! It speaks `protocol` (checks the account, secret and brand name, sends
//! one message per request id and answers a repeated id "duplicate"), keeps
//! every message it accepted, and has switches to misbehave:
//!
//! - [`Simulator::fail_next`]: HTTP 500 for the next N requests;
//! - [`Simulator::set_delay`]: slow answers;
//! - [`Simulator::lose_answer_next`]: accept the next N messages but answer
//!   HTTP 500, so the client's retry arrives as a duplicate request;
//! - [`Simulator::refuse_with`]: refuse every message with a gateway code
//!   (e.g. brand name not registered) until switched off.
//!
//! The server stops when the `Simulator` is dropped.

mod api;
mod state;

pub use state::{Received, SimConfig};

use state::{Shared, SimState};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct Simulator {
    url: String,
    shared: Shared,
    _shutdown: oneshot::Sender<()>,
}

impl Simulator {
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let shared: Shared = Arc::new(Mutex::new(SimState::new(config)));
        let (url, shutdown) = lienthong_adapter::serve_simulator("127.0.0.1:0", "sms", |_| {
            api::router(shared.clone())
        })
        .await?;
        Ok(Simulator {
            url,
            shared,
            _shutdown: shutdown,
        })
    }

    /// Base URL: the `endpoint` setting.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every message accepted, in order (a duplicate request is not here twice).
    pub fn received(&self) -> Vec<Received> {
        state::lock(&self.shared).received.clone()
    }

    /// Requests that reached the gateway, duplicates and refusals included.
    pub fn requests(&self) -> usize {
        state::lock(&self.shared).requests
    }

    pub fn fail_next(&self, n: u32) {
        state::lock(&self.shared).fail_next = n;
    }

    pub fn set_delay(&self, delay: Duration) {
        state::lock(&self.shared).delay = delay;
    }

    pub fn lose_answer_next(&self, n: u32) {
        state::lock(&self.shared).lose_answer_next = n;
    }

    /// `Some(code)`: refuse every message with it; `None`: accept again.
    pub fn refuse_with(&self, code: Option<&str>) {
        state::lock(&self.shared).refuse_with = code.map(str::to_string);
    }
}
