//! One set of field rules on every entry point: errors quote a short prefix
//! of what was sent, catalogue input and idempotency keys are held to the
//! rules commands are, and dates must be dates a dossier can carry.

use crate::common::{
    catalog_entry, command, command_named, publish_catalog, submission, submit_request, Client,
    TestHub, ONE_STOP, PORTAL,
};
use lienthong::grpc::pb::{
    self, admin_service_client::AdminServiceClient, command_request::Command as C,
};
use tonic::{Code, Status};

/// What sent 100 KB may answer, at most: a short prefix and the size.
const SHORT: usize = 400;

fn refused(result: Result<impl std::fmt::Debug, Status>, code: Code, needles: &[&str]) -> Status {
    let err = result.expect_err("refused");
    assert_eq!(err.code(), code, "{needles:?}: {}", err.message());
    for needle in needles {
        assert!(
            err.message().contains(needle),
            "`{needle}` in: {}",
            err.message()
        );
    }
    err
}

fn short(err: &Status) {
    assert!(
        err.message().len() < SHORT && err.message().contains("…(100000 bytes)"),
        "a short prefix and the size, not {} bytes: {:.200}",
        err.message().len(),
        err.message()
    );
}

fn by_ma_ho_so(ma_ho_so: &str) -> pb::DossierRef {
    pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(ma_ho_so.into())),
    }
}

// issue 10 defect 6
#[tokio::test]
async fn error_messages_quote_a_short_prefix_of_long_values() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let long = "9".repeat(100_000);
    let invalid = Code::InvalidArgument;

    let request = client.req(pb::GetDossierRequest {
        dossier: Some(by_ma_ho_so(&long)),
    });
    short(&refused(
        client.dossiers.get_dossier(request).await,
        invalid,
        &["dossier.ma_ho_so"],
    ));
    let mut on_long = command("long-ref", 0, command_named("receive"));
    on_long.dossier = Some(by_ma_ho_so(&long));
    short(&refused(
        client.exec(on_long).await,
        invalid,
        &["dossier.ma_ho_so"],
    ));
    let mut s = submission();
    s.agency_code = long.clone();
    short(&refused(
        client.exec(submit_request("long-agency", s)).await,
        invalid,
        &["submit.agency_code"],
    ));
    short(&refused(
        client
            .list(pb::ListDossiersRequest {
                agency_code: long.clone(),
                ..Default::default()
            })
            .await,
        invalid,
        &["agency_code"],
    ));
    let request = client.req(pb::GetCatalogRequest { kind: long.clone() });
    short(&refused(
        client.catalogs.get_catalog(request).await,
        invalid,
        &["kind"],
    ));
    let mut admin = AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap();
    let operator = hub.client(PORTAL).await;
    let request = operator.req(pb::GetDeliveryStatusRequest {
        partner_id: long.clone(),
        dossier: None,
    });
    short(&refused(
        admin.get_delivery_status(request).await,
        Code::NotFound,
        &["partner"],
    ));
    assert_eq!(client.submit("first").await.event_seq, 1, "nothing written");
    hub.stop().await;
}

async fn publish_one(
    client: &mut Client,
    key: &str,
    attribute: (&str, &str),
) -> Result<pb::PublishCatalogReply, Status> {
    let mut entry = catalog_entry("000.00.01.H22", "Sở Xây dựng");
    entry
        .attributes
        .insert(attribute.0.into(), attribute.1.into());
    publish_catalog(client, key, "agencies", vec![entry], None).await
}

// issue 10 defect 10
#[tokio::test]
async fn catalogue_input_and_idempotency_keys_follow_the_command_field_rules() {
    let mut hub = TestHub::start().await;
    let mut portal = hub.client(PORTAL).await;
    let long = "k".repeat(100_000);
    let invalid = Code::InvalidArgument;
    let attributes = "entries[0].attributes";
    for name in ["time\u{1}limit", "a\0b", "line\nbreak"] {
        let sent = publish_one(&mut portal, "bad-name", (name, "x")).await;
        refused(sent, invalid, &[attributes, "printable"]);
    }
    let sent = publish_one(&mut portal, "long-name", (&long, "x")).await;
    short(&refused(sent, invalid, &[attributes]));
    for key in [long.as_str(), "a\0b", "tab\tkey"] {
        let sent = publish_one(&mut portal, key, ("note", "x")).await;
        refused(sent, invalid, &["idempotency_key"]);
        let sent = portal.exec(submit_request(key, submission())).await;
        refused(sent, invalid, &["idempotency_key"]);
    }
    // Nothing of it was written.
    let request = portal.req(pb::GetCatalogRequest {
        kind: "agencies".into(),
    });
    let catalog = portal.catalogs.get_catalog(request).await.unwrap();
    assert_eq!(catalog.into_inner().version, 0);
    assert_eq!(portal.dossier_count().await, 0);
    // The same entry with a well-formed name is published.
    let published = publish_one(&mut portal, "good", ("note", "x")).await;
    assert_eq!(published.unwrap().version, 1);
    hub.stop().await;
}

fn at_seconds(seconds: i64) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds, nanos: 0 })
}

/// The first second of year 10000: one past the protobuf Timestamp range.
const YEAR_10000: i64 = 253_402_300_800;
/// Eleven years ahead, in days.
const ELEVEN_YEARS: i64 = 11 * 366;

// issue 10 defect 11
#[tokio::test]
async fn dates_outside_the_timestamp_range_or_over_ten_years_ahead_are_refused() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let id = client.submit("dates").await.dossier.unwrap().id;
    let invalid = Code::InvalidArgument;
    let receive = |due_at| C::Receive(pb::ReceiveDossier { due_at });
    for (key, due_at, needle) in [
        ("r-10000", at_seconds(YEAR_10000), "Timestamp range"),
        ("r-year-0", at_seconds(-62_135_596_801), "Timestamp range"),
        (
            "r-11y",
            Some(crate::common::in_days(ELEVEN_YEARS)),
            "10 years",
        ),
    ] {
        let sent = client.exec(command(key, id, receive(due_at))).await;
        refused(sent, invalid, &["receive.due_at", needle]);
    }
    client
        .exec(command("received", id, command_named("receive")))
        .await
        .unwrap();
    let reschedule = |new_due_at| {
        C::Reschedule(pb::RescheduleDossier {
            new_due_at,
            apology: "Xin lỗi vì trễ hẹn".into(),
        })
    };
    for (key, new_due_at, needle) in [
        ("s-10000", at_seconds(YEAR_10000), "Timestamp range"),
        (
            "s-11y",
            Some(crate::common::in_days(ELEVEN_YEARS)),
            "10 years",
        ),
    ] {
        let sent = client.exec(command(key, id, reschedule(new_due_at))).await;
        refused(sent, invalid, &["reschedule.new_due_at", needle]);
    }
    // Nothing of it was written; nine years ahead is still a date.
    let got = client.get(id).await.unwrap();
    assert_eq!((got.dossier.unwrap().version, got.history.len()), (2, 2));
    let nine_years = reschedule(Some(crate::common::in_days(9 * 365)));
    client.exec(command("s-9y", id, nine_years)).await.unwrap();
    hub.stop().await;
}
