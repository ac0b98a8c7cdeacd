//! `lienthong.v1.DossierService`: commands and dossier reads.

use super::{auth, from_proto, pb, to_proto, to_status};
use crate::hub::{Hub, ListFilter};
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

pub struct DossierService {
    pub hub: Hub,
    /// Commands one `ExecuteStream` may have read and not yet answered.
    pub stream_window: usize,
}

/// The dossier a command names, or `new` for a submission, as the log
/// shows it.
struct DossierLabel<'a>(Option<&'a crate::domain::DossierRef>);

impl std::fmt::Display for DossierLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(reference) => std::fmt::Display::fmt(reference, f),
            None => f.write_str("new"),
        }
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[tonic::async_trait]
impl pb::dossier_service_server::DossierService for DossierService {
    type ExecuteStreamStream = super::command_stream::ReplyStream;

    async fn execute(
        &self,
        request: Request<pb::CommandRequest>,
    ) -> Result<Response<pb::CommandReply>, Status> {
        let (partner, _admission) = auth::admitted(&self.hub, &request)?;
        let envelope = from_proto::command_request(request.into_inner()).map_err(|e| {
            let e = e.into();
            self.hub.record_refusal(&partner, "command", &e);
            to_status(&e)
        })?;
        // Formatted only when the span is recorded (not per call).
        let dossier = DossierLabel(envelope.action.dossier());
        let span = tracing::info_span!("command", partner = %partner.id, command = envelope.name().as_str(), dossier = %dossier);
        async {
            match self.hub.execute(&partner, envelope).await {
                Ok(outcome) => {
                    tracing::info!(ma_ho_so = %outcome.dossier.ma_ho_so, version = outcome.dossier.version, seq = outcome.event_seq, replayed = outcome.replayed, "accepted");
                    Ok(Response::new(to_proto::command_reply(outcome)))
                }
                Err(e) => {
                    tracing::info!(error = %e, "refused");
                    Err(to_status(&e))
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Authenticated and admitted once, as one request that stays in
    /// progress until the stream ends; each command then takes the
    /// partner's rate (`command_stream`).
    async fn execute_stream(
        &self,
        request: Request<Streaming<pb::CommandRequest>>,
    ) -> Result<Response<Self::ExecuteStreamStream>, Status> {
        let (partner, admission) = auth::admitted(&self.hub, &request)?;
        Ok(Response::new(super::command_stream::start(
            self.hub.clone(),
            partner,
            admission,
            request.into_inner(),
            self.stream_window,
        )))
    }

    async fn get_dossier(
        &self,
        request: Request<pb::GetDossierRequest>,
    ) -> Result<Response<pb::GetDossierReply>, Status> {
        let (partner, _admission) = auth::admitted(&self.hub, &request)?;
        let reference = from_proto::required_dossier_ref("dossier", &request.get_ref().dossier)
            .map_err(|e| to_status(&e.into()))?;
        let (dossier, history) = self
            .hub
            .get_dossier(&partner, &reference)
            .map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::GetDossierReply {
            dossier: Some(to_proto::dossier(dossier)),
            history: history.into_iter().map(to_proto::history_entry).collect(),
        }))
    }

    async fn list_dossiers(
        &self,
        request: Request<pb::ListDossiersRequest>,
    ) -> Result<Response<pb::ListDossiersReply>, Status> {
        let (partner, _admission) = auth::admitted(&self.hub, &request)?;
        let req = request.into_inner();
        let status = from_proto::status("status", req.status).map_err(|e| to_status(&e.into()))?;
        let updated_since = from_proto::opt_timestamp("updated_since", &req.updated_since)
            .map_err(|e| to_status(&e.into()))?;
        let filter = ListFilter {
            agency_code: non_empty(req.agency_code),
            procedure_code: non_empty(req.procedure_code),
            status,
            updated_since,
        };
        let (dossiers, next_page_token) = self
            .hub
            .list_dossiers(&partner, &filter, req.page_size as usize, &req.page_token)
            .map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::ListDossiersReply {
            dossiers: dossiers.into_iter().map(to_proto::dossier).collect(),
            next_page_token,
        }))
    }
}
