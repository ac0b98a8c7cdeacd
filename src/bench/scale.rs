//! `lienthong bench --scale N`: the hub with N dossiers stored, as an
//! operator would run it — the real binary (`lienthong serve`) in its own
//! process, so that its memory is its own and `kill -9` is a real crash.
//!
//! 1. Fill: N dossiers through their whole life (5 commands each) on
//!    `--streams` `ExecuteStream` streams, in chunks so the benchmark's own
//!    memory stays bounded, with a progress line every few seconds.
//! 2. Listings of the N live dossiers: the first page (100) of
//!    `ListDossiers` by agency, by status, by procedure, all three, and a
//!    status no dossier has.
//! 3. Deliver and archive: every pull subscriber acknowledges the newest
//!    event, and the retention sweep (configured here with no delay, every
//!    second) removes the delivered events and moves every dossier (all
//!    closed: their result returned) into the compact archive
//!    (`archive_after_days = 0`); the benchmark waits until the outbox is
//!    empty and no dossier is live.
//! 4. Memory (`VmRSS` / `VmHWM` of the hub's process) and disk (data
//!    directory / N).
//! 5. Restart: SIGKILL, start again on the same directory, time until
//!    health says SERVING and until one new command is acknowledged; the
//!    listings again, and an archived dossier read by id.
//! 6. Online compaction: the restarted hub (on the directory the fill lived
//!    in) is asked to compact its store while it serves
//!    (`scale_compaction`), while new dossiers go through their lives
//!    beside it (`scale_load`: each read back at its last answer after the
//!    switch and after the SIGKILL that follows, else the run fails);
//!    memory and disk after it, then SIGKILL and the
//!    restart again, now on the compacted directory, and the listings; then
//!    plain sled opening that same store, for what sled alone holds.
//! 7. Later: the hub started again with `idempotency_retention_seconds = 0`
//!    (the embedded configuration keeps the records 7 days), so that its
//!    first sweep removes them as time would, and stopped; the disk then is
//!    the directory of dossiers through their whole life.
//! 8. A week later, as a province's hub would be: that directory compacted
//!    online again, SIGKILL, the restart and the memory, and plain sled's
//!    (`scale_compaction::a_week_later`).
//! 9. `lienthong compact` into a fresh directory (sled's files keep their
//!    high-water mark), and its size.
//! 10. Where the bytes are: records and bytes per key prefix
//!     (`lienthong data-usage`).

#[allow(unused_imports)]
use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Dossiers per stream per chunk: the chunk's requests are built in memory.
const CHUNK: usize = 2000;
/// `hub.cache_capacity_bytes` of the measured hub: 128 MiB.
pub(super) const SCALE_CACHE_BYTES: u64 = 128 << 20;
/// Agencies and procedures the dossiers are spread over (listing filters).
const AGENCIES: usize = 50;
const PROCEDURES: usize = 20;
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// The agency and procedure of scale dossier `n`.
pub(super) fn scale_codes(n: usize) -> (String, String) {
    (
        format!("000.00.{:02}.H22", n % AGENCIES),
        format!("1.{:06}.H38", 948 + n % PROCEDURES),
    )
}

