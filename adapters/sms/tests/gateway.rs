//! The client against the simulator: one message per reference, retries
//! made harmless by the request id, refusals told apart from outages.

use lienthong_adapter::AdapterSettings;
use lienthong_adapter_sms::simulator::{SimConfig, Simulator};
use lienthong_adapter_sms::{Client, Settings, SmsError};

fn sim_config() -> SimConfig {
    SimConfig {
        account: "ubnd".into(),
        secret: "s3cret".into(),
        brand_name: "UBND TINH".into(),
    }
}

fn client(url: &str, dir: &tempfile::TempDir, secret: &str) -> Client {
    let secret_file = dir.path().join("sms.secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    let table: toml::Table = toml::from_str(&format!(
        "endpoint = \"{url}\"\naccount = \"ubnd\"\nsecret_file = \"{}\"\nbrand_name = \"UBND TINH\"\ntimeout_seconds = 1\n",
        secret_file.display()
    ))
    .unwrap();
    Client::new(Settings::from_table(&table).unwrap()).unwrap()
}

#[tokio::test]
async fn a_message_is_sent_once_per_reference_even_when_its_answer_is_lost() {
    let sim = Simulator::start(sim_config()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let client = client(sim.url(), &dir, "s3cret");
    let text = "Hồ sơ 000.00.01.H01-250101-0001 đã được tiếp nhận.";

    sim.lose_answer_next(1);
    let first = client
        .send("0912 345 678", text, "ev-1:sms")
        .await
        .unwrap_err();
    assert!(first.is_retryable(), "{first}");
    let again = client.send("0912 345 678", text, "ev-1:sms").await.unwrap();
    assert!(again.duplicate);

    let received = sim.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].phone, "84912345678");
    assert_eq!(received[0].message, text);
    assert!(received[0].unicode);
    assert_eq!(received[0].sms_id, again.sms_id);
    assert_eq!(sim.requests(), 2);
}

#[tokio::test]
async fn outages_are_retryable_refusals_are_not() {
    let sim = Simulator::start(sim_config()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = client(sim.url(), &dir, "s3cret");

    sim.fail_next(1);
    let e = good.send("0912345678", "x", "r1").await.unwrap_err();
    assert_eq!(e, SmsError::Http { status: 500 });
    assert!(e.is_retryable());

    sim.refuse_with(Some("99"));
    assert!(good
        .send("0912345678", "x", "r2")
        .await
        .unwrap_err()
        .is_retryable());
    sim.refuse_with(None);

    let wrong = client(sim.url(), &dir, "not-it");
    let e = wrong.send("0912345678", "x", "r3").await.unwrap_err();
    assert!(
        matches!(&e, SmsError::Refused { code, .. } if code == "10"),
        "{e}"
    );
    assert!(!e.is_retryable());

    let e = good.send("0243825678", "x", "r4").await.unwrap_err();
    assert!(matches!(e, SmsError::InvalidPhone { .. }));
    assert!(!e.is_retryable());
    assert!(sim.received().is_empty());

    sim.set_delay(std::time::Duration::from_secs(3));
    let e = good.send("0912345678", "x", "r5").await.unwrap_err();
    assert!(matches!(e, SmsError::Unreachable { .. }), "{e}");
    assert!(e.is_retryable());
}

#[test]
fn settings_are_strict_and_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let table: toml::Table = toml::from_str(
        "endpoint = \"http://127.0.0.1:1\"\naccount = \"a\"\nsecret_file = \"/nonexistent/x\"\nbrand_name = \"UBND TINH\"\n",
    )
    .unwrap();
    let e = Settings::from_table(&table).unwrap_err();
    assert_eq!(e.key, "secret_file");

    let mut bad = table.clone();
    bad.insert("brandname".into(), toml::Value::String("x".into()));
    let e = Settings::from_table(&bad).unwrap_err();
    assert!(e.problem.contains("brandname"), "{e}");

    let secret = dir.path().join("s");
    std::fs::write(&secret, "k").unwrap();
    let mut long = table;
    long.insert(
        "secret_file".into(),
        toml::Value::String(secret.display().to_string()),
    );
    long.insert(
        "brand_name".into(),
        toml::Value::String("UỶ BAN NHÂN DÂN".into()),
    );
    assert_eq!(Settings::from_table(&long).unwrap_err().key, "brand_name");
}
