//! `[tls]`: the certificate the listeners present, the CA of partners'
//! client certificates, how often the files are read again, and which
//! listeners are served in plaintext — only those named, on purpose. The
//! files are read and checked at load (missing, unreadable, not PEM, a key
//! that does not match its certificate), each problem naming its key.

use super::{ConfigError, HubConfig};
use crate::tls::{ClientCertificates, Listener, ServerTls, TlsFiles};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// The listeners' certificate chain (PEM, the leaf first).
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    /// Its private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// The CA (PEM) that signs partners' client certificates: mutual TLS on
    /// the gRPC and HTTP callback listeners. Absent: no client certificate
    /// is asked for.
    #[serde(default)]
    pub client_ca_file: Option<PathBuf>,
    /// `required` (the default): no certificate, no connection; `optional`:
    /// a partner without one still connects and authenticates by token.
    #[serde(default)]
    pub client_certificates: Option<String>,
    /// How often the files are read again (a change applies to new
    /// connections). Default 30.
    #[serde(default)]
    pub reload_interval_seconds: Option<u64>,
    /// Listeners served without TLS, on purpose: `grpc`, `http`, `web`, `admin`.
    /// Development only; `serve` warns for each.
    #[serde(default)]
    pub plaintext_listeners: Vec<String>,
}

/// `[tls]` as the hub uses it.
#[derive(Clone, Debug, Default)]
pub struct TlsSettings {
    /// The files, when any listener is served over TLS.
    pub files: Option<TlsFiles>,
    pub plaintext: Vec<Listener>,
}

impl TlsSettings {
    /// Whether `listener` is served over TLS.
    pub fn secured(&self, listener: Listener) -> bool {
        !self.plaintext.contains(&listener)
    }
}

const DEFAULT_RELOAD_SECONDS: u64 = 30;

pub(super) fn check(file: &str, config: &HubConfig) -> Result<TlsSettings, ConfigError> {
    let Some(tls) = &config.tls else {
        return Err(ConfigError::invalid(
            file,
            "tls",
            "missing: give `[tls] cert_file` and `key_file` (and `client_ca_file` for mutual TLS), \
             or name the listeners served without TLS in `[tls] plaintext_listeners` \
             (development only)",
        ));
    };
    let mut plaintext = Vec::new();
    for (i, name) in tls.plaintext_listeners.iter().enumerate() {
        let listener = Listener::parse(name).ok_or_else(|| {
            ConfigError::invalid(
                file,
                format!("tls.plaintext_listeners[{i}]"),
                format!("`{name}` is not one of grpc, http, web, admin"),
            )
        })?;
        if !plaintext.contains(&listener) {
            plaintext.push(listener);
        }
    }
    // The listeners this configuration opens.
    let mut open = vec![Listener::Grpc];
    if config.hub.http_listen.is_some() {
        open.push(Listener::Http);
    }
    if config.web.is_some() {
        open.push(Listener::Web);
    }
    if config.admin.is_some() {
        open.push(Listener::Admin);
    }
    let needs_tls = open.iter().any(|l| !plaintext.contains(l));
    let client_certificates = match tls.client_certificates.as_deref() {
        None | Some("required") => ClientCertificates::Required,
        Some("optional") => ClientCertificates::Optional,
        Some(other) => {
            return Err(ConfigError::invalid(
                file,
                "tls.client_certificates",
                format!("`{other}` is not `required` or `optional`"),
            ))
        }
    };
    let reload = tls
        .reload_interval_seconds
        .unwrap_or(DEFAULT_RELOAD_SECONDS);
    if !(1..=86_400).contains(&reload) {
        return Err(ConfigError::invalid(
            file,
            "tls.reload_interval_seconds",
            "must be between 1 and 86400",
        ));
    }
    let files = match (&tls.cert_file, &tls.key_file) {
        (Some(cert_file), Some(key_file)) => Some(TlsFiles {
            cert_file: cert_file.clone(),
            key_file: key_file.clone(),
            client_ca_file: tls.client_ca_file.clone(),
            client_certificates,
            reload_interval: Duration::from_secs(reload),
        }),
        (None, None) if !needs_tls => None,
        (None, _) => {
            return Err(ConfigError::invalid(
                file,
                "tls.cert_file",
                format!(
                    "missing: the {} listener is served over TLS (or name it in `tls.plaintext_listeners`)",
                    open.iter().find(|l| !plaintext.contains(l)).map_or("gRPC", |l| l.name())
                ),
            ))
        }
        (Some(_), None) => {
            return Err(ConfigError::invalid(
                file,
                "tls.key_file",
                "missing: `tls.cert_file` needs its private key",
            ))
        }
    };
    if tls.client_ca_file.is_some() && files.is_none() {
        return Err(ConfigError::invalid(
            file,
            "tls.client_ca_file",
            "needs `tls.cert_file` and `tls.key_file`",
        ));
    }
    if let Some(files) = &files {
        // Read every file now: a bad one is found at load, not at the first
        // handshake.
        ServerTls::load(files).map_err(|e| ConfigError::invalid(file, e.key(), e.to_string()))?;
    }
    Ok(TlsSettings { files, plaintext })
}
