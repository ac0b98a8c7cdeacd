//! The delivery relay, seen through a real adapter (the legacy one) and its
//! simulator: a refused event is parked with its reason, the same dossier's
//! later events wait behind it while other dossiers go on, and a re-drive
//! delivers them in order once the partner accepts again.

use super::{inbound_url, partner, settled, start_hub};
use crate::common::{self, command, command_named, submission, submit_request, PORTAL};
use lienthong::audit::Kind;
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, admin_service_client::AdminServiceClient};
use lienthong_adapter_legacy::simulator::{SimConfig, Simulator};
use std::time::Duration;

const PARTNER: &str = "legacy-relay";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parked_event_holds_back_its_dossier_only_and_a_redrive_delivers_in_order() {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let mut settings = sim.adapter_settings(&["dossier_submitted", "dossier_received"]);
    settings.insert("kind".into(), "legacy_rest".into());
    let subscription = SubscriptionSection::default();
    let mut hub = start_hub(vec![partner(
        PARTNER,
        "legacy-relay-token-01",
        &[],
        Some(subscription),
        settings,
    )])
    .await;
    sim.set_hub_url(Some(format!("{}/updates", inbound_url(&hub, PARTNER))));
    let mut one_stop = hub.client(common::ONE_STOP).await;

    // The legacy system refuses the first dossier for good.
    sim.switches(|s| s.reject_next = 1);
    let a = one_stop.submit("relay-a").await.dossier.unwrap();
    settled(&hub, PARTNER).await;
    // Its next change waits behind; another dossier goes through meanwhile.
    one_stop
        .exec(command("relay-a-receive", a.id, command_named("receive")))
        .await
        .unwrap();
    let b = one_stop
        .exec(submit_request("relay-b", submission()))
        .await
        .unwrap()
        .dossier
        .unwrap();
    let status = settled(&hub, PARTNER).await;
    assert_eq!((status.parked, status.accepted), (2, 1), "{status:?}");
    let accepted: Vec<String> = sim
        .accepted()
        .iter()
        .map(|m| m["soHoSo"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        accepted,
        std::slice::from_ref(&b.ma_ho_so),
        "only the other dossier reached the partner"
    );

    let portal = hub.client(PORTAL).await;
    let mut admin = AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap();
    let request = portal.req(pb::ListParkedDeliveriesRequest {
        partner_id: PARTNER.into(),
        limit: 0,
    });
    let parked = admin
        .list_parked_deliveries(request)
        .await
        .unwrap()
        .into_inner()
        .deliveries;
    assert_eq!(parked.len(), 2);
    assert!(parked.iter().all(|p| p.ma_ho_so == a.ma_ho_so));
    assert!(
        parked[0].reason.contains("rejected by the partner"),
        "{}",
        parked[0].reason
    );
    assert_eq!(parked[0].event_type, "dossier_submitted");
    assert!(
        parked[1].reason.contains("waiting behind"),
        "{}",
        parked[1].reason
    );

    // The cause is gone: re-drive, and both arrive, in order.
    let request = portal.req(pb::RedriveParkedDeliveriesRequest {
        partner_id: PARTNER.into(),
        seqs: vec![],
        all: true,
    });
    assert_eq!(
        admin
            .redrive_parked_deliveries(request)
            .await
            .unwrap()
            .into_inner()
            .redriven,
        2
    );
    let mut sync = None;
    for _ in 0..200 {
        let request = portal.req(pb::GetDeliveryStatusRequest {
            partner_id: PARTNER.into(),
            dossier: Some(pb::DossierRef {
                r#ref: Some(pb::dossier_ref::Ref::Id(a.id)),
            }),
        });
        let reply = admin
            .get_delivery_status(request)
            .await
            .unwrap()
            .into_inner();
        // The tally and the sync state are read one after the other: wait
        // until both show the re-driven deliveries.
        let accepted_all = reply.status.as_ref().is_some_and(|s| s.accepted == 3);
        if accepted_all && reply.dossier.as_ref().is_some_and(|d| d.up_to_date) {
            sync = Some(reply);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = sync.expect("the re-driven events were accepted");
    let dossier = reply.dossier.unwrap();
    assert_eq!((dossier.synced_version, dossier.dossier_version), (2, 2));
    assert!(dossier.lag_milliseconds >= 0);
    let status = reply.status.unwrap();
    assert_eq!(
        (status.parked, status.redriven, status.accepted),
        (0, 2, 3),
        "{status:?}"
    );
    let for_a: Vec<String> = sim
        .accepted()
        .iter()
        .filter(|m| m["soHoSo"] == a.ma_ho_so.as_str())
        .map(|m| m["loaiSuKien"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(for_a, ["NOP_MOI", "TIEP_NHAN"], "in order");
    hub.stop().await;

    // The audit log holds each delivery the partner accepted, and the
    // operator's re-drive with the operator named and what it moved.
    let log = crate::audit::entries(&hub.dir.path().join("data"));
    let deliveries: Vec<_> = log
        .iter()
        .filter(|e| e.record.kind == Kind::Delivery && e.record.actor == PARTNER)
        .map(|e| (e.record.subject.clone(), e.record.detail.clone()))
        .collect();
    assert_eq!(deliveries.len(), 3, "{deliveries:?}");
    assert!(deliveries.contains(&(b.ma_ho_so.clone(), "version 1".into())));
    assert!(deliveries.contains(&(a.ma_ho_so.clone(), "version 2".into())));
    let redrive = log
        .iter()
        .find(|e| e.record.kind == Kind::Operator)
        .expect("the re-drive is recorded");
    assert_eq!(
        (
            redrive.record.actor.as_str(),
            redrive.record.action.as_str(),
            redrive.record.subject.as_str(),
            redrive.record.count
        ),
        ("national-portal", "redrive_parked_deliveries", PARTNER, 2)
    );
}
