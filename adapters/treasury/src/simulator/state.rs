//! The treasury simulator's memory: every credit notice received, the
//! credited records it exports, and the switches that make it misbehave.

use crate::reconcile::Credited;
use lienthong_adapter::simulator::{Countdown, Faults};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Misbehaviour switches; all start off.
#[derive(Debug, Default)]
pub struct Switches {
    faults: Faults,
    fail_after_record_next: Countdown,
    duplicate_next: Countdown,
    wrong_amount_next: Countdown,
}

impl Switches {
    /// Every answer (credit notice, credit file) waits this long.
    pub fn set_delay(&self, delay: Duration) {
        self.faults.set_delay(delay);
    }

    /// The next `n` calls answer HTTP 500 and record nothing.
    pub fn fail_next(&self, n: u32) {
        self.faults.fail_next(n);
    }

    /// The next `n` new notices are credited, then answered HTTP 500 (the
    /// answer is lost; the sender will send again).
    pub fn fail_after_record_next(&self, n: u32) {
        self.fail_after_record_next.arm(n);
    }

    /// The next `n` new notices are credited twice (two `SoChungTu`).
    pub fn duplicate_next(&self, n: u32) {
        self.duplicate_next.arm(n);
    }

    /// The next `n` new notices are credited for 1 000 VND more than the
    /// notice says.
    pub fn wrong_amount_next(&self, n: u32) {
        self.wrong_amount_next.arm(n);
    }

    /// Waits the delay; then whether this call fails.
    pub(crate) async fn strike(&self) -> bool {
        self.faults.strike().await
    }

    pub(crate) fn take_fail_after_record(&self) -> bool {
        self.fail_after_record_next.take()
    }

    pub(crate) fn take_duplicate(&self) -> bool {
        self.duplicate_next.take()
    }

    pub(crate) fn take_wrong_amount(&self) -> bool {
        self.wrong_amount_next.take()
    }
}

pub(crate) use lienthong_adapter::sync::lock;

#[derive(Debug, Default)]
pub struct SimState {
    pub(crate) partner_code: String,
    pub(crate) secret: String,
    pub(crate) switches: Switches,
    pub(crate) credits: Mutex<Vec<Credited>>,
    pub(crate) notices: AtomicU64,
    pub(crate) counter: AtomicU64,
}

impl SimState {
    pub(crate) fn next_document_number(&self, date: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        format!("BC{date}{n:06}")
    }
}
