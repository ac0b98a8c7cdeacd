//! Accepting TLS connections: one task accepts TCP connections and hands
//! each to its own handshake (bounded in time, so a silent client holds
//! nothing but its own task); finished handshakes go, with what the client's
//! certificate says, into a bounded channel the server reads. A failed
//! handshake (no certificate, one from another CA, an expired one, TLS 1.1)
//! is logged at debug and never reaches the server.

use super::{peer, Listener, ServerTls};
use crate::partners::ClientCertificate;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// How long a client has to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections handshaken and not yet taken by the server.
const READY_CONNECTIONS: usize = 64;

pub type TlsStream = tokio_rustls::server::TlsStream<TcpStream>;

/// An accepted TLS connection and who is at the other end.
pub struct Connection {
    pub stream: TlsStream,
    pub remote_addr: SocketAddr,
    /// The verified client certificate, if the client presented one.
    pub client_certificate: Option<Arc<ClientCertificate>>,
}

/// Accepts on `listener` and handshakes with the configuration `tls` has
/// for `which` at the moment each connection arrives, until the receiver is
/// dropped.
pub fn incoming(
    listener: TcpListener,
    tls: ServerTls,
    which: Listener,
) -> mpsc::Receiver<Connection> {
    let (ready, receiver) = mpsc::channel(READY_CONNECTIONS);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = ready.closed() => return,
            };
            let (tcp, remote_addr) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors and the like: wait, do not spin.
                    tracing::warn!(listener = which.name(), error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            // Without TCP_NODELAY, small replies wait for delayed ACKs.
            let _ = tcp.set_nodelay(true);
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.config(which));
            let ready = ready.clone();
            tokio::spawn(async move {
                let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp))
                    .await
                {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(e)) => {
                        tracing::debug!(listener = which.name(), peer = %remote_addr, error = %e, "TLS handshake refused");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(listener = which.name(), peer = %remote_addr, "TLS handshake timed out");
                        return;
                    }
                };
                let client_certificate = stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .map(|leaf| Arc::new(peer::identity(leaf.as_ref())));
                let _ = ready
                    .send(Connection {
                        stream,
                        remote_addr,
                        client_certificate,
                    })
                    .await;
            });
        }
    });
    receiver
}
