//! A simulator of the payment platform (the gateway), for tests and
//! `lienthong demo`: a small HTTP server on `127.0.0.1:0` speaking the
//! protocol of [`crate::protocol`] — INIT, QUERY, GET_BILL and the
//! settlement file — and calling the adapter back at the `UrlCallback` each
//! INIT gives, when a payment is paid ([`Simulator::pay`], or
//! `POST /sim/pay/{reference}`) or declined.
//!
//! Switches ([`Switches`]): slow answers, HTTP 500 for the next N calls,
//! duplicate callbacks, wrong signatures or wrong amounts on callbacks,
//! lost callbacks, and payments that stay pending for N QUERYs then end on
//! their own. It records every payment, every settled transaction (the
//! settlement file reconciliation reads) and every callback attempt with
//! the adapter's answer. It stops when dropped.

mod api;
mod callbacks;
mod state;

pub use state::{CallbackAttempt, Outcome, SimPayment, SimStatus, Switches};

use crate::error::PaymentError;
use lienthong_adapter::serve_simulator;
use lienthong_adapter::vietnam_time::now_unix;
use lienthong_reconcile::files::{of_day, write_settled};
use lienthong_reconcile::Settled;
use state::{lock, SimState};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::oneshot;

/// The adapter's `read_token` in `adapter_settings`: the bearer token
/// `GET payments/{reference}` asks for.
pub const READ_TOKEN: &str = "payment-sim-read-token-0001";

/// Who the simulated gateway knows: one partner and its shared secret.
pub type SimConfig = lienthong_adapter::ma_xac_thuc::SharedSecret;

/// The outcome of paying or declining a payment.
#[derive(Debug, Clone)]
pub struct Simulated {
    /// `MaGiaoDich` (empty for a declined payment).
    pub transaction_id: String,
    /// Every callback attempt made, with the adapter's answer.
    pub callbacks: Vec<CallbackAttempt>,
}

/// A running gateway simulator; stops when dropped.
pub struct Simulator {
    state: Arc<SimState>,
    _shutdown: oneshot::Sender<()>,
}

impl Simulator {
    /// Starts the gateway on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let mut state = None;
        let (_, shutdown) = serve_simulator("127.0.0.1:0", "gateway", |base_url| {
            let shared = Arc::new(SimState {
                partner_code: config.partner_code,
                secret: config.secret,
                base_url: base_url.to_string(),
                ..Default::default()
            });
            state = Some(shared.clone());
            api::router(shared)
        })
        .await?;
        let state = state.ok_or_else(|| std::io::Error::other("the gateway was not built"))?;
        Ok(Simulator {
            state,
            _shutdown: shutdown,
        })
    }

    /// `http://127.0.0.1:<port>`: the adapter's `endpoint`.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    pub fn switches(&self) -> &Switches {
        &self.state.switches
    }

    /// The `[partners.adapter]` table of a payment adapter calling this
    /// gateway (`kind` left to the caller): its URL, partner code and
    /// secret, quick timeouts and re-QUERYs for a gateway on loopback, and
    /// the receipt's beneficiary and treasury (`treasury_name` too is left
    /// to the caller). The `callback_url` is a placeholder: a test or the
    /// demo registers the hub's with [`Simulator::set_callback_url`].
    pub fn adapter_settings(&self) -> toml::Table {
        let mut table = toml::Table::new();
        for (key, value) in [
            ("endpoint", self.base_url()),
            ("partner_code", &self.state.partner_code),
            ("secret", &self.state.secret),
            (
                "callback_url",
                "http://127.0.0.1:9/registered-with-the-gateway",
            ),
            ("beneficiary_account", "3511.0.1059325"),
            ("beneficiary_bank", "VCB"),
            ("treasury_code", "0011"),
            ("revenue_account", "7111"),
            ("read_token", READ_TOKEN),
        ] {
            table.insert(key.into(), value.into());
        }
        table.insert("timeout_seconds".into(), 2.into());
        table.insert("query_interval_seconds".into(), 1.into());
        table
    }

    /// The `settlement_*` keys of a treasury adapter that reconciles
    /// against this gateway's settlement file.
    pub fn settlement_settings(&self) -> toml::Table {
        let mut table = toml::Table::new();
        table.insert(
            "settlement_url".into(),
            format!("{}/api/v1/settlements.csv", self.base_url()).into(),
        );
        table.insert(
            "settlement_partner_code".into(),
            self.state.partner_code.clone().into(),
        );
        table.insert("settlement_secret".into(), self.state.secret.clone().into());
        table
    }

    /// Registers the partner's callback URL with the gateway: callbacks go
    /// there instead of to each INIT's `UrlCallback` (for a hub whose
    /// address is known only once it runs). `None` goes back to `UrlCallback`.
    pub fn set_callback_url(&self, url: Option<String>) {
        *lock(&self.state.registered_callback) = url;
    }

    /// The user pays: the payment settles and the gateway calls back.
    pub async fn pay(&self, reference: &str) -> Result<Simulated, PaymentError> {
        end_payment(&self.state, reference, Outcome::Success).await
    }

    /// The payment fails: the gateway calls back with a failure code.
    pub async fn decline(&self, reference: &str) -> Result<Simulated, PaymentError> {
        end_payment(&self.state, reference, Outcome::Failure).await
    }

    pub fn payment(&self, reference: &str) -> Option<SimPayment> {
        lock(&self.state.payments).get(reference).cloned()
    }

    pub fn payments(&self) -> Vec<SimPayment> {
        lock(&self.state.payments).values().cloned().collect()
    }

    /// Every settled transaction, in settlement order.
    pub fn settled(&self) -> Vec<Settled> {
        lock(&self.state.settled).clone()
    }

    /// Every callback attempt, in order.
    pub fn callbacks(&self) -> Vec<CallbackAttempt> {
        lock(&self.state.callbacks).clone()
    }

    /// How many protocol calls (INIT, QUERY, GET_BILL, file) arrived.
    pub fn calls(&self) -> u64 {
        self.state.calls.load(Ordering::SeqCst)
    }

    /// The settlement file of `date` (`yyyyMMdd`), or of every day.
    pub fn settlement_csv(&self, date: Option<&str>) -> String {
        settlement_file(&lock(&self.state.settled), date)
    }
}

