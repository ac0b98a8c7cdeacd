//! `amqps://` with a client certificate. lapin (through amq-protocol's
//! rustls connector, on *ring*) takes the CA to trust as PEM text and the
//! hub's identity as PKCS#12 bytes; the operator gives PEM files (`[amqp]
//! ca_file`, `client_cert_file`, `client_key_file`), so the PKCS#12 is made
//! here, in memory, under a one-time password. The files are read at every
//! connection attempt: a renewed certificate is used from the next
//! (re)connection on, without a restart.

use crate::tls::{ca_pem, client_identity, TlsError};
use lapin::tcp::{OwnedIdentity, OwnedTLSConfig};
use std::path::PathBuf;

/// The TLS files of `[amqp]`; all `None`: lapin's defaults (the system's
/// roots for `amqps://`, no client certificate).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AmqpTls {
    pub ca_file: Option<PathBuf>,
    pub client_cert_file: Option<PathBuf>,
    pub client_key_file: Option<PathBuf>,
}

impl AmqpTls {
    /// Reads and checks the files (configuration load; every connection).
    pub fn check(&self) -> Result<(), TlsError> {
        self.lapin_config().map(|_| ())
    }

    /// What lapin connects with.
    pub(super) fn lapin_config(&self) -> Result<OwnedTLSConfig, TlsError> {
        let cert_chain = self
            .ca_file
            .as_ref()
            .map(|file| ca_pem("amqp.ca_file", file))
            .transpose()?;
        let identity = match (&self.client_cert_file, &self.client_key_file) {
            (Some(cert_file), Some(key_file)) => {
                let identity = client_identity(
                    "amqp.client_cert_file",
                    cert_file,
                    "amqp.client_key_file",
                    key_file,
                )?;
                Some(pkcs12(identity, key_file)?)
            }
            _ => None,
        };
        Ok(OwnedTLSConfig {
            identity,
            cert_chain,
        })
    }
}

fn pkcs12(
    identity: crate::tls::ClientIdentity,
    key_file: &std::path::Path,
) -> Result<OwnedIdentity, TlsError> {
    let unusable = |reason: String| TlsError::Unusable {
        key: "amqp.client_cert_file",
        file: key_file.to_path_buf(),
        reason,
    };
    let chain = identity
        .chain
        .iter()
        .map(|der| p12_keystore::Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unusable(format!("a certificate x509-parser cannot read: {e}")))?;
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "lienthong",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            identity.pkcs8_key,
            b"lienthong",
            chain,
        )),
    );
    // The bytes never leave the process: the password only satisfies the
    // format.
    let password = uuid::Uuid::new_v4().to_string();
    let der = store
        .writer(&password)
        .write()
        .map_err(|e| unusable(format!("cannot be packed for the broker connection: {e}")))?;
    Ok(OwnedIdentity { der, password })
}
