//! What the simulated gateway knows: its account, what it accepted, and the
//! switches that make it misbehave.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The account the gateway accepts.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub account: String,
    pub secret: String,
    pub brand_name: String,
}

/// One message the gateway accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub sms_id: String,
    pub request_id: String,
    pub phone: String,
    pub message: String,
    pub unicode: bool,
}

pub(super) type Shared = Arc<Mutex<SimState>>;

pub(super) struct SimState {
    pub config: SimConfig,
    pub received: Vec<Received>,
    /// request id → sms id of the message it produced.
    pub by_request: HashMap<String, String>,
    pub requests: usize,
    pub fail_next: u32,
    pub delay: Duration,
    pub lose_answer_next: u32,
    pub refuse_with: Option<String>,
}

impl SimState {
    pub fn new(config: SimConfig) -> SimState {
        SimState {
            config,
            received: Vec::new(),
            by_request: HashMap::new(),
            requests: 0,
            fail_next: 0,
            delay: Duration::ZERO,
            lose_answer_next: 0,
            refuse_with: None,
        }
    }
}

/// The state is plain data: a panic elsewhere cannot leave it half-changed.
pub(super) use lienthong_adapter::sync::lock;
