//! The one-stop system's HTTP API as the adapter calls it: post a dossier,
//! post a change to a dossier's `events`, each with the hub's event id as
//! `Idempotency-Key` and the partner's bearer token.

use crate::error::{OneStopError, PARTNER};
use crate::protocol::{DossierEvent, DossierRecord, PostAnswer, IDEMPOTENCY_HEADER};
use crate::settings::Settings;
use lienthong_adapter::http::{http_client, send_for_text};
use std::sync::Arc;
use std::time::Duration;

pub struct Client {
    http: reqwest::Client,
    settings: Arc<Settings>,
}

impl Client {
    pub fn new(settings: Arc<Settings>) -> Result<Client, String> {
        let http = http_client(
            Duration::from_secs(settings.timeout_seconds),
            Duration::from_secs(10),
        )?;
        Ok(Client { http, settings })
    }

    /// Posts the dossier; "already holds it" (409) counts as accepted.
    pub async fn post_dossier(
        &self,
        record: &DossierRecord,
        key: &str,
    ) -> Result<String, OneStopError> {
        let url = self.settings.url(&self.settings.dossiers_path);
        match self.post("post dossier", &url, key, record).await {
            Err(OneStopError::Http {
                status: 409, body, ..
            }) => {
                let answer: PostAnswer = serde_json::from_str(&body).unwrap_or_default();
                Ok(if answer.id.is_empty() {
                    record.ma_ho_so.clone()
                } else {
                    answer.id
                })
            }
            other => other,
        }
    }

    pub async fn post_event(&self, change: &DossierEvent) -> Result<String, OneStopError> {
        let url = format!(
            "{}/{}/events",
            self.settings.url(&self.settings.dossiers_path),
            change.ma_ho_so
        );
        self.post("post change", &url, &change.event_id, change)
            .await
    }

    async fn post<T: serde::Serialize>(
        &self,
        op: &str,
        url: &str,
        key: &str,
        body: &T,
    ) -> Result<String, OneStopError> {
        let request = self
            .http
            .post(url)
            .bearer_auth(&self.settings.api_token)
            .header(IDEMPOTENCY_HEADER, key)
            .json(body);
        let text = send_for_text(PARTNER, op, request).await?;
        let answer: PostAnswer = serde_json::from_str(&text).unwrap_or_default();
        Ok(answer.id)
    }
}
