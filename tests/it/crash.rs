//! Crash safety: the real `lienthong` binary is killed with SIGKILL at random
//! moments while clients drive concurrent status changes. After each restart
//! every change that was acknowledged before a kill must be stored, and a
//! subscriber must receive every one of them. A command whose answer was lost
//! in the crash is sent again with its idempotency key and must come out
//! applied exactly once. The audit log verifies afterwards and holds one
//! accepted entry per outbox event.
//!
//! The hub runs with `store_reopen_after_written_bytes` at its 1 MiB floor,
//! so the writer closes and reopens the store every few hundred commands
//! (sled's snapshot, `store/handle.rs`): each round waits until one such
//! reopen is seen on disk, then kills at a random moment, so kills land
//! before, during and after reopens. Rounds 1 and 3 also ask for an online
//! compaction (`POST /store/compaction`, `store/online_compact.rs`): round
//! 1 kills at the random moment after asking (under this load, while the
//! store is being copied), round 3 waits until the hub serves from the copy
//! and kills at a random moment after, so the rounds that follow and the
//! checks run on the compacted copy; each round says what it met.

use crate::common::{
    command, command_named, serve_binary_with_admin, submission, submit_request, Client,
    VersionOrder, ONE_STOP, PORTAL,
};
use crate::store_reopen::snapshot_lsn;
use lienthong::audit::Kind;
use lienthong::grpc::pb;
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KILLS: usize = 4;
const WORKERS: usize = 8;

/// One acknowledged change.
#[derive(Clone, Debug)]
struct Acked {
    dossier_id: u64,
    version: u64,
    command: String,
    event_id: String,
    /// When it was answered, for the message of a loss: the round, and
    /// what the round's compaction had done by then.
    when: String,
}

/// A request whose answer never came: it may or may not have been applied.
#[derive(Clone, Debug)]
struct Uncertain {
    request: pb::CommandRequest,
}

#[derive(Default)]
struct Ledger {
    acked: Vec<Acked>,
    uncertain: Vec<Uncertain>,
    /// The round and its compaction's stage, as the test last saw them.
    stage: String,
}

fn record(ledger: &Mutex<Ledger>, reply: &pb::CommandReply) {
    let d = reply.dossier.as_ref().unwrap();
    let mut ledger = ledger.lock().unwrap();
    let when = ledger.stage.clone();
    ledger.acked.push(Acked {
        dossier_id: d.id,
        version: d.version,
        command: reply.entry.as_ref().unwrap().command.clone(),
        event_id: reply.event_id.clone(),
        when,
    });
}

/// Submits dossiers and moves them on until a call fails (the hub died).
async fn worker(mut client: Client, round: usize, worker: usize, ledger: Arc<Mutex<Ledger>>) {
    let steps = [
        "receive",
        "start_processing",
        "request_financial_obligation",
        "record_payment",
        "finish",
        "return_result",
    ];
    for n in 0.. {
        let tag = format!("r{round}-w{worker}-d{n}");
        let mut request = submit_request(&format!("{tag}-submit"), submission());
        if let Some(pb::command_request::Command::Submit(s)) = &mut request.command {
            s.summary = tag.clone();
        }
        let id = match client.exec(request.clone()).await {
            Ok(reply) => {
                record(&ledger, &reply);
                reply.dossier.unwrap().id
            }
            Err(_) => {
                ledger.lock().unwrap().uncertain.push(Uncertain { request });
                return;
            }
        };
        for step in steps {
            let request = command(&format!("{tag}-{step}"), id, command_named(step));
            match client.exec(request.clone()).await {
                Ok(reply) => record(&ledger, &reply),
                Err(_) => {
                    ledger.lock().unwrap().uncertain.push(Uncertain { request });
                    return;
                }
            }
        }
    }
}

