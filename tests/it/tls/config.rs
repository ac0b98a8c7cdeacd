//! `[tls]` and `[partners.client_certificate]` are checked at load: every
//! problem names its key, and a file problem names the file and what is
//! wrong with it (missing, not PEM, a key that does not match).

use super::{Ca, TlsDir};
use lienthong::adapters::kinds;
use lienthong::config::HubConfig;

fn error_of(text: &str) -> String {
    match HubConfig::parse("hub.toml", text, &kinds()) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn tls_section(tls: &TlsDir) -> String {
    format!(
        "[tls]\ncert_file = {:?}\nkey_file = {:?}\nclient_ca_file = {:?}\n",
        tls.cert_file, tls.key_file, tls.client_ca_file
    )
}

// issue 10 (mutual TLS): plaintext only when configured; the files checked
// at load, each problem naming the key and the file.
#[test]
fn tls_configuration_is_checked_key_by_key_and_file_by_file() {
    let message = error_of("");
    assert!(
        message.starts_with("hub.toml: key `tls`: missing"),
        "{message}"
    );
    assert!(message.contains("plaintext_listeners"), "{message}");
    let message = error_of("[tls]\nplaintext_listeners = [\"grpc\", \"smtp\"]\n");
    assert!(
        message.contains("`tls.plaintext_listeners[1]`"),
        "{message}"
    );
    // The web listener is configured and not named: it needs a certificate.
    let message =
        error_of("[tls]\nplaintext_listeners = [\"grpc\"]\n[web]\none_stop_partner = \"m\"\n");
    assert!(
        message.contains("`tls.cert_file`: missing") || message.contains("web"),
        "{message}"
    );
    HubConfig::parse(
        "hub.toml",
        "[tls]\nplaintext_listeners = [\"grpc\"]\n",
        &kinds(),
    )
    .expect("an explicitly plaintext gRPC listener is accepted");

    let ca = Ca::new("hub CA");
    let partners = Ca::new("partners CA");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &ca.server(), &partners);
    HubConfig::parse("hub.toml", &tls_section(&tls), &kinds())
        .unwrap_or_else(|e| panic!("good files are accepted: {e}"));

    let missing = TlsDir {
        cert_file: dir.path().join("absent.crt"),
        ..TlsDir::write(dir.path(), &ca.server(), &partners)
    };
    let message = error_of(&tls_section(&missing));
    assert!(message.contains("`tls.cert_file`"), "{message}");
    assert!(message.contains("absent.crt: cannot read"), "{message}");

    std::fs::write(dir.path().join("garbage.pem"), "hello\n").unwrap();
    let not_pem = TlsDir {
        client_ca_file: dir.path().join("garbage.pem"),
        ..TlsDir::write(dir.path(), &ca.server(), &partners)
    };
    let message = error_of(&tls_section(&not_pem));
    assert!(message.contains("`tls.client_ca_file`"), "{message}");
    assert!(message.contains("garbage.pem: not PEM"), "{message}");

    let other = ca.server();
    std::fs::write(dir.path().join("other.key"), &other.key_pem).unwrap();
    let mismatched = TlsDir {
        key_file: dir.path().join("other.key"),
        ..TlsDir::write(dir.path(), &ca.server(), &partners)
    };
    let message = error_of(&tls_section(&mismatched));
    assert!(message.contains("`tls.key_file`"), "{message}");
    assert!(
        message.contains("other.key: the private key does not match"),
        "{message}"
    );
}

