//! Outbound: dossiers routed to the one-stop system, and their changes.
//!
//! `dossier_submitted` posts the dossier; every later event posts the change
//! (with the dossier after it) to the dossier's `events`. Both carry the
//! hub's event id (`Idempotency-Key` header, `event_id` field), so a
//! redelivery is recognised by the system. When the system answers 404 to
//! a change — it never got the dossier (the subscription began later, or an
//! operator removed it) — the dossier is posted first and the change again.
//! Changes the one-stop system itself reported come back as events of its
//! own partner id: those are acknowledged without a call (no echo).

use crate::error::OneStopError;
use crate::protocol::{Document, DossierEvent, DossierRecord, Fee, PostAnswer, IDEMPOTENCY_HEADER};
use crate::settings::Settings;
use crate::time::format_ts;
use lienthong_adapter::http::http_client;
use lienthong_adapter::{pb, Accepted, DeliveryError, Sink};
use std::sync::Arc;
use std::time::Duration;

pub struct OneStopSink {
    http: reqwest::Client,
    settings: Arc<Settings>,
    partner_id: String,
}

impl OneStopSink {
    pub fn new(settings: Arc<Settings>, partner_id: &str) -> Result<OneStopSink, String> {
        let http = http_client(
            Duration::from_secs(settings.timeout_seconds),
            Duration::from_secs(10),
        )?;
        Ok(OneStopSink {
            http,
            settings,
            partner_id: partner_id.to_string(),
        })
    }
}

#[async_trait::async_trait]
impl Sink for OneStopSink {
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError> {
        let Some(change) = lienthong_adapter::event::change(event)? else {
            return Ok(Accepted::default());
        };
        if event.partner_id == self.partner_id {
            return Ok(Accepted::default());
        }
        let dossier = change.dossier;
        let record = record(dossier, &self.settings);
        let result = if event.r#type == pb::EventType::DossierSubmitted as i32 {
            self.post_dossier(&record, &event.event_id).await
        } else {
            let change = self.change(event, change.entry, record.clone());
            match self.post_event(&change).await {
                Err(e) if e.status() == Some(404) => {
                    tracing::info!(ma_ho_so = %record.ma_ho_so, "one-stop system lacks the dossier; posting it first");
                    let key = format!("{}:dossier", event.event_id);
                    match self.post_dossier(&record, &key).await {
                        Ok(_) => self.post_event(&change).await,
                        Err(e) => Err(e),
                    }
                }
                other => other,
            }
        };
        result
            .map(|partner_reference| Accepted { partner_reference })
            .map_err(|e| {
                tracing::warn!(event_id = %event.event_id, error = %e, "delivery to the one-stop system failed");
                e.delivery()
            })
    }
}

impl OneStopSink {
    /// Posts the dossier; "already holds it" (409) counts as accepted.
    async fn post_dossier(
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

    async fn post_event(&self, change: &DossierEvent) -> Result<String, OneStopError> {
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
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.settings.api_token)
            .header(IDEMPOTENCY_HEADER, key)
            .json(body)
            .send()
            .await
            .map_err(|e| transport(op, &e))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| transport(op, &e))?;
        if !(200..300).contains(&status) {
            return Err(OneStopError::Http {
                op: op.to_string(),
                status,
                body: text.chars().take(300).collect(),
            });
        }
        let answer: PostAnswer = serde_json::from_str(&text).unwrap_or_default();
        Ok(answer.id)
    }

    fn change(
        &self,
        event: &pb::Event,
        entry: Option<&pb::HistoryEntry>,
        ho_so: DossierRecord,
    ) -> DossierEvent {
        let entry = entry.cloned().unwrap_or_default();
        let status = if ho_so.trang_thai_chuan != 0 {
            ho_so.trang_thai_chuan
        } else {
            event.to_status
        };
        DossierEvent {
            event_id: event.event_id.clone(),
            ma_ho_so: ho_so.ma_ho_so.clone(),
            version: event.dossier_version,
            loai_su_kien: event_type(event.r#type).to_string(),
            trang_thai_chuan: status,
            trang_thai: own(&self.settings, status),
            thoi_diem: format_ts(entry.at.as_ref().or(event.occurred_at.as_ref())),
            nguoi_xu_ly: entry.actor,
            don_vi: entry.unit,
            ghi_chu: entry.note,
            ho_so,
        }
    }
}

