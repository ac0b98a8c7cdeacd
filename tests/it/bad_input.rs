//! Bad input: a clear error naming the field or the rule, and nothing written.

use crate::common::{
    self, by_id, command, command_named, submission, submit_request, Client, TestHub, ONE_STOP,
    PORTAL, POSTAL,
};
use lienthong::grpc::pb::{self, command_request::Command as C};
use tonic::Code;

async fn refused(client: &mut Client, request: pb::CommandRequest, code: Code, needle: &str) {
    let err = client.exec(request).await.expect_err(needle);
    assert_eq!(err.code(), code, "{needle}: {}", err.message());
    assert!(
        err.message().contains(needle),
        "expected `{needle}` in: {}",
        err.message()
    );
}

/// Breaks one field of a valid submission, for tables of refusals.
type Break = fn(&mut pb::SubmitDossier);

fn with(change: impl FnOnce(&mut pb::SubmitDossier)) -> pb::CommandRequest {
    let mut s = submission();
    change(&mut s);
    submit_request("bad", s)
}

#[tokio::test]
async fn malformed_or_missing_fields_are_named_and_nothing_is_written() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let bad = Code::InvalidArgument;
    // One broken field of a valid submission each, and what the error names.
    let submissions: [(Break, &str); 12] = [
        (|s| s.owner_name.clear(), "submit.owner_name"),
        (
            |s| s.agency_code = "000..01.H22".into(),
            "submit.agency_code",
        ),
        (
            |s| s.procedure_code = "1.000948-H38".into(),
            "submit.procedure_code",
        ),
        (|s| s.channel = 0, "submit.channel"),
        (|s| s.channel = 99, "submit.channel"),
        (|s| s.applicant_type = 0, "submit.applicant_type"),
        (|s| s.email = "not-an-address".into(), "submit.email"),
        (|s| s.phone = "09-87".into(), "submit.phone"),
        (|s| s.summary = "x".repeat(5000), "submit.summary"),
        (
            |s| s.documents[0].url = "ftp://x".into(),
            "submit.documents[0].url",
        ),
        (
            |s| s.ma_ho_so = "000.00.01.H22-251122-17".into(),
            "submit.ma_ho_so",
        ),
        (
            |s| s.ma_ho_so = "000.00.09.H22-251122-00017".into(),
            "must start with the agency code",
        ),
    ];
    for (change, needle) in submissions {
        refused(&mut client, with(change), bad, needle).await;
    }
    let mut no_key = with(|_| {});
    no_key.idempotency_key.clear();
    refused(&mut client, no_key, bad, "idempotency_key").await;
    let mut no_command = with(|_| {});
    no_command.command = None;
    refused(&mut client, no_command, bad, "command").await;
    // Commands on a dossier.
    let mut no_ref = command("bad-ref", 1, command_named("receive"));
    no_ref.dossier = None;
    refused(&mut client, no_ref, bad, "dossier").await;
    let mut bad_ref = command("bad-ref2", 1, command_named("receive"));
    bad_ref.dossier = Some(pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo("H22-1".into())),
    });
    refused(&mut client, bad_ref, bad, "dossier.ma_ho_so").await;
    refused(
        &mut client,
        command("missing", 999, command_named("receive")),
        Code::NotFound,
        "dossier id 999",
    )
    .await;

    // Nothing of the above was written: the first real change gets seq 1.
    let first = client.submit("good").await;
    assert_eq!(first.event_seq, 1);
    let id = first.dossier.unwrap().id;
    let past = C::Receive(pb::ReceiveDossier {
        due_at: Some(common::in_days(-1)),
    });
    let no_reason = C::Refuse(pb::RefuseDossier { reason: " ".into() });
    for (key, broken, needle) in [
        ("past", past, "receive.due_at"),
        ("no-reason", no_reason, "refuse.reason"),
    ] {
        refused(&mut client, command(key, id, broken), bad, needle).await;
    }
    let got = client.get(id).await.unwrap();
    assert_eq!((got.dossier.unwrap().version, got.history.len()), (1, 1));
    assert_eq!(client.dossier_count().await, 1);
    hub.stop().await;
}

