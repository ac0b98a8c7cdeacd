//! A data directory written by the hub before its storage format of its own
//! (format 0: the JSON of the domain structs), kept as a fixture
//! (`tests/fixtures/format0-data.tar.gz`, made by `script()` at commit
//! 814cf8c), opened by today's hub: every dossier, history line, event and
//! idempotency record reads as it was written, every request of the script
//! sent again is answered as a replay with its first answer, the records
//! are rewritten in format 1, and new commands are accepted after it.

pub mod script;

use crate::common::TestHub;
use lienthong::domain::DossierRef;
use lienthong::grpc::pb;
use lienthong::store::{DossierCache, Store};
use script::Step;
use serde_json::Value;
use std::collections::BTreeMap;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/format0-data.tar.gz"
);

/// The fixture unpacked into a fresh directory; the data is in `data/`.
fn unpack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(FIXTURE)
        .arg("-C")
        .arg(dir.path())
        .status()
        .expect("tar runs");
    assert!(status.success(), "the fixture unpacks");
    dir
}

type Raw = BTreeMap<Vec<u8>, Vec<u8>>;

/// Every record under `prefix`, as bytes.
fn raw(db: &sled::Db, prefix: u8) -> Raw {
    db.scan_prefix([prefix])
        .map(|item| {
            let (key, value) = item.unwrap();
            (key.to_vec(), value.to_vec())
        })
        .collect()
}

fn json(bytes: &[u8]) -> Value {
    assert_eq!(bytes.first(), Some(&b'{'), "a format-0 record");
    serde_json::from_slice(bytes).unwrap()
}

/// The partner and idempotency key of an idempotency record's key.
fn idempotency_key(key: &[u8]) -> (String, String) {
    let rest = &key[1..];
    let end = rest.iter().position(|b| *b == 0).unwrap();
    (
        String::from_utf8(rest[..end].to_vec()).unwrap(),
        String::from_utf8(rest[end + 1..].to_vec()).unwrap(),
    )
}

