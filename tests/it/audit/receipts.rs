//! Receipts: a partner asks for a signed receipt of its own accepted
//! command over gRPC, and it verifies offline with the hub's public key
//! alone (`lienthong audit verify-receipt`, and the library's check); a
//! changed receipt does not. Another partner's command is NOT_FOUND, worded
//! as a key never used. A hub without a signing key refuses clearly. Once
//! the key's idempotency record expired, the receipt is found by when the
//! command was accepted, even after the key was used again.

use super::{lienthong, signing_hub, text};
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
    receipt_at(hub, token, key, None).await
}

/// A receipt asked for by key and, when given, when it was accepted (ms).
async fn receipt_at(
    hub: &TestHub,
    token: &str,
    key: &str,
    accepted_at: Option<i64>,
) -> Result<pb::Receipt, tonic::Status> {
    let client = hub.client(token).await;
    let request = client.req(pb::GetReceiptRequest {
        idempotency_key: key.into(),
        accepted_at: accepted_at.map(|ms| prost_types::Timestamp {
            seconds: ms.div_euclid(1000),
            nanos: (ms.rem_euclid(1000) * 1_000_000) as i32,
        }),
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
    let (keys, mut hub) = signing_hub(keys_dir.path(), |_| {}).await;
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

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_its_key_expired_a_receipt_is_found_by_when_it_was_accepted() {
    let keys_dir = tempfile::tempdir().unwrap();
    // Idempotency records (and with them the receipt lookups by key) go
    // at the next sweep, every second.
    let (keys, mut hub) = signing_hub(keys_dir.path(), |c| {
        c.retention.idempotency_retention_seconds = 0;
        c.retention.sweep_interval_seconds = 1;
    })
    .await;
    let public = PublicKey::read(&keys.public).unwrap();
    let mut one_stop = hub.client(common::ONE_STOP).await;
    let first_at = now_ms();
    let first = one_stop.submit("kept-1").await.dossier.unwrap();

    // The lookup by key goes with the key's idempotency record.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let gone = loop {
        match receipt(&hub, common::ONE_STOP, "kept-1").await {
            Err(e) => break e,
            Ok(_) => {
                assert!(std::time::Instant::now() < deadline, "the lookup stayed");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    };
    assert_eq!(gone.code(), tonic::Code::NotFound);
    assert!(
        gone.message().contains("accepted_at")
            && gone.message().contains("idempotency_retention_seconds"),
        "says how to ask for an older one: {}",
        gone.message()
    );

    // By when it was accepted: the same entry, verified offline.
    let got = receipt_at(&hub, common::ONE_STOP, "kept-1", Some(first_at + 500))
        .await
        .unwrap();
    let entry = Receipt::from_document(&got.document)
        .unwrap()
        .verify(&public)
        .unwrap();
    assert_eq!(entry.record.request, "kept-1");
    assert_eq!(entry.record.subject, first.ma_ho_so);

    // The key expired, so the partner may use it again for a new dossier:
    // the key alone now finds the new command; the time still finds the
    // first (the closest to it), and a time near the second the second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let second_at = now_ms();
    let second = one_stop.submit("kept-1").await.dossier.unwrap();
    assert_ne!(second.ma_ho_so, first.ma_ho_so, "a new command");
    let subject = |r: pb::Receipt| {
        Receipt::from_document(&r.document)
            .unwrap()
            .verify(&public)
            .unwrap()
            .record
            .subject
    };
    // The key alone never finds the first command again: the second's
    // receipt, or NOT_FOUND once the sweep took the new lookup too.
    match receipt(&hub, common::ONE_STOP, "kept-1").await {
        Ok(by_key) => assert_eq!(subject(by_key), second.ma_ho_so),
        Err(e) => assert_eq!(e.code(), tonic::Code::NotFound, "{}", e.message()),
    }
    let near_first = receipt_at(&hub, common::ONE_STOP, "kept-1", Some(first_at))
        .await
        .unwrap();
    assert_eq!(subject(near_first), first.ma_ho_so);
    let near_second = receipt_at(&hub, common::ONE_STOP, "kept-1", Some(second_at + 100))
        .await
        .unwrap();
    assert_eq!(subject(near_second), second.ma_ho_so);

    // More than a day away, or another partner: NOT_FOUND.
    let far = receipt_at(
        &hub,
        common::ONE_STOP,
        "kept-1",
        Some(first_at - 2 * 86_400_000),
    )
    .await
    .unwrap_err();
    assert_eq!(far.code(), tonic::Code::NotFound);
    assert!(far.message().contains("within a day"), "{}", far.message());
    let theirs = receipt_at(&hub, common::PORTAL, "kept-1", Some(first_at))
        .await
        .unwrap_err();
    assert_eq!(theirs.code(), tonic::Code::NotFound);
    // A time out of the protobuf range names the field.
    let client = hub.client(common::ONE_STOP).await;
    let bad = audit_client(&hub)
        .await
        .get_receipt(client.req(pb::GetReceiptRequest {
            idempotency_key: "kept-1".into(),
            accepted_at: Some(prost_types::Timestamp {
                seconds: 0,
                nanos: -1,
            }),
        }))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    assert!(bad.message().contains("accepted_at"), "{}", bad.message());
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
    let (keys, mut hub) = signing_hub(keys_dir.path(), |_| {}).await;
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
