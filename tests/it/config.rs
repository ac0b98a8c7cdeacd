//! Configuration: strict parsing, errors that name the file and the key.

use lienthong::adapters::kinds;
use lienthong::config::{ConfigError, HubConfig};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

/// Every listener explicitly in plaintext: what a configuration without
/// certificates must say (`[tls]` is required).
const PLAIN: &str = "[tls]\nplaintext_listeners = [\"grpc\", \"http\", \"web\"]\n";

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
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    HubConfig::load(&root.join("config/lienthong.dev.toml"), &kinds())
        .unwrap_or_else(|e| panic!("{e}"));
    // The example reads its certificates at load: made here, where it
    // expects them (/etc/lienthong/tls/ moved to a temporary directory).
    let dir = tempfile::tempdir().unwrap();
    let ca = crate::tls::Ca::new("hub CA");
    crate::tls::TlsDir::write(
        dir.path(),
        &ca.server(),
        &crate::tls::Ca::new("partners CA"),
    );
    let example = std::fs::read_to_string(root.join("config/lienthong.example.toml")).unwrap();
    assert!(example.contains("\"/etc/lienthong/tls/hub.crt\""));
    let example = example.replace("/etc/lienthong/tls/", &format!("{}/", dir.path().display()));
    HubConfig::parse("config/lienthong.example.toml", &example, &kinds())
        .unwrap_or_else(|e| panic!("{e}"));
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
        "{PLAIN}[[partners]]\nid = \"os\"\nkind = \"one_stop\"\ntoken = \"0123456789abcdef\"\n\
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
        &format!("{PLAIN}[delivery]\nmax_attempts = 1\nconcurrency = 1\n"),
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
        // A dossier must fit in a message with room for what else it carries.
        ("[hub]\nmax_message_bytes = 1048576\nmax_dossier_bytes = 1048576\n", "hub.max_dossier_bytes"),
        ("[hub]\nmax_dossier_bytes = 1024\n", "hub.max_dossier_bytes"),
        ("[retention]\nsweep_interval_seconds = 0\n", "retention.sweep_interval_seconds"),
        ("[retention]\narchive_after_days = 36501\n", "retention.archive_after_days"),
        ("[hub]\nwriter_cache_dossiers = 1000001\n", "hub.writer_cache_dossiers"),
        // 0 is "never"; a reopen every few KB would pause commands constantly.
        ("[hub]\nstore_reopen_after_written_bytes = 65536\n", "hub.store_reopen_after_written_bytes"),
        // 0 is "only when asked"; each compaction copies every record.
        ("[hub]\nstore_compact_after_written_bytes = 1048576\n", "hub.store_compact_after_written_bytes"),
        // 0 is "never"; a reopen every few KB read would pause commands constantly.
        ("[hub]\nstore_compaction_reopen_after_read_bytes = 1048576\n", "hub.store_compaction_reopen_after_read_bytes"),
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
        // The cluster's other nodes: beside `url`, same scheme, user, vhost.
        ("[amqp]\nfailover_urls = [\"amqp://guest:guest@10.0.0.2:5672/%2f\"]\n", "amqp.failover_urls"),
        ("[amqp]\nurl = \"amqp://hub:pw@10.0.0.1:5672/lt\"\nfailover_urls = [\"amqp://hub:pw@10.0.0.2:5672/lt\", \"amqps://hub:pw@10.0.0.3:5671/lt\"]\n", "amqp.failover_urls[1]"),
        ("[amqp]\nurl = \"amqp://hub:pw@10.0.0.1:5672/lt\"\nfailover_urls = [\"amqp://guest:pw@10.0.0.2:5672/lt\"]\n", "amqp.failover_urls[0]"),
        ("[amqp]\nurl = \"amqp://hub:pw@10.0.0.1:5672/lt\"\nfailover_urls = [\"amqp://hub:pw@10.0.0.2:5672/other\"]\n", "amqp.failover_urls[0]"),
        ("[amqp]\nurl = \"amqp://hub:pw@10.0.0.1:5672/lt\"\nfailover_urls = [\"amqp://hub:pw@10.0.0.1:5672/lt\"]\n", "amqp.failover_urls[0]"),
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
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid (5 partners)"));
}

/// A module partner and a `[web]` section around one officer entry.
fn web_config(web: &str, officer: &str) -> String {
    format!(
        "{PLAIN}[[partners]]\nid = \"mot-cua\"\nkind = \"module\"\ncommands = [\"receive\"]\nagencies = [\"000.00.01.H22\"]\n\
         [[partners]]\nid = \"postal\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\n\
         [web]\n{web}\n[[web.officers]]\n{officer}\n"
    )
}

