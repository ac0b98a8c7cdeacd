//! The demo's gRPC client of the hub: one partner's token on every call,
//! commands retried while the hub says "unavailable", and every refusal
//! turned into a `DemoError` that names what was being done.

use super::DemoError;
use lienthong::grpc::pb::{
    self, admin_service_client::AdminServiceClient, catalog_service_client::CatalogServiceClient,
    dossier_service_client::DossierServiceClient, event_service_client::EventServiceClient,
};
use std::time::Duration;
use tonic::transport::Channel;
use tonic::Request;

#[derive(Clone)]
pub struct Client {
    token: String,
    channel: Channel,
}

impl Client {
    pub async fn connect(addr: std::net::SocketAddr, token: &str) -> Result<Client, DemoError> {
        let failed = |reason: String| DemoError::Connect {
            addr: addr.to_string(),
            reason,
        };
        let channel = Channel::from_shared(format!("http://{addr}"))
            .map_err(|e| failed(e.to_string()))?
            .connect()
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(Client {
            token: token.to_string(),
            channel,
        })
    }

    fn req<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        if let Ok(value) = format!("Bearer {}", self.token).parse() {
            request.metadata_mut().insert("authorization", value);
        }
        request
    }

    /// Executes a command; retried a few times while the hub is unavailable.
    pub async fn exec(
        &self,
        what: &str,
        command: pb::CommandRequest,
    ) -> Result<pb::CommandReply, DemoError> {
        let mut dossiers = DossierServiceClient::new(self.channel.clone());
        let mut attempt = 0;
        loop {
            attempt += 1;
            match dossiers.execute(self.req(command.clone())).await {
                Ok(reply) => return Ok(reply.into_inner()),
                Err(s) if s.code() == tonic::Code::Unavailable && attempt < 5 => {
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                }
                Err(s) => return Err(refused(what, &s)),
            }
        }
    }

    /// A dossier with its history; None when the hub does not know it.
    pub async fn dossier(
        &self,
        reference: pb::DossierRef,
    ) -> Result<Option<pb::GetDossierReply>, DemoError> {
        let mut dossiers =
            DossierServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20);
        let request = self.req(pb::GetDossierRequest {
            dossier: Some(reference),
        });
        match dossiers.get_dossier(request).await {
            Ok(reply) => Ok(Some(reply.into_inner())),
            Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
            Err(s) => Err(refused("reading a dossier", &s)),
        }
    }

    /// Publishes `entries` as the whole catalogue `kind`.
    pub async fn publish_catalog(
        &self,
        key: &str,
        kind: &str,
        entries: Vec<pb::CatalogEntry>,
    ) -> Result<u64, DemoError> {
        let mut catalogs = CatalogServiceClient::new(self.channel.clone());
        let request = self.req(pb::PublishCatalogRequest {
            idempotency_key: key.into(),
            kind: kind.into(),
            entries,
            expected_version: None,
        });
        match catalogs.publish_catalog(request).await {
            Ok(reply) => Ok(reply.into_inner().version),
            Err(s) => Err(refused(&format!("publishing the {kind} catalogue"), &s)),
        }
    }

    /// This partner's events after `seq`, as a stream.
    pub async fn subscribe_from(&self, seq: u64) -> Result<tonic::Streaming<pb::Event>, DemoError> {
        let mut events =
            EventServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20);
        Ok(events
            .subscribe(self.req(pb::SubscribeRequest {
                after_seq: Some(seq),
            }))
            .await
            .map_err(|s| refused("Subscribe", &s))?
            .into_inner())
    }

    pub async fn catalog_version(&self, kind: &str) -> Result<u64, DemoError> {
        let mut catalogs =
            CatalogServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20);
        let request = self.req(pb::GetCatalogRequest { kind: kind.into() });
        match catalogs.get_catalog(request).await {
            Ok(reply) => Ok(reply.into_inner().version),
            Err(s) if s.code() == tonic::Code::NotFound => Ok(0),
            Err(s) => Err(refused("reading a catalogue", &s)),
        }
    }

    /// `AdminService.GetDeliveryStatus` of `partner` (and of `dossier`);
    /// `what` names the call in errors.
    async fn get_delivery_status(
        &self,
        partner: &str,
        dossier: Option<pb::DossierRef>,
        what: &str,
    ) -> Result<pb::GetDeliveryStatusReply, DemoError> {
        let request = self.req(pb::GetDeliveryStatusRequest {
            partner_id: partner.into(),
            dossier,
        });
        Ok(AdminServiceClient::new(self.channel.clone())
            .get_delivery_status(request)
            .await
            .map_err(|s| refused(what, &s))?
            .into_inner())
    }

    pub async fn delivery_status(&self, partner: &str) -> Result<pb::DeliveryStatus, DemoError> {
        let what = format!("GetDeliveryStatus of {partner}");
        self.get_delivery_status(partner, None, &what)
            .await?
            .status
            .ok_or_else(|| DemoError::Call {
                what,
                code: "OK".into(),
                message: "an answer without a status".into(),
            })
    }

    /// Whether a partner has accepted a dossier's latest change, and how fast.
    pub async fn dossier_sync(
        &self,
        partner: &str,
        dossier: pb::DossierRef,
    ) -> Result<Option<pb::DossierSync>, DemoError> {
        let what = format!("GetDeliveryStatus of {partner} for a dossier");
        Ok(self
            .get_delivery_status(partner, Some(dossier), &what)
            .await?
            .dossier)
    }

    pub async fn parked(&self, partner: &str) -> Result<Vec<pb::ParkedDelivery>, DemoError> {
        let mut admin = AdminServiceClient::new(self.channel.clone());
        let request = self.req(pb::ListParkedDeliveriesRequest {
            partner_id: partner.into(),
            limit: 1000,
        });
        Ok(admin
            .list_parked_deliveries(request)
            .await
            .map_err(|s| refused(&format!("ListParkedDeliveries of {partner}"), &s))?
            .into_inner()
            .deliveries)
    }

    pub async fn redrive(&self, partner: &str) -> Result<u32, DemoError> {
        let mut admin = AdminServiceClient::new(self.channel.clone());
        let request = self.req(pb::RedriveParkedDeliveriesRequest {
            partner_id: partner.into(),
            seqs: Vec::new(),
            all: true,
        });
        Ok(admin
            .redrive_parked_deliveries(request)
            .await
            .map_err(|s| refused(&format!("RedriveParkedDeliveries of {partner}"), &s))?
            .into_inner()
            .redriven)
    }

    pub async fn reconcile(
        &self,
        request: pb::ReconcileRequest,
    ) -> Result<pb::ReconcileReply, DemoError> {
        let mut admin =
            AdminServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20);
        Ok(admin
            .reconcile(self.req(request))
            .await
            .map_err(|s| refused("Reconcile", &s))?
            .into_inner())
    }

    /// Every event this partner's subscription matches, from the start of
    /// its durable cursor up to and including `up_to`.
    pub async fn events_up_to(&self, up_to: u64) -> Result<Vec<pb::Event>, DemoError> {
        let mut events =
            EventServiceClient::new(self.channel.clone()).max_decoding_message_size(64 << 20);
        let mut stream = events
            .subscribe(self.req(pb::SubscribeRequest { after_seq: None }))
            .await
            .map_err(|s| refused("Subscribe", &s))?
            .into_inner();
        let mut read = Vec::new();
        let mut last = 0;
        while last < up_to {
            let next = tokio::time::timeout(Duration::from_secs(10), stream.message()).await;
            match next {
                Ok(Ok(Some(event))) => {
                    last = event.seq;
                    read.push(event);
                }
                Ok(Ok(None)) => break,
                Ok(Err(s)) => return Err(refused("reading the event stream", &s)),
                Err(_) => {
                    return Err(DemoError::Timeout {
                        what: format!("the event stream stopped at seq {last}, before {up_to}"),
                        seconds: 10,
                    })
                }
            }
        }
        Ok(read)
    }
}

fn refused(what: &str, status: &tonic::Status) -> DemoError {
    DemoError::Call {
        what: what.to_string(),
        code: format!("{:?}", status.code()),
        message: status.message().to_string(),
    }
}