pub(super) async fn scale_run(
    args: &BenchArgs,
    base: &std::path::Path,
    dossiers: usize,
) -> anyhow::Result<()> {
    let dir = base.join("scale-data");
    let config_path = base.join("scale.toml");
    let log = base.join("serve.log");
    let port = free_port()?;
    let admin_port = free_port()?;
    std::fs::write(
        &config_path,
        scale_config(&dir, port, admin_port, false, &HubKnobs::of(args))?,
    )?;
    let metrics_url = format!("http://127.0.0.1:{admin_port}/metrics");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse()?;
    println!(
        "lienthong bench --scale {dossiers}: `lienthong serve` on {addr}, data in {} ({} streams, {} cores)",
        dir.display(),
        args.streams.max(1),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    let mut hub = Spawned::start(&config_path, &log)?;
    let channel = wait_serving(addr, &mut hub).await?;

    let started = Instant::now();
    let head = fill(args, channel.clone(), dossiers).await?;
    let fill_time = started.elapsed();
    let commands = dossiers * LIFE;
    println!(
        "filled: {dossiers} dossiers, {commands} commands in {:.1} s ({:.0} commands/s)",
        fill_time.as_secs_f64(),
        commands as f64 / fill_time.as_secs_f64()
    );
    let filled_memory = memory(hub.pid())?;
    let filled_disk = dir_size(&dir);
    let live_listings = listings(channel.clone()).await?;

    let sweep_started = Instant::now();
    deliver_all(channel.clone(), head).await?;
    let sweep_time = sweep_started.elapsed();
    let archive_started = Instant::now();
    wait_archived(channel.clone(), |_| true).await?;
    let archive_time = archive_started.elapsed();
    let swept_memory = memory(hub.pid())?;
    let swept_disk = dir_size(&dir);
    println!(
        "delivered: every subscriber acknowledged seq {head}; retention emptied the outbox in {:.1} s, then archived every dossier in {:.1} s",
        sweep_time.as_secs_f64(),
        archive_time.as_secs_f64()
    );

    let reopens = store_reopens(&metrics_url).await?;
    println!("{}", reopens.describe());
    let (hub, channel, serving, acknowledged) =
        kill_and_restart(hub, &config_path, &log, addr, "scale-restart").await?;
    let mut client = DossierServiceClient::new(channel.clone());
    let archived_read = {
        // Six dossiers spread over the ids the fill assigned (1..=N), so
        // that a small run reads its own as a large one does.
        let spacing = (dossiers as u64 / 6).clamp(1, 997);
        let mut times = Vec::new();
        for n in 0..6u64 {
            let started = Instant::now();
            client
                .get_dossier(authorized(
                    pb::GetDossierRequest {
                        dossier: Some(pb::DossierRef {
                            r#ref: Some(pb::dossier_ref::Ref::Id(1 + n * spacing)),
                        }),
                    },
                    TOKEN,
                )?)
                .await
                .context("reading an archived dossier")?;
            times.push(started.elapsed());
        }
        let first = times.remove(0);
        times.sort();
        (first, times[times.len() / 2])
    };
    let archived_listings = listings(channel.clone()).await?;
    let listed_memory = memory(hub.pid())?;

    // New dossiers' lives written beside the compaction (numbers far past
    // the fill's and the later steps'), checked after the switch and after
    // a SIGKILL: the race the switch must win at this scale.
    let ((compaction_time, compaction), during) = super::scale_load::written_during(
        channel.clone(),
        3 * dossiers,
        super::scale_load::Pace {
            dossiers: args
                .compaction_load_dossiers
                .map_or((dossiers / 25).max(1), |n| n as usize),
            between_chunks: Duration::from_millis(args.compaction_load_pace_ms),
        },
        super::scale_compaction::compact_online(admin_port),
    )
    .await?;
    println!(
        "compacted while serving in {:.1} s: {compaction}; meanwhile {}",
        compaction_time.as_secs_f64(),
        during.describe()
    );
    let compacted_memory = memory(hub.pid())?;
    let checked = timed_check(&during, channel.clone(), "after the switch").await?;
    println!(
        "every dossier written during the compaction read back at its last answer after the switch ({:.1} s)",
        checked.as_secs_f64()
    );
    // sled frees the old store's pages once its threads pin again: the
    // listings once more, as a hub at work would read.
    listings(channel).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let compacted_at_work_memory = memory(hub.pid())?;
    let compacted_live_disk = dir_size(&dir);
    let (hub, channel, compacted_serving, compacted_acknowledged) =
        kill_and_restart(hub, &config_path, &log, addr, "scale-compacted-restart").await?;
    let compacted_listings = listings(channel.clone()).await?;
    let compacted_restart_memory = memory(hub.pid())?;
    timed_check(
        &during,
        channel.clone(),
        "after SIGKILL and a restart on the copy",
    )
    .await?;
    println!("… and again after SIGKILL and the restart on the copy");
    // Their events delivered and the dossiers archived, as the fill's were,
    // so that the steps after this one measure the same kind of store.
    deliver_all(channel.clone(), during.head).await?;
    wait_archived(channel, |id| during.holds(id)).await?;
    hub.terminate().await?;
    let stopped_disk = dir_size(&dir);
    let compacted_plain_sled = plain_sled_open(&dir, dossiers, args.cache_capacity_bytes)?;

    // Later: the idempotency records expire (their retention, 0 here): the
    // first sweep of a hub started again removes them; its graceful stop
    // waits for that sweep.
    let expired_path = base.join("scale-expired.toml");
    std::fs::write(
        &expired_path,
        scale_config(&dir, port, admin_port, true, &HubKnobs::of(args))?,
    )?;
    let expiry_started = Instant::now();
    let mut hub = Spawned::start(&expired_path, &log)?;
    wait_serving(addr, &mut hub).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    hub.terminate().await?;
    println!(
        "expired: the idempotency records removed and the hub stopped in {:.1} s",
        expiry_started.elapsed().as_secs_f64()
    );
    let expired_disk = dir_size(&dir);
    let later = super::scale_compaction::a_week_later(
        &config_path,
        &log,
        addr,
        admin_port,
        &dir,
        dossiers,
        args.cache_capacity_bytes,
    )
    .await?;
    // What the records take once copied into a fresh directory.
    let compacted = base.join("scale-compacted");
    let compact_started = Instant::now();
    lienthong::app::compact(&dir, &compacted)?;
    let compact_time = compact_started.elapsed();
    let compacted_disk = dir_size(&compacted);

    let per = |bytes: u64| bytes as f64 / dossiers as f64;
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let mut table = Table::default();
    table.row(
        format!(
            "fill: {dossiers} dossiers x {LIFE} commands over {} ExecuteStream streams",
            args.streams.max(1)
        ),
        format!(
            "{:.1} s, {:.0} commands/s",
            fill_time.as_secs_f64(),
            commands as f64 / fill_time.as_secs_f64()
        ),
    );
    table.row(
        "disk per dossier after the fill (data directory / dossiers)",
        format!(
            "{:.0} bytes ({:.0} MiB)",
            per(filled_disk),
            mib(filled_disk)
        ),
    );
    table.row(
        "disk per dossier after retention removed the delivered events",
        format!("{:.0} bytes ({:.0} MiB)", per(swept_disk), mib(swept_disk)),
    );
    table.row(
        "disk per dossier after restart, listings and a graceful stop",
        format!(
            "{:.0} bytes ({:.0} MiB)",
            per(stopped_disk),
            mib(stopped_disk)
        ),
    );
    table.row(
        "disk per dossier once the idempotency records expired too",
        format!(
            "{:.0} bytes ({:.0} MiB)",
            per(expired_disk),
            mib(expired_disk)
        ),
    );
    table.row(
        format!(
            "disk per dossier of that directory after `lienthong compact` ({:.1} s) (target ≤ 4096)",
            compact_time.as_secs_f64()
        ),
        format!(
            "{:.0} bytes ({:.0} MiB)",
            per(compacted_disk),
            mib(compacted_disk)
        ),
    );
    table.row(
        "hub resident memory after the fill: VmRSS / VmHWM (target ≤ 512 MiB)",
        format!(
            "{:.0} / {:.0} MiB",
            mib(filled_memory.0),
            mib(filled_memory.1)
        ),
    );
    table.row(
        "hub resident memory after the sweep: VmRSS / VmHWM",
        format!(
            "{:.0} / {:.0} MiB",
            mib(swept_memory.0),
            mib(swept_memory.1)
        ),
    );
    table.row(
        "restarted hub after the listings: VmRSS / VmHWM",
        format!(
            "{:.0} / {:.0} MiB",
            mib(listed_memory.0),
            mib(listed_memory.1)
        ),
    );
    table.row(
        "planned store reopens before the kill (hub.store_reopen_after_written_bytes)",
        reopens.describe(),
    );
    table.row(
        "restart after SIGKILL: SERVING / first command acknowledged (target ≤ 5 s)",
        format!(
            "{:.2} s / {:.2} s",
            serving.as_secs_f64(),
            acknowledged.as_secs_f64()
        ),
    );
    for (name, first, median, count) in live_listings {
        table.row(
            format!("ListDossiers first page by {name}, {dossiers} live: first call / median of 5"),
            format!(
                "{:.1} ms / {:.1} ms ({count} dossiers)",
                ms(first),
                ms(median)
            ),
        );
    }
    table.row(
        "GetDossier of an archived dossier after the restart: first call / median of 5",
        format!(
            "{:.1} ms / {:.1} ms",
            ms(archived_read.0),
            ms(archived_read.1)
        ),
    );
    table.row(
        "online compaction of that directory while the hub serves (POST /store/compaction)",
        format!("{:.1} s: {compaction}", compaction_time.as_secs_f64()),
    );
    table.row(
        "… written beside it, every one read back at its last answer after the switch and after SIGKILL",
        during.describe(),
    );
    table.row(
        "hub resident memory right after the online compaction: VmRSS / VmHWM",
        format!(
            "{:.0} / {:.0} MiB",
            mib(compacted_memory.0),
            mib(compacted_memory.1)
        ),
    );
    table.row(
        "the same hub after the listings once more and 2 s: VmRSS / VmHWM (target ≤ 512 MiB)",
        format!(
            "{:.0} / {:.0} MiB",
            mib(compacted_at_work_memory.0),
            mib(compacted_at_work_memory.1)
        ),
    );
    table.row(
        "disk per dossier after the online compaction",
        format!(
            "{:.0} bytes ({:.0} MiB)",
            per(compacted_live_disk),
            mib(compacted_live_disk)
        ),
    );
    table.row(
        "restart after SIGKILL on the compacted directory: SERVING / first command acknowledged (target ≤ 5 s)",
        format!(
            "{:.2} s / {:.2} s",
            compacted_serving.as_secs_f64(),
            compacted_acknowledged.as_secs_f64()
        ),
    );
    table.row(
        "hub restarted on the compacted directory, after the listings: VmRSS / VmHWM (target ≤ 512 MiB)",
        format!(
            "{:.0} / {:.0} MiB",
            mib(compacted_restart_memory.0),
            mib(compacted_restart_memory.1)
        ),
    );
    table.row(
        "plain sled (the hub's sled configuration, nothing of the hub) opening that compacted store: VmRSS / VmHWM",
        format!(
            "{:.0} / {:.0} MiB (open in {:.2} s)",
            mib(compacted_plain_sled.1 .0),
            mib(compacted_plain_sled.1 .1),
            compacted_plain_sled.0
        ),
    );
    later.rows(&mut table, dossiers);
    for (name, first, median, count) in compacted_listings {
        table.row(
            format!("ListDossiers first page by {name}, compacted: first call / median of 5"),
            format!(
                "{:.1} ms / {:.1} ms ({count} dossiers)",
                ms(first),
                ms(median)
            ),
        );
    }
    for (name, first, median, count) in archived_listings {
        table.row(
            format!("ListDossiers first page by {name}, all archived: first call / median of 5"),
            format!(
                "{:.1} ms / {:.1} ms ({count} dossiers)",
                ms(first),
                ms(median)
            ),
        );
    }
    println!();
    print!("{}", table.render());
    // Where the bytes went, per tree and key prefix (`lienthong data-usage`).
    match lienthong::app::data_usage(&dir) {
        Ok(usage) => {
            println!();
            print!("{}", crate::data_usage_table(&usage, Some(dossiers)));
        }
        Err(e) => eprintln!("scale: cannot size the data directory's records: {e}"),
    }
    Ok(())
}

/// Every dossier's life on `--streams` streams; returns the newest event seq.
async fn fill(args: &BenchArgs, channel: Channel, dossiers: usize) -> anyhow::Result<u64> {
    let streams = args.streams.max(1);
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let progress = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PROGRESS_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                let n = done.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "scale: {n} / {dossiers} dossiers ({:.0} %), {:.0} commands/s, {secs:.0} s",
                    100.0 * n as f64 / dossiers.max(1) as f64,
                    (n * LIFE) as f64 / secs
                );
            }
        })
    };
    let mut tasks = Vec::new();
    for s in 0..streams {
        let client = DossierServiceClient::new(channel.clone());
        let done = done.clone();
        let mine: Vec<usize> = (s..dossiers).step_by(streams).collect();
        tasks.push(tokio::spawn(async move {
            let mut head = 0u64;
            for chunk in mine.chunks(CHUNK) {
                head = head.max(lives(client.clone(), chunk).await?);
                done.fetch_add(chunk.len(), Ordering::Relaxed);
            }
            anyhow::Ok(head)
        }));
    }
    let mut head = 0;
    let mut failed = None;
    for task in tasks {
        match task.await? {
            Ok(h) => head = head.max(h),
            Err(e) => failed = Some(e),
        }
    }
    progress.abort();
    match failed {
        Some(e) => Err(e),
        None => Ok(head),
    }
}

