//! Crash safety: the real `lienthong` binary is killed with SIGKILL at random
//! moments while clients drive concurrent status changes. After each restart
//! every change that was acknowledged before a kill must be stored, and a
//! subscriber must receive every one of them. A command whose answer was lost
//! in the crash is sent again with its idempotency key and must come out
//! applied exactly once. The audit log verifies afterwards and holds one
//! accepted entry per outbox event.

use crate::common::{
    command, command_named, serve_binary, submission, submit_request, Client, VersionOrder,
    ONE_STOP, PORTAL,
};
use lienthong::audit::Kind;
use lienthong::grpc::pb;
use std::collections::{BTreeMap, HashSet};
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
}

fn record(ledger: &Mutex<Ledger>, reply: &pb::CommandReply) {
    let d = reply.dossier.as_ref().unwrap();
    ledger.lock().unwrap().acked.push(Acked {
        dossier_id: d.id,
        version: d.version,
        command: reply.entry.as_ref().unwrap().command.clone(),
        event_id: reply.event_id.clone(),
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

    for round in 0..KILLS {
        let (mut child, addr) = serve_binary(["--web-listen", "127.0.0.1:0"], &data).await;
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
        tokio::time::sleep(Duration::from_millis(300 + rng.below(1200))).await;
        child.start_kill().expect("SIGKILL");
        child.wait().await.unwrap();
        for w in workers {
            w.await.unwrap();
        }
        let acked = ledger.lock().unwrap().acked.len();
        println!("round {round}: killed with {acked} changes acknowledged so far");
    }

    let (mut child, addr) = serve_binary(["--web-listen", "127.0.0.1:0"], &data).await;
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
            "dossier {id}: history has no gap"
        );
        for change in changes {
            let line = stored.history.iter().find(|h| h.version == change.version);
            let line = line.unwrap_or_else(|| {
                panic!("dossier {id}: acknowledged version {} lost", change.version)
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
