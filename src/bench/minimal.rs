//! The minimal durable gRPC pipeline: the least a server must do to answer
//! a command durably, so that the hub's unary rate can be compared with the
//! real limit of one gRPC call per command on this machine, not only with
//! raw sled (which has no network, no decoding and no waiting clients).
//!
//! The same generated `DossierService` server (same codec, same HTTP/2
//! stack) on a loopback port; `Execute` hands the command to one writer
//! thread, which takes every command waiting (up to the hub's
//! `group_commit_max_commands`), writes as many records and bytes per
//! command as the hub wrote in the same run in one `apply_batch`, flushes,
//! and answers each call with a reply as large as the hub's. No rules, no
//! rights, no idempotency look-up, no history: the shape alone.
//!
//! With a publisher (the AMQP line), each committed command's event is also
//! handed to a task that publishes it with lapin, publisher confirms and the
//! hub's window, to a topic exchange bound to a quorum queue — the hub's
//! relay reduced to its transport.

#[allow(unused_imports)]
use super::*;
use pb::dossier_service_server::{DossierService, DossierServiceServer};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// What the minimal server writes and answers per command: the hub's figures
/// from the same run.
#[derive(Clone)]
pub(super) struct Shape {
    pub(super) records_per_command: f64,
    pub(super) bytes_per_command: f64,
    /// One of the hub's answers, sent back (with this command's ids) so the
    /// answers are as large as the hub's.
    pub(super) reply: pb::CommandReply,
    pub(super) group_max: usize,
    pub(super) cache_capacity_bytes: u64,
}

/// Records of command `n` so that the mean over commands is `per_command`
/// (6.6 records per command: 7, 6, 7, 7, 6, …).
pub(super) fn records_of(n: u64, per_command: f64) -> usize {
    let upto = |n: u64| (n as f64 * per_command).round() as u64;
    (upto(n + 1) - upto(n)) as usize
}

/// An event the writer committed, for the publisher.
pub(super) struct Committed {
    pub(super) event_id: String,
}

struct Job {
    dossier: u64,
    answer: oneshot::Sender<pb::CommandReply>,
}

#[derive(Clone)]
struct Minimal {
    jobs: mpsc::Sender<Job>,
    next_dossier: Arc<AtomicU64>,
}

#[tonic::async_trait]
impl DossierService for Minimal {
    async fn execute(
        &self,
        request: tonic::Request<pb::CommandRequest>,
    ) -> Result<tonic::Response<pb::CommandReply>, tonic::Status> {
        let request = request.into_inner();
        let dossier = match request.dossier.and_then(|d| d.r#ref) {
            Some(pb::dossier_ref::Ref::Id(id)) => id,
            _ => self.next_dossier.fetch_add(1, Ordering::Relaxed) + 1,
        };
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Job { dossier, answer })
            .await
            .map_err(|_| tonic::Status::unavailable("the writer stopped"))?;
        answered
            .await
            .map(tonic::Response::new)
            .map_err(|_| tonic::Status::internal("the writer failed"))
    }

    type ExecuteStreamStream = std::pin::Pin<
        Box<
            dyn tokio_stream::Stream<Item = Result<pb::StreamedCommandReply, tonic::Status>> + Send,
        >,
    >;

    async fn execute_stream(
        &self,
        _: tonic::Request<tonic::Streaming<pb::CommandRequest>>,
    ) -> Result<tonic::Response<Self::ExecuteStreamStream>, tonic::Status> {
        Err(tonic::Status::unimplemented(
            "the minimal pipeline has Execute only",
        ))
    }

    async fn get_dossier(
        &self,
        _: tonic::Request<pb::GetDossierRequest>,
    ) -> Result<tonic::Response<pb::GetDossierReply>, tonic::Status> {
        Err(tonic::Status::unimplemented(
            "the minimal pipeline has Execute only",
        ))
    }

    async fn list_dossiers(
        &self,
        _: tonic::Request<pb::ListDossiersRequest>,
    ) -> Result<tonic::Response<pb::ListDossiersReply>, tonic::Status> {
        Err(tonic::Status::unimplemented(
            "the minimal pipeline has Execute only",
        ))
    }
}

/// A running minimal server.
pub(super) struct MinimalServer {
    pub(super) addr: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
    writer: std::thread::JoinHandle<sled::Result<()>>,
}

