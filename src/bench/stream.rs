//! The bulk stream: the same dossier lives as the gRPC workload, sent on a
//! few `DossierService.ExecuteStream` streams instead of one call per
//! command — every submit of a stream's share first, then each dossier's
//! four later steps — counted only once each answer (= on disk) arrived.
//! Compared with raw sled group commit, the limit a stream can approach
//! since its commands share group commits without a round trip each.

#[allow(unused_imports)]
use super::*;

pub(super) struct StreamResult {
    pub(super) rate: f64,
    pub(super) commands: usize,
}

pub(super) async fn stream_run(
    args: &BenchArgs,
    dir: &std::path::Path,
) -> anyhow::Result<StreamResult> {
    let loaded = checked(&hub_config(dir)?)?;
    let running = lienthong::app::start(&loaded).await?;
    let endpoint = format!("http://{}", running.addr);
    let streams = args.streams.max(1);
    let mut clients = Vec::new();
    for _ in 0..streams {
        let channel = Channel::from_shared(endpoint.clone())?.connect().await?;
        clients.push(DossierServiceClient::new(channel));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (s, client) in clients.into_iter().enumerate() {
        let share = args.dossiers / streams + usize::from(s < args.dossiers % streams);
        tasks.push(tokio::spawn(sync(client, s, share)));
    }
    let mut commands = 0;
    for task in tasks {
        commands += task.await??;
    }
    let elapsed = started.elapsed();
    running.stop().await?;
    Ok(StreamResult {
        rate: commands as f64 / elapsed.as_secs_f64(),
        commands,
    })
}

/// One partner's sync: a stream of `dossiers` submits, then a stream of
/// their later steps. Returns the commands acknowledged.
async fn sync(
    client: DossierServiceClient<Channel>,
    stream_no: usize,
    dossiers: usize,
) -> anyhow::Result<usize> {
    let submits = (0..dossiers)
        .map(|n| {
            let key = format!("stream-{stream_no}-{n}-submit");
            request(key, None, submission(stream_no))
        })
        .collect();
    let ids: Vec<u64> = send(client.clone(), submits)
        .await?
        .into_iter()
        .map(|reply| reply.dossier.map(|d| d.id).unwrap_or_default())
        .collect();
    let mut steps = Vec::with_capacity(ids.len() * (LIFE - 1));
    for (n, id) in ids.iter().enumerate() {
        for (step, command) in later_steps() {
            let key = format!("stream-{stream_no}-{n}-{step}");
            steps.push(request(key, Some(*id), command));
        }
    }
    let later = send(client, steps).await?.len();
    Ok(ids.len() + later)
}

/// Sends `requests` on one stream; every answer must be an acceptance.
pub(super) async fn send(
    mut client: DossierServiceClient<Channel>,
    requests: Vec<pb::CommandRequest>,
) -> anyhow::Result<Vec<pb::CommandReply>> {
    let expected = requests.len();
    let outbound = authorized(tokio_stream::iter(requests), TOKEN)?;
    let mut answers = client.execute_stream(outbound).await?.into_inner();
    let mut replies = Vec::with_capacity(expected);
    while let Some(answer) = answers.message().await? {
        match answer.result {
            Some(pb::streamed_command_reply::Result::Reply(reply)) => replies.push(reply),
            Some(pb::streamed_command_reply::Result::Error(e)) => anyhow::bail!(
                "streamed command {} refused: code {} {}",
                answer.index,
                e.code,
                e.message
            ),
            None => anyhow::bail!("streamed answer {} has no result", answer.index),
        }
    }
    anyhow::ensure!(
        replies.len() == expected,
        "{} answers to {expected} commands",
        replies.len()
    );
    Ok(replies)
}