// issue 10 (partner identity by certificate): fingerprints are SHA-256 in
// hex, one certificate names one partner, and a certificate identity needs
// a client CA.
#[test]
fn partner_certificate_identities_are_checked() {
    let ca = Ca::new("hub CA");
    let partners = Ca::new("partners CA");
    let dir = tempfile::tempdir().unwrap();
    let tls = TlsDir::write(dir.path(), &ca.server(), &partners);
    let partner = |id: &str, certificate: &str| {
        format!(
            "[[partners]]\nid = \"{id}\"\nkind = \"postal\"\ncommands = [\"submit\"]\nagencies = [\"*\"]\n\
             [partners.client_certificate]\n{certificate}\n"
        )
    };
    let good = partner("p1", "sha256 = [\"AB:cd:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd\"]");
    let loaded = HubConfig::parse(
        "hub.toml",
        &format!("{}{good}", tls_section(&tls)),
        &kinds(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.partners.get("p1").unwrap().certificate.is_some());

    let cases = [
        (
            format!(
                "{}{}",
                tls_section(&tls),
                partner("p1", "sha256 = [\"abc\"]")
            ),
            "partners[0].client_certificate.sha256[0]",
        ),
        (
            format!("{}{}", tls_section(&tls), partner("p1", "")),
            "partners[0].client_certificate.sha256",
        ),
        (
            format!(
                "{}{}{}",
                tls_section(&tls),
                partner("p1", "names = [\"a.test\"]"),
                partner("p2", "names = [\"a.test\"]")
            ),
            "partners[1].client_certificate.names",
        ),
        (
            format!(
                "[tls]\nplaintext_listeners = [\"grpc\"]\n{}",
                partner("p1", "names = [\"a.test\"]")
            ),
            "partners[0].client_certificate",
        ),
    ];
    for (text, key) in cases {
        let message = error_of(&text);
        assert!(
            message.contains(&format!("key `{key}`")),
            "{key}: {message}"
        );
    }
}

// issue 10 (amqps with a client certificate): the TLS files of `[amqp]` go
// with an amqps:// url, the certificate with its key, and are read at load.
#[test]
fn amqp_tls_files_are_checked_at_load() {
    let ca = Ca::new("broker CA");
    let dir = tempfile::tempdir().unwrap();
    let client = ca.client("lienthong-hub");
    let (cert, key, ca_file) = (
        dir.path().join("hub.crt"),
        dir.path().join("hub.key"),
        dir.path().join("ca.crt"),
    );
    std::fs::write(&cert, &client.cert_pem).unwrap();
    std::fs::write(&key, &client.key_pem).unwrap();
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let amqp = |url: &str, rest: &str| {
        format!("[tls]\nplaintext_listeners = [\"grpc\"]\n[amqp]\nurl = \"{url}\"\n{rest}")
    };
    let good =
        format!("ca_file = {ca_file:?}\nclient_cert_file = {cert:?}\nclient_key_file = {key:?}\n");
    HubConfig::parse(
        "hub.toml",
        &amqp("amqps://h:p@localhost:5671/%2f", &good),
        &kinds(),
    )
    .unwrap_or_else(|e| panic!("good amqps files are refused: {e}"));
    let other = ca.client("someone-else");
    std::fs::write(dir.path().join("other.key"), &other.key_pem).unwrap();
    let cases = [
        (
            amqp("amqp://h:p@localhost:5672/%2f", &good),
            "amqp.ca_file",
            "amqps://",
        ),
        (
            amqp(
                "amqps://h:p@localhost/%2f",
                &format!("client_cert_file = {cert:?}\n"),
            ),
            "amqp.client_key_file",
            "missing",
        ),
        (
            amqp(
                "amqps://h:p@localhost/%2f",
                &format!("ca_file = {:?}\n", dir.path().join("nowhere.crt")),
            ),
            "amqp.ca_file",
            "cannot read",
        ),
        (
            amqp(
                "amqps://h:p@localhost/%2f",
                &format!(
                    "client_cert_file = {cert:?}\nclient_key_file = {:?}\n",
                    dir.path().join("other.key")
                ),
            ),
            "amqp.client_key_file",
            "does not match",
        ),
    ];
    for (text, key, problem) in cases {
        let message = error_of(&text);
        assert!(
            message.contains(&format!("key `{key}`")),
            "{key}: {message}"
        );
        assert!(message.contains(problem), "{key}: {message}");
    }
}
