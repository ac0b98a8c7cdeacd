//! `lienthong.v1.AdminService`: parked messages, for operators.

use super::{auth, pb, to_proto, to_status};
use crate::domain::CommandName;
use crate::hub::{DeadLetters, Hub, HubError};
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub struct AdminService {
    pub hub: Hub,
    /// Absent when the hub runs without a broker.
    pub dead_letters: Option<Arc<dyn DeadLetters>>,
}

impl AdminService {
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
}
