//! Builds the gRPC server: the three services, health, reflection, message
//! size limits, and a graceful stop.

use super::tls_incoming::TlsConnection;
use super::{
    admin_service::AdminService, audit_service::AuditService, catalog_service::CatalogService,
    dossier_service::DossierService, event_service::EventService, pb,
};
use crate::hub::{Hub, StorageCondition};
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;

/// The services health reports on, all turned serving or not at once.
const HEALTH_CHECKED: [&str; 3] = [
    <pb::dossier_service_server::DossierServiceServer<DossierService> as NamedService>::NAME,
    <pb::event_service_server::EventServiceServer<EventService> as NamedService>::NAME,
    <pb::catalog_service_server::CatalogServiceServer<CatalogService> as NamedService>::NAME,
];

async fn report(health: &mut HealthReporter, status: ServingStatus) {
    for service in HEALTH_CHECKED {
        health.set_service_status(service, status).await;
    }
}

fn serving(storage: &StorageCondition) -> ServingStatus {
    match storage {
        StorageCondition::Writable => ServingStatus::Serving,
        StorageCondition::RefusingWrites { .. } => ServingStatus::NotServing,
    }
}

#[derive(Clone, Debug)]
pub struct ServeSettings {
    pub max_message_bytes: usize,
    /// Commands one `ExecuteStream` may have read and not yet answered.
    pub stream_window_commands: usize,
    /// TLS (mutual, when a client CA is set); `None`: plaintext, only when
    /// the configuration names the listener in `tls.plaintext_listeners`.
    pub tls: Option<crate::tls::ServerTls>,
}

/// Serves until `shutdown` completes, then stops accepting calls and waits
/// for the ones in flight. Streams end when the hub stops feeding them.
pub async fn serve(
    hub: Hub,
    dead_letters: Option<std::sync::Arc<dyn crate::hub::DeadLetters>>,
    deliveries: std::sync::Arc<dyn crate::hub::AdapterDeliveries>,
    listener: TcpListener,
    settings: ServeSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let limit = settings.max_message_bytes;
    let (mut health, health_service) = tonic_health::server::health_reporter();
    // Reflection in both protocol versions: `grpc.reflection.v1` (grpcurl,
    // Postman, current Java and Go clients) and `grpc.reflection.v1alpha`,
    // the only one the client shipped with Python's grpcio-reflection (and
    // older tools) speaks. Same descriptors behind both.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection()
        .build_v1()
        .expect("the compiled descriptor set is valid")
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .expect("the compiled descriptor set is valid")
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);
    // One message size limit for every service the listener serves
    // (`hub.max_message_bytes`), health and reflection included.
    let health_service = health_service
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);

    let dossiers = pb::dossier_service_server::DossierServiceServer::new(DossierService {
        hub: hub.clone(),
        stream_window: settings.stream_window_commands,
    })
    .max_decoding_message_size(limit)
    .max_encoding_message_size(limit);
    let events =
        pb::event_service_server::EventServiceServer::new(EventService { hub: hub.clone() })
            .max_decoding_message_size(limit)
            .max_encoding_message_size(limit);
    let admin = pb::admin_service_server::AdminServiceServer::new(AdminService {
        hub: hub.clone(),
        dead_letters,
        deliveries,
    })
    .max_decoding_message_size(limit)
    .max_encoding_message_size(limit);
    let audit =
        pb::audit_service_server::AuditServiceServer::new(AuditService { hub: hub.clone() })
            .max_decoding_message_size(limit)
            .max_encoding_message_size(limit);
    let mut storage = hub.storage_condition();
    let catalogs = pb::catalog_service_server::CatalogServiceServer::new(CatalogService { hub })
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);

    // Health turns NOT_SERVING as soon as the stop begins, so that load
    // balancers and probes stop sending new work while calls drain; and
    // while the store refuses writes (a full disk), until it has recovered
    // (the store logs why, at the start and at the end of the fault).
    let status = serving(&storage.borrow_and_update());
    report(&mut health, status).await;
    let stopping = async move {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                changed = storage.changed() => {
                    if changed.is_err() {
                        (&mut shutdown).await;
                        break;
                    }
                    let status = serving(&storage.borrow_and_update());
                    report(&mut health, status).await;
                }
            }
        }
        report(&mut health, ServingStatus::NotServing).await;
    };
    let router = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(dossiers)
        .add_service(events)
        .add_service(catalogs)
        .add_service(admin)
        .add_service(audit);
    match settings.tls {
        Some(tls) => {
            let connections = crate::tls::incoming(listener, tls, crate::tls::Listener::Grpc);
            let incoming = tokio_stream::wrappers::ReceiverStream::new(connections)
                .map(|c| Ok::<_, std::io::Error>(TlsConnection::from(c)));
            router
                .serve_with_incoming_shutdown(incoming, stopping)
                .await
        }
        None => {
            // Without TCP_NODELAY, small replies wait for delayed ACKs (~40 ms each).
            let incoming =
                TcpIncoming::from_listener(listener, true, Some(Duration::from_secs(60)))
                    .expect("a bound listener can be served");
            router
                .serve_with_incoming_shutdown(incoming, stopping)
                .await
        }
    }
}
