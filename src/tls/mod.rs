//! TLS on the hub's own listeners — the only module that knows rustls.
//!
//! Every listener (gRPC, the partners' HTTP callbacks, the web pages) is
//! served over TLS 1.2 or 1.3 with the strong suites of rustls's *ring*
//! provider only (ECDHE key exchange, AEAD ciphers), unless the
//! configuration names it in `tls.plaintext_listeners`. The gRPC and
//! callback listeners ask partners for a client certificate verified against
//! `tls.client_ca_file` (mutual TLS); the web listener serves citizens and
//! officers, who have none, and the admin listener operators' scrapers and
//! probes (the kubelet presents none either). What a verified client certificate says reaches
//! the rest of the hub as plain data (`partners::ClientCertificate`), never
//! as a rustls type. Certificates, keys and the client CA are read again
//! when their files change (`reload`): new handshakes use the new files,
//! and a bad new file keeps the old configuration in force.

mod accept;
mod error;
mod files;
pub mod http;
mod peer;
mod reload;

pub use accept::{incoming, Connection, TlsStream};
pub use error::TlsError;
pub use files::{ca_pem, certificates, client_identity, private_key, ClientIdentity};
pub use reload::ServerTls;

use std::path::PathBuf;
use std::time::Duration;

/// The hub's listeners: the two that partners call ask for a client
/// certificate (when a client CA is set), the web listener does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Listener {
    /// `[hub] listen`: gRPC, HTTP/2.
    Grpc,
    /// `[hub] http_listen`: the partners' HTTP callbacks, HTTP/1.1.
    Http,
    /// `[web] listen`: the pages of citizens and officers, HTTP/1.1.
    Web,
    /// `[admin] listen`: metrics and probes for operators, HTTP/1.1.
    Admin,
}

impl Listener {
    pub const ALL: [Listener; 4] = [
        Listener::Grpc,
        Listener::Http,
        Listener::Web,
        Listener::Admin,
    ];

    /// Its name in `tls.plaintext_listeners` and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Listener::Grpc => "grpc",
            Listener::Http => "http",
            Listener::Web => "web",
            Listener::Admin => "admin",
        }
    }

    pub fn parse(name: &str) -> Option<Listener> {
        Listener::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Whether partners call it (and so may be asked for a certificate).
    pub fn for_partners(self) -> bool {
        matches!(self, Listener::Grpc | Listener::Http)
    }
}

/// Whether partners must present a client certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientCertificates {
    /// No certificate, no connection.
    Required,
    /// A partner without one still connects (and authenticates by token);
    /// one that presents a certificate must present a valid one.
    Optional,
}

/// The files a TLS listener is built from, and how often they are read
/// again. Checked at configuration load (`ServerTls::load`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// The CA that signs partners' client certificates; `None`: no client
    /// certificate is asked for.
    pub client_ca_file: Option<PathBuf>,
    pub client_certificates: ClientCertificates,
    pub reload_interval: Duration,
}

/// Who is at the other end of a TLS connection: put into every request's
/// extensions by the listeners (gRPC through tonic's `Connected`, HTTP by
/// `http::serve`), plain data for the handlers.
#[derive(Clone, Debug)]
pub struct Peer {
    pub remote_addr: std::net::SocketAddr,
    /// The verified client certificate, if the client presented one.
    pub client_certificate: Option<std::sync::Arc<crate::partners::ClientCertificate>>,
}
