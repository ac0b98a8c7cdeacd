//! Outbound: a `financial_obligation_requested` event becomes an INIT at
//! the gateway, and the payment URL is the partner's reference. Every other
//! event needs no action from the gateway.
//!
//! A redelivered event has the same reference: when the ledger knows it,
//! its URL is answered without calling the gateway; when the gateway says
//! the reference exists (`MaLoi 02`, e.g. our earlier answer was lost), a
//! QUERY confirms it is the same payment (same amount) and gives the URL.

use crate::core::Core;
use crate::error::PaymentError;
use crate::ledger::PaymentRecord;
use crate::obligation::{self, Obligation};
use crate::protocol::{CODE_DUPLICATE, CODE_OK};
use lienthong_adapter::delivery::not_delivered;
use lienthong_adapter::http::CallError;
use lienthong_adapter::vietnam_time::now_unix;
use lienthong_adapter::{pb, Accepted, DeliveryError, Sink};
use std::sync::Arc;

pub struct PaymentSink {
    core: Arc<Core>,
}

impl PaymentSink {
    pub fn new(core: Arc<Core>) -> PaymentSink {
        PaymentSink { core }
    }

    async fn create(&self, event: &pb::Event) -> Result<Accepted, PaymentError> {
        let obligation = obligation::from_event(event, &self.core.settings)?;
        self.core.ledger.load().await?;
        if let Some(known) = self.core.ledger.get(&obligation.reference) {
            return Ok(Accepted {
                partner_reference: known.payment_url,
            });
        }
        let reply = self.core.client.init(&obligation).await?;
        let payment_url = match reply.code.as_str() {
            CODE_OK if !reply.payment_url.is_empty() => reply.payment_url,
            CODE_OK => {
                return Err(PaymentError::Call(CallError::BadReply {
                    operation: "INIT",
                    problem: "MaLoi 00 without UrlThanhToan".into(),
                }))
            }
            CODE_DUPLICATE => self.existing_url(&obligation).await?,
            _ => {
                return Err(PaymentError::Gateway {
                    operation: "INIT",
                    code: reply.code,
                    message: reply.message,
                })
            }
        };
        let record = PaymentRecord::new(
            &obligation.reference,
            &obligation.ma_ho_so,
            &event.event_id,
            obligation.amount_vnd,
            &payment_url,
            now_unix(),
        );
        // Stored before the hub hears "accepted": a payment the gateway
        // holds is never one the adapter forgot (if this fails, the event
        // is retried and INIT answers "duplicate" with the same URL).
        let stored = self.core.ledger.insert_if_absent(record).await?;
        tracing::info!(
            partner = %self.core.partner_id,
            reference = %stored.reference,
            ma_ho_so = %stored.ma_ho_so,
            amount_vnd = stored.amount_vnd,
            "payment created"
        );
        Ok(Accepted {
            partner_reference: stored.payment_url,
        })
    }

    /// The URL of a payment the gateway already has under our reference, if
    /// it is the same payment.
    async fn existing_url(&self, obligation: &Obligation) -> Result<String, PaymentError> {
        let found = self.core.client.query(&obligation.reference).await?;
        if found.amount_vnd != obligation.amount_vnd {
            return Err(PaymentError::Gateway {
                operation: "INIT",
                code: CODE_DUPLICATE.into(),
                message: format!(
                    "MaThamChieu {} exists at the gateway for {} VND, not {} VND",
                    obligation.reference, found.amount_vnd, obligation.amount_vnd
                ),
            });
        }
        if found.payment_url.is_empty() {
            return Err(PaymentError::Call(CallError::BadReply {
                operation: "QUERY",
                problem: format!(
                    "MaThamChieu {} exists but the gateway gives no UrlThanhToan",
                    obligation.reference
                ),
            }));
        }
        Ok(found.payment_url)
    }
}

#[async_trait::async_trait]
impl Sink for PaymentSink {
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError> {
        if event.r#type != pb::EventType::FinancialObligationRequested as i32 {
            return Ok(Accepted::default());
        }
        let partner = &self.core.partner_id;
        self.create(event)
            .await
            .map_err(|e| not_delivered(partner, event, "payment not created", e))
    }
}
