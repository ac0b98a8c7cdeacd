//! What a verified client certificate says, as plain data for the hub: its
//! SHA-256 fingerprint and its names (DNS and URI subject alternative names,
//! and the subject's common name).

use crate::partners::ClientCertificate;
use sha2::{Digest, Sha256};
use x509_parser::extensions::GeneralName;

/// The leaf certificate's identity. rustls has verified the chain before
/// this is called; a certificate x509-parser cannot read still has its
/// fingerprint.
pub fn identity(der: &[u8]) -> ClientCertificate {
    let sha256: [u8; 32] = Sha256::digest(der).into();
    let mut names = Vec::new();
    if let Ok((_, certificate)) = x509_parser::parse_x509_certificate(der) {
        if let Ok(Some(san)) = certificate.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => names.push(dns.to_string()),
                    GeneralName::URI(uri) => names.push(uri.to_string()),
                    _ => {}
                }
            }
        }
        for common_name in certificate.subject().iter_common_name() {
            if let Ok(cn) = common_name.as_str() {
                names.push(cn.to_string());
            }
        }
    }
    ClientCertificate { sha256, names }
}
