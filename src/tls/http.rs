//! An axum router served over TLS (axum 0.7's own `serve` takes plain TCP
//! only): each handshaken connection gets its own HTTP/1.1 connection, with
//! the `Peer` in every request's extensions. On shutdown no new connection
//! is taken, open ones finish their request in flight and close, and
//! `serve` returns once they all have.

use super::{incoming, Listener, Peer, ServerTls};
use hyper_util::rt::TokioIo;
use std::future::Future;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower_service::Service;

pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    tls: ServerTls,
    which: Listener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut connections = incoming(listener, tls, which);
    let (stopping_tx, stopping) = watch::channel(false);
    let mut open = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let connection = tokio::select! {
            _ = &mut shutdown => break,
            connection = connections.recv() => connection,
            // Reap finished connections as they end.
            Some(_) = open.join_next(), if !open.is_empty() => continue,
        };
        let Some(connection) = connection else { break };
        let peer = Peer {
            remote_addr: connection.remote_addr,
            client_certificate: connection.client_certificate,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(peer.clone());
                let mut router = router.clone();
                async move { router.call(request).await }
            },
        );
        let mut stopping = stopping.clone();
        open.spawn(async move {
            let stop = async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            };
            let served = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(connection.stream), service);
            tokio::pin!(served);
            tokio::select! {
                result = &mut served => { let _ = result; }
                _ = stop => {
                    served.as_mut().graceful_shutdown();
                    let _ = served.await;
                }
            }
        });
    }
    drop(connections);
    let _ = stopping_tx.send(true);
    while open.join_next().await.is_some() {}
    Ok(())
}