impl MinimalServer {
    /// Starts the server on a free loopback port with its store in `dir`;
    /// with `publish`, every committed command's event goes there.
    pub(super) async fn start(
        dir: &std::path::Path,
        shape: Shape,
        publish: Option<mpsc::Sender<Committed>>,
    ) -> anyhow::Result<MinimalServer> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(shape.cache_capacity_bytes)
            .mode(sled::Mode::HighThroughput)
            .open()?;
        // The hub's writer queue is bounded too (`writer_queue_capacity`).
        let (jobs, queued) = mpsc::channel(8192);
        let writer = std::thread::Builder::new()
            .name("bench-minimal-writer".into())
            .spawn(move || write(db, queued, shape, publish))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        // As the hub's listener (`grpc::server`): without TCP_NODELAY, small
        // answers wait for delayed ACKs.
        let incoming = tonic::transport::server::TcpIncoming::from_listener(
            listener,
            true,
            Some(Duration::from_secs(60)),
        )
        .map_err(|e| anyhow::anyhow!("serving the minimal pipeline: {e}"))?;
        let service = DossierServiceServer::new(Minimal {
            jobs,
            next_dossier: Arc::new(AtomicU64::new(0)),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = stopped.await;
                }),
        );
        Ok(MinimalServer {
            addr,
            stop,
            served,
            writer,
        })
    }

    pub(super) async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.served.await??;
        // The server dropped its senders: the writer ends.
        let writer = self.writer;
        tokio::task::spawn_blocking(move || writer.join())
            .await?
            .map_err(|_| anyhow::anyhow!("the minimal writer panicked"))??;
        Ok(())
    }
}

/// The writer thread: group commit of everything waiting, flush, answers.
fn write(
    db: sled::Db,
    mut queued: mpsc::Receiver<Job>,
    shape: Shape,
    publish: Option<mpsc::Sender<Committed>>,
) -> sled::Result<()> {
    // Keys of 17 bytes; values so that keys and values together make the
    // hub's bytes per command.
    let value_len = ((shape.bytes_per_command / shape.records_per_command.max(1.0)) as usize)
        .saturating_sub(17)
        .max(1);
    let mut group = Vec::with_capacity(shape.group_max);
    let mut n: u64 = 0;
    while let Some(job) = queued.blocking_recv() {
        group.push(job);
        while group.len() < shape.group_max {
            match queued.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let first = n;
        let mut batch = sled::Batch::default();
        for _ in &group {
            for record in 0..records_of(n, shape.records_per_command) as u64 {
                let mut key = Vec::with_capacity(17);
                key.push(b'm');
                key.extend_from_slice(&n.to_be_bytes());
                key.extend_from_slice(&record.to_be_bytes());
                batch.insert(key, vec![b'x'; value_len]);
            }
            n += 1;
        }
        db.apply_batch(batch)?;
        db.flush()?;
        for (i, job) in group.drain(..).enumerate() {
            let seq = first + i as u64 + 1;
            let event_id = format!("bench-minimal-{seq}");
            let mut reply = shape.reply.clone();
            if let Some(dossier) = reply.dossier.as_mut() {
                dossier.id = job.dossier;
            }
            reply.event_seq = seq;
            reply.event_id = event_id.clone();
            reply.replayed = false;
            let _ = job.answer.send(reply);
            if let Some(publish) = &publish {
                // Bounded: a broker slower than the writer slows the writer,
                // where the hub's outbox would let the backlog grow on disk.
                if publish.blocking_send(Committed { event_id }).is_err() {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

pub(super) struct MinimalResult {
    pub(super) rate: f64,
    pub(super) p50: Duration,
    pub(super) p99: Duration,
    pub(super) commands: usize,
    pub(super) cpu: cpu::CpuSpent,
}

/// The minimal pipeline under the hub's load (`workload::load`).
pub(super) async fn minimal_run(
    args: &BenchArgs,
    dir: &std::path::Path,
    shape: Shape,
) -> anyhow::Result<MinimalResult> {
    let server = MinimalServer::start(dir, shape, None).await?;
    let load = load(args, server.addr).await;
    server.stop().await?;
    let load = load?;
    let mut latencies: Vec<Duration> = load.acks.iter().map(|a| a.took).collect();
    latencies.sort();
    Ok(MinimalResult {
        rate: latencies.len() as f64 / load.elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        commands: load.acks.len(),
        cpu: load.cpu,
    })
}

#[cfg(test)]
mod tests {
    use super::records_of;

    #[test]
    fn records_of_keeps_the_mean_of_a_fractional_count() {
        let total: usize = (0..1000).map(|n| records_of(n, 6.6)).sum();
        assert_eq!(total, 6600);
        assert!((0..1000).all(|n| matches!(records_of(n, 6.6), 6 | 7)));
        assert_eq!((0..10).map(|n| records_of(n, 5.0)).sum::<usize>(), 50);
    }
}
