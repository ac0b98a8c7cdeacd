//! What the sink, the callback route and the re-query task share: the
//! settings, the gateway client, the ledger, the hub — and the one step
//! that turns a success reported by the gateway into `record_payment`.
//!
//! Settling is serialised (one payment at a time) so a callback and a
//! QUERY answer for the same payment never both reach the hub with
//! different content; the idempotency key is `paygov:<MaGiaoDich>`, so a
//! repeated success changes nothing.

use crate::client::Client;
use crate::ledger::{Ledger, PaymentState};
use crate::settings::Settings;
use lienthong_adapter::vietnam_time::{self, now_unix};
use lienthong_adapter::{pb, ErrorCode, HubApi};
use std::sync::Arc;

/// A success the gateway reported (by callback or QUERY), already verified
/// (signature, amount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Success {
    pub reference: String,
    pub transaction_id: String,
    pub amount_vnd: i64,
    pub bank: String,
    pub paid_at: String,
}

/// What settling a success did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Recorded in the hub now (or the hub had it already).
    Recorded,
    /// The same transaction was settled before: nothing changed.
    AlreadyPaid,
    /// A second, different transaction for a paid reference: kept for an
    /// operator (refund), nothing recorded.
    ExtraTransaction,
    /// The hub refused the payment for good: visible as `paid_not_recorded`.
    Refused(String),
    /// The payment is in a state a success cannot settle (amount mismatch).
    NotSettleable(PaymentState),
    /// The reference is not one of ours.
    Unknown,
}

pub struct Core {
    pub partner_id: String,
    pub settings: Arc<Settings>,
    pub client: Client,
    pub ledger: Ledger,
    pub hub: Arc<dyn HubApi>,
    settle_lock: tokio::sync::Mutex<()>,
}

impl Core {
    pub fn new(
        partner_id: &str,
        settings: Arc<Settings>,
        client: Client,
        ledger: Ledger,
        hub: Arc<dyn HubApi>,
    ) -> Core {
        Core {
            partner_id: partner_id.to_string(),
            settings,
            client,
            ledger,
            hub,
            settle_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Records a verified success in the hub, once. `Err` carries the reason
    /// when the hub cannot decide now (the caller tries again later).
    pub async fn settle(&self, success: &Success) -> Result<Settled, String> {
        let _one_at_a_time = self.settle_lock.lock().await;
        let Some(record) = self.ledger.get(&success.reference) else {
            return Ok(Settled::Unknown);
        };
        match record.state {
            PaymentState::Paid | PaymentState::PaidNotRecorded
                if record.transaction_id == success.transaction_id =>
            {
                return Ok(Settled::AlreadyPaid)
            }
            PaymentState::Paid | PaymentState::PaidNotRecorded => {
                tracing::error!(
                    partner = %self.partner_id,
                    reference = %success.reference,
                    paid_with = %record.transaction_id,
                    again_with = %success.transaction_id,
                    "second successful transaction for a paid reference: refund needed"
                );
                self.ledger
                    .update(&success.reference, now_unix(), |r| {
                        if !r.extra_transactions.contains(&success.transaction_id) {
                            r.extra_transactions.push(success.transaction_id.clone());
                        }
                    })
                    .await;
                return Ok(Settled::ExtraTransaction);
            }
            state if !state.may_still_settle() => return Ok(Settled::NotSettleable(state)),
            _ => {}
        }
        let request = record_payment(&record.ma_ho_so, success, &self.settings.partner_code);
        let outcome = match self.hub.execute(request).await {
            Ok(_) => Ok(Settled::Recorded),
            Err(e) if e.code == ErrorCode::AlreadyExists => Ok(Settled::Recorded),
            Err(e) if e.is_retryable() => Err(e.to_string()),
            Err(e) => Ok(Settled::Refused(e.to_string())),
        };
        let now = now_unix();
        self.ledger
            .update(&success.reference, now, |r| match &outcome {
                Ok(Settled::Recorded) | Ok(Settled::Refused(_)) => {
                    r.transaction_id = success.transaction_id.clone();
                    r.bank = success.bank.clone();
                    r.paid_at = success.paid_at.clone();
                    r.gateway_result.clear();
                    if let Ok(Settled::Refused(reason)) = &outcome {
                        r.state = PaymentState::PaidNotRecorded;
                        r.last_error = format!("hub refused the payment: {reason}");
                    } else {
                        r.state = PaymentState::Paid;
                        r.last_error.clear();
                    }
                }
                Err(reason) => r.last_error = format!("hub unavailable: {reason}"),
                Ok(_) => {}
            })
            .await;
        match &outcome {
            Ok(Settled::Recorded) => tracing::info!(
                partner = %self.partner_id,
                reference = %success.reference,
                transaction = %success.transaction_id,
                amount_vnd = success.amount_vnd,
                "payment recorded"
            ),
            Ok(Settled::Refused(reason)) => tracing::error!(
                partner = %self.partner_id,
                reference = %success.reference,
                transaction = %success.transaction_id,
                %reason,
                "paid at the gateway but the hub refused the payment: operator action needed"
            ),
            Err(reason) => tracing::warn!(
                partner = %self.partner_id,
                reference = %success.reference,
                %reason,
                "payment not recorded yet: hub unavailable, will retry"
            ),
            Ok(_) => {}
        }
        outcome
    }

    /// Marks a payment failed (unless a success already settled it).
    pub async fn fail(&self, reference: &str, result: &str) {
        self.ledger
            .update(reference, now_unix(), |r| {
                if matches!(r.state, PaymentState::Pending | PaymentState::Expired) {
                    r.state = PaymentState::Failed;
                    r.gateway_result = result.to_string();
                }
            })
            .await;
        tracing::warn!(partner = %self.partner_id, reference, result, "payment failed at the gateway");
    }
}

/// The `record_payment` command for a success.
pub fn record_payment(ma_ho_so: &str, success: &Success, partner_code: &str) -> pb::CommandRequest {
    let mut payment = pb::RecordPayment {
        transaction_id: success.transaction_id.clone(),
        reference: success.reference.clone(),
        amount_vnd: success.amount_vnd,
        paid_at: None,
    };
    if let Some(seconds) = vietnam_time::parse(&success.paid_at) {
        payment.paid_at = Some(Default::default());
        if let Some(at) = payment.paid_at.as_mut() {
            at.seconds = seconds;
        }
    }
    pb::CommandRequest {
        idempotency_key: format!("paygov:{}", success.transaction_id),
        expected_version: None,
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma_ho_so.to_string())),
        }),
        actor: if success.bank.is_empty() {
            "Nền tảng thanh toán".to_string()
        } else {
            format!("Nền tảng thanh toán ({})", success.bank)
        },
        unit: partner_code.to_string(),
        command: Some(pb::command_request::Command::RecordPayment(payment)),
    }
}
