//! `lienthong.v1.AdminService`: parked messages and deliveries, delivery
//! status and reconciliation, for operators. It authorises and maps; what
//! the answers mean is decided behind `DeadLetters` (the broker) and
//! `AdapterDeliveries` (the adapter edge).

use super::{auth, from_proto, pb, to_proto, to_status};
use crate::domain::CommandName;
use crate::hub::{AdapterDeliveries, DeadLetters, Hub, HubError};
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub struct AdminService {
    pub hub: Hub,
    /// Absent when the hub runs without a broker.
    pub dead_letters: Option<Arc<dyn DeadLetters>>,
    /// Deliveries through partners' adapters.
    pub deliveries: Arc<dyn AdapterDeliveries>,
}

impl AdminService {
    /// The caller may manage parked messages and deliveries; its partner id.
    fn operator<T>(&self, request: &Request<T>) -> Result<String, Status> {
        let caller = auth::partner(&self.hub, request)?;
        caller
            .check_command(CommandName::ManageParked)
            .map_err(|e| to_status(&e.into()))?;
        Ok(caller.id.clone())
    }

    /// The caller is an operator, and a broker is configured.
    fn authorised<T>(
        &self,
        request: &Request<T>,
    ) -> Result<(String, &Arc<dyn DeadLetters>), Status> {
        let operator = self.operator(request)?;
        let dead_letters = self.dead_letters.as_ref().ok_or_else(|| {
            to_status(&HubError::Unavailable {
                what: "parked messages".into(),
                reason: "no broker is configured ([amqp] url): nothing is ever parked".into(),
            })
        })?;
        Ok((operator, dead_letters))
    }
}

#[tonic::async_trait]
impl pb::admin_service_server::AdminService for AdminService {
    async fn list_parked(
        &self,
        request: Request<pb::ListParkedRequest>,
    ) -> Result<Response<pb::ListParkedReply>, Status> {
        let (_, dead_letters) = self.authorised(&request)?;
        let limit = match request.get_ref().limit {
            0 => 100,
            n => n.min(10_000) as usize,
        };
        let parked = dead_letters.list(limit).await.map_err(|e| to_status(&e))?;
        let messages = parked
            .into_iter()
            .map(|m| pb::ParkedMessage {
                message_id: m.message_id,
                reason: m.reason,
                source_queue: m.source_queue,
                message_type: m.message_type,
                redriven: m.redriven,
                bytes: m.bytes,
                parked_at: m.parked_at.map(to_proto::timestamp),
            })
            .collect();
        Ok(Response::new(pb::ListParkedReply { messages }))
    }

    async fn redrive_parked(
        &self,
        request: Request<pb::RedriveParkedRequest>,
    ) -> Result<Response<pb::RedriveParkedReply>, Status> {
        let (operator, dead_letters) = self.authorised(&request)?;
        let req = request.into_inner();
        let redriven = self
            .hub
            .redrive_parked_messages(dead_letters.as_ref(), &operator, &req.message_ids, req.all)
            .await
            .map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::RedriveParkedReply {
            redriven: redriven as u32,
        }))
    }

    async fn list_parked_deliveries(
        &self,
        request: Request<pb::ListParkedDeliveriesRequest>,
    ) -> Result<Response<pb::ListParkedDeliveriesReply>, Status> {
        self.operator(&request)?;
        let req = request.into_inner();
        let limit = match req.limit {
            0 => 100,
            n => n as usize,
        };
        let parked = self
            .deliveries
            .parked(&req.partner_id, limit)
            .await
            .map_err(|e| to_status(&e))?;
        let deliveries = parked
            .into_iter()
            .map(|p| pb::ParkedDelivery {
                seq: p.event.seq,
                event_id: p.event.event_id.clone(),
                dossier_id: p.event.dossier_id,
                ma_ho_so: p.event.ma_ho_so.clone(),
                event_type: p.event.event_type.as_str().to_string(),
                reason: p.reason,
                attempts: p.attempts,
                parked_at: Some(to_proto::timestamp(p.parked_at)),
            })
            .collect();
        Ok(Response::new(pb::ListParkedDeliveriesReply { deliveries }))
    }

    async fn redrive_parked_deliveries(
        &self,
        request: Request<pb::RedriveParkedDeliveriesRequest>,
    ) -> Result<Response<pb::RedriveParkedDeliveriesReply>, Status> {
        let operator = self.operator(&request)?;
        let req = request.into_inner();
        let redriven = self
            .deliveries
            .redrive(&operator, &req.partner_id, req.seqs, req.all)
            .await
            .map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::RedriveParkedDeliveriesReply {
            redriven: redriven as u32,
        }))
    }

    async fn get_delivery_status(
        &self,
        request: Request<pb::GetDeliveryStatusRequest>,
    ) -> Result<Response<pb::GetDeliveryStatusReply>, Status> {
        self.operator(&request)?;
        let req = request.into_inner();
        let status = self
            .deliveries
            .status(&req.partner_id)
            .await
            .map_err(|e| to_status(&e))?;
        let reference =
            from_proto::dossier_ref("dossier", &req.dossier).map_err(|e| to_status(&e.into()))?;
        let dossier = match reference {
            None => None,
            Some(reference) => Some(
                self.deliveries
                    .dossier_sync(&req.partner_id, &reference)
                    .await
                    .map_err(|e| to_status(&e))?,
            ),
        };
        Ok(Response::new(pb::GetDeliveryStatusReply {
            status: Some(pb::DeliveryStatus {
                partner_id: status.partner_id,
                cursor: status.cursor,
                committed: status.committed,
                accepted: status.stats.accepted,
                parked: status.stats.parked,
                retried: status.stats.retried,
                redriven: status.stats.redriven,
            }),
            dossier: dossier.map(|sync| pb::DossierSync {
                dossier_id: sync.dossier_id,
                ma_ho_so: sync.ma_ho_so,
                dossier_version: sync.dossier_version,
                synced_version: sync.synced_version,
                up_to_date: sync.up_to_date,
                changed_at: sync.changed_at.map(to_proto::timestamp),
                accepted_at: sync.accepted_at.map(to_proto::timestamp),
                lag_milliseconds: sync.lag_millis,
                partner_reference: sync.partner_reference,
            }),
        }))
    }

    async fn reconcile(
        &self,
        request: Request<pb::ReconcileRequest>,
    ) -> Result<Response<pb::ReconcileReply>, Status> {
        self.operator(&request)?;
        let records = request.get_ref().gateway.len() + request.get_ref().treasury.len();
        if records > 1_000_000 {
            return Err(to_status(&HubError::TooLarge {
                fields: "`gateway`, `treasury`".into(),
                limit: 1_000_000,
            }));
        }
        let reply =
            tokio::task::spawn_blocking(move || super::reconcile::run(request.into_inner()))
                .await
                .map_err(|e| {
                    to_status(&HubError::TaskFailed {
                        what: "reconciliation".into(),
                        reason: e.to_string(),
                    })
                })?;
        Ok(Response::new(reply))
    }
}