const OFFICER: &str = "login = \"lan\"\nname = \"Nguyễn Thị Lan\"\nrole = \"reception\"\nagency = \"000.00.01.H22\"\nunit = \"Bộ phận Một cửa\"\npassword = \"mot-mat-khau-du-dai\"";

#[test]
fn the_web_section_and_its_officers_are_checked_key_by_key() {
    HubConfig::parse("hub.toml", &web_config("", OFFICER), &kinds())
        .expect("a valid [web] section");
    let replace = |from: &str, to: &str| OFFICER.replace(from, to);
    let cases = [
        (
            web_config("lockout_failures = 0", OFFICER),
            "web.lockout_failures",
        ),
        (
            web_config("lockout_seconds = 0", OFFICER),
            "web.lockout_seconds",
        ),
        (
            web_config("session_ttl_seconds = 5", OFFICER),
            "web.session_ttl_seconds",
        ),
        (
            web_config("one_stop_partner = \"postal\"", OFFICER),
            "web.one_stop_partner",
        ),
        (
            web_config("one_stop_partner = \"nobody\"", OFFICER),
            "web.one_stop_partner",
        ),
        (
            web_config("", &replace("\"lan\"", "\"Lan Nguyen\"")),
            "web.officers[0].login",
        ),
        (
            web_config("", &replace("reception", "chairman")),
            "web.officers[0].role",
        ),
        (
            web_config("", &replace("000.00.01.H22", "000.00.01.H38")),
            "web.officers[0].agency",
        ),
        (
            web_config("", &replace("mot-mat-khau-du-dai", "ngan")),
            "web.officers[0].password",
        ),
        (
            web_config(
                "",
                &replace(
                    "password = \"mot-mat-khau-du-dai\"",
                    "password_argon2 = \"plain\"",
                ),
            ),
            "web.officers[0].password_argon2",
        ),
        (
            web_config("", &replace("password = \"mot-mat-khau-du-dai\"", "")),
            "web.officers[0].password",
        ),
        (
            web_config("", &format!("{OFFICER}\n[[web.officers]]\n{OFFICER}")),
            "web.officers[1].login",
        ),
        (
            web_config("max_attachment_bytes = 100", OFFICER),
            "web.max_attachment_bytes",
        ),
        (
            web_config("max_dossier_attachments_bytes = 2147483648", OFFICER),
            "web.max_dossier_attachments_bytes",
        ),
        (
            web_config("max_filings_per_applicant_per_day = 0", OFFICER),
            "web.max_filings_per_applicant_per_day",
        ),
        (
            web_config(
                "max_attachment_bytes = 20971520\nmax_dossier_attachments_bytes = 10485760",
                OFFICER,
            ),
            "web.max_dossier_attachments_bytes",
        ),
        (
            web_config("public_base_url = \"https://dvc.example.vn/\"", OFFICER),
            "web.public_base_url",
        ),
        (
            web_config("public_base_url = \"dvc.example.vn\"", OFFICER),
            "web.public_base_url",
        ),
    ];
    for (text, key) in cases {
        let message = error_of(&text);
        assert!(
            message.contains(&format!("key `{key}`")),
            "expected key `{key}` in: {message}"
        );
    }
    let message = error_of(&web_config("listen_port = 1", OFFICER));
    assert!(message.contains("listen_port"), "{message}");
    let message = error_of(&web_config(
        "",
        &format!("{OFFICER}\nemail = \"lan@example.vn\""),
    ));
    assert!(message.contains("email"), "{message}");
}

#[test]
fn only_a_module_partner_may_go_without_a_token_and_the_one_stop_modules_must() {
    let message = error_of("[[partners]]\nid = \"a\"\nkind = \"postal\"\n");
    assert!(message.contains("key `partners[0].token`"), "{message}");
    let with_token = web_config("", OFFICER).replace(
        "kind = \"module\"\n",
        "kind = \"module\"\ntoken = \"0123456789abcdeX\"\n",
    );
    let message = error_of(&with_token);
    assert!(message.contains("key `web.one_stop_partner`"), "{message}");
    let hub = HubConfig::parse(
        "hub.toml",
        &format!("{PLAIN}[[partners]]\nid = \"mot-cua\"\nkind = \"module\"\n"),
        &kinds(),
    )
    .expect("a module partner without a token");
    let registry = hub.partners;
    assert!(registry.get("mot-cua").unwrap().token_sha256.is_none());
}

