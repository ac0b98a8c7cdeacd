//! The adapter's HTTP client of the gateway: INIT, QUERY and GET_BILL, each
//! signed on the way out and verified on the way back.

use crate::error::PaymentError;
use crate::obligation::Obligation;
use crate::protocol::{
    BillReply, BillRequest, InitReply, InitRequest, QueryReply, QueryRequest, Signed, CODE_OK,
    CURRENCY_VND, PATH_BILL, PATH_INIT, PATH_QUERY,
};
use crate::settings::Settings;
use lienthong_adapter::http::partner_client;
use lienthong_adapter::ma_xac_thuc::send_signed;
use lienthong_adapter::vietnam_time::{self, now_unix};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

pub struct Client {
    http: reqwest::Client,
    settings: Arc<Settings>,
}

impl Client {
    pub fn new(settings: Arc<Settings>) -> Result<Client, PaymentError> {
        let http = partner_client(settings.timeout())?;
        Ok(Client { http, settings })
    }

    /// INIT. Answers the verified reply whatever its `MaLoi`, so the caller
    /// can tell "already exists" from other refusals.
    pub async fn init(&self, obligation: &Obligation) -> Result<InitReply, PaymentError> {
        let request = InitRequest {
            partner_code: self.settings.partner_code.clone(),
            reference: obligation.reference.clone(),
            amount_vnd: obligation.amount_vnd,
            currency: CURRENCY_VND.to_string(),
            description: obligation.description.clone(),
            time: vietnam_time::format(now_unix()),
            callback_url: self.settings.callback_url.clone(),
            return_url: self.settings.return_url_of(&obligation.ma_ho_so),
            receipt: obligation.receipt.clone(),
            signature: String::new(),
        }
        .signed(&self.settings.secret);
        self.post("INIT", PATH_INIT, &request).await
    }

    /// QUERY; a `MaLoi` other than `00` is an error.
    pub async fn query(&self, reference: &str) -> Result<QueryReply, PaymentError> {
        let request = QueryRequest {
            partner_code: self.settings.partner_code.clone(),
            reference: reference.to_string(),
            time: vietnam_time::format(now_unix()),
            signature: String::new(),
        }
        .signed(&self.settings.secret);
        let reply: QueryReply = self.post("QUERY", PATH_QUERY, &request).await?;
        ok_code("QUERY", &reply.code, &reply.message)?;
        Ok(reply)
    }

    /// GET_BILL; a `MaLoi` other than `00` is an error.
    pub async fn bill(
        &self,
        reference: &str,
        transaction_id: &str,
    ) -> Result<BillReply, PaymentError> {
        let request = BillRequest {
            partner_code: self.settings.partner_code.clone(),
            reference: reference.to_string(),
            transaction_id: transaction_id.to_string(),
            signature: String::new(),
        }
        .signed(&self.settings.secret);
        let reply: BillReply = self.post("GET_BILL", PATH_BILL, &request).await?;
        ok_code("GET_BILL", &reply.code, &reply.message)?;
        Ok(reply)
    }

    async fn post<Q: Serialize, A: DeserializeOwned + Signed>(
        &self,
        operation: &'static str,
        path: &str,
        request: &Q,
    ) -> Result<A, PaymentError> {
        let request = self.http.post(self.settings.url(path)).json(request);
        Ok(send_signed(operation, request, &self.settings.secret).await?)
    }
}

fn ok_code(operation: &'static str, code: &str, message: &str) -> Result<(), PaymentError> {
    if code == CODE_OK {
        Ok(())
    } else {
        Err(PaymentError::Gateway {
            operation,
            code: code.to_string(),
            message: message.to_string(),
        })
    }
}
