//! The adapter's HTTP client: credit notices to the treasury, and the two
//! daily files reconciliation reads (the gateway's settlements, the
//! treasury's credits), each download signed with `MaDoiTac|Ngay`.

use crate::error::TreasuryError;
use crate::protocol::{CreditNotice, CreditReply, PATH_CREDITS, PATH_CREDIT_NOTICES};
use crate::settings::Settings;
use lienthong_adapter::http::partner_client;
use lienthong_adapter::http::send;
use lienthong_adapter::ma_xac_thuc::{send_signed, DailyFileRequest};
use std::sync::Arc;

pub struct Client {
    http: reqwest::Client,
    settings: Arc<Settings>,
}

impl Client {
    pub fn new(settings: Arc<Settings>) -> Result<Client, TreasuryError> {
        let http = partner_client(settings.timeout())?;
        Ok(Client { http, settings })
    }

    /// Sends a credit notice; answers the verified reply whatever its code.
    pub async fn send_notice(&self, notice: &CreditNotice) -> Result<CreditReply, TreasuryError> {
        const OP: &str = "credit notice";
        let request = self
            .http
            .post(self.settings.url(PATH_CREDIT_NOTICES))
            .json(notice);
        Ok(send_signed(OP, request, &self.settings.secret).await?)
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
        Ok(send(operation, request).await?)
    }
}