#[tokio::test]
async fn oversized_messages_are_refused_before_decoding() {
    let mut hub = TestHub::start_with(|c| c.hub.max_message_bytes = 256 * 1024).await;
    let mut client = hub.client(ONE_STOP).await;
    let mut big = submission();
    big.documents = (0..2000)
        .map(|i| pb::Document {
            component_code: format!("TP{i}"),
            name: "x".repeat(200),
            url: String::new(),
        })
        .collect();
    let err = client.exec(submit_request("big", big)).await.unwrap_err();
    assert!(
        matches!(err.code(), Code::OutOfRange | Code::ResourceExhausted),
        "{err:?}"
    );
    assert!(
        err.message().contains("message length too large") || err.message().contains("too large"),
        "{}",
        err.message()
    );
    // Under the transport limit but over a field limit: named.
    let mut many = submission();
    many.documents = (0..201)
        .map(|i| pb::Document {
            component_code: format!("TP{i}"),
            name: "Đơn".into(),
            url: String::new(),
        })
        .collect();
    refused(
        &mut client,
        submit_request("many", many),
        Code::InvalidArgument,
        "submit.documents",
    )
    .await;
    assert_eq!(
        client.submit("ok").await.event_seq,
        1,
        "nothing was written before"
    );
    hub.stop().await;
}