/// The lives of dossiers `numbers`: their submits on one stream, then their
/// later steps on another. Returns the newest event seq.
pub(super) async fn lives(
    client: DossierServiceClient<Channel>,
    numbers: &[usize],
) -> anyhow::Result<u64> {
    let replies = lives_answered(client, numbers).await?;
    Ok(replies.iter().map(|r| r.event_seq).max().unwrap_or(0))
}

/// [`lives`], with every answer: the submits' first, then the later steps'.
pub(super) async fn lives_answered(
    client: DossierServiceClient<Channel>,
    numbers: &[usize],
) -> anyhow::Result<Vec<pb::CommandReply>> {
    let submits = numbers
        .iter()
        .map(|&n| {
            let mut command = submission(n);
            if let C::Submit(submit) = &mut command {
                (submit.agency_code, submit.procedure_code) = scale_codes(n);
            }
            request(format!("scale-{n}-submit"), None, command)
        })
        .collect();
    let mut replies = send(client.clone(), submits).await?;
    let ids: Vec<u64> = replies
        .iter()
        .map(|reply| reply.dossier.as_ref().map(|d| d.id).unwrap_or_default())
        .collect();
    let mut steps = Vec::with_capacity(ids.len() * (LIFE - 1));
    for (&n, id) in numbers.iter().zip(&ids) {
        for (step, command) in later_steps() {
            steps.push(request(format!("scale-{n}-{step}"), Some(*id), command));
        }
    }
    replies.extend(send(client, steps).await?);
    Ok(replies)
}