fn partner_of(token: &str) -> &'static str {
    match token {
        script::ONE_STOP => "one-stop",
        script::POSTAL => "postal",
        script::PORTAL => "national-portal",
        other => panic!("no partner has token {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_format_0_directory_reads_as_written_replays_its_answers_and_takes_new_writes() {
    let dir = unpack();
    let data = dir.path().join("data");
    let (dossiers, history, events, idempotency) = {
        let db = sled::open(&data).unwrap();
        (
            raw(&db, b'd'),
            raw(&db, b'h'),
            raw(&db, b'e'),
            raw(&db, b'i'),
        )
    };
    assert_eq!(dossiers.len(), 6, "the fixture's six dossiers");
    assert!(history.len() > 20 && events.len() > 20);
    assert_eq!(idempotency.len(), script::script().len());

    // Through the store: each record as it was written.
    {
        let store = Store::open(&data, 8 << 20).unwrap();
        for (key, bytes) in &dossiers {
            let id = u64::from_be_bytes(key[1..9].try_into().unwrap());
            let dossier = store.dossier(&DossierRef::Id(id)).unwrap().unwrap();
            assert_eq!(serde_json::to_value(&dossier).unwrap(), json(bytes));
            let lines: Vec<Value> = history
                .iter()
                .filter(|(k, _)| k[1..9] == key[1..9])
                .map(|(_, v)| json(v))
                .collect();
            assert!(!lines.is_empty());
            let read = store.history(id).unwrap();
            assert_eq!(serde_json::to_value(&read).unwrap(), Value::Array(lines));
        }
        // The listing indexes by status and procedure were built on open:
        // each listing is every dossier filtered by hand.
        let (all, _) = store.list_dossiers(&Default::default(), 0, 1000).unwrap();
        assert_eq!(all.len(), 6);
        for dossier in &all {
            let by_status = lienthong::store::ListFilter {
                status: Some(dossier.status),
                ..Default::default()
            };
            let by_procedure = lienthong::store::ListFilter {
                procedure_code: Some(dossier.procedure_code.clone()),
                ..Default::default()
            };
            for filter in [by_status, by_procedure] {
                let (listed, _) = store.list_dossiers(&filter, 0, 1000).unwrap();
                let expected: Vec<u64> = all
                    .iter()
                    .filter(|d| {
                        filter.status.is_none_or(|s| s == d.status)
                            && filter
                                .procedure_code
                                .as_ref()
                                .is_none_or(|p| *p == d.procedure_code)
                    })
                    .map(|d| d.id)
                    .collect();
                assert_eq!(listed.iter().map(|d| d.id).collect::<Vec<_>>(), expected);
            }
        }
        let read = store.events_after(0, 10_000).unwrap();
        let written: Vec<Value> = events.values().map(|v| json(v)).collect();
        assert_eq!(serde_json::to_value(&read).unwrap(), Value::Array(written));
        let mut cache = DossierCache::default();
        let txn = store.begin(&mut cache);
        for (key, bytes) in &idempotency {
            let (partner, key) = idempotency_key(key);
            let record = txn.idempotency(&partner, &key).unwrap().unwrap();
            let written = json(bytes);
            assert_eq!(record.fingerprint, written["fingerprint"], "{key}");
            assert_eq!(Value::from(record.created_at.0), written["created_at"]);
        }
    }
    // Rewritten in format 1, once.
    {
        let db = sled::open(&data).unwrap();
        for prefix in [b'd', b'h', b'e', b'i'] {
            let records = raw(&db, prefix);
            assert!(!records.is_empty());
            assert!(
                records.values().all(|v| v[0] == 1),
                "every {} record in format 1",
                prefix as char
            );
        }
    }

    // Through the hub: the script again is a replay, answer for answer.
    let mut config = TestHub::config(data.clone());
    config.retention.delivered_event_retention_seconds = 100 * 365 * 86_400;
    config.retention.idempotency_retention_seconds = 100 * 365 * 86_400;
    let running = lienthong::app::start(&TestHub::checked(config))
        .await
        .expect("the hub starts on the old directory");
    let mut hub = TestHub::around(running, dir);
    let first = |partner: &str, key: &str| {
        let stored = idempotency
            .iter()
            .find(|(k, _)| idempotency_key(k) == (partner.to_string(), key.to_string()))
            .map(|(_, v)| json(v))
            .unwrap_or_else(|| panic!("the fixture remembers {key}"));
        stored["reply"].clone()
    };
    for step in script::script() {
        match step {
            Step::Command { token, request } => {
                let key = request.idempotency_key.clone();
                let reply = hub.client(token).await.exec(request).await.unwrap();
                let stored = first(partner_of(token), &key);
                assert!(reply.replayed, "{key} is a replay");
                assert_eq!(reply.event_id, stored["event_id"], "{key}");
                assert_eq!(reply.event_seq, stored["event_seq"], "{key}");
                let dossier = reply.dossier.unwrap();
                assert_eq!(dossier.id, stored["dossier_id"], "{key}");
                assert_eq!(dossier.version, stored["dossier_version"], "{key}");
                assert_eq!(reply.entry.unwrap().note, stored["entry"]["note"], "{key}");
            }
            Step::Publish { token, request } => {
                let key = request.idempotency_key.clone();
                let mut client = hub.client(token).await;
                let reply = client
                    .catalogs
                    .publish_catalog(client.req(request))
                    .await
                    .unwrap()
                    .into_inner();
                let stored = first(partner_of(token), &key);
                assert!(reply.replayed, "{key} is a replay");
                assert_eq!(reply.version, stored["version"]);
                assert_eq!(reply.added, stored["added"]);
            }
        }
    }

    // New writes: a command on an old dossier, a new dossier.
    let mut one_stop = hub.client(script::ONE_STOP).await;
    let before = one_stop.get(5).await.unwrap();
    let version = before.dossier.as_ref().unwrap().version;
    let finished = one_stop
        .exec(crate::common::command(
            "after-migration-finish",
            5,
            pb::command_request::Command::Finish(pb::FinishProcessing {
                results: vec![pb::ResultDocument {
                    code: "KQ1".into(),
                    name: "Giấy phép xây dựng".into(),
                    url: "https://files.example.vn/kq-5.pdf".into(),
                }],
            }),
        ))
        .await
        .expect("a command on a migrated dossier");
    assert_eq!(finished.dossier.unwrap().version, version + 1);
    let after = one_stop.get(5).await.unwrap();
    assert_eq!(after.history.len(), before.history.len() + 1);
    assert_eq!(after.history[..before.history.len()], before.history[..]);
    let new = one_stop.submit("after-migration-submit").await;
    assert_eq!(new.dossier.unwrap().id, 7);
    hub.stop().await;
}
