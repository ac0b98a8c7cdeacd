//! `lienthong.v1.AuditService`: a partner's receipts for its own accepted
//! commands, and checkpoints on demand for operators. The work (blocking:
//! it reads the chain and may flush) runs on the blocking pool.

use super::{auth, from_proto, pb, to_proto, to_status};
use crate::audit::Signed;
use crate::domain::{CommandName, UnixMillis};
use crate::hub::{Hub, HubError};
use tonic::{Request, Response, Status};

pub struct AuditService {
    pub hub: Hub,
}

async fn blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> Result<T, HubError> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| {
            to_status(&HubError::TaskFailed {
                what: what.into(),
                reason: e.to_string(),
            })
        })?
        .map_err(|e| to_status(&e))
}

#[tonic::async_trait]
impl pb::audit_service_server::AuditService for AuditService {
    async fn get_receipt(
        &self,
        request: Request<pb::GetReceiptRequest>,
    ) -> Result<Response<pb::Receipt>, Status> {
        let (partner, _admission) = auth::admitted(&self.hub, &request)?;
        let asked = request.into_inner();
        let accepted_at = from_proto::opt_timestamp("accepted_at", &asked.accepted_at)
            .map_err(|e| to_status(&e.into()))?;
        let key = asked.idempotency_key;
        let audit = self.hub.audit().clone();
        let receipt = blocking("a receipt", move || {
            audit.receipt(&partner.id, &key, accepted_at)
        })
        .await?;
        Ok(Response::new(pb::Receipt {
            entry: receipt.entry.clone(),
            merkle_path: receipt.merkle_path.iter().map(|h| h.to_vec()).collect(),
            checkpoint: receipt.checkpoint.checkpoint.encode(),
            signature: receipt.checkpoint.signature.clone(),
            document: receipt.to_document(),
        }))
    }

    async fn make_checkpoint(
        &self,
        request: Request<pb::MakeCheckpointRequest>,
    ) -> Result<Response<pb::CheckpointReply>, Status> {
        let caller = auth::partner(&self.hub, &request)?;
        caller
            .check_command(CommandName::ManageParked)
            .map_err(|e| to_status(&e.into()))?;
        let hub = self.hub.clone();
        let public_key = hub
            .audit()
            .public_key()
            .map(|k| k.to_hex())
            .unwrap_or_default();
        // The request is an operator's action: recorded first, so the
        // checkpoint it asks for covers it.
        let signed = blocking("a checkpoint", move || {
            hub.record_operator_action(&caller.id, "make_checkpoint", Ok(0), String::new())?;
            hub.audit().checkpoint()
        })
        .await?;
        Ok(Response::new(match signed {
            None => pb::CheckpointReply {
                public_key,
                ..Default::default()
            },
            Some(Signed {
                checkpoint,
                signature,
            }) => pb::CheckpointReply {
                number: checkpoint.number,
                entries: checkpoint.size,
                head: checkpoint.head.to_vec(),
                merkle_root: checkpoint.merkle_root.to_vec(),
                signed_at: Some(to_proto::timestamp(UnixMillis(checkpoint.at_millis))),
                checkpoint: checkpoint.encode(),
                signature,
                public_key,
            },
        }))
    }
}
