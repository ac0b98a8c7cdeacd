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

use crate::client::Client;
use crate::protocol::{Document, DossierEvent, DossierRecord, Fee};
use crate::settings::Settings;
use lienthong_adapter::vietnam_time;
use lienthong_adapter::{pb, Accepted, DeliveryError, Sink};
use std::sync::Arc;

pub struct OneStopSink {
    client: Client,
    settings: Arc<Settings>,
    partner_id: String,
}

impl OneStopSink {
    pub fn new(settings: Arc<Settings>, partner_id: &str) -> Result<OneStopSink, String> {
        Ok(OneStopSink {
            client: Client::new(settings.clone())?,
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
            self.client.post_dossier(&record, &event.event_id).await
        } else {
            let change = self.change(event, change.entry, record.clone());
            match self.client.post_event(&change).await {
                Err(e) if e.status() == Some(404) => {
                    tracing::info!(ma_ho_so = %record.ma_ho_so, "one-stop system lacks the dossier; posting it first");
                    let key = format!("{}:dossier", event.event_id);
                    match self.client.post_dossier(&record, &key).await {
                        Ok(_) => self.client.post_event(&change).await,
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
            loai_su_kien: lienthong_adapter::event::type_name(event.r#type()),
            trang_thai_chuan: status,
            trang_thai: own(&self.settings, status),
            thoi_diem: vietnam_time::format_ts(entry.at.as_ref().or(event.occurred_at.as_ref())),
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
        ngay_nop: vietnam_time::format_ts(d.submitted_at.as_ref()),
        ngay_tiep_nhan: vietnam_time::format_ts(d.received_at.as_ref()),
        ngay_hen_tra: vietnam_time::format_ts(d.due_at.as_ref()),
        ngay_tra: vietnam_time::format_ts(d.returned_at.as_ref()),
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
