//! Sites without a second hub: `[site]` checked key by key, and a dossier
//! forwarded to a peer site's agency is handed over — it says so in
//! `GetDossier`, and this hub refuses any further command on it with
//! FAILED_PRECONDITION naming the site that decides now. (Hubs of three
//! sites with their own brokers and shovels: `amqp::sites`.)

use crate::common::{
    command, command_named, publish_sequence, TestHub, AGENCY, NEXT_AGENCY, ONE_STOP,
};
use lienthong::adapters::kinds;
use lienthong::config::{HubConfig, PeerSection, SiteSection};
use lienthong::grpc::pb::{self, command_request::Command as C};
use tonic::Code;

const PLAIN: &str = "[tls]\nplaintext_listeners = [\"grpc\", \"http\", \"web\"]\n";
const AMQP: &str = "[amqp]\nurl = \"amqp://guest:guest@127.0.0.1:5672/%2f\"\n";

fn site(lines: &str, peers: &str) -> String {
    format!("{PLAIN}{AMQP}[site]\n{lines}\n{peers}",)
}

const GOOD_SITE: &str = "code = \"H22\"\nmanagement_url = \"http://guest:guest@127.0.0.1:15672\"\n";
const GOOD_PEER: &str = "[[site.peers]]\ncode = \"BXD\"\nagencies = [\"000.00.00.G12\"]\namqp_url = \"amqp://guest:guest@10.1.0.2:5672/%2f\"\n";

fn error_of(text: &str) -> String {
    match HubConfig::parse("hub.toml", text, &kinds()) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_good_site_section_is_taken() {
    let loaded = HubConfig::parse("hub.toml", &site(GOOD_SITE, GOOD_PEER), &kinds())
        .unwrap_or_else(|e| panic!("{e}"));
    let section = loaded.sections.site.expect("[site]");
    assert_eq!(section.code, "H22");
    assert_eq!(section.peers[0].exchange, "lienthong.sites");
    let map = section.map();
    assert_eq!(map.site_of_agency("000.00.00.G12"), Some("BXD"));
}

#[test]
fn a_national_peer_needs_no_agencies() {
    let national = "[[site.peers]]\ncode = \"QG\"\nagencies = []\nnational = true\namqp_url = \"amqp://g:g@10.1.0.9:5672/%2f\"\n";
    let loaded = HubConfig::parse("hub.toml", &site(GOOD_SITE, national), &kinds())
        .unwrap_or_else(|e| panic!("{e}"));
    let map = loaded.sections.site.unwrap().map();
    assert!(map.peers[0].national);
    let at_the_top = format!("{GOOD_SITE}national = true");
    let loaded = HubConfig::parse("hub.toml", &site(&at_the_top, GOOD_PEER), &kinds())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.sections.site.unwrap().map().national);
}

#[test]
fn every_bad_site_key_is_named() {
    let second_peer = |code: &str, agency: &str| {
        format!("[[site.peers]]\ncode = \"{code}\"\nagencies = [\"{agency}\"]\namqp_url = \"amqp://g:g@10.1.0.3:5672/%2f\"\n")
    };
    let cases: Vec<(String, &str)> = vec![
        // No broker, no links.
        (
            format!("{PLAIN}[site]\n{GOOD_SITE}{GOOD_PEER}"),
            "site",
        ),
        (site("code = \"H.22\"\nmanagement_url = \"http://h:15672\"", GOOD_PEER), "site.code"),
        (site("code = \"\"\nmanagement_url = \"http://h:15672\"", GOOD_PEER), "site.code"),
        (site("code = \"H22\"\nmanagement_url = \"amqp://h:15672\"", GOOD_PEER), "site.management_url"),
        (site("code = \"H22\"\nmanagement_url = \"not a url\"", GOOD_PEER), "site.management_url"),
        (
            site(&format!("{GOOD_SITE}link_check_interval_seconds = 0"), GOOD_PEER),
            "site.link_check_interval_seconds",
        ),
        (
            site(&format!("{GOOD_SITE}transfer_window_messages = 0"), GOOD_PEER),
            "site.transfer_window_messages",
        ),
        (
            site(&format!("{GOOD_SITE}transfer_resend_seconds = 0"), GOOD_PEER),
            "site.transfer_resend_seconds",
        ),
        (site(GOOD_SITE, ""), "site.peers"),
        (site(GOOD_SITE, &second_peer("H22", "000.00.00.G13")), "site.peers[0].code"),
        (
            site(GOOD_SITE, &format!("{GOOD_PEER}{}", second_peer("BXD", "000.00.00.G13"))),
            "site.peers[1].code",
        ),
        (
            site(GOOD_SITE, &format!("{GOOD_PEER}{}", second_peer("H29", "000.00.00.G12"))),
            "site.peers[1].agencies[0]",
        ),
        (site(GOOD_SITE, &second_peer("H29", "G..12")), "site.peers[0].agencies[0]"),
        (
            site(GOOD_SITE, "[[site.peers]]\ncode = \"BXD\"\nagencies = []\namqp_url = \"amqp://h\"\n"),
            "site.peers[0].agencies",
        ),
        (
            site(GOOD_SITE, "[[site.peers]]\ncode = \"BXD\"\nagencies = [\"000.00.00.G12\"]\namqp_url = \"http://h:5672\"\n"),
            "site.peers[0].amqp_url",
        ),
        (
            site(GOOD_SITE, &format!("{GOOD_PEER}exchange = \"a b\"\n")),
            "site.peers[0].exchange",
        ),
    ];
    for (text, key) in cases {
        let message = error_of(&text);
        assert!(
            message.contains(&format!("key `{key}`")),
            "expected key `{key}` in: {message}\n{text}"
        );
        assert!(message.starts_with("hub.toml: "), "{message}");
    }
    // Unknown keys are refused by name, in the section and in a peer.
    let message = error_of(&site(&format!("{GOOD_SITE}regional = true"), GOOD_PEER));
    assert!(message.contains("regional"), "{message}");
    let message = error_of(&site(GOOD_SITE, &format!("{GOOD_PEER}queue = \"x\"\n")));
    assert!(message.contains("queue"), "{message}");
}

