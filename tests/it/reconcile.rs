//! Treasury reconciliation over gRPC (`AdminService.Reconcile`).

use crate::common::{TestHub, ONE_STOP, PORTAL};
use lienthong::grpc::pb::{self, admin_service_client::AdminServiceClient};

fn settled(reference: &str, transaction: &str, amount: i64) -> pb::SettledTransaction {
    pb::SettledTransaction {
        reference: reference.into(),
        transaction_id: transaction.into(),
        ma_ho_so: format!("000.00.01.H22-251122-{}", &reference[reference.len() - 5..]),
        amount_vnd: amount,
        bank: "VCB".into(),
        paid_at: "20251122093000".into(),
    }
}

fn credited(from: &pb::SettledTransaction, amount: i64) -> pb::CreditedRecord {
    pb::CreditedRecord {
        document_number: format!("CT-{}", from.transaction_id),
        reference: from.reference.clone(),
        transaction_id: from.transaction_id.clone(),
        ma_ho_so: from.ma_ho_so.clone(),
        amount_vnd: amount,
        revenue_account: "7111".into(),
        treasury_code: "0011".into(),
        paid_at: from.paid_at.clone(),
        credited_at: "20251122150000".into(),
    }
}

#[tokio::test]
async fn reconciliation_reports_matches_gaps_and_mismatches() {
    let mut hub = TestHub::start().await;
    let portal = hub.client(PORTAL).await;
    let mut admin = AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap();
    let paid = settled("TC-00001", "GD1", 75_000);
    let short = settled("TC-00002", "GD2", 150_000);
    let never_credited = settled("TC-00003", "GD3", 50_000);
    let mut stray = credited(&settled("TC-00004", "GD4", 20_000), 20_000);
    stray.document_number = "CT-lone".into();
    let request = pb::ReconcileRequest {
        gateway: vec![paid.clone(), short.clone(), never_credited],
        treasury: vec![credited(&paid, 75_000), credited(&short, 100_000), stray],
    };
    let reply = admin
        .reconcile(portal.req(request))
        .await
        .unwrap()
        .into_inner();
    let summary = reply.summary.unwrap();
    assert_eq!(
        (
            summary.matched,
            summary.amount_mismatch,
            summary.missing_in_treasury,
            summary.missing_in_gateway
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        (summary.gateway_total_vnd, summary.treasury_total_vnd),
        (275_000, 195_000)
    );
    assert_eq!(reply.lines.len(), 4, "every record in exactly one line");
    let mismatch = reply
        .lines
        .iter()
        .find(|l| l.outcome == "amount_mismatch")
        .unwrap();
    assert_eq!(mismatch.differing_fields, ["SoTien"]);
    assert_eq!(mismatch.gateway.as_ref().unwrap().transaction_id, "GD2");

    // Only operators may reconcile.
    let one_stop = hub.client(ONE_STOP).await;
    let err = admin
        .reconcile(one_stop.req(pb::ReconcileRequest::default()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    hub.stop().await;
}
