//! `lienthong bench --at-work DIR`: the hub at work on a data directory that
//! `--scale N --keep` left (its `scale-data`), its memory read as it goes.
//!
//! Step 8 of `--scale` gives one figure for a hub at work: its memory right
//! after a fiftieth more dossiers' lives. One figure cannot tell a cache
//! filling up, which levels off, from growth that goes on. This run reads
//! the memory after every chunk of new lives and once more after a pause,
//! so the curve shows which it is; and with `--cache-capacity-bytes` and
//! `--writer-cache-dossiers`, what each cache adds to it, on the same
//! directory, in minutes instead of a new fill.
//!
//! It writes new dossiers into DIR (numbered from 10 000 000, the
//! configuration of step 8: idempotency records expire at the next sweep,
//! so a second run on the same directory finds its keys new): run it on a
//! copy when the directory matters.

use super::report::Table;
use super::scale::lives;
use super::scale_hub::{free_port, proc_kib, scale_config, wait_serving, HubKnobs, Spawned};
use super::sled_limit::plain_sled_at_work;
use anyhow::Context;
use lienthong::grpc::pb::dossier_service_client::DossierServiceClient;
use std::path::Path;
use std::time::{Duration, Instant};

/// The first new dossier's number: past any fill this benchmark makes.
const FIRST_NUMBER: usize = 10_000_000;
/// New dossiers per chunk, memory read after each.
const CHUNK: usize = 2000;
/// How long the hub idles before the last reading.
const PAUSE: Duration = Duration::from_secs(10);

/// One reading of the hub's memory: `VmRSS`, `RssAnon`, `VmHWM`, in bytes.
struct Reading {
    dossiers: usize,
    rss: u64,
    anon: u64,
    hwm: u64,
}

fn read(pid: u32, dossiers: usize) -> anyhow::Result<Reading> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    Ok(Reading {
        dossiers,
        rss: proc_kib(&status, "VmRSS")?,
        anon: proc_kib(&status, "RssAnon")?,
        hwm: proc_kib(&status, "VmHWM")?,
    })
}

/// Runs `dossiers` new lives on the hub serving `data` with `knobs`; the
/// configuration and the hub's log go into `base`.
pub(super) async fn at_work_run(
    base: &Path,
    data: &Path,
    args: &super::BenchArgs,
    knobs: &HubKnobs,
) -> anyhow::Result<()> {
    let dossiers = args.at_work_dossiers;
    // The store's own reader of the layout names what is missing.
    lienthong::app::sled_dir(data).with_context(|| {
        format!(
            "{}: not a hub's data directory (the `scale-data` of a kept `--scale` run)",
            data.display()
        )
    })?;
    let config = base.join("at-work.toml");
    let log = base.join("serve.log");
    let port = free_port()?;
    std::fs::write(
        &config,
        scale_config(data, port, free_port()?, true, knobs)?,
    )?;
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse()?;
    println!(
        "lienthong bench --at-work {}: {dossiers} new dossiers x {} commands, sled cache {} MiB, writer cache {}",
        data.display(),
        super::LIFE,
        knobs.cache_capacity_bytes >> 20,
        knobs
            .writer_cache_dossiers
            .map_or("the embedded default".to_string(), |n| format!("{n} dossiers")),
    );
    let started = Instant::now();
    let mut hub = Spawned::start(&config, &log)?;
    let channel = wait_serving(addr, &mut hub).await?;
    println!(
        "serving after {:.2} s, pid {}",
        started.elapsed().as_secs_f64(),
        hub.pid()
    );
    if args.at_work_settle_seconds > 0 {
        println!("idle for {} s", args.at_work_settle_seconds);
        tokio::time::sleep(Duration::from_secs(args.at_work_settle_seconds)).await;
    }
    let mut readings = vec![read(hub.pid(), 0)?];
    let client = DossierServiceClient::new(channel);
    let numbers: Vec<usize> = (FIRST_NUMBER..FIRST_NUMBER + dossiers).collect();
    let working = Instant::now();
    for chunk in numbers.chunks(CHUNK) {
        lives(client.clone(), chunk).await?;
        let done = chunk[chunk.len() - 1] + 1 - FIRST_NUMBER;
        let reading = read(hub.pid(), done)?;
        println!(
            "at work: {done} dossiers in {:.1} s, VmRSS {} MiB (anonymous {} MiB), VmHWM {} MiB",
            working.elapsed().as_secs_f64(),
            reading.rss >> 20,
            reading.anon >> 20,
            reading.hwm >> 20
        );
        readings.push(reading);
    }
    let worked = working.elapsed();
    tokio::time::sleep(PAUSE).await;
    let rested = read(hub.pid(), dossiers)?;
    hub.terminate().await?;
    // Plain sled, nothing of the hub, the same work on the same store.
    let (sled_rest, sled_work, sled_seconds) =
        plain_sled_at_work(data, dossiers, knobs.cache_capacity_bytes)?;

    let mut table = Table::default();
    let mib = |bytes: u64| format!("{:.0}", bytes as f64 / (1024.0 * 1024.0));
    for r in &readings {
        table.row(
            format!(
                "after {} new dossiers: VmRSS / anonymous / VmHWM",
                r.dossiers
            ),
            format!("{} / {} / {} MiB", mib(r.rss), mib(r.anon), mib(r.hwm)),
        );
    }
    table.row(
        format!(
            "{} s later, idle: VmRSS / anonymous / VmHWM",
            PAUSE.as_secs()
        ),
        format!(
            "{} / {} / {} MiB",
            mib(rested.rss),
            mib(rested.anon),
            mib(rested.hwm)
        ),
    );
    table.row(
        "plain sled (the hub's sled configuration, nothing of the hub), the same store: opened / after as many new lives written as the hub's writer groups them: VmRSS",
        format!(
            "{} / {} MiB (VmHWM {} MiB; {:.1} s)",
            mib(sled_rest.0),
            mib(sled_work.0),
            mib(sled_work.1),
            sled_seconds
        ),
    );
    table.row(
        "work rate",
        format!(
            "{:.0} commands/s",
            (dossiers * super::LIFE) as f64 / worked.as_secs_f64()
        ),
    );
    println!();
    print!("{}", table.render());
    Ok(())
}
