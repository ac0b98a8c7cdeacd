//! Receipts: a partner asks for a signed receipt of its own accepted
//! command over gRPC, and it verifies offline with the hub's public key
//! alone (`lienthong audit verify-receipt`, and the library's check); a
//! changed receipt does not. Another partner's command is NOT_FOUND, worded
//! as a key never used. A hub without a signing key refuses clearly.

use super::{keygen, lienthong, text};
use crate::common::{self, TestHub};
use lienthong::audit::{PublicKey, Receipt};
use lienthong::grpc::pb::{self, audit_service_client::AuditServiceClient};
use tonic::transport::Channel;

async fn audit_client(hub: &TestHub) -> AuditServiceClient<Channel> {
    AuditServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap()
}

async fn receipt(hub: &TestHub, token: &str, key: &str) -> Result<pb::Receipt, tonic::Status> {
    let client = hub.client(token).await;
    let request = client.req(pb::GetReceiptRequest {
        idempotency_key: key.into(),
    });
    audit_client(hub)
        .await
        .get_receipt(request)
        .await
        .map(|r| r.into_inner())
}

fn verify_receipt_file(
    dir: &std::path::Path,
    document: &str,
    public: &std::path::Path,
) -> std::process::Output {
    let file = dir.join("receipt.json");
    std::fs::write(&file, document).unwrap();
    lienthong(&[
        "audit".as_ref(),
        "verify-receipt".as_ref(),
        file.as_os_str(),
        "--public-key".as_ref(),
        public.as_os_str(),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_gets_a_receipt_it_verifies_offline_and_a_changed_one_fails() {
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = keygen(keys_dir.path());
    let signing = keys.signing.clone();
    let mut hub = TestHub::start_with(move |c| {
        c.audit.signing_key_file = Some(signing);
        c.audit.checkpoint_interval_seconds = 3600;
    })
    .await;
    let public = PublicKey::read(&keys.public).unwrap();
    let mut one_stop = hub.client(common::ONE_STOP).await;
    let first = one_stop.submit("receipt-1").await;
    for i in 0..4 {
        one_stop.submit(&format!("receipt-filler-{i}")).await;
    }

    // No checkpoint covers it yet (the interval is an hour): one is made.
    let got = receipt(&hub, common::ONE_STOP, "receipt-1").await.unwrap();
    let parsed = Receipt::from_document(&got.document).unwrap();
    assert_eq!(parsed.entry, got.entry);
    assert_eq!(parsed.checkpoint.signature, got.signature);
    let entry = parsed.verify(&public).expect("the receipt verifies");
    assert_eq!(
        (
            entry.record.actor.as_str(),
            entry.record.action.as_str(),
            entry.record.request.as_str()
        ),
        ("one-stop", "submit", "receipt-1")
    );
    assert_eq!(entry.record.subject, first.dossier.unwrap().ma_ho_so);
    assert_eq!(entry.record.event_id, first.event_id);
    assert_eq!(parsed.checkpoint.checkpoint.number, 1);
    assert!(
        !parsed.merkle_path.is_empty(),
        "several entries: a real path"
    );

    let checked = verify_receipt_file(keys_dir.path(), &got.document, &keys.public);
    let said = text(&checked);
    assert!(checked.status.success(), "{said}");
    assert!(
        said.contains("receipt valid") && said.contains("receipt-1"),
        "{said}"
    );

    // One byte of the entry changed (its idempotency key): the path no
    // longer leads to the signed root.
    let mut changed = parsed.clone();
    let at = changed
        .entry
        .windows(9)
        .position(|w| w == b"receipt-1")
        .unwrap();
    changed.entry[at + 8] = b'2';
    let e = changed.verify(&public).unwrap_err().to_string();
    assert!(e.contains("do not lead to checkpoint 1's root"), "{e}");
    let checked = verify_receipt_file(keys_dir.path(), &changed.to_document(), &keys.public);
    assert_eq!(checked.status.code(), Some(1), "{}", text(&checked));
    assert!(text(&checked).contains("receipt INVALID"));
    // A changed checkpoint (a larger range) breaks the signature.
    let mut forged = parsed.clone();
    forged.checkpoint.checkpoint.size += 1;
    let checked = verify_receipt_file(keys_dir.path(), &forged.to_document(), &keys.public);
    assert_eq!(checked.status.code(), Some(1));
    assert!(
        text(&checked).contains("signature does not verify"),
        "{}",
        text(&checked)
    );

    // A later command is covered by a new checkpoint; the first receipt
    // still verifies against its own.
    one_stop.submit("receipt-2").await;
    let second = receipt(&hub, common::ONE_STOP, "receipt-2").await.unwrap();
    let second = Receipt::from_document(&second.document).unwrap();
    second.verify(&public).unwrap();
    assert_eq!(second.checkpoint.checkpoint.number, 2);
    assert_eq!(
        second.checkpoint.checkpoint.previous,
        parsed.checkpoint.checkpoint.hash()
    );
    let again = receipt(&hub, common::ONE_STOP, "receipt-1").await.unwrap();
    assert_eq!(
        again.checkpoint, got.checkpoint,
        "the covering checkpoint is kept"
    );

    // Another partner asks for one-stop's command: the answer of a key
    // nobody used, word for word.
    let theirs = receipt(&hub, common::PORTAL, "receipt-1")
        .await
        .unwrap_err();
    let unused = receipt(&hub, common::PORTAL, "never-used")
        .await
        .unwrap_err();
    assert_eq!(theirs.code(), tonic::Code::NotFound);
    assert_eq!(
        theirs.message().replace("receipt-1", "K"),
        unused.message().replace("never-used", "K")
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_on_demand_need_an_operator_and_a_key() {
    let mut unsigned = TestHub::start().await;
    let mut one_stop = unsigned.client(common::ONE_STOP).await;
    one_stop.submit("unsigned-1").await;
    let refused = receipt(&unsigned, common::ONE_STOP, "unsigned-1")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    assert!(
        refused.message().contains("[audit] signing_key_file"),
        "{}",
        refused.message()
    );
    unsigned.stop().await;

    let keys_dir = tempfile::tempdir().unwrap();
    let keys = keygen(keys_dir.path());
    let signing = keys.signing.clone();
    let mut hub = TestHub::start_with(move |c| {
        c.audit.signing_key_file = Some(signing);
        c.audit.checkpoint_interval_seconds = 3600;
    })
    .await;
    hub.client(common::ONE_STOP).await.submit("signed-1").await;
    let one_stop = hub.client(common::ONE_STOP).await;
    let denied = audit_client(&hub)
        .await
        .make_checkpoint(one_stop.req(pb::MakeCheckpointRequest {}))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);
    let portal = hub.client(common::PORTAL).await;
    let made = audit_client(&hub)
        .await
        .make_checkpoint(portal.req(pb::MakeCheckpointRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(made.number, 1);
    assert!(made.entries >= 1);
    assert_eq!(
        made.public_key.trim(),
        std::fs::read_to_string(&keys.public).unwrap().trim()
    );
    let signed = lienthong::audit::Signed::from_bytes(
        &[made.checkpoint.clone(), made.signature.clone()].concat(),
    )
    .unwrap();
    signed
        .verify(&PublicKey::read(&keys.public).unwrap())
        .unwrap();
    hub.stop().await;
    // The operator's request is in the log, inside the checkpoint it made.
    let log = super::entries(&hub.dir.path().join("data"));
    let asked = log
        .iter()
        .find(|e| e.record.action == "make_checkpoint")
        .expect("the request is recorded");
    assert_eq!(asked.record.kind, lienthong::audit::Kind::Operator);
    assert_eq!(asked.record.actor, "national-portal");
    assert!(asked.index < made.entries);
}
