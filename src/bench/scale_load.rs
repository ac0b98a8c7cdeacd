//! `bench --scale`'s check that an online compaction loses nothing written
//! while it runs. The copy reads the store while callers keep writing; the
//! switch must then catch up on every key written since the copy read it
//! (`store/online_compact/written.rs`). A bug there once lost such writes
//! about one crash-test run in eight, and the crash test's store is small:
//! this runs the same race at the benchmark's scale, where the copy takes
//! minutes. While the compaction runs, new dossiers go through their whole
//! life on one `ExecuteStream` stream, paced so they span the copy and the
//! switch without swelling the store the later steps measure; every answer
//! is kept, and each dossier is read back by id after the switch and again
//! after a SIGKILL and a restart on the copy. One dossier missing, or at
//! another version or status than its last answer gave, fails the run.

use super::scale::lives_answered;
use anyhow::Context;
use lienthong::grpc::pb;
use lienthong::grpc::pb::dossier_service_client::DossierServiceClient;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tonic::transport::Channel;

/// Dossiers per chunk of the load (one stream each, 5 commands a dossier).
const CHUNK_DOSSIERS: usize = 50;
/// Reads in flight while checking the dossiers back.
const READS_IN_FLIGHT: usize = 32;

/// What a dossier's last acknowledged answer said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Answered {
    version: u64,
    status: i32,
}

/// Every dossier written while a compaction ran, as its answers left it.
pub(super) struct WrittenDuring {
    dossiers: BTreeMap<u64, Answered>,
    commands: usize,
    /// The newest event any answer named (for the retention that follows).
    pub(super) head: u64,
    /// Chunks still being written when the compaction was seen over.
    chunks_past_the_end: usize,
    /// Whether the load stopped at its cap before the compaction was over.
    capped: bool,
}

/// How much the load writes, and how fast. By default at most a 25th of
/// the fill, a chunk every 500 ms: about 100 dossiers (500 commands) a
/// second, so a compaction of minutes is written through all along
/// without swelling the store the later steps measure. Without the pause
/// it is a migration: as fast as one stream goes, which outruns the copy.
pub(super) struct Pace {
    pub(super) dossiers: usize,
    pub(super) between_chunks: Duration,
}

