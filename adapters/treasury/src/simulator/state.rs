//! The treasury simulator's memory: every credit notice received, the
//! credited records it exports, and the switches that make it misbehave.

use crate::reconcile::Credited;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Misbehaviour switches; all start off.
#[derive(Debug, Default)]
pub struct Switches {
    delay_ms: AtomicU64,
    fail_next: AtomicU32,
    fail_after_record_next: AtomicU32,
    duplicate_next: AtomicU32,
    wrong_amount_next: AtomicU32,
}

impl Switches {
    /// Every answer (credit notice, credit file) waits this long.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// The next `n` calls answer HTTP 500 and record nothing.
    pub fn fail_next(&self, n: u32) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` new notices are credited, then answered HTTP 500 (the
    /// answer is lost; the sender will send again).
    pub fn fail_after_record_next(&self, n: u32) {
        self.fail_after_record_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` new notices are credited twice (two `SoChungTu`).
    pub fn duplicate_next(&self, n: u32) {
        self.duplicate_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` new notices are credited for 1 000 VND more than the
    /// notice says.
    pub fn wrong_amount_next(&self, n: u32) {
        self.wrong_amount_next.store(n, Ordering::SeqCst);
    }

    pub(crate) fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms.load(Ordering::SeqCst))
    }

    pub(crate) fn take_failure(&self) -> bool {
        take(&self.fail_next)
    }

    pub(crate) fn take_fail_after_record(&self) -> bool {
        take(&self.fail_after_record_next)
    }

    pub(crate) fn take_duplicate(&self) -> bool {
        take(&self.duplicate_next)
    }

    pub(crate) fn take_wrong_amount(&self) -> bool {
        take(&self.wrong_amount_next)
    }
}

fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

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
