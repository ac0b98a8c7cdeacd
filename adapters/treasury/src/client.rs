//! The adapter's HTTP client: credit notices to the treasury, and the two
//! daily files reconciliation reads (the gateway's settlements, the
//! treasury's credits), each download signed with `MaDoiTac|Ngay`.

use crate::error::TreasuryError;
use crate::protocol::{CreditNotice, CreditReply, Signed, PATH_CREDITS, PATH_CREDIT_NOTICES};
use crate::settings::Settings;
use lienthong_adapter::http::http_client;
use lienthong_adapter::http::CallError;
use lienthong_adapter::ma_xac_thuc::DailyFileRequest;
use std::sync::Arc;

pub struct Client {
    http: reqwest::Client,
    settings: Arc<Settings>,
}

impl Client {
    pub fn new(settings: Arc<Settings>) -> Result<Client, TreasuryError> {
        let http = http_client(settings.timeout(), settings.timeout()).map_err(|reason| {
            TreasuryError::Call(CallError::Transport {
                operation: "client",
                reason,
            })
        })?;
        Ok(Client { http, settings })
    }

    /// Sends a credit notice; answers the verified reply whatever its code.
    pub async fn send_notice(&self, notice: &CreditNotice) -> Result<CreditReply, TreasuryError> {
        const OP: &str = "credit notice";
        let (status, body) = self
            .call(
                OP,
                self.http
                    .post(self.settings.url(PATH_CREDIT_NOTICES))
                    .json(notice),
            )
            .await?;
        if !(200..300).contains(&status) {
            return Err(TreasuryError::Call(CallError::Http {
                operation: OP,
                status,
                body: body.chars().take(300).collect(),
            }));
        }
        let reply: CreditReply = serde_json::from_str(&body).map_err(|e| {
            TreasuryError::Call(CallError::BadReply {
                operation: OP,
                problem: e.to_string(),
            })
        })?;
        if !reply.verify_with(&self.settings.secret) {
            return Err(TreasuryError::Call(CallError::BadSignature {
                operation: OP,
            }));
        }
        Ok(reply)
    }

    /// The gateway's settlement file of `date`.
    pub async fn settlement_file(&self, date: &str) -> Result<String, TreasuryError> {
        let s = &self.settings;
        self.file(
            "gateway settlement file",
            &s.settlement_url,
            &s.settlement_partner_code,
            &s.settlement_secret,
            date,
        )
        .await
    }

    /// The treasury's credit file of `date`.
    pub async fn credit_file(&self, date: &str) -> Result<String, TreasuryError> {
        let s = &self.settings;
        self.file(
            "treasury credit file",
            &s.url(PATH_CREDITS),
            &s.partner_code,
            &s.secret,
            date,
        )
        .await
    }

    async fn file(
        &self,
        operation: &'static str,
        url: &str,
        partner_code: &str,
        secret: &str,
        date: &str,
    ) -> Result<String, TreasuryError> {
        let request = self
            .http
            .get(url)
            .query(&DailyFileRequest::new(partner_code, date, secret));
        let (status, body) = self.call(operation, request).await?;
        if !(200..300).contains(&status) {
            return Err(TreasuryError::Call(CallError::Http {
                operation,
                status,
                body: body.chars().take(300).collect(),
            }));
        }
        Ok(body)
    }

    async fn call(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, String), TreasuryError> {
        let transport = |e: reqwest::Error| {
            TreasuryError::Call(CallError::Transport {
                operation,
                reason: e.to_string(),
            })
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(transport)?;
        Ok((status, body))
    }
}