/// The settlement file (`lienthong-reconcile`'s CSV, which the treasury
/// reads) of the transactions paid on `date` (`yyyyMMdd`), or of all.
fn settlement_file(settled: &[Settled], date: Option<&str>) -> String {
    write_settled(&of_day(settled, date, |s| &s.paid_at))
}

/// Ends a pending payment and sends its callback(s).
async fn end_payment(
    state: &SimState,
    reference: &str,
    outcome: Outcome,
) -> Result<Simulated, PaymentError> {
    let snapshot = {
        let mut payments = lock(&state.payments);
        let payment = payments.get_mut(reference).ok_or_else(|| {
            PaymentError::Simulator(format!("no payment with MaThamChieu {reference}"))
        })?;
        if payment.status != SimStatus::Pending {
            return Err(PaymentError::Simulator(format!(
                "payment {reference} is {:?}, not pending",
                payment.status
            )));
        }
        match outcome {
            Outcome::Success => {
                state.settle(payment, now_unix());
            }
            Outcome::Failure => payment.status = SimStatus::Failed,
        }
        payment.clone()
    };
    let code = match outcome {
        Outcome::Success => "00",
        Outcome::Failure => "24",
    };
    let callbacks = callbacks::send(state, &snapshot, code).await;
    Ok(Simulated {
        transaction_id: snapshot.transaction_id,
        callbacks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settlement_file_lists_the_day_asked_for() {
        let s = |r: &str, at: &str| Settled {
            reference: r.into(),
            transaction_id: format!("T{r}"),
            ma_ho_so: "000.00.01.H22-251122-00017".into(),
            amount_vnd: 150_000,
            bank: "VCB".into(),
            paid_at: at.into(),
        };
        let rows = [s("A,1", "20251122093000"), s("B", "20251123093000")];
        let all = settlement_file(&rows, None);
        assert_eq!(all.lines().count(), 3);
        assert!(
            all.contains(
                "\"A,1\",\"TA,1\",000.00.01.H22-251122-00017,150000,VCB,20251122093000\r\n"
            ),
            "{all}"
        );
        let day = settlement_file(&rows, Some("20251123"));
        assert_eq!(day.lines().count(), 2);
        assert!(
            day.starts_with("MaThamChieu,MaGiaoDich,MaHoSo,SoTien,NganHang,ThoiGianThanhToan\r\n")
        );
    }
}
