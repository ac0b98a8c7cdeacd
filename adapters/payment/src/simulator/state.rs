//! The gateway simulator's memory: the payments it was asked to create,
//! the transactions it settled, the callbacks it made, and the switches
//! that make it misbehave.

use crate::protocol::InitRequest;
use lienthong_adapter::simulator::{Countdown, Faults};
use lienthong_reconcile::Settled;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// How a payment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

/// Where a simulated payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimStatus {
    Pending,
    Paid,
    Failed,
}

/// One payment created by INIT.
#[derive(Debug, Clone)]
pub struct SimPayment {
    pub request: InitRequest,
    pub payment_url: String,
    pub status: SimStatus,
    pub transaction_id: String,
    pub bank: String,
    pub paid_at: String,
    pub queries: u32,
    /// Set when the payment was created under `pending_for_queries`: how
    /// many more QUERYs answer "pending" before it ends, and how.
    pub resolve_after: Option<(u32, Outcome)>,
    pub bill_number: String,
}

/// One HTTP attempt of a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackAttempt {
    pub reference: String,
    pub transaction_id: String,
    pub result_code: String,
    pub amount_vnd: i64,
    /// False when the `wrong_signature_callbacks` switch spoilt it.
    pub correctly_signed: bool,
    /// The HTTP status answered, or `None` when the call failed.
    pub status: Option<u16>,
    pub reply: String,
}

/// Misbehaviour switches; all start off.
#[derive(Debug, Default)]
pub struct Switches {
    faults: Faults,
    duplicate_callbacks: AtomicU32,
    wrong_signature_next: Countdown,
    wrong_amount_next: Countdown,
    drop_callbacks: AtomicBool,
    pending_for: Mutex<Option<(u32, Outcome)>>,
}

impl Switches {
    /// Every API answer (INIT, QUERY, GET_BILL, settlement file) waits this long.
    pub fn set_delay(&self, delay: Duration) {
        self.faults.set_delay(delay);
    }

    /// The next `n` API calls answer HTTP 500 (and do nothing).
    pub fn fail_next(&self, n: u32) {
        self.faults.fail_next(n);
    }

    /// Every callback is sent `extra` more times.
    pub fn duplicate_callbacks(&self, extra: u32) {
        self.duplicate_callbacks.store(extra, Ordering::SeqCst);
    }

    /// The next `n` callbacks carry a wrong `MaXacThuc`.
    pub fn wrong_signature_callbacks(&self, n: u32) {
        self.wrong_signature_next.arm(n);
    }

    /// The next `n` callbacks report 1 000 VND more than requested
    /// (correctly signed).
    pub fn wrong_amount_callbacks(&self, n: u32) {
        self.wrong_amount_next.arm(n);
    }

    /// Payments settle but the gateway never calls back (lost callbacks).
    pub fn drop_callbacks(&self, on: bool) {
        self.drop_callbacks.store(on, Ordering::SeqCst);
    }

    /// Payments created from now on answer QUERY "pending" `n` times, then
    /// end with `then` on their own (no callback), as if the user paid on
    /// the gateway's page and the callback was lost.
    pub fn pending_for_queries(&self, n: u32, then: Outcome) {
        *lock(&self.pending_for) = Some((n, then));
    }

    /// Payments created from now on wait for `pay`/`decline` again.
    pub fn clear_pending_for_queries(&self) {
        *lock(&self.pending_for) = None;
    }

    /// Waits the delay; then whether this API call fails.
    pub(crate) async fn strike(&self) -> bool {
        self.faults.strike().await
    }

    pub(crate) fn copies(&self) -> u32 {
        1 + self.duplicate_callbacks.load(Ordering::SeqCst)
    }

    pub(crate) fn take_wrong_signature(&self) -> bool {
        self.wrong_signature_next.take()
    }

    pub(crate) fn take_wrong_amount(&self) -> bool {
        self.wrong_amount_next.take()
    }

    pub(crate) fn callbacks_dropped(&self) -> bool {
        self.drop_callbacks.load(Ordering::SeqCst)
    }

    pub(crate) fn pending_mode(&self) -> Option<(u32, Outcome)> {
        *lock(&self.pending_for)
    }
}

pub(crate) use lienthong_adapter::sync::lock;

/// Everything the simulator holds.
#[derive(Debug, Default)]
pub struct SimState {
    pub(crate) partner_code: String,
    pub(crate) secret: String,
    pub(crate) base_url: String,
    pub(crate) switches: Switches,
    pub(crate) payments: Mutex<BTreeMap<String, SimPayment>>,
    pub(crate) settled: Mutex<Vec<Settled>>,
    pub(crate) callbacks: Mutex<Vec<CallbackAttempt>>,
    pub(crate) counter: AtomicU64,
    pub(crate) calls: AtomicU64,
    pub(crate) http: reqwest::Client,
    /// A callback URL registered with the gateway; overrides `UrlCallback`.
    pub(crate) registered_callback: Mutex<Option<String>>,
}

const BANKS: [&str; 4] = ["VCB", "BIDV", "CTG", "AGRIBANK"];

impl SimState {
    /// Settles a pending payment now: a new `MaGiaoDich`, recorded in the
    /// settlement list. Answers the settlement.
    pub(crate) fn settle(&self, payment: &mut SimPayment, now: i64) -> Settled {
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let paid_at = lienthong_adapter::vietnam_time::format(now);
        payment.status = SimStatus::Paid;
        payment.transaction_id = format!("PG{}{n:06}", &paid_at[..8]);
        payment.bank = BANKS[(n as usize) % BANKS.len()].to_string();
        payment.paid_at = paid_at;
        payment.bill_number = format!("{n:07}");
        let settlement = Settled {
            reference: payment.request.reference.clone(),
            transaction_id: payment.transaction_id.clone(),
            ma_ho_so: payment.request.receipt.ma_ho_so.clone(),
            amount_vnd: payment.request.amount_vnd,
            bank: payment.bank.clone(),
            paid_at: payment.paid_at.clone(),
        };
        lock(&self.settled).push(settlement.clone());
        settlement
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counters_count_down_to_zero() {
        let s = Switches::default();
        s.fail_next(2);
        assert!(s.strike().await);
        assert!(s.strike().await);
        assert!(!s.strike().await);
        s.wrong_signature_callbacks(1);
        assert!(s.take_wrong_signature());
        assert!(!s.take_wrong_signature());
        assert_eq!(s.copies(), 1);
        s.duplicate_callbacks(2);
        assert_eq!(s.copies(), 3);
    }
}
