//! Counting HTTP requests by route template and status class: a route layer
//! each HTTP listener's router gets (web pages, partners' callbacks). The
//! route is the template the router matched (`MatchedPath`), so the label's
//! values are as many as the routes, whatever paths clients send.

use super::Metrics;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::Router;

/// `router` with every matched request counted under `listener`.
pub fn counted<S>(router: Router<S>, metrics: Metrics, listener: &'static str) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.route_layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let metrics = metrics.clone();
            async move {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|path| path.as_str().to_string())
                    .unwrap_or_else(|| "unmatched".to_string());
                let response = next.run(request).await;
                metrics.http_request(listener, &route, response.status().as_u16());
                response
            }
        },
    ))
}