/// Every pull subscriber of the configuration acknowledges `head`; then
/// waits until retention removed every event up to it.
pub(super) async fn deliver_all(channel: Channel, head: u64) -> anyhow::Result<()> {
    let config = HubConfig::embedded_default();
    let mut subscribers = Vec::new();
    for partner in &config.partners {
        let pull = partner
            .subscription
            .as_ref()
            .is_some_and(|s| s.delivery.as_deref().unwrap_or("grpc") == "grpc");
        if let (true, Some(token)) = (pull, &partner.token) {
            subscribers.push(token.clone());
        }
    }
    let mut events = pb::event_service_client::EventServiceClient::new(channel);
    for token in &subscribers {
        events
            .ack(authorized(pb::AckRequest { seq: head }, token)?)
            .await
            .context("acknowledging the newest event")?;
    }
    let token = subscribers.first().context("no pull subscriber")?;
    let deadline = Instant::now() + SWEEP_DEADLINE;
    let mut said = Instant::now();
    loop {
        let subscribed = events
            .subscribe(authorized(
                pb::SubscribeRequest { after_seq: Some(0) },
                token,
            )?)
            .await;
        // Subscribing after seq 0 is refused once event 1 is gone, naming the
        // oldest event kept: past `head` when the outbox is empty.
        let oldest = match subscribed {
            Ok(_) => 1,
            // The store is being reopened (a planned reopen of a lived
            // directory can outlast the 15 s a caller waits): ask again.
            Err(status) if status.code() == tonic::Code::Unavailable => 1,
            Err(status) => oldest_kept(status.message())
                .with_context(|| format!("subscribing after seq 0: {}", status.message()))?,
        };
        if oldest > head {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "retention left events from seq {oldest} within {SWEEP_DEADLINE:?}"
        );
        if said.elapsed() >= PROGRESS_EVERY {
            eprintln!("scale: retention sweep at seq {oldest} of {head}");
            said = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the retention sweep moved every dossier `waited_for` picks
/// into the archive: no live dossier the listing shows is one of them. (The
/// restarts' own submissions stay live, so after them the benchmark waits
/// for the dossiers it finished, not for an empty listing.)
pub(super) async fn wait_archived(
    channel: Channel,
    waited_for: impl Fn(u64) -> bool,
) -> anyhow::Result<()> {
    let mut client = DossierServiceClient::new(channel);
    let deadline = Instant::now() + SWEEP_DEADLINE;
    let mut said = Instant::now();
    loop {
        let Some(live) = first_live(&mut client, &waited_for).await? else {
            return Ok(());
        };
        anyhow::ensure!(
            Instant::now() < deadline,
            "dossier {live} still live after {SWEEP_DEADLINE:?}"
        );
        if said.elapsed() >= PROGRESS_EVERY {
            eprintln!("scale: archive at dossier {live}");
            said = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The first live dossier `waited_for` picks, following the listing's pages.
async fn first_live(
    client: &mut DossierServiceClient<Channel>,
    waited_for: &impl Fn(u64) -> bool,
) -> anyhow::Result<Option<u64>> {
    let mut page_token = String::new();
    let mut refused = 0;
    loop {
        let listed = client
            .list_dossiers(authorized(
                pb::ListDossiersRequest {
                    page_size: 100,
                    page_token: page_token.clone(),
                    ..Default::default()
                },
                TOKEN,
            )?)
            .await;
        let page = match listed {
            Ok(page) => page.into_inner(),
            // The archive's writes make the hub reopen its store (planned
            // reopens), and at a million dossiers a reopen of the lived
            // directory can outlast the 15 s a reader waits: ask again.
            Err(status) if status.code() == tonic::Code::Unavailable && refused < 240 => {
                refused += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            Err(status) => return Err(status).context("listing the live dossiers"),
        };
        if let Some(live) = page
            .dossiers
            .iter()
            .map(|d| d.id)
            .find(|&id| waited_for(id))
        {
            return Ok(Some(live));
        }
        if page.next_page_token.is_empty() {
            return Ok(None);
        }
        page_token = page.next_page_token;
    }
}

/// The oldest seq kept, from the hub's "no longer retained" refusal.
pub(super) fn oldest_kept(message: &str) -> Option<u64> {
    let (_, after) = message.split_once("oldest kept: ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first page of each listing: (name, first call, median of 5 more, dossiers on the page).
pub(super) async fn listings(
    channel: Channel,
) -> anyhow::Result<Vec<(&'static str, Duration, Duration, usize)>> {
    let (agency, procedure) = scale_codes(7);
    let returned = pb::DossierStatus::ResultReturned as i32;
    let queries = [
        ("agency (1 in 50)", agency.clone(), String::new(), 0),
        ("procedure (1 in 20)", String::new(), procedure.clone(), 0),
        (
            "status (all returned)",
            String::new(),
            String::new(),
            returned,
        ),
        ("agency + procedure + status", agency, procedure, returned),
        (
            "a status no dossier has (processing)",
            String::new(),
            String::new(),
            pb::DossierStatus::Processing as i32,
        ),
    ];
    let mut client = DossierServiceClient::new(channel);
    let mut measured = Vec::new();
    for (name, agency_code, procedure_code, status) in queries {
        let query = pb::ListDossiersRequest {
            agency_code,
            procedure_code,
            status,
            page_size: 100,
            ..Default::default()
        };
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..6 {
            let started = Instant::now();
            let reply = client
                .list_dossiers(authorized(query.clone(), TOKEN)?)
                .await
                .with_context(|| format!("listing by {name}"))?;
            times.push(started.elapsed());
            count = reply.get_ref().dossiers.len();
        }
        let first = times.remove(0);
        times.sort();
        measured.push((name, first, times[times.len() / 2], count));
    }
    Ok(measured)
}
