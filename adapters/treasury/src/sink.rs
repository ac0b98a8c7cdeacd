//! Outbound: a `payment_recorded` event becomes a credit notice to the
//! treasury; its document number (`SoChungTu`) is the partner's reference.
//! A notice the treasury already has (`MaLoi 02`, e.g. our earlier answer
//! was lost) is accepted as done. Every other event needs no action.

use crate::client::Client;
use crate::error::TreasuryError;
use crate::notice;
use crate::protocol::{CODE_DUPLICATE, CODE_OK};
use crate::settings::Settings;
use lienthong_adapter::delivery::not_delivered;
use lienthong_adapter::http::CallError;
use lienthong_adapter::{pb, Accepted, DeliveryError, Sink};
use std::sync::Arc;

pub struct TreasurySink {
    pub partner_id: String,
    pub settings: Arc<Settings>,
    pub client: Arc<Client>,
}

impl TreasurySink {
    async fn credit(&self, event: &pb::Event) -> Result<Accepted, TreasuryError> {
        let notice = notice::from_event(event, &self.settings)?;
        let reply = self.client.send_notice(&notice).await?;
        match reply.code.as_str() {
            CODE_OK | CODE_DUPLICATE if reply.transaction_id == notice.transaction_id => {
                tracing::info!(
                    partner = %self.partner_id,
                    reference = %notice.reference,
                    transaction = %notice.transaction_id,
                    document = %reply.document_number,
                    already = reply.code == CODE_DUPLICATE,
                    "credit notice accepted by the treasury"
                );
                Ok(Accepted {
                    partner_reference: reply.document_number,
                })
            }
            CODE_OK | CODE_DUPLICATE => Err(TreasuryError::Call(CallError::BadReply {
                operation: "credit notice",
                problem: format!(
                    "answer is about MaGiaoDich `{}`, not `{}`",
                    reply.transaction_id, notice.transaction_id
                ),
            })),
            _ => Err(TreasuryError::Refused {
                operation: "credit notice",
                code: reply.code,
                message: reply.message,
            }),
        }
    }
}

#[async_trait::async_trait]
impl Sink for TreasurySink {
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError> {
        if event.r#type != pb::EventType::PaymentRecorded as i32 {
            return Ok(Accepted::default());
        }
        let partner = &self.partner_id;
        self.credit(event)
            .await
            .map_err(|e| not_delivered(partner, event, "credit notice not accepted", e))
    }
}
