//! Shared catalogues: versions, changes since N, and their events.

use crate::common::{catalog_entry, publish_catalog, TestHub, ONE_STOP, PORTAL};
use lienthong::grpc::pb;
use tonic::Code;

#[tokio::test]
async fn versions_and_changes_since_a_version() {
    let mut hub = TestHub::start().await;
    let mut portal = hub.client(PORTAL).await;
    let v1 = publish_catalog(
        &mut portal,
        "v1",
        "admin_units",
        vec![
            catalog_entry("01", "Thành phố Hà Nội"),
            catalog_entry("79", "Thành phố Hồ Chí Minh"),
            catalog_entry("48", "Thành phố Đà Nẵng"),
        ],
        None,
    )
    .await
    .unwrap();
    assert_eq!((v1.version, v1.added, v1.changed, v1.removed), (1, 3, 0, 0));
    let mut renamed = catalog_entry("79", "TP. Hồ Chí Minh");
    renamed.attributes.insert("cap".into(), "tinh".into());
    let v2 = publish_catalog(
        &mut portal,
        "v2",
        "admin_units",
        vec![
            catalog_entry("01", "Thành phố Hà Nội"),
            renamed,
            catalog_entry("31", "Thành phố Hải Phòng"),
        ],
        Some(1),
    )
    .await
    .unwrap();
    assert_eq!((v2.version, v2.added, v2.changed, v2.removed), (2, 1, 1, 1));

    let request = portal.req(pb::GetCatalogRequest {
        kind: "admin_units".into(),
    });
    let current = portal
        .catalogs
        .get_catalog(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(current.version, 2);
    let codes: Vec<_> = current.entries.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["01", "31", "79"]);
    assert_eq!(
        current.entries[2].attributes.get("cap").map(String::as_str),
        Some("tinh")
    );

    let request = portal.req(pb::GetCatalogChangesRequest {
        kind: "admin_units".into(),
        since_version: 1,
    });
    let since_1 = portal
        .catalogs
        .get_catalog_changes(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(since_1.version, 2);
    let mut changes: Vec<_> = since_1
        .changes
        .iter()
        .map(|c| (c.entry.as_ref().unwrap().code.as_str(), c.kind, c.version))
        .collect();
    changes.sort();
    use pb::catalog_change::Kind;
    assert_eq!(
        changes,
        [
            ("31", Kind::Added as i32, 2),
            ("48", Kind::Removed as i32, 2),
            ("79", Kind::Changed as i32, 2)
        ]
    );
    let request = portal.req(pb::GetCatalogChangesRequest {
        kind: "admin_units".into(),
        since_version: 0,
    });
    assert_eq!(
        portal
            .catalogs
            .get_catalog_changes(request)
            .await
            .unwrap()
            .into_inner()
            .changes
            .len(),
        6
    );

    // Publishing the same content again makes no new version.
    let same = publish_catalog(
        &mut portal,
        "v2-again",
        "admin_units",
        current.entries.clone(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        (same.version, same.added + same.changed + same.removed),
        (2, 0)
    );
    // A stale expected version is refused.
    let err = publish_catalog(&mut portal, "stale", "admin_units", vec![], Some(1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    assert!(
        err.message().contains("catalogue admin_units"),
        "{}",
        err.message()
    );

    // Subscribers hear of each new version.
    let request = portal.req(pb::SubscribeRequest { after_seq: None });
    let mut stream = portal.events.subscribe(request).await.unwrap().into_inner();
    for version in [1, 2] {
        let event = stream.message().await.unwrap().unwrap();
        assert_eq!(event.r#type, pb::EventType::CatalogPublished as i32);
        match event.payload {
            Some(pb::event::Payload::CatalogPublished(c)) => {
                assert_eq!((c.kind.as_str(), c.version), ("admin_units", version))
            }
            other => panic!("unexpected payload {other:?}"),
        }
    }
    hub.stop().await;
}

#[tokio::test]
async fn bad_publications_are_refused() {
    let mut hub = TestHub::start().await;
    let mut portal = hub.client(PORTAL).await;
    // What is wrong with each, as the error must name it.
    let g01 = || catalog_entry("G01", "a");
    let twice = vec![g01(), catalog_entry("G01", "b")];
    let spaced = vec![catalog_entry("G 01", "a")];
    for (key, kind, entries, named) in [
        ("k1", "planets", vec![], &["kind", "planets"][..]),
        ("k2", "sectors", twice, &["entries[1].code"]),
        ("k3", "sectors", spaced, &["entries[0].code"]),
    ] {
        let err = publish_catalog(&mut portal, key, kind, entries, None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{key}");
        let message = err.message();
        assert!(
            named.iter().all(|n| message.contains(n)),
            "{key}: {message}"
        );
    }
    let mut one_stop = hub.client(ONE_STOP).await;
    let err = publish_catalog(&mut one_stop, "k4", "sectors", vec![g01()], None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let request = portal.req(pb::GetCatalogRequest {
        kind: "sectors".into(),
    });
    assert_eq!(
        portal
            .catalogs
            .get_catalog(request)
            .await
            .unwrap()
            .into_inner()
            .version,
        0,
        "nothing published"
    );
    hub.stop().await;
}
