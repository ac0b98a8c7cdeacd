//! Certificates, keys and the client CA read again without a restart: new
//! handshakes use the new files; a bad new file keeps the old ones.

use super::grpc::{channel, with_token};
use super::{over_tls, Ca, TlsDir};
use crate::common::{self, TestHub};
use lienthong::grpc::pb::{dossier_service_client::DossierServiceClient, ListDossiersRequest};
use lienthong::tls::{ClientCertificates, ServerTls, TlsFiles};
use std::time::Duration;

/// Replaces `path` whole (write beside, then rename), as a deployment
/// tool or a Kubernetes secret update does.
fn replace(path: &std::path::Path, text: &str) {
    let beside = path.with_extension("new");
    std::fs::write(&beside, text).unwrap();
    std::fs::rename(&beside, path).unwrap();
}

// issue 10 (reload): after the server certificate, its key and the client
// CA are replaced, a new connection sees the new certificate and a client
// certificate of the new CA is accepted — no restart.
#[tokio::test]
async fn replaced_certificates_are_used_by_new_connections_without_a_restart() {
    let old_ca = Ca::new("hub CA 2026");
    let old_partners = Ca::new("partners CA 2026");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &old_ca.server(), &old_partners);
    let mut hub = TestHub::start_with(|config| over_tls(config, &tls)).await;
    let old_client = old_partners.client("reader.partner.test");
    channel(&hub, &old_ca, Some(&old_client))
        .await
        .expect("the first certificate serves");

    let new_ca = Ca::new("hub CA 2027");
    let new_partners = Ca::new("partners CA 2027");
    let new_server = new_ca.server();
    replace(&tls.key_file, &new_server.key_pem);
    replace(&tls.cert_file, &new_server.cert_pem);
    replace(&tls.client_ca_file, &new_partners.pem);
    let new_client = new_partners.client("reader.partner.test");
    // Wait (with a deadline, not a timing assertion) until the hub has read
    // the files again: a client trusting only the new CA gets through.
    let mut connected = None;
    for _ in 0..300 {
        if let Ok(channel) = channel(&hub, &new_ca, Some(&new_client)).await {
            let listed = DossierServiceClient::new(channel)
                .list_dossiers(with_token(
                    ListDossiersRequest::default(),
                    Some(common::PORTAL),
                ))
                .await;
            if listed.is_ok() {
                connected = Some(());
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    connected.expect("the new certificate and client CA were never used");
    // The old ones are gone for new connections.
    let old = channel(&hub, &old_ca, Some(&old_client)).await;
    assert!(
        old.is_err(),
        "a client trusting only the old CA still connected"
    );
    hub.stop().await;
}

// issue 10 (reload): a bad new file is refused, naming its key and file,
// and the configuration in force stays; a good file after it is taken.
#[test]
fn a_bad_new_file_keeps_the_old_certificates() {
    let ca = Ca::new("hub CA");
    let partners = Ca::new("partners CA");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &ca.server(), &partners);
    let files = TlsFiles {
        cert_file: tls.cert_file.clone(),
        key_file: tls.key_file.clone(),
        client_ca_file: Some(tls.client_ca_file.clone()),
        client_certificates: ClientCertificates::Required,
        reload_interval: Duration::from_secs(1),
    };
    let server = ServerTls::load(&files).expect("good files load");
    let before = server.config(lienthong::tls::Listener::Grpc);
    assert!(!server.reload_if_changed().unwrap(), "nothing changed yet");

    replace(&tls.cert_file, "not a certificate\n");
    let error = server.reload_if_changed().expect_err("garbage is refused");
    assert_eq!(error.key(), "tls.cert_file");
    let message = error.to_string();
    assert!(
        message.contains(&*tls.cert_file.to_string_lossy()),
        "{message}"
    );
    assert!(message.contains("not PEM"), "{message}");
    let kept = server.config(lienthong::tls::Listener::Grpc);
    assert!(
        std::sync::Arc::ptr_eq(&before, &kept),
        "the old configuration was replaced"
    );

    // A certificate whose key is not the configured one.
    let other = ca.server();
    replace(&tls.cert_file, &other.cert_pem);
    let error = server
        .reload_if_changed()
        .expect_err("a mismatched key is refused");
    assert_eq!(error.key(), "tls.key_file");
    assert!(error.to_string().contains("does not match"), "{error}");
    assert!(std::sync::Arc::ptr_eq(
        &before,
        &server.config(lienthong::tls::Listener::Grpc)
    ));

    replace(&tls.key_file, &other.key_pem);
    assert!(server.reload_if_changed().expect("a matching pair loads"));
    assert!(!std::sync::Arc::ptr_eq(
        &before,
        &server.config(lienthong::tls::Listener::Grpc)
    ));
}
