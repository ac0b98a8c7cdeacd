//! TLS on every listener, made real: each test makes its own CA and
//! certificates with rcgen at run time, writes them to its temporary
//! directory, starts a hub whose `[tls]` points at them, and talks to it
//! over TLS on loopback with stock clients (tonic's, reqwest's).

mod config;
mod grpc;
mod http;
mod plaintext;
mod reload;

use lienthong::config::{ClientCertificateSection, HubConfig, TlsSection};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// A certificate authority of the test's own.
pub struct Ca {
    pub pem: String,
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A certificate and its key, in PEM, and its DER fingerprint.
#[derive(Clone)]
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
    pub sha256_hex: String,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            cert,
            key,
        }
    }

    fn issue_with(
        &self,
        name: &str,
        server: bool,
        valid: (OffsetDateTime, OffsetDateTime),
    ) -> Issued {
        let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![if server {
            ExtendedKeyUsagePurpose::ServerAuth
        } else {
            ExtendedKeyUsagePurpose::ClientAuth
        }];
        params.not_before = valid.0;
        params.not_after = valid.1;
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        use sha2::Digest;
        Issued {
            sha256_hex: hex::encode(sha2::Sha256::digest(cert.der().as_ref())),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// The hub's certificate, for `localhost`.
    pub fn server(&self) -> Issued {
        self.issue_with("localhost", true, current())
    }

    /// A client certificate with `name` as its DNS name and common name.
    pub fn client(&self, name: &str) -> Issued {
        self.issue_with(name, false, current())
    }

    /// A client certificate that expired yesterday.
    pub fn expired_client(&self, name: &str) -> Issued {
        let now = OffsetDateTime::now_utc();
        self.issue_with(
            name,
            false,
            (now - Duration::days(30), now - Duration::days(1)),
        )
    }
}

fn current() -> (OffsetDateTime, OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    (now - Duration::days(1), now + Duration::days(30))
}

/// The files a hub's `[tls]` points at.
pub struct TlsDir {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    pub client_ca_file: PathBuf,
}

impl TlsDir {
    /// Writes the hub's certificate and key and the client CA under `dir`.
    pub fn write(dir: &Path, server: &Issued, client_ca: &Ca) -> TlsDir {
        let tls = TlsDir {
            cert_file: dir.join("hub.crt"),
            key_file: dir.join("hub.key"),
            client_ca_file: dir.join("partners-ca.crt"),
        };
        std::fs::write(&tls.cert_file, &server.cert_pem).unwrap();
        std::fs::write(&tls.key_file, &server.key_pem).unwrap();
        std::fs::write(&tls.client_ca_file, &client_ca.pem).unwrap();
        tls
    }

    /// `[tls]` with every listener over TLS, client certificates required
    /// on the partners' listeners, files read again every second.
    pub fn section(&self) -> TlsSection {
        TlsSection {
            cert_file: Some(self.cert_file.clone()),
            key_file: Some(self.key_file.clone()),
            client_ca_file: Some(self.client_ca_file.clone()),
            client_certificates: None,
            reload_interval_seconds: Some(1),
            plaintext_listeners: Vec::new(),
        }
    }
}

/// A partner known by its certificate's name (and by its token, if given).
pub fn certified_partner(
    id: &str,
    token: Option<&str>,
    cert_name: &str,
) -> lienthong::config::PartnerSection {
    let mut partner =
        crate::common::partner_section(id, "one_stop", "unused-token-0000", &["*"], &["*"]);
    partner.token = token.map(str::to_string);
    partner.client_certificate = Some(ClientCertificateSection {
        sha256: Vec::new(),
        names: vec![cert_name.to_string()],
    });
    partner
}

/// `config` with every listener over TLS from `tls`.
pub fn over_tls(config: &mut HubConfig, tls: &TlsDir) {
    config.tls = Some(tls.section());
}
