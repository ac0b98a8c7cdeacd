//! Outbound: hub events → the provider's orders.
//!
//! - `dossier_submitted` through the postal channel → a pickup order;
//! - `processing_finished` with the result delivered by post → a delivery
//!   order (receiver: the dossier owner; cash on delivery per settings);
//! - `dossier_withdrawn` of a postal dossier → cancel its pickup order;
//! - anything else → accepted, nothing to do.
//!
//! Creating is idempotent on the provider's side (same number and service →
//! "already exists", taken as success), so a retried event never makes two
//! orders.

use crate::client::{Cancelled, Client};
use crate::orders;
use crate::protocol::CancelRequest;
use crate::settings::Settings;
use crate::tracking::Tracking;
use crate::vocabulary::ServiceType;
use lienthong_adapter::pb::{self, EventType, ResultDelivery, SubmissionChannel};
use lienthong_adapter::{Accepted, DeliveryError, Sink};
use std::sync::Arc;

pub struct PostalSink {
    config: Arc<Settings>,
    client: Client,
    tracking: Arc<Tracking>,
}

impl PostalSink {
    pub fn new(config: Arc<Settings>, client: Client, tracking: Arc<Tracking>) -> PostalSink {
        PostalSink {
            config,
            client,
            tracking,
        }
    }

    async fn create(
        &self,
        service: ServiceType,
        dossier: &pb::Dossier,
    ) -> Result<Accepted, DeliveryError> {
        let order = orders::build(&self.config, service, dossier)
            .map_err(|problem| DeliveryError::reject(problem.0))?;
        let order_id = self.client.create_order(&order).await?;
        // Stored before the hub hears "accepted": if it cannot be, the
        // event is retried, and the provider answers the same order again
        // ("already exists" is success), so nothing is made twice.
        self.tracking
            .order_created(&dossier.ma_ho_so, service, &order_id)
            .await
            .map_err(|e| DeliveryError::retry(format!("postal tracking not stored: {e}")))?;
        tracing::info!(
            ma_ho_so = %dossier.ma_ho_so,
            service = %service,
            order_id = %order_id,
            "postal order created"
        );
        Ok(Accepted {
            partner_reference: order_id,
        })
    }

    async fn cancel_pickup(&self, dossier: &pb::Dossier) -> Result<Accepted, DeliveryError> {
        let cancel = CancelRequest {
            service_type: ServiceType::Pickup,
            reason: if dossier.status_reason.is_empty() {
                "Công dân rút hồ sơ".to_string()
            } else {
                dossier.status_reason.clone()
            },
        };
        match self.client.cancel_order(&dossier.ma_ho_so, &cancel).await? {
            Cancelled::Done => {
                tracing::info!(ma_ho_so = %dossier.ma_ho_so, "postal pickup cancelled");
                Ok(Accepted {
                    partner_reference: dossier.ma_ho_so.clone(),
                })
            }
            Cancelled::NoSuchOrder => {
                tracing::info!(ma_ho_so = %dossier.ma_ho_so, "no postal pickup to cancel");
                Ok(Accepted::default())
            }
        }
    }
}

#[async_trait::async_trait]
impl Sink for PostalSink {
    async fn deliver(&self, event: &pb::Event) -> Result<Accepted, DeliveryError> {
        match event.r#type() {
            EventType::DossierSubmitted => {
                let dossier = lienthong_adapter::event::dossier(event)?;
                if dossier.channel() == SubmissionChannel::Postal {
                    return self.create(ServiceType::Pickup, dossier).await;
                }
            }
            EventType::ProcessingFinished => {
                let dossier = lienthong_adapter::event::dossier(event)?;
                if dossier.result_delivery() == ResultDelivery::ByPost {
                    return self.create(ServiceType::Delivery, dossier).await;
                }
            }
            EventType::DossierWithdrawn => {
                let dossier = lienthong_adapter::event::dossier(event)?;
                if dossier.channel() == SubmissionChannel::Postal {
                    return self.cancel_pickup(dossier).await;
                }
            }
            _ => {}
        }
        Ok(Accepted::default())
    }
}