#[tokio::test]
async fn credentials_and_rights_are_checked() {
    let mut hub = TestHub::start_with(|config| {
        config.partners.push(common::da_nang_one_stop());
    })
    .await;
    for (token, key) in [("", "anon"), ("not-a-known-token", "stranger")] {
        let mut unknown = hub.client(token).await;
        let err = unknown
            .exec(submit_request(key, submission()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "token {token:?}");
    }

    let mut one_stop = hub.client(ONE_STOP).await;
    let id = one_stop.submit("owned").await.dossier.unwrap().id;
    // The postal partner may not receive dossiers.
    let mut postal = hub.client(POSTAL).await;
    refused(
        &mut postal,
        command("postal-receive", id, command_named("receive")),
        Code::PermissionDenied,
        "may not send `receive`",
    )
    .await;
    // A one-stop system scoped to Đà Nẵng acts for its agency only.
    let mut da_nang = hub.client(common::DA_NANG_TOKEN).await;
    let denied = Code::PermissionDenied;
    let request = submit_request("dn-1", submission());
    refused(&mut da_nang, request, denied, "agency `000.00.01.H22`").await;
    // Another agency's dossier is answered as an unknown one (issue 10
    // defect 14; `existence_probe.rs`).
    let request = command("dn-2", id, command_named("receive"));
    refused(&mut da_nang, request, Code::NotFound, "not found").await;
    let err = da_nang.get(id).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let mut own = submission();
    own.agency_code = common::DA_NANG.into();
    da_nang.exec(submit_request("dn-3", own)).await.unwrap();
    assert_eq!(da_nang.dossier_count().await, 1, "sees only its own agency");
    assert_eq!(
        one_stop.get(id).await.unwrap().dossier.unwrap().version,
        1,
        "unchanged"
    );
    hub.stop().await;
}

#[tokio::test]
async fn codes_must_be_in_the_catalogues_once_they_are_published() {
    let mut hub = TestHub::start().await;
    let mut portal = hub.client(PORTAL).await;
    let mut one_stop = hub.client(ONE_STOP).await;
    one_stop.submit("before-catalogue").await;
    for (kind, code) in [
        ("procedures", "1.000948.H38"),
        ("agencies", "000.00.01.H22"),
    ] {
        let entries = vec![common::catalog_entry(code, "x")];
        common::publish_catalog(&mut portal, &format!("cat-{kind}"), kind, entries, None)
            .await
            .unwrap();
    }
    let unknown: [(Break, &str); 2] = [
        (
            |s| s.procedure_code = "2.000001.H38".into(),
            "submit.procedure_code",
        ),
        (
            |s| s.agency_code = "000.00.02.H22".into(),
            "not in the agencies catalogue",
        ),
    ];
    for (change, needle) in unknown {
        refused(&mut one_stop, with(change), Code::InvalidArgument, needle).await;
    }
    one_stop.submit("known-codes").await;
    let by_portal_code = submit_request(
        "portal-code",
        pb::SubmitDossier {
            ma_ho_so: "000.00.01.H22-251122-00017".into(),
            ..submission()
        },
    );
    let made = portal.exec(by_portal_code.clone()).await.unwrap();
    assert_eq!(made.dossier.unwrap().ma_ho_so, "000.00.01.H22-251122-00017");
    let again = pb::CommandRequest {
        idempotency_key: "portal-code-2".into(),
        ..by_portal_code
    };
    refused(
        &mut portal,
        again,
        Code::AlreadyExists,
        "000.00.01.H22-251122-00017",
    )
    .await;
    let _ = by_id(1);
    hub.stop().await;
}

/// The applicant's structured address: checked field by field always, and
/// against the `admin_units` catalogue once it is published — a province, a
/// commune of that province, or (an older three-level address) a district of
/// that province the catalogue marks abolished. Refusals name the field and
/// write nothing; accepted addresses are on the dossier as given.
#[tokio::test]
async fn an_applicant_address_must_be_in_the_admin_units_once_they_are_published() {
    let mut hub = TestHub::start().await;
    let mut portal = hub.client(PORTAL).await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let address = |province: &str, commune: &str, district: &str| pb::PostalAddress {
        province_code: province.into(),
        commune_code: commune.into(),
        street: "Số 5 phố Cao Thắng".into(),
        phone: "0987000111".into(),
        district_code: district.into(),
    };
    let filed = |key: &str, a: pb::PostalAddress| {
        let mut s = submission();
        s.applicant_address = Some(a);
        submit_request(key, s)
    };
    // Before the catalogue: only the shape is checked.
    refused(
        &mut one_stop,
        filed("addr-shape", address("Quảng Ninh", "06658", "")),
        Code::InvalidArgument,
        "submit.applicant_address.province_code",
    )
    .await;
    let early = one_stop
        .exec(filed("addr-early", address("22", "99999", "")))
        .await
        .expect("no catalogue yet");
    assert_eq!(
        early
            .dossier
            .unwrap()
            .applicant_address
            .unwrap()
            .commune_code,
        "99999"
    );

    let unit = |code: &str, parent: &str, attributes: &[(&str, &str)]| pb::CatalogEntry {
        code: code.into(),
        name: code.into(),
        parent_code: parent.into(),
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let units = vec![
        unit("22", "", &[("level", "province")]),
        unit("01", "", &[("level", "province")]),
        unit("06658", "22", &[("level", "commune")]),
        unit("00004", "01", &[("level", "commune")]),
        unit(
            "193",
            "22",
            &[("level", "district"), ("abolished_on", "2025-07-01")],
        ),
    ];
    common::publish_catalog(&mut portal, "addr-units", "admin_units", units, None)
        .await
        .unwrap();
    let before = one_stop.dossier_count().await;
    for (key, a, needle) in [
        (
            "addr-1",
            address("23", "06658", ""),
            "submit.applicant_address.province_code",
        ),
        (
            "addr-2",
            address("22", "99999", ""),
            "submit.applicant_address.commune_code",
        ),
        (
            "addr-3",
            address("22", "00004", ""),
            "is not a commune of province `22`",
        ),
        (
            "addr-4",
            address("01", "06661", "193"),
            "submit.applicant_address.district_code",
        ),
    ] {
        refused(&mut one_stop, filed(key, a), Code::InvalidArgument, needle).await;
    }
    assert_eq!(one_stop.dossier_count().await, before, "nothing written");
    let current = one_stop
        .exec(filed("addr-ok", address("22", "06658", "")))
        .await
        .expect("a province and one of its communes");
    assert_eq!(
        current.dossier.unwrap().applicant_address.unwrap(),
        address("22", "06658", "")
    );
    // An older three-level address: its district is abolished, its commune
    // (a code of before the reform) is taken as written.
    let old = one_stop
        .exec(filed("addr-old", address("22", "06661", "193")))
        .await
        .expect("an abolished district stays readable");
    assert_eq!(
        old.dossier
            .unwrap()
            .applicant_address
            .unwrap()
            .district_code,
        "193"
    );
    // No address at all is no address, as before.
    let mut none = submission();
    none.applicant_address = Some(pb::PostalAddress::default());
    let plain = one_stop
        .exec(submit_request("addr-none", none))
        .await
        .expect("an empty address is none");
    assert_eq!(plain.dossier.unwrap().applicant_address, None);
    hub.stop().await;
}
