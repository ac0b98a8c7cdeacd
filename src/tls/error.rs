//! What can be wrong with a TLS file, naming the configuration key and the
//! file, so that an operator knows which one to fix.

use std::path::PathBuf;

#[derive(Debug, Clone, thiserror::Error)]
pub enum TlsError {
    #[error("{}: cannot read: {reason}", .file.display())]
    Read {
        key: &'static str,
        file: PathBuf,
        reason: String,
    },
    #[error("{}: not PEM: {what}", .file.display())]
    NotPem {
        key: &'static str,
        file: PathBuf,
        what: &'static str,
    },
    #[error("{}: {reason}", .file.display())]
    Unusable {
        key: &'static str,
        file: PathBuf,
        reason: String,
    },
    #[error("{}: the private key does not match the certificate in {}", .key_file.display(), .cert_file.display())]
    KeyMismatch {
        key: &'static str,
        cert_file: PathBuf,
        key_file: PathBuf,
    },
}

impl TlsError {
    /// The configuration key of the file at fault (`tls.key_file`).
    pub fn key(&self) -> &'static str {
        match self {
            TlsError::Read { key, .. }
            | TlsError::NotPem { key, .. }
            | TlsError::Unusable { key, .. }
            | TlsError::KeyMismatch { key, .. } => key,
        }
    }
}