/// The embedded configuration with the store reopened after every MiB
/// of records written (the key's floor).
fn reopening_often() -> String {
    let embedded = lienthong::config::EMBEDDED_DEFAULT;
    let reopen = "store_reopen_after_written_bytes = 1048576\n";
    let mut lines: Vec<&str> = embedded
        .lines()
        .filter(|line| !line.starts_with("store_reopen_after_written_bytes"))
        .collect();
    let hub = lines
        .iter()
        .position(|l| l.trim() == "[hub]")
        .expect("a [hub] section");
    lines.insert(hub + 1, reopen.trim_end());
    lines.join("\n") + "\n"
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let ledger = Arc::new(Mutex::new(Ledger::default()));

    let config = dir.path().join("hub.toml");
    std::fs::write(&config, reopening_often()).unwrap();
    let serve = || {
        serve_binary_with_admin(
            [
                OsStr::new("--web-listen"),
                OsStr::new("127.0.0.1:0"),
                OsStr::new("--config"),
                config.as_os_str(),
            ],
            &data,
        )
    };
    let stage = |ledger: &Mutex<Ledger>, stage: String| ledger.lock().unwrap().stage = stage;
    for round in 0..KILLS {
        stage(&ledger, format!("round {round}"));
        let (mut child, addr, admin) = serve().await;
        let opened_at = snapshot_lsn(&data);
        let client = Client::connect(addr, ONE_STOP).await;
        let mut workers = Vec::new();
        for w in 0..WORKERS {
            workers.push(tokio::spawn(worker(
                client.clone(),
                round,
                w,
                ledger.clone(),
            )));
        }
        // A planned reopen writes a snapshot past the one of the open.
        let reopened = tokio::time::timeout(Duration::from_secs(60), async {
            while snapshot_lsn(&data) <= opened_at {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            reopened.is_ok(),
            "round {round}: no planned reopen after 60 s of load (snapshot still at {opened_at:#x})"
        );
        let compacting = round % 2 == 1;
        if compacting {
            let asked = reqwest::Client::new()
                .post(format!("http://{admin}/store/compaction"))
                .send()
                .await
                .expect("POST /store/compaction");
            let status = asked.status().as_u16();
            let text = asked.text().await.unwrap();
            assert_eq!(status, 202, "round {round}: compaction refused: {text}");
            stage(
                &ledger,
                format!("round {round}, after asking for a compaction"),
            );
        }
        if round == 3 {
            let done = tokio::time::timeout(Duration::from_secs(120), async {
                loop {
                    let text = reqwest::get(format!("http://{admin}/store/compaction"))
                        .await
                        .expect("GET /store/compaction")
                        .text()
                        .await
                        .unwrap();
                    assert!(!text.contains("abandoned: 1"), "round {round}: {text}");
                    if text.contains("finished: 1") {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await;
            assert!(
                done.is_ok(),
                "round {round}: the compaction did not finish in 120 s"
            );
            stage(
                &ledger,
                format!("round {round}, after the compaction finished"),
            );
        }
        tokio::time::sleep(Duration::from_millis(rng.below(1200))).await;
        let compaction = if compacting {
            let status = reqwest::get(format!("http://{admin}/store/compaction"))
                .await
                .expect("GET /store/compaction");
            let text = status.text().await.unwrap();
            if text.contains("state: running") {
                "killed while compacting".to_string()
            } else {
                format!("killed after the compaction: {}", text.replace('\n', "; "))
            }
        } else {
            "no compaction".to_string()
        };
        child.start_kill().expect("SIGKILL");
        child.wait().await.unwrap();
        println!("round {round}: {compaction}");
        for w in workers {
            w.await.unwrap();
        }
        let acked = ledger.lock().unwrap().acked.len();
        println!("round {round}: killed with {acked} changes acknowledged so far");
    }

    let (mut child, addr, _) = serve().await;
    let mut client = Client::connect(addr, ONE_STOP).await;
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    assert!(
        ledger.acked.len() > KILLS * WORKERS,
        "the load ran: {} acknowledged",
        ledger.acked.len()
    );

    // 1. Every acknowledged change is stored, in its dossier's history.
    let mut by_dossier: BTreeMap<u64, Vec<&Acked>> = BTreeMap::new();
    for a in &ledger.acked {
        by_dossier.entry(a.dossier_id).or_default().push(a);
    }
    for (id, changes) in &by_dossier {
        let stored = client
            .get(*id)
            .await
            .unwrap_or_else(|e| panic!("dossier {id} lost: {e}"));
        let versions: Vec<u64> = stored.history.iter().map(|h| h.version).collect();
        assert_eq!(
            versions,
            (1..=versions.len() as u64).collect::<Vec<_>>(),
            "dossier {id}: history has no gap (answered: {:?})",
            changes
                .iter()
                .map(|c| (c.version, c.when.as_str()))
                .collect::<Vec<_>>()
        );
        for change in changes {
            let line = stored.history.iter().find(|h| h.version == change.version);
            let line = line.unwrap_or_else(|| {
                panic!(
                    "dossier {id}: acknowledged version {} lost (answered in {}; stored: {:?})",
                    change.version,
                    change.when,
                    stored.history.iter().map(|h| h.version).collect::<Vec<_>>()
                )
            });
            assert_eq!(
                line.command, change.command,
                "dossier {id} version {}",
                change.version
            );
        }
    }

    // 2. Requests whose answers were lost: sending them again applies them once.
    for u in &ledger.uncertain {
        let reply = client
            .exec(u.request.clone())
            .await
            .unwrap_or_else(|e| panic!("retry of {} refused: {e}", u.request.idempotency_key));
        let again = client.exec(u.request.clone()).await.unwrap();
        assert!(
            again.replayed,
            "second retry of {} is a replay",
            u.request.idempotency_key
        );
        assert_eq!(again.event_id, reply.event_id);
    }

    // 3. A subscriber receives every acknowledged event, gap-free and in order per dossier.
    let mut portal = Client::connect(addr, PORTAL).await;
    let request = portal.req(pb::SubscribeRequest { after_seq: None });
    let mut stream = portal.events.subscribe(request).await.unwrap().into_inner();
    let wanted: HashSet<&str> = ledger.acked.iter().map(|a| a.event_id.as_str()).collect();
    let mut missing = wanted.clone();
    let mut last_seq = 0;
    let mut order = VersionOrder::default();
    while !missing.is_empty() {
        let event = tokio::time::timeout(Duration::from_secs(30), stream.message())
            .await
            .unwrap_or_else(|_| panic!("{} acknowledged events never delivered", missing.len()))
            .unwrap()
            .expect("stream open");
        assert_eq!(event.seq, last_seq + 1, "no gap in seq");
        last_seq = event.seq;
        order.check(&event);
        missing.remove(event.event_id.as_str());
    }
    println!(
        "{} acknowledged changes, {} uncertain retried, all delivered",
        wanted.len(),
        ledger.uncertain.len()
    );
    child.start_kill().unwrap();
    child.wait().await.unwrap();

    // 4. The audit log came through every kill whole: it verifies, and its
    // accepted entries name exactly the outbox's events, in order — an entry
    // and the change it records were one batch, never one without the other.
    let verified = crate::audit::verify(&data, None);
    assert!(
        verified.status.success(),
        "{}",
        crate::audit::text(&verified)
    );
    let logged: Vec<String> = crate::audit::entries(&data)
        .into_iter()
        .filter(|e| e.record.kind == Kind::Command && e.record.outcome == "OK")
        .filter(|e| e.record.detail != "replayed")
        .map(|e| e.record.event_id)
        .collect();
    let store = lienthong::store::Store::open(&data, 1 << 20).unwrap();
    let events: Vec<String> = store
        .events_after(0, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    drop(store);
    assert!(events.len() >= wanted.len());
    assert_eq!(logged, events, "one accepted entry per event, in order");
}
