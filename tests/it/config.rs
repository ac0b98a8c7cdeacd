//! Configuration: strict parsing, errors that name the file and the key.

use lienthong::config::{ConfigError, HubConfig};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

fn error_of(text: &str) -> String {
    match HubConfig::parse("hub.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_shipped_configurations_are_valid() {
    let dev = HubConfig::embedded_default();
    assert_eq!(dev.partners.len(), 4);
    let root = env!("CARGO_MANIFEST_DIR");
    for file in ["config/lienthong.dev.toml", "config/lienthong.example.toml"] {
        HubConfig::load(&std::path::Path::new(root).join(file)).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn unknown_keys_are_rejected_with_their_name() {
    let message = error_of("[hub]\nlisten_port = 5\n");
    assert!(message.starts_with("hub.toml"), "{message}");
    assert!(message.contains("listen_port"), "{message}");
    let message = error_of("[retention]\ndelivered_event_retention = 5\n");
    assert!(message.contains("delivered_event_retention"), "{message}");
}

#[test]
fn invalid_values_name_the_key() {
    let cases = [
        ("[hub]\ngroup_commit_max_commands = 0\n", "hub.group_commit_max_commands"),
        ("[hub]\nmax_message_bytes = 10\n", "hub.max_message_bytes"),
        ("[retention]\nsweep_interval_seconds = 0\n", "retention.sweep_interval_seconds"),
        ("[[partners]]\nid = \"a b\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\n", "partners[0].id"),
        ("[[partners]]\nid = \"a\"\nkind = \"bank\"\ntoken = \"0123456789abcdef\"\n", "partners[0].kind"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"short\"\n", "partners[0].token"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\n", "partners[0].token"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken_sha256 = \"abc\"\n", "partners[0].token_sha256"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\ncommands = [\"submit\", \"approve\"]\n", "partners[0].commands[1]"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\nagencies = [\"H22..1\"]\n", "partners[0].agencies[0]"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\n[partners.subscription]\nevent_types = [\"everything\"]\n", "partners[0].subscription.event_types[0]"),
        ("[[partners]]\nid = \"a\"\nkind = \"one_stop\"\ntoken = \"0123456789abcdef\"\nagencies = [\"000.00.01.H17\"]\n[partners.subscription]\nagencies = [\"000.00.01.H22\"]\n", "partners[0].subscription.agencies[0]"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\n[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"0123456789abcdeX\"\n", "partners[1].id"),
        ("[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\n[[partners]]\nid = \"b\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\n", "partners[1].token"),
    ];
    for (text, key) in cases {
        let message = error_of(text);
        assert!(
            message.contains(&format!("key `{key}`")),
            "expected key `{key}` in: {message}"
        );
        assert!(message.starts_with("hub.toml: "), "{message}");
    }
    assert!(matches!(
        HubConfig::parse("f", "[hub]\nlisten = \"nowhere\"\n"),
        Err(ConfigError::Syntax { .. })
    ));
}

#[test]
fn validate_config_command_reports_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[log]\nformat = \"xml\"\n").unwrap();
    let out = Command::new(BIN)
        .arg("validate-config")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("format"),
        "{stderr}"
    );

    let good = dir.path().join("good.toml");
    std::fs::write(&good, lienthong::config::EMBEDDED_DEFAULT).unwrap();
    let out = Command::new(BIN)
        .arg("validate-config")
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid (4 partners)"));
}