fn own(settings: &Settings, canonical: i32) -> String {
    u8::try_from(canonical)
        .ok()
        .and_then(|c| settings.own_code(c))
        .unwrap_or("")
        .to_string()
}

fn transport(op: &str, e: &reqwest::Error) -> OneStopError {
    if e.is_connect() {
        OneStopError::Unreachable {
            op: op.to_string(),
            reason: e.to_string(),
        }
    } else {
        OneStopError::NoAnswer {
            op: op.to_string(),
            reason: e.to_string(),
        }
    }
}

fn event_type(t: i32) -> &'static str {
    use pb::EventType as E;
    match E::try_from(t).unwrap_or(E::Unspecified) {
        E::DossierSubmitted => "dossier_submitted",
        E::DossierReceived => "dossier_received",
        E::DossierRefused => "dossier_refused",
        E::SupplementRequested => "supplement_requested",
        E::SupplementSubmitted => "supplement_submitted",
        E::ProcessingStarted => "processing_started",
        E::FinancialObligationRequested => "financial_obligation_requested",
        E::PaymentRecorded => "payment_recorded",
        E::ProcessingStopped => "processing_stopped",
        E::ProcessingResumed => "processing_resumed",
        E::DossierWithdrawn => "dossier_withdrawn",
        E::ProcessingFinished => "processing_finished",
        E::ResultReturned => "result_returned",
        E::DossierRescheduled => "dossier_rescheduled",
        E::CatalogPublished => "catalog_published",
        E::Unspecified => "unspecified",
    }
}

/// The dossier in the one-stop system's field names.
pub fn record(d: &pb::Dossier, settings: &Settings) -> DossierRecord {
    let delivery = match pb::ResultDelivery::try_from(d.result_delivery) {
        Ok(pb::ResultDelivery::AtCounter) => "counter",
        Ok(pb::ResultDelivery::ByPost) => "post",
        Ok(pb::ResultDelivery::Electronic) => "electronic",
        _ => "",
    };
    DossierRecord {
        ma_ho_so: d.ma_ho_so.clone(),
        version: d.version,
        ma_co_quan: d.agency_code.clone(),
        ma_tthc: d.procedure_code.clone(),
        ten_tthc: d.procedure_name.clone(),
        ma_linh_vuc: d.sector_code.clone(),
        kenh_thuc_hien: d.channel,
        chu_ho_so: d.owner_name.clone(),
        loai_doi_tuong: d.applicant_type,
        so_giay_to: d.owner_id_number.clone(),
        email: d.email.clone(),
        so_dien_thoai: d.phone.clone(),
        trich_yeu: d.summary.clone(),
        ngay_nop: format_ts(d.submitted_at.as_ref()),
        ngay_tiep_nhan: format_ts(d.received_at.as_ref()),
        ngay_hen_tra: format_ts(d.due_at.as_ref()),
        ngay_tra: format_ts(d.returned_at.as_ref()),
        trang_thai_chuan: d.status,
        trang_thai: own(settings, d.status),
        hinh_thuc_tra_kq: delivery.to_string(),
        don_vi_xu_ly: d.processing_unit.clone(),
        tai_lieu: d
            .documents
            .iter()
            .map(|x| Document {
                ma: x.component_code.clone(),
                ten: x.name.clone(),
                url: x.url.clone(),
            })
            .collect(),
        le_phi: d
            .fees
            .iter()
            .map(|f| Fee {
                ma: f.code.clone(),
                ten: f.name.clone(),
                so_tien: f.amount_vnd,
            })
            .collect(),
        ket_qua: d
            .results
            .iter()
            .map(|r| Document {
                ma: r.code.clone(),
                ten: r.name.clone(),
                url: r.url.clone(),
            })
            .collect(),
    }
}
