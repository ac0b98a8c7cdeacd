//! `lienthong.v1.CatalogService`: shared catalogues, versioned.

use super::{auth, from_proto, pb, to_proto, to_status};
use crate::hub::Hub;
use tonic::{Request, Response, Status};

pub struct CatalogService {
    pub hub: Hub,
}

#[tonic::async_trait]
impl pb::catalog_service_server::CatalogService for CatalogService {
    async fn publish_catalog(
        &self,
        request: Request<pb::PublishCatalogRequest>,
    ) -> Result<Response<pb::PublishCatalogReply>, Status> {
        let (partner, _admission) = auth::admitted(&self.hub, &request)?;
        let publication = from_proto::publication(request.into_inner());
        let outcome = self
            .hub
            .publish_catalog(&partner, publication)
            .await
            .map_err(|e| to_status(&e))?;
        tracing::info!(partner = %partner.id, kind = %outcome.kind, version = outcome.version, added = outcome.added, changed = outcome.changed, removed = outcome.removed, "catalogue published");
        Ok(Response::new(to_proto::publication_reply(&outcome)))
    }

    async fn get_catalog(
        &self,
        request: Request<pb::GetCatalogRequest>,
    ) -> Result<Response<pb::GetCatalogReply>, Status> {
        let (_, _admission) = auth::admitted(&self.hub, &request)?;
        let kind = request.into_inner().kind;
        let (version, entries) = self.hub.catalog(&kind).map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::GetCatalogReply {
            kind,
            version,
            entries: entries.iter().map(to_proto::catalog_entry).collect(),
        }))
    }

    async fn get_catalog_changes(
        &self,
        request: Request<pb::GetCatalogChangesRequest>,
    ) -> Result<Response<pb::GetCatalogChangesReply>, Status> {
        let (_, _admission) = auth::admitted(&self.hub, &request)?;
        let req = request.into_inner();
        let (version, changes) = self
            .hub
            .catalog_changes(&req.kind, req.since_version)
            .map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::GetCatalogChangesReply {
            kind: req.kind,
            version,
            changes: changes.iter().map(to_proto::catalog_change).collect(),
        }))
    }
}
