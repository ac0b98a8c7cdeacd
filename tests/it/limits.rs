//! Per-partner limits (`[limits]`): a partner over its rate is refused at
//! every entry point — RESOURCE_EXHAUSTED over gRPC, 429 on its adapter's
//! HTTP routes (AMQP: `amqp::limits`) — with nothing written, while the
//! other partners carry on. The limited partner's rate is one request per
//! 1000 s, so no token comes back during a test: the outcome never depends
//! on how fast the machine is.

use crate::common::{self, submission, submit_request, TestHub};
use lienthong::adapters::kinds;
use lienthong::config::{HubConfig, LimitsSection};
use lienthong_adapter_legacy::simulator::{SimConfig, Simulator};

/// `[limits]` giving `partner` two requests, then one per 1000 s.
pub fn strict_for(partner: &str) -> LimitsSection {
    toml::from_str(&format!(
        "[partners.{partner}]\nrequests_per_second = 0.001\nburst_requests = 2\n"
    ))
    .expect("a valid [limits] table")
}

// issue 10 (per-partner limits): a partner over its rate gets
// RESOURCE_EXHAUSTED naming the limit, and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_over_its_rate_is_refused_over_grpc_and_the_others_carry_on() {
    let mut hub = TestHub::start_with(|c| c.limits = Some(strict_for("postal"))).await;
    let mut postal = hub.client(common::POSTAL).await;
    let mut one_stop = hub.client(common::ONE_STOP).await;
    postal.submit("limited-1").await;
    postal.submit("limited-2").await;
    let refused = postal
        .exec(submit_request("limited-3", submission()))
        .await
        .expect_err("the third within the burst is over the rate");
    assert_eq!(
        refused.code(),
        tonic::Code::ResourceExhausted,
        "{refused:?}"
    );
    for word in ["postal", "rate limit", "requests_per_second"] {
        assert!(refused.message().contains(word), "{}", refused.message());
    }
    // Reads count too: the partner is refused whatever it asks.
    let read = postal
        .list(Default::default())
        .await
        .expect_err("over its rate");
    assert_eq!(read.code(), tonic::Code::ResourceExhausted);
    // Another partner is not held back by it …
    for i in 0..5 {
        one_stop.submit(&format!("other-{i}")).await;
    }
    // … and the refused submit left nothing: two of postal's, five of its own.
    assert_eq!(one_stop.dossier_count().await, 7);
    hub.stop().await;
}

// issue 10 (per-partner limits): an adapter's callback route answers 429
// once its partner is over its rate, before the adapter sees the request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adapter_route_answers_429_once_its_partner_is_over_its_rate() {
    const PARTNER: &str = "legacy-limited";
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let mut settings = sim.adapter_settings(&["dossier_submitted"]);
    settings.insert("kind".into(), "legacy_rest".into());
    let partner = crate::adapters::partner(
        PARTNER,
        "legacy-limited-token-01",
        &["receive"],
        Some(Default::default()),
        settings,
    );
    let mut hub = TestHub::start_with(move |c| {
        c.hub.http_listen = Some("127.0.0.1:0".parse().unwrap());
        c.partners.push(partner);
        c.limits = Some(strict_for(PARTNER));
    })
    .await;
    let url = format!("{}/updates", crate::adapters::inbound_url(&hub, PARTNER));
    // Without the shared secret: the adapter answers 401 while the partner
    // is within its rate …
    for _ in 0..2 {
        let (status, _) = crate::adapters::http("POST", &url, None, Some("{}")).await;
        assert_eq!(status, 401);
    }
    // … then the hub answers 429 itself, naming the limit.
    let (status, head, body) =
        crate::adapters::http_with_head("POST", &url, None, Some("{}")).await;
    assert_eq!(status, 429, "{body}");
    assert!(
        head.to_ascii_lowercase().contains("retry-after: 1000"),
        "one request's allowance comes back in 1000 s at 0.001/s: {head}"
    );
    let reason = body["error"].as_str().expect("a reason");
    assert!(
        reason.contains(PARTNER) && reason.contains("requests_per_second"),
        "{reason}"
    );
    // Other partners still act.
    hub.client(common::ONE_STOP)
        .await
        .submit("beside-429")
        .await;
    hub.stop().await;
}

fn error_of(text: &str) -> String {
    match HubConfig::parse("hub.toml", text, &kinds()) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const PARTNER: &str = "[tls]\nplaintext_listeners = [\"grpc\"]\n\
    [[partners]]\nid = \"p1\"\nkind = \"postal\"\ntoken = \"0123456789abcdef\"\ncommands = [\"submit\"]\nagencies = [\"*\"]\n";

// issue 10 (per-partner limits): `[limits]` keys carry units, unknown keys
// and partners are refused, and each problem names its key.
#[test]
fn limits_configuration_is_checked_key_by_key() {
    let cases = [
        ("[limits]\nrequests_per_minute = 5\n", "requests_per_minute"),
        (
            "[limits]\nrequests_per_second = 0\n",
            "limits.requests_per_second",
        ),
        (
            "[limits]\nrequests_per_second = nan\n",
            "limits.requests_per_second",
        ),
        ("[limits]\nburst_requests = 0\n", "limits.burst_requests"),
        (
            "[limits]\nmax_concurrent_requests = 0\n",
            "limits.max_concurrent_requests",
        ),
        ("[limits.partners.p1]\nburst = 3\n", "burst"),
        (
            "[limits.partners.p1]\nmax_concurrent_requests = 0\n",
            "limits.partners.p1.max_concurrent_requests",
        ),
        (
            "[limits.partners.nobody]\nburst_requests = 3\n",
            "limits.partners.nobody",
        ),
    ];
    for (limits, key) in cases {
        let message = error_of(&format!("{PARTNER}{limits}"));
        assert!(message.starts_with("hub.toml"), "{message}");
        assert!(message.contains(key), "{key}: {message}");
    }
    // Whole numbers and fractions are both rates; an override falls back on
    // the defaults for the keys it leaves out.
    let loaded = HubConfig::parse(
        "hub.toml",
        &format!(
            "{PARTNER}[limits]\nrequests_per_second = 50\nmax_concurrent_requests = 8\n\
             [limits.partners.p1]\nrequests_per_second = 0.5\n"
        ),
        &kinds(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (id, limit) = &loaded.limits[0];
    assert_eq!(id, "p1");
    assert_eq!(limit.requests_per_second, 0.5);
    assert_eq!(limit.burst_requests, 200);
    assert_eq!(limit.max_concurrent_requests, 8);
    // Absent: no partner is limited.
    let loaded = HubConfig::parse("hub.toml", PARTNER, &kinds()).unwrap();
    assert!(loaded.limits.is_empty());
}
