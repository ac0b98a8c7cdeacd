//! Calls to the SMS gateway: one request per message, with the caller's
//! reference as the request id, so a retry after a lost answer is answered
//! "duplicate" by the gateway instead of sending the message twice.

use crate::protocol::{codes, SendRequest, SendResponse, SEND_PATH};
use crate::{phone, Settings, SmsError};
use lienthong_adapter::http::{http_client, transport_failure};

/// What the gateway answered for an accepted message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentSms {
    /// The gateway's id of the message.
    pub sms_id: String,
    /// It had been accepted before under the same reference.
    pub duplicate: bool,
}

pub struct Client {
    settings: Settings,
    http: reqwest::Client,
}

impl Client {
    pub fn new(settings: Settings) -> Result<Client, SmsError> {
        let http = http_client(settings.timeout, settings.timeout)
            .map_err(|reason| SmsError::Unreachable { reason })?;
        Ok(Client { settings, http })
    }

    /// Sends `text` to `number` (any usual Vietnamese form) once per `reference`.
    pub async fn send(
        &self,
        number: &str,
        text: &str,
        reference: &str,
    ) -> Result<SentSms, SmsError> {
        let request = SendRequest {
            account: self.settings.account.clone(),
            secret: self.settings.secret.clone(),
            brandname: self.settings.brand_name.clone(),
            phone: phone::to_international(number)?,
            message: text.to_string(),
            unicode: !text.is_ascii(),
            request_id: reference.to_string(),
        };
        let url = format!("{}{SEND_PATH}", self.settings.endpoint);
        let answer = self
            .http
            .post(&url)
            .json(&request)
            .send()
            .await
            .map_err(|e| SmsError::Unreachable {
                reason: format!("the call {}", transport_failure(&e)),
            })?;
        let status = answer.status().as_u16();
        if !answer.status().is_success() {
            return Err(SmsError::Http { status });
        }
        let response: SendResponse = answer.json().await.map_err(|e| SmsError::BadAnswer {
            reason: e.to_string(),
        })?;
        if codes::accepted(&response.code) {
            Ok(SentSms {
                sms_id: response.sms_id,
                duplicate: response.code == codes::DUPLICATE_REQUEST,
            })
        } else {
            Err(SmsError::Refused {
                code: response.code,
                description: response.description,
            })
        }
    }
}