/// Runs `compaction` while new dossiers (numbered from `first_number`, at
/// most `pace.dossiers` of them) go through their lives beside it; returns
/// the compaction's outcome and what was acknowledged meanwhile.
pub(super) async fn written_during<T>(
    channel: Channel,
    first_number: usize,
    pace: Pace,
    compaction: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<(T, WrittenDuring)> {
    let over = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(write_until(
        DossierServiceClient::new(channel),
        first_number,
        Pace {
            dossiers: pace.dossiers.max(CHUNK_DOSSIERS),
            ..pace
        },
        over.clone(),
    ));
    let compacted = compaction.await;
    over.store(true, Ordering::SeqCst);
    let written = load.await.context("the load beside the compaction")??;
    Ok((compacted?, written))
}

async fn write_until(
    client: DossierServiceClient<Channel>,
    first_number: usize,
    pace: Pace,
    over: Arc<AtomicBool>,
) -> anyhow::Result<WrittenDuring> {
    let mut written = WrittenDuring {
        dossiers: BTreeMap::new(),
        commands: 0,
        head: 0,
        chunks_past_the_end: 0,
        capped: false,
    };
    let mut next = first_number;
    while !over.load(Ordering::SeqCst) && next - first_number < pace.dossiers {
        let numbers: Vec<usize> = (next..next + CHUNK_DOSSIERS).collect();
        next += CHUNK_DOSSIERS;
        let replies = lives_answered(client.clone(), &numbers)
            .await
            .context("a dossier's life written during the compaction")?;
        if over.load(Ordering::SeqCst) {
            written.chunks_past_the_end += 1;
        }
        written.commands += replies.len();
        for reply in replies {
            written.head = written.head.max(reply.event_seq);
            let dossier = reply.dossier.context("an answer without its dossier")?;
            let answered = Answered {
                version: dossier.version,
                status: dossier.status,
            };
            let kept = written.dossiers.entry(dossier.id).or_insert(answered);
            if answered.version > kept.version {
                *kept = answered;
            }
        }
        tokio::time::sleep(pace.between_chunks).await;
    }
    written.capped = !over.load(Ordering::SeqCst);
    Ok(written)
}

impl WrittenDuring {
    /// Whether dossier `id` is one of them.
    pub(super) fn holds(&self, id: u64) -> bool {
        self.dossiers.contains_key(&id)
    }

    pub(super) fn describe(&self) -> String {
        format!(
            "{} dossiers, {} commands acknowledged while it ran ({})",
            self.dossiers.len(),
            self.commands,
            if self.capped {
                "the load stopped at its cap before the compaction was over"
            } else if self.chunks_past_the_end > 0 {
                "still writing when it was seen over"
            } else {
                "written until it was seen over"
            }
        )
    }

    /// Reads every dossier back by id (`READS_IN_FLIGHT` readers, each
    /// its share in turn); an error names the first few that are missing
    /// or differ from their last answer, and how many in all.
    pub(super) async fn check(&self, channel: Channel, when: &str) -> anyhow::Result<()> {
        let all: Vec<(u64, Answered)> = self.dossiers.iter().map(|(&id, &a)| (id, a)).collect();
        let share = all.len().div_ceil(READS_IN_FLIGHT).max(1);
        let mut readers = tokio::task::JoinSet::new();
        for part in all.chunks(share) {
            let part = part.to_vec();
            let mut client = DossierServiceClient::new(channel.clone());
            readers.spawn(async move {
                let mut wrong = Vec::new();
                for (id, answered) in part {
                    match read_back(&mut client, id).await? {
                        Some(found) if found == answered => {}
                        Some(found) => wrong.push(format!(
                            "dossier {id}: answered version {} status {}, reads version {} status {}",
                            answered.version, answered.status, found.version, found.status
                        )),
                        None => wrong.push(format!(
                            "dossier {id}: answered version {}, not found",
                            answered.version
                        )),
                    }
                }
                anyhow::Ok(wrong)
            });
        }
        let mut wrong = Vec::new();
        while let Some(read) = readers.join_next().await {
            wrong.extend(
                read.context("a reader")?
                    .with_context(|| format!("reading {when}"))?,
            );
        }
        anyhow::ensure!(
            wrong.is_empty(),
            "{} of the {} dossiers written during the online compaction differ {when}; first: {}",
            wrong.len(),
            self.dossiers.len(),
            wrong.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
        );
        Ok(())
    }
}

/// The dossier's version and status as `GetDossier` answers them, or None
/// when the hub does not know it.
async fn read_back(
    client: &mut DossierServiceClient<Channel>,
    id: u64,
) -> anyhow::Result<Option<Answered>> {
    let request = super::authorized(
        pb::GetDossierRequest {
            dossier: Some(pb::DossierRef {
                r#ref: Some(pb::dossier_ref::Ref::Id(id)),
            }),
        },
        super::TOKEN,
    )?;
    match client.get_dossier(request).await {
        Ok(reply) => {
            let dossier = reply
                .into_inner()
                .dossier
                .context("a GetDossier answer without its dossier")?;
            Ok(Some(Answered {
                version: dossier.version,
                status: dossier.status,
            }))
        }
        Err(status) if status.code() == tonic::Code::NotFound => Ok(None),
        Err(status) => Err(anyhow::anyhow!("GetDossier: {status}")),
    }
}

/// How long the reads back took, for the progress line.
pub(super) async fn timed_check(
    written: &WrittenDuring,
    channel: Channel,
    when: &str,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    written.check(channel, when).await?;
    Ok(started.elapsed())
}
