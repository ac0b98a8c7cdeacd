//! Reading PEM files and building a rustls server configuration from them:
//! TLS 1.2 and 1.3 only, the *ring* provider's suites (all ECDHE with AEAD),
//! the key checked against the certificate.

use super::{ClientCertificates, Listener, TlsError, TlsFiles};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use std::path::Path;
use std::sync::Arc;

fn read(key: &'static str, file: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(file).map_err(|e| TlsError::Read {
        key,
        file: file.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Every certificate in a PEM file (a chain: the leaf first), at least one.
pub fn certificates(
    key: &'static str,
    file: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(key, file)?;
    let certificates = rustls_pemfile::certs(&mut bytes.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Unusable {
            key,
            file: file.to_path_buf(),
            reason: format!("malformed PEM: {e}"),
        })?;
    if certificates.is_empty() {
        return Err(TlsError::NotPem {
            key,
            file: file.to_path_buf(),
            what: "no `BEGIN CERTIFICATE` block",
        });
    }
    Ok(certificates)
}

/// The one private key of a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn private_key(key: &'static str, file: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read(key, file)?;
    match rustls_pemfile::private_key(&mut bytes.as_slice()) {
        Ok(Some(private)) => Ok(private),
        Ok(None) => Err(TlsError::NotPem {
            key,
            file: file.to_path_buf(),
            what: "no `BEGIN PRIVATE KEY` (or RSA/EC PRIVATE KEY) block",
        }),
        Err(e) => Err(TlsError::Unusable {
            key,
            file: file.to_path_buf(),
            reason: format!("malformed PEM: {e}"),
        }),
    }
}

/// The provider every TLS configuration of the hub uses: *ring*, with its
/// default suites, which are only strong ones (TLS 1.3 AES-GCM and
/// ChaCha20-Poly1305; TLS 1.2 ECDHE with the same ciphers — no CBC, no RSA
/// key exchange, no SHA-1 MACs).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS 1.2 and 1.3; nothing older.
pub const VERSIONS: &[&rustls::SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

/// A server configuration for `listener` from `files`, every file read now.
pub fn server_config(files: &TlsFiles, listener: Listener) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = certificates("tls.cert_file", &files.cert_file)?;
    let private = private_key("tls.key_file", &files.key_file)?;
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)
        .expect("the ring provider supports TLS 1.2 and 1.3");
    let builder = match &files.client_ca_file {
        Some(ca_file) if listener.for_partners() => {
            let mut roots = RootCertStore::empty();
            for ca in certificates("tls.client_ca_file", ca_file)? {
                roots.add(ca).map_err(|e| TlsError::Unusable {
                    key: "tls.client_ca_file",
                    file: ca_file.clone(),
                    reason: format!("not a usable CA certificate: {e}"),
                })?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider());
            let verifier = match files.client_certificates {
                ClientCertificates::Required => verifier,
                ClientCertificates::Optional => verifier.allow_unauthenticated(),
            };
            let verifier = verifier.build().map_err(|e| TlsError::Unusable {
                key: "tls.client_ca_file",
                file: ca_file.clone(),
                reason: format!("cannot verify clients with it: {e}"),
            })?;
            builder.with_client_cert_verifier(verifier)
        }
        _ => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, private)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::KeyMismatch {
                key: "tls.key_file",
                cert_file: files.cert_file.clone(),
                key_file: files.key_file.clone(),
            },
            other => TlsError::Unusable {
                key: "tls.key_file",
                file: files.key_file.clone(),
                reason: format!("the key cannot be used with the certificate: {other}"),
            },
        })?;
    // gRPC needs HTTP/2 (ALPN h2); the HTTP listeners speak HTTP/1.1.
    config.alpn_protocols = match listener {
        Listener::Grpc => vec![b"h2".to_vec()],
        Listener::Http | Listener::Web | Listener::Admin => vec![b"http/1.1".to_vec()],
    };
    Ok(Arc::new(config))
}

/// A client certificate chain and its PKCS#8 key, checked to belong
/// together: what the hub presents to RabbitMQ on `amqps://`.
#[derive(Clone)]
pub struct ClientIdentity {
    /// DER, the client's certificate first.
    pub chain: Vec<Vec<u8>>,
    /// PKCS#8 DER (the form lapin's connector takes).
    pub pkcs8_key: Vec<u8>,
}

/// Reads and checks a client identity (`cert_key`/`key_key` name the
/// configuration keys in errors).
pub fn client_identity(
    cert_key: &'static str,
    cert_file: &Path,
    key_key: &'static str,
    key_file: &Path,
) -> Result<ClientIdentity, TlsError> {
    let chain = certificates(cert_key, cert_file)?;
    let private = private_key(key_key, key_file)?;
    let PrivateKeyDer::Pkcs8(pkcs8) = &private else {
        return Err(TlsError::Unusable {
            key: key_key,
            file: key_file.to_path_buf(),
            reason: "must be a PKCS#8 key (`BEGIN PRIVATE KEY`); convert it with \
                     `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`"
                .into(),
        });
    };
    let pkcs8_key = pkcs8.secret_pkcs8_der().to_vec();
    // The same check a TLS client makes before its first handshake.
    rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)
        .expect("the ring provider supports TLS 1.2 and 1.3")
        .with_root_certificates(RootCertStore::empty())
        .with_client_auth_cert(chain.clone(), private.clone_key())
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::KeyMismatch {
                key: key_key,
                cert_file: cert_file.to_path_buf(),
                key_file: key_file.to_path_buf(),
            },
            other => TlsError::Unusable {
                key: key_key,
                file: key_file.to_path_buf(),
                reason: format!("the key cannot be used with the certificate: {other}"),
            },
        })?;
    Ok(ClientIdentity {
        chain: chain.iter().map(|c| c.as_ref().to_vec()).collect(),
        pkcs8_key,
    })
}

/// A CA file's text, checked to hold at least one certificate.
pub fn ca_pem(key: &'static str, file: &Path) -> Result<String, TlsError> {
    certificates(key, file)?;
    std::fs::read_to_string(file).map_err(|e| TlsError::Read {
        key,
        file: file.to_path_buf(),
        reason: e.to_string(),
    })
}