/// A hub of site H22 whose peer BXD holds NEXT_AGENCY. Its broker and
/// management API are nowhere: the hub keeps deciding while the links are
/// away, and the handover waits in the outbox.
async fn province() -> TestHub {
    let hub = TestHub::start_with(|config| {
        config.amqp.url = Some("amqp://guest:guest@127.0.0.1:1/%2f".into());
        config.site = Some(SiteSection {
            code: "H22".into(),
            management_url: "http://guest:guest@127.0.0.1:1".into(),
            link_check_interval_seconds: 3600,
            transfer_window_messages: 16,
            transfer_resend_seconds: 30,
            national: false,
            peers: vec![PeerSection {
                code: "BXD".into(),
                agencies: vec![NEXT_AGENCY.into()],
                amqp_url: "amqp://guest:guest@127.0.0.1:2/%2f".into(),
                exchange: "lienthong.sites".into(),
                national: false,
            }],
        });
    })
    .await;
    publish_sequence(&hub).await;
    hub
}

#[tokio::test]
async fn a_dossier_handed_over_is_decided_by_the_other_site_only() {
    let mut hub = province().await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let reply = one_stop.submit("site-submit").await;
    let dossier = reply.dossier.unwrap();
    // Filed here: this site decides, and says so.
    let site = dossier
        .site
        .clone()
        .expect("a hub with [site] says who decides");
    assert_eq!(site.authoritative_site, "H22");
    assert_eq!(site.origin_site, "H22");
    assert_eq!(dossier.agency_code, AGENCY);
    let id = dossier.id;
    one_stop
        .exec(command("site-receive", id, command_named("receive")))
        .await
        .unwrap();
    let forward = C::Forward(pb::ForwardDossier {
        to_agency_code: NEXT_AGENCY.into(),
        note: "Chuyển Bộ Xây dựng cho ý kiến".into(),
    });
    let forwarded = one_stop
        .exec(command("site-forward", id, forward))
        .await
        .unwrap()
        .dossier
        .unwrap();
    let site = forwarded.site.expect("the hold after the handover");
    assert_eq!(site.authoritative_site, "BXD");
    assert_eq!(site.origin_site, "H22");
    assert_eq!(site.copy_sites, vec!["H22".to_string()]);
    // GetDossier shows it as stored.
    let got = one_stop.get(id).await.unwrap().dossier.unwrap();
    assert_eq!(got.site.unwrap().authoritative_site, "BXD");

    // Any further command here is refused, naming the site that decides,
    // and changes nothing.
    let refused = one_stop
        .exec(command("site-start", id, command_named("start_processing")))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
    assert!(
        refused.message().contains("site BXD"),
        "{}",
        refused.message()
    );
    assert!(
        refused.message().contains(&forwarded.ma_ho_so),
        "{}",
        refused.message()
    );
    let after = one_stop.get(id).await.unwrap().dossier.unwrap();
    assert_eq!(after.version, forwarded.version);

    // The handover waits for the peer: a destination of its own, pending.
    let destinations = hub.running.as_ref().unwrap().hub.destinations();
    assert!(
        destinations
            .iter()
            .any(|d| d.name == "BXD" && d.kind.name() == "site"),
        "{destinations:?}"
    );
    hub.stop().await;
}
