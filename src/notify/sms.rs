//! The SMS channel: one message per notification through the SMS-gateway
//! adapter, with the event id and channel as the gateway's request id, so a
//! retry after a lost answer is not sent twice.

use super::{Failure, NotifyError};
use crate::adapters::sms_gateway::{self, Client, SmsError};
use lienthong_adapter::DeliveryError;

pub struct SmsSender {
    client: Client,
}

impl SmsSender {
    pub fn new(settings: &sms_gateway::Settings) -> Result<SmsSender, NotifyError> {
        let client = Client::new(settings.clone()).map_err(|e| NotifyError::Setup {
            channel: "sms",
            reason: e.to_string(),
        })?;
        Ok(SmsSender { client })
    }

    /// Sends one message; returns the gateway's message id.
    pub async fn send(&self, phone: &str, text: &str, reference: &str) -> Result<String, Failure> {
        match self.client.send(phone, text, reference).await {
            Ok(sent) => Ok(sent.sms_id),
            Err(SmsError::InvalidPhone { problem }) => Err(Failure::Unusable(format!(
                "the dossier's phone number is not a Vietnamese mobile number: {problem}"
            ))),
            Err(e) if e.is_retryable() => {
                Err(Failure::Delivery(DeliveryError::retry(e.to_string())))
            }
            Err(SmsError::Refused { code, .. }) => Err(Failure::Delivery(DeliveryError::reject(
                format!("the SMS gateway refused the message (code {code})"),
            ))),
            Err(e) => Err(Failure::Delivery(DeliveryError::reject(e.to_string()))),
        }
    }
}
