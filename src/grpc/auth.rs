//! Reads the partner's bearer token from the request metadata and the client
//! certificate of its TLS connection (the `Peer` the listener put into the
//! request), and admits the call under that partner's limits (`[limits]`).

use crate::hub::Hub;
use crate::limits::Admission;
use crate::partners::Partner;
use std::sync::Arc;
use tonic::{Request, Status};

pub fn partner<T>(hub: &Hub, request: &Request<T>) -> Result<Arc<Partner>, Status> {
    let token = request
        .metadata()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim);
    let certificate = request
        .extensions()
        .get::<crate::tls::Peer>()
        .and_then(|peer| peer.client_certificate.as_deref());
    hub.authenticate_peer(token, certificate)
        .map_err(|e| super::to_status(&e))
}

/// The authenticated partner, and its call admitted under its limits
/// (RESOURCE_EXHAUSTED when over one): keep the admission until the call
/// is answered, so that it counts as in progress until then.
pub fn admitted<T>(hub: &Hub, request: &Request<T>) -> Result<(Arc<Partner>, Admission), Status> {
    let partner = partner(hub, request)?;
    let admission = hub.admit(&partner).map_err(|e| super::to_status(&e))?;
    Ok((partner, admission))
}
