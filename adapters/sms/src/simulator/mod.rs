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

use lienthong_adapter::Served;
use state::SimState;
use std::sync::Mutex;
use std::time::Duration;

pub struct Simulator {
    served: Served<Mutex<SimState>>,
}

impl Simulator {
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let state = Mutex::new(SimState::new(config));
        let served = Served::start("sms", state, api::router).await?;
        Ok(Simulator { served })
    }

    /// Base URL: the `endpoint` setting.
    pub fn url(&self) -> &str {
        self.served.url()
    }

    /// Every message accepted, in order (a duplicate request is not here twice).
    pub fn received(&self) -> Vec<Received> {
        self.served.lock().received.clone()
    }

    /// Requests that reached the gateway, duplicates and refusals included.
    pub fn requests(&self) -> usize {
        self.served.lock().requests
    }

    pub fn fail_next(&self, n: u32) {
        self.served.lock().fail_next = n;
    }

    pub fn set_delay(&self, delay: Duration) {
        self.served.lock().delay = delay;
    }

    pub fn lose_answer_next(&self, n: u32) {
        self.served.lock().lose_answer_next = n;
    }

    /// `Some(code)`: refuse every message with it; `None`: accept again.
    pub fn refuse_with(&self, code: Option<&str>) {
        self.served.lock().refuse_with = code.map(str::to_string);
    }
}