#[test]
fn hash_password_prints_an_argon2_hash_the_configuration_accepts() {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("hash-password")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("mật khẩu của Lan\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let phc = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    let officer = OFFICER.replace(
        "password = \"mot-mat-khau-du-dai\"",
        &format!("password_argon2 = \"{phc}\""),
    );
    HubConfig::parse("hub.toml", &web_config("", &officer), &kinds())
        .expect("the printed hash is accepted");
}

#[test]
fn audit_keys_are_checked_with_their_name() {
    let message = error_of("[audit]\ncheckpoint_interval = 5\n");
    assert!(message.contains("checkpoint_interval"), "{message}");
    let message = error_of("[audit]\ncheckpoint_interval_seconds = 0\n");
    assert!(
        message.contains("audit.checkpoint_interval_seconds"),
        "{message}"
    );
    let message = error_of("[audit]\nsigning_key_file = \"\"\n");
    assert!(message.contains("audit.signing_key_file"), "{message}");
}

#[tokio::test]
async fn a_hub_with_an_unreadable_signing_key_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("audit.key");
    std::fs::write(&key, "not a key").unwrap();
    let mut config = crate::common::TestHub::config(dir.path().join("data"));
    config.audit.signing_key_file = Some(key);
    let e = lienthong::app::start(&crate::common::TestHub::checked(config))
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(e.starts_with("audit.signing_key_file:"), "{e}");
    assert!(e.contains("64 hex digits"), "{e}");
}

/// `[web.oidc]` after a valid `[web]`, its secret in a file of `dir`.
fn oidc_config(dir: &std::path::Path, lines: &str) -> String {
    let secret = dir.join("oidc-secret");
    std::fs::write(&secret, "bi-mat-cua-cong\n").unwrap();
    let base = format!(
        "issuer = \"https://sso.example.vn\"\nclient_id = \"cong-dich-vu\"\n\
         client_secret_file = \"{}\"\nredirect_url = \"https://dichvucong.example.vn/tai-khoan/dang-nhap-mot-lan/ve\"\n",
        secret.display()
    );
    // A later line for the same key replaces the base's.
    let mut table: toml::Table = toml::from_str(&base).unwrap();
    let more: toml::Table = toml::from_str(lines).unwrap();
    table.extend(more);
    format!("{}\n[web.oidc]\n{}", web_config("", OFFICER), table)
}

#[test]
fn the_oidc_section_is_checked_key_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = HubConfig::parse("hub.toml", &oidc_config(dir.path(), ""), &kinds())
        .expect("a valid [web.oidc]");
    let oidc = loaded.sections.web.as_ref().unwrap().oidc.as_ref().unwrap();
    assert_eq!(oidc.scopes, ["openid", "profile", "email"]);
    let settings = oidc.settings("hub.toml").unwrap();
    assert_eq!(
        settings.client_secret, "bi-mat-cua-cong",
        "read and trimmed"
    );
    assert!(
        !format!("{settings:?}").contains("bi-mat"),
        "the secret is never printed"
    );
    let missing = dir.path().join("missing");
    let cases = [
        ("issuer = \"http://sso.example.vn\"", "web.oidc.issuer"),
        ("issuer = \"not a url\"", "web.oidc.issuer"),
        ("client_id = \"\"", "web.oidc.client_id"),
        (
            &format!("client_secret_file = \"{}\"", missing.display()) as &str,
            "web.oidc.client_secret_file",
        ),
        (
            "redirect_url = \"https://dichvucong.example.vn/ve\"",
            "web.oidc.redirect_url",
        ),
        ("scopes = [\"profile\"]", "web.oidc.scopes"),
        ("display_name = \" \"", "web.oidc.display_name"),
        ("timeout_seconds = 0", "web.oidc.timeout_seconds"),
    ];
    for (line, key) in cases {
        let message = error_of(&oidc_config(dir.path(), line));
        assert!(
            message.contains(&format!("key `{key}`")),
            "expected key `{key}` for {line}: {message}"
        );
    }
    let message = error_of(&oidc_config(dir.path(), "client_secret = \"x\""));
    assert!(message.contains("client_secret"), "{message}");
}

#[test]
fn the_payment_partner_must_be_a_partner_with_an_adapter() {
    for (line, problem) in [
        ("payment_partner = \"nobody\"", "no partner `nobody`"),
        ("payment_partner = \"postal\"", "has no [partners.adapter]"),
    ] {
        let message = error_of(&web_config(line, OFFICER));
        assert!(
            message.contains("key `web.payment_partner`") && message.contains(problem),
            "{message}"
        );
    }
}
