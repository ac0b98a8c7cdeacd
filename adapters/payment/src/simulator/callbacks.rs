//! The gateway calling the adapter back after a payment ended, as real
//! gateways do: to the `UrlCallback` given at INIT (or the URL registered
//! with [`super::Simulator::set_callback_url`]), retried (three
//! attempts) when the answer is 5xx or the call fails, sent again in full
//! when `duplicate_callbacks` is on, and spoilt on purpose by the
//! wrong-signature and wrong-amount switches.

use super::state::{lock, CallbackAttempt, SimPayment, SimState};
use crate::protocol::{Callback, Signed};
use std::time::Duration;

const ATTEMPTS: u32 = 3;

/// Sends the callback of `payment` with `result_code`; answers every
/// HTTP attempt made.
pub async fn send(
    state: &SimState,
    payment: &SimPayment,
    result_code: &str,
) -> Vec<CallbackAttempt> {
    let mut made = Vec::new();
    if state.switches.callbacks_dropped() {
        return made;
    }
    let wrong_signature = state.switches.take_wrong_signature();
    let wrong_amount = state.switches.take_wrong_amount();
    let mut callback = Callback {
        partner_code: state.partner_code.clone(),
        reference: payment.request.reference.clone(),
        transaction_id: payment.transaction_id.clone(),
        amount_vnd: payment.request.amount_vnd + if wrong_amount { 1_000 } else { 0 },
        result_code: result_code.to_string(),
        result_message: if result_code == "00" {
            "Giao dịch thành công".into()
        } else {
            "Giao dịch không thành công".into()
        },
        bank: payment.bank.clone(),
        paid_at: payment.paid_at.clone(),
        signature: String::new(),
    };
    let secret = if wrong_signature {
        format!("{}-wrong", state.secret)
    } else {
        state.secret.clone()
    };
    callback.sign_with(&secret);
    let url = lock(&state.registered_callback)
        .clone()
        .unwrap_or_else(|| payment.request.callback_url.clone());
    for _copy in 0..state.switches.copies() {
        for attempt in 1..=ATTEMPTS {
            let outcome = state
                .http
                .post(&url)
                .timeout(Duration::from_secs(10))
                .json(&callback)
                .send()
                .await;
            let (status, reply) = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    (Some(status), response.text().await.unwrap_or_default())
                }
                Err(e) => (None, e.to_string()),
            };
            let record = CallbackAttempt {
                reference: callback.reference.clone(),
                transaction_id: callback.transaction_id.clone(),
                result_code: callback.result_code.clone(),
                amount_vnd: callback.amount_vnd,
                correctly_signed: !wrong_signature,
                status,
                reply,
            };
            lock(&state.callbacks).push(record.clone());
            made.push(record);
            let retry = status.is_none_or(|s| s >= 500);
            if !retry || attempt == ATTEMPTS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
        }
    }
    made
}
