//! Reads the partner's bearer token from the request metadata.

use crate::hub::Hub;
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
    hub.authenticate(token).map_err(|e| super::to_status(&e))
}
