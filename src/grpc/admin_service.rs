//! `lienthong.v1.AdminService`: parked messages, for operators.

use super::{auth, from_proto, pb, to_proto, to_status};
use crate::domain::CommandName;
use crate::hub::{DeadLetters, Hub, HubError};
use crate::relay::{Deliveries, RelayHandle};
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub struct AdminService {
    pub hub: Hub,
    /// Absent when the hub runs without a broker.
    pub dead_letters: Option<Arc<dyn DeadLetters>>,
    pub deliveries: Deliveries,
}

impl AdminService {
    /// The caller may manage parked messages, and names a partner with an adapter.
    fn relay<T>(&self, request: &Request<T>, partner_id: &str) -> Result<&RelayHandle, Status> {
        let caller = auth::partner(&self.hub, request)?;
        caller
            .check_command(CommandName::ManageParked)
            .map_err(|e| to_status(&e.into()))?;
        self.deliveries.relays.get(partner_id).ok_or_else(|| {
            to_status(&HubError::NotFound {
                what: format!("a partner `{partner_id}` with an adapter that receives events"),
            })
        })
    }

    fn authorised<T>(&self, request: &Request<T>) -> Result<&Arc<dyn DeadLetters>, Status> {
        let partner = auth::partner(&self.hub, request)?;
        partner
            .check_command(CommandName::ManageParked)
            .map_err(|e| to_status(&e.into()))?;
        self.dead_letters.as_ref().ok_or_else(|| {
            to_status(&HubError::Unavailable {
                what: "parked messages".into(),
                reason: "no broker is configured ([amqp] url): nothing is ever parked".into(),
            })
        })
    }
}

#[tonic::async_trait]
impl pb::admin_service_server::AdminService for AdminService {
    async fn list_parked(
        &self,
        request: Request<pb::ListParkedRequest>,
    ) -> Result<Response<pb::ListParkedReply>, Status> {
        let dead_letters = self.authorised(&request)?;
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
        let dead_letters = self.authorised(&request)?;
        let req = request.into_inner();
        if req.message_ids.is_empty() && !req.all {
            return Err(Status::invalid_argument(
                "invalid field `message_ids`: name at least one message, or set `all`",
            ));
        }
        let redriven = dead_letters
            .redrive(&req.message_ids, req.all)
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
        let partner = request.get_ref().partner_id.clone();
        self.relay(&request, &partner)?;
        let limit = match request.get_ref().limit {
            0 => 100,
            n => n as usize,
        };
        let parked = self
            .deliveries
            .store
            .parked(&partner, limit)
            .map_err(|e| to_status(&e.into()))?;
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
        let relay = self.relay(&request, &request.get_ref().partner_id)?.clone();
        let req = request.into_inner();
        if req.seqs.is_empty() && !req.all {
            return Err(Status::invalid_argument(
                "invalid field `seqs`: name at least one event, or set `all`",
            ));
        }
        let seqs = (!req.all).then_some(req.seqs);
        let redriven = relay.redrive(seqs).await.map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::RedriveParkedDeliveriesReply {
            redriven: redriven as u32,
        }))
    }

    async fn get_delivery_status(
        &self,
        request: Request<pb::GetDeliveryStatusRequest>,
    ) -> Result<Response<pb::GetDeliveryStatusReply>, Status> {
        let partner = request.get_ref().partner_id.clone();
        self.relay(&request, &partner)?;
        let store = &self.deliveries.store;
        let internal = |e: crate::store::StoreError| to_status(&e.into());
        // Committed, then cursor, then counters: every event up to the
        // cursor was counted before the cursor moved, so the counters read
        // afterwards include all of them.
        let committed = store.last_seq().map_err(internal)?;
        let cursor = store
            .cursor(&crate::hub::CursorId::Adapter(partner.clone()))
            .map_err(internal)?;
        let stats = store.delivery_stats(&partner).map_err(internal)?;
        let status = pb::DeliveryStatus {
            partner_id: partner.clone(),
            cursor,
            committed,
            accepted: stats.accepted,
            parked: stats.parked,
            retried: stats.retried,
            redriven: stats.redriven,
        };
        let reference = from_proto::dossier_ref("dossier", &request.get_ref().dossier)
            .map_err(|e| to_status(&e.into()))?;
        let dossier = match reference {
            None => None,
            Some(reference) => {
                let current = store
                    .dossier(&reference)
                    .map_err(internal)?
                    .ok_or_else(|| {
                        to_status(&HubError::NotFound {
                            what: format!("dossier {reference}"),
                        })
                    })?;
                let synced = store
                    .delivery_state(&partner, current.id)
                    .map_err(internal)?
                    .unwrap_or_default();
                Some(pb::DossierSync {
                    dossier_id: current.id,
                    ma_ho_so: current.ma_ho_so.clone(),
                    dossier_version: current.version,
                    synced_version: synced.last_version,
                    up_to_date: synced.last_version == current.version,
                    changed_at: (synced.last_seq > 0)
                        .then(|| to_proto::timestamp(synced.occurred_at)),
                    accepted_at: (synced.last_seq > 0)
                        .then(|| to_proto::timestamp(synced.accepted_at)),
                    lag_milliseconds: synced.lag_millis(),
                    partner_reference: synced.partner_reference,
                })
            }
        };
        Ok(Response::new(pb::GetDeliveryStatusReply {
            status: Some(status),
            dossier,
        }))
    }

    async fn reconcile(
        &self,
        request: Request<pb::ReconcileRequest>,
    ) -> Result<Response<pb::ReconcileReply>, Status> {
        let caller = auth::partner(&self.hub, &request)?;
        caller
            .check_command(CommandName::ManageParked)
            .map_err(|e| to_status(&e.into()))?;
        let records = request.get_ref().gateway.len() + request.get_ref().treasury.len();
        if records > 1_000_000 {
            return Err(Status::invalid_argument(
                "invalid fields `gateway`, `treasury`: at most 1000000 records in all",
            ));
        }
        let reply =
            tokio::task::spawn_blocking(move || super::reconcile::run(request.into_inner()))
                .await
                .map_err(|e| Status::internal(format!("reconciliation failed: {e}")))?;
        Ok(Response::new(reply))
    }
}
