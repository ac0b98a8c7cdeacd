//! `lienthong.v1.EventService`: the subscription stream and acknowledgements.

use super::{auth, pb, to_proto, to_status};
use crate::hub::Hub;
use std::pin::Pin;
use tokio_stream::{wrappers::ReceiverStream, Stream, StreamExt};
use tonic::{Request, Response, Status};

pub struct EventService {
    pub hub: Hub,
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::Event, Status>> + Send>>;

#[tonic::async_trait]
impl pb::event_service_server::EventService for EventService {
    type SubscribeStream = EventStream;

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<EventStream>, Status> {
        // Opening the stream counts against the partner's limits; the open
        // stream does not hold a concurrency slot (it would hold it for good).
        let (partner, _admission) = auth::admitted(&self.hub, &request)?;
        let feed = self
            .hub
            .subscribe(&partner, request.get_ref().after_seq)
            .map_err(|e| to_status(&e))?;
        tracing::info!(partner = %partner.id, after_seq = ?request.get_ref().after_seq, "subscriber connected");
        let stream = ReceiverStream::new(feed).map(|item| match item {
            Ok(event) => Ok(to_proto::event(event)),
            Err(e) => Err(to_status(&e)),
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn ack(
        &self,
        request: Request<pb::AckRequest>,
    ) -> Result<Response<pb::AckReply>, Status> {
        let (partner, _admission) = auth::admitted(&self.hub, &request)?;
        let cursor = self
            .hub
            .ack(&partner, request.get_ref().seq)
            .map_err(|e| to_status(&e))?;
        Ok(Response::new(pb::AckReply { cursor }))
    }
}
