//! Configuration: strict parsing, errors that name the file and the key.

use lienthong::adapters::kinds;
use lienthong::config::{ConfigError, HubConfig};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

fn error_of(text: &str) -> String {
    match HubConfig::parse("hub.toml", text, &kinds()) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_shipped_configurations_are_valid() {
    let dev = HubConfig::embedded_default()
        .check("embedded", &kinds())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dev.sections.partners.len(), 5);
    let root = env!("CARGO_MANIFEST_DIR");
    for file in ["config/lienthong.dev.toml", "config/lienthong.example.toml"] {
        HubConfig::load(&std::path::Path::new(root).join(file), &kinds())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn unknown_keys_are_rejected_with_their_name() {
    let message = error_of("[hub]\nlisten_port = 5\n");
    assert!(message.starts_with("hub.toml"), "{message}");
    assert!(message.contains("listen_port"), "{message}");
    let message = error_of("[retention]\ndelivered_event_retention = 5\n");
    assert!(message.contains("delivered_event_retention"), "{message}");
    let message = error_of("[delivery]\nmax_attempt = 3\n");
    assert!(message.starts_with("hub.toml"), "{message}");
    assert!(message.contains("max_attempt"), "{message}");
}

/// A partner with a one-stop adapter whose settings are `adapter` (TOML
/// lines under `[partners.adapter]`, then its status map).
fn one_stop_with(adapter: &str, status_map: &str) -> String {
    format!(
        "[[partners]]\nid = \"os\"\nkind = \"one_stop\"\ntoken = \"0123456789abcdef\"\n\
         [partners.adapter]\nkind = \"one_stop_rest\"\nendpoint = \"https://motcua.example/api\"\n\
         api_token = \"t\"\ninbound_secret = \"0123456789abcdef\"\n{adapter}\n\
         [partners.adapter.status_map]\n{status_map}\n"
    )
}

#[test]
fn delivery_values_are_checked() {
    let cases = [
        ("[delivery]\nmax_attempts = 0\n", "delivery.max_attempts"),
        ("[delivery]\nconcurrency = 0\n", "delivery.concurrency"),
        (
            "[delivery]\nmax_backoff_seconds = 0\n",
            "delivery.max_backoff_seconds",
        ),
        (
            "[delivery]\ninitial_backoff_milliseconds = 0\n",
            "delivery.initial_backoff_milliseconds",
        ),
        // The first wait may not be longer than the longest.
        (
            "[delivery]\ninitial_backoff_milliseconds = 5000\nmax_backoff_seconds = 2\n",
            "delivery.initial_backoff_milliseconds",
        ),
    ];
    for (text, key) in cases {
        let message = error_of(text);
        assert!(
            message.starts_with(&format!("hub.toml: key `{key}`: ")),
            "expected key `{key}` in: {message}"
        );
    }
    HubConfig::parse(
        "hub.toml",
        "[delivery]\nmax_attempts = 1\nconcurrency = 1\n",
        &kinds(),
    )
    .expect("the smallest sensible values are accepted");
}

#[test]
fn adapter_errors_name_the_full_key_path() {
    HubConfig::parse("hub.toml", &one_stop_with("", "DA_TIEP_NHAN = 2"), &kinds())
        .unwrap_or_else(|e| panic!("the base case is valid: {e}"));
    let cases = [
        // Checked by the adapter kind: a status code outside 1-10, nested.
        (
            one_stop_with("", "DA_TIEP_NHAN = 2\nX = 0"),
            "partners[0].adapter.status_map.X",
        ),
        (
            one_stop_with("timeout_seconds = 0", "A = 2"),
            "partners[0].adapter.timeout_seconds",
        ),
        // Read by the kind's settings type: a misspelt key and a value out
        // of its type's range, each named by its path in the table.
        (
            one_stop_with("secret_fil = \"/etc/x\"", "A = 2"),
            "partners[0].adapter.secret_fil",
        ),
        (
            one_stop_with("", "A = 300"),
            "partners[0].adapter.status_map.A",
        ),
        (
            one_stop_with("", "\"DA:XONG\" = \"ten\""),
            "partners[0].adapter.status_map.\"DA:XONG\"",
        ),
        // Checked before any kind is asked.
        (
            one_stop_with("", "A = 2").replace("one_stop_rest", "fax"),
            "partners[0].adapter.kind",
        ),
    ];
    for (text, key) in cases {
        let message = error_of(&text);
        assert!(
            message.starts_with(&format!("hub.toml: key `{key}`: ")),
            "expected key `{key}` in: {message}"
        );
    }
    // The second partner's table is named by its own index.
    let two = format!(
        "[[partners]]\nid = \"a\"\nkind = \"postal\"\ntoken = \"0123456789abcdeX\"\n{}",
        one_stop_with("", "X = 11")
    );
    let message = error_of(&two);
    assert!(
        message.contains("key `partners[1].adapter.status_map.X`"),
        "{message}"
    );
    // A required setting missing is the table's problem, and says which.
    let message = error_of(&one_stop_with("", "A = 2").replace("api_token = \"t\"\n", ""));
    assert!(
        message.starts_with("hub.toml: key `partners[0].adapter`: missing field `api_token`"),
        "{message}"
    );
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
        HubConfig::parse("f", "[hub]\nlisten = \"nowhere\"\n", &kinds()),
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
