//! Listings by agency, procedure and status are read from the store's
//! listing indexes (`store/indexes.rs`), not from every dossier: here, over
//! real gRPC, every filter's listing, page by page, is exactly the full
//! listing filtered by hand — after status changes, a forward to another
//! agency, and a restart on the same directory.

use crate::common::{
    catalog_entry, command, command_named, partner_section, publish_catalog, status, Client,
    TestHub, AGENCY, NEXT_AGENCY, PORTAL, PROCEDURE,
};
use lienthong::config::{PartnerSection, SubscriptionSection};
use lienthong::grpc::pb::{self, command_request::Command as C};

const OTHER_PROCEDURE: &str = "1.000949.H38";
const SO_A: &str = "dev-so-a-token-000001";

fn agency_partner(id: &str, token: &str, agency: &str) -> PartnerSection {
    PartnerSection {
        subscription: Some(SubscriptionSection {
            agencies: vec![agency.into()],
            ..Default::default()
        }),
        ..partner_section(id, "one_stop", token, &["*"], &[agency])
    }
}

/// Every page of a listing, with a small page size so that paging through
/// an index is exercised too.
async fn all_pages(
    client: &mut Client,
    mut query: pb::ListDossiersRequest,
) -> Vec<(u64, String, String, i32)> {
    query.page_size = 2;
    let mut found = Vec::new();
    loop {
        let reply = client.list(query.clone()).await.expect("listing");
        found.extend(reply.dossiers.iter().map(|d| {
            (
                d.id,
                d.agency_code.clone(),
                d.procedure_code.clone(),
                d.status,
            )
        }));
        if reply.next_page_token.is_empty() {
            return found;
        }
        query.page_token = reply.next_page_token;
    }
}

async fn every_filter_matches_the_full_listing(client: &mut Client) -> usize {
    let all = all_pages(client, Default::default()).await;
    let mut checked = 0;
    for agency in ["", AGENCY, NEXT_AGENCY] {
        for procedure in ["", PROCEDURE, OTHER_PROCEDURE] {
            for wanted in [
                0,
                status::SUBMITTED,
                status::RECEIVED,
                status::PROCESSING,
                status::FINISHED,
                status::WITHDRAWN,
            ] {
                let query = pb::ListDossiersRequest {
                    agency_code: agency.into(),
                    procedure_code: procedure.into(),
                    status: wanted,
                    ..Default::default()
                };
                let listed = all_pages(client, query).await;
                let expected: Vec<_> = all
                    .iter()
                    .filter(|(_, a, p, s)| {
                        (agency.is_empty() || a == agency)
                            && (procedure.is_empty() || p == procedure)
                            && (wanted == 0 || *s == wanted)
                    })
                    .cloned()
                    .collect();
                assert_eq!(
                    listed, expected,
                    "agency {agency:?}, procedure {procedure:?}, status {wanted}"
                );
                checked += listed.len();
            }
        }
    }
    checked
}

#[tokio::test]
async fn listings_by_agency_procedure_and_status_are_the_full_listing_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = || {
        let mut config = TestHub::config(dir.path().join("data"));
        config.partners.push(agency_partner("so-a", SO_A, AGENCY));
        TestHub::checked(config)
    };
    let running = lienthong::app::start(&loaded()).await.expect("starts");
    let mut hub = TestHub::around(running, tempfile::tempdir().unwrap());
    let mut portal = hub.client(PORTAL).await;
    let mut sequenced = catalog_entry(PROCEDURE, "Cấp giấy phép xây dựng");
    sequenced.attributes.insert(
        "interagency_sequence".into(),
        format!("{AGENCY}, {NEXT_AGENCY}"),
    );
    publish_catalog(
        &mut portal,
        "two-procedures",
        "procedures",
        vec![
            sequenced,
            catalog_entry(OTHER_PROCEDURE, "Cấp phép đào đường"),
        ],
        None,
    )
    .await
    .expect("procedures published");

    let mut a = hub.client(SO_A).await;
    // Nine dossiers, two procedures, walked to different statuses.
    let mut ids = Vec::new();
    for n in 0..9 {
        let mut submission = crate::common::submission();
        if n % 3 == 2 {
            submission.procedure_code = OTHER_PROCEDURE.into();
        }
        let reply = a
            .exec(crate::common::submit_request(&format!("s{n}"), submission))
            .await
            .expect("submitted");
        ids.push(reply.dossier.unwrap().id);
    }
    let steps: [&[&str]; 9] = [
        &[],
        &["receive"],
        &["receive", "start_processing"],
        &["receive", "start_processing", "finish"],
        &["receive", "start_processing"],
        &["withdraw"],
        &["receive"],
        &[],
        &["receive", "start_processing", "finish"],
    ];
    for (id, steps) in ids.iter().zip(steps) {
        for step in steps {
            a.exec(command(&format!("{id}-{step}"), *id, command_named(step)))
                .await
                .unwrap_or_else(|e| panic!("{step} on {id}: {e:?}"));
        }
    }
    // One dossier of the sequenced procedure goes to the next agency.
    a.exec(command(
        "forward",
        ids[4],
        C::Forward(pb::ForwardDossier {
            to_agency_code: NEXT_AGENCY.into(),
            note: "Chuyển Sở Xây dựng".into(),
        }),
    ))
    .await
    .expect("forwarded");

    let checked = every_filter_matches_the_full_listing(&mut portal).await;
    assert!(checked > 9, "the filters listed dossiers: {checked}");
    let forwarded = all_pages(
        &mut portal,
        pb::ListDossiersRequest {
            agency_code: NEXT_AGENCY.into(),
            status: status::PROCESSING,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        forwarded.iter().map(|d| d.0).collect::<Vec<_>>(),
        vec![ids[4]]
    );
    let nothing = all_pages(
        &mut portal,
        pb::ListDossiersRequest {
            status: status::STOPPED,
            ..Default::default()
        },
    )
    .await;
    assert!(nothing.is_empty());

    // The same after a restart on the same directory.
    hub.stop().await;
    let running = lienthong::app::start(&loaded()).await.expect("restarts");
    let mut hub = TestHub::around(running, tempfile::tempdir().unwrap());
    let mut portal = hub.client(PORTAL).await;
    assert_eq!(
        every_filter_matches_the_full_listing(&mut portal).await,
        checked
    );
    hub.stop().await;
}
