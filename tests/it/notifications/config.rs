//! The `[notifications]` section is strict: a template naming a placeholder
//! its moment does not have, an unknown key or a bad setting is refused when
//! the configuration is loaded, naming the full key path.

use lienthong::config::{HubConfig, LoadedConfig};

fn load(section: &str) -> Result<LoadedConfig, String> {
    let text = format!("{}\n{section}", lienthong::config::EMBEDDED_DEFAULT);
    HubConfig::parse("test.toml", &text, &lienthong::adapters::kinds()).map_err(|e| e.to_string())
}

#[test]
fn a_template_with_an_unknown_placeholder_is_refused_with_its_key_path() {
    let e =
        load("[notifications.templates.received]\nsms = \"Hồ sơ {ma_ho_so}, hẹn {ngay_hen}\"\n")
            .unwrap_err();
    assert!(
        e.contains("key `notifications.templates.received.sms`") && e.contains("{ngay_hen}"),
        "{e}"
    );
    // A placeholder of another moment is unknown here too.
    let e = load("[notifications.templates.refused]\nemail_body = \"{so_tien}\"\n").unwrap_err();
    assert!(
        e.contains("key `notifications.templates.refused.email_body`") && e.contains("{so_tien}"),
        "{e}"
    );
}

#[test]
fn unknown_keys_and_bad_settings_are_refused_with_their_key() {
    for (section, key) in [
        ("[notifications]\nretries = 3\n", "retries"),
        ("[notifications.templates.paid]\nsms = \"x\"\n", "notifications.templates.paid"),
        (
            "[notifications.email]\nsmtp_host = \"127.0.0.1\"\ntls = \"none\"\nfrom = \"not a mailbox\"\n",
            "notifications.email.from",
        ),
        (
            "[notifications.email]\nsmtp_host = \"127.0.0.1\"\ntls = \"none\"\nfrom = \"a@b.vn\"\ncredentials_file = \"/nonexistent/smtp\"\n",
            "notifications.email.credentials_file",
        ),
        (
            "[notifications.sms]\nendpoint = \"ftp://x\"\naccount = \"a\"\nsecret_file = \"/x\"\nbrand_name = \"B\"\n",
            "notifications.sms.endpoint",
        ),
    ] {
        let e = load(section).unwrap_err();
        assert!(e.contains(key), "{section}: {e}");
    }
    let shipped = load("[notifications]\n").expect("the shipped templates load");
    assert!(shipped.notifications.is_some());
}
