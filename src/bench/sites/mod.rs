//! `lienthong bench --sites`: an inter-site transfer against the raw
//! shovel it travels on, in the same run, on the same broker (RabbitMQ
//! with the shovel and management plugins; two vhosts of its own, deleted
//! afterwards).
//!
//! 1. Two hubs in this process, site H22 on one vhost and site BXD on the
//!    other, each declaring its shovel to the other (as `[site]` does in
//!    production). `--dossiers` dossiers are filed and received at H22
//!    (not timed); then `--clients` clients forward them all to BXD's
//!    agency, which hands each over. Timed: each forward's answer at H22
//!    (its commit) and each dossier's arrival in BXD's outbox (its durable
//!    copy, read from a subscription), and when H22's relay has every
//!    `SiteAck` back. A tap queue bound beside BXD's inbound queue keeps a
//!    copy of every message the shovel delivered, bytes and properties.
//! 2. Raw shovel (`raw.rs`): those very messages published with confirms
//!    (the relay's window in flight) into a quorum queue on the first
//!    vhost, moved by a shovel of the same configuration (`on-confirm`,
//!    to an exchange on the other vhost) into a quorum queue there, and
//!    consumed: the best a transfer could do on this link.
//!
//! The ratio is transfers per second over raw messages per second, both
//! from the first send to the last arrival.

mod raw;

#[allow(unused_imports)]
use super::*;
use crate::demo::sites::Broker;
use lienthong::config::{PeerSection, SiteSection};
use std::collections::HashMap;

const FROM: &str = "H22";
const TO: &str = "BXD";
const FROM_AGENCY: &str = "000.00.05.H22";
const TO_AGENCY: &str = "000.00.00.G12";
const PROCEDURE: &str = "1.000001.G12";
const READER_TOKEN: &str = "dev-national-portal-token";
/// Transfers sent and not yet acknowledged, at most (the default of
/// `site.transfer_window_messages`); the raw publisher keeps as many in
/// flight.
const WINDOW: usize = 256;

/// One message as the shovel delivered it.
#[derive(Clone)]
pub(super) struct Captured {
    body: Vec<u8>,
    properties: BasicProperties,
}

pub(super) struct Measured {
    /// Messages (or transfers) per second, first send to last arrival.
    pub(super) rate: f64,
    pub(super) p50: Duration,
    pub(super) p99: Duration,
}

pub(super) struct SitesResult {
    pub(super) transfers: usize,
    pub(super) hub: Measured,
    /// SiteAcks back at the sender per second, first send to last ack.
    pub(super) acked_rate: f64,
    pub(super) raw: Measured,
    pub(super) body_bytes: usize,
}

pub(super) async fn sites_run(
    args: &BenchArgs,
    base: &std::path::Path,
    amqp_url: &str,
) -> anyhow::Result<SitesResult> {
    let broker = Broker::open(amqp_url, &args.management_url).await?;
    let pid = std::process::id();
    let vhosts = [format!("lt-bench-{pid}-h22"), format!("lt-bench-{pid}-bxd")];
    for vhost in &vhosts {
        broker.create_vhost(vhost).await?;
    }
    let measured = async {
        let (hub, captured) = transfers(args, base, &broker, &vhosts).await?;
        let raw = raw::run(&broker, &vhosts, &captured).await?;
        anyhow::Ok((hub, captured, raw))
    }
    .await;
    for vhost in &vhosts {
        broker.delete_vhost(vhost).await?;
    }
    let ((hub, acked_rate), captured, raw) = measured?;
    let body_bytes = captured.iter().map(|c| c.body.len()).sum::<usize>() / captured.len().max(1);
    Ok(SitesResult {
        transfers: captured.len(),
        hub,
        acked_rate,
        raw,
        body_bytes,
    })
}

fn site_config(
    dir: &std::path::Path,
    broker: &Broker,
    own: &str,
    peer: (&str, &str, &str),
) -> anyhow::Result<HubConfig> {
    let mut config = hub_config(dir)?;
    config.amqp.url = Some(broker.amqp_url(own));
    let (code, vhost, agency) = peer;
    config.site = Some(SiteSection {
        code: if code == TO { FROM.into() } else { TO.into() },
        management_url: broker.management_url(),
        link_check_interval_seconds: 30,
        transfer_window_messages: WINDOW,
        // The default: a backlog of transfers is not a silent peer.
        transfer_resend_seconds: 30,
        national: false,
        peers: vec![PeerSection {
            code: code.into(),
            agencies: vec![agency.into()],
            amqp_url: broker.amqp_url(vhost),
            exchange: "lienthong.sites".into(),
            national: false,
        }],
    });
    Ok(config)
}

/// The hubs' measurement; its result, the SiteAcks' rate, and the
/// messages the shovel delivered.
async fn transfers(
    args: &BenchArgs,
    base: &std::path::Path,
    broker: &Broker,
    vhosts: &[String; 2],
) -> anyhow::Result<((Measured, f64), Vec<Captured>)> {
    let a = site_config(
        &base.join("site-h22"),
        broker,
        &vhosts[0],
        (TO, &vhosts[1], TO_AGENCY),
    )?;
    let b = site_config(
        &base.join("site-bxd"),
        broker,
        &vhosts[1],
        (FROM, &vhosts[0], FROM_AGENCY),
    )?;
    let a = lienthong::app::start(&checked(&a)?).await?;
    let b = lienthong::app::start(&checked(&b)?).await?;
    let measured = async {
        // Both shovels declared: both hubs' queues exist.
        let deadline = Instant::now() + Duration::from_secs(60);
        for vhost in vhosts {
            while broker.shovels(vhost).await?.is_empty() {
                anyhow::ensure!(Instant::now() < deadline, "no shovel declared on {vhost}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let tap = raw::Tap::bind(&broker.amqp_url(&vhosts[1]), FROM).await?;
        let dossiers = prepare(args, a.addr).await?;
        let acked_before = acked(&a.hub)?;
        let arrivals = arrivals(b.addr, dossiers.len()).await?;
        let started = Instant::now();
        let committed = forward_all(args, a.addr, &dossiers).await?;
        let arrived = arrivals.await??;
        let mut all_acked = None;
        while all_acked.is_none() {
            if acked(&a.hub)? >= acked_before + dossiers.len() as u64 {
                all_acked = Some(started.elapsed());
            } else {
                anyhow::ensure!(
                    started.elapsed() < Duration::from_secs(300),
                    "H22 never had every SiteAck back"
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        let mut latencies: Vec<Duration> = committed
            .iter()
            .filter_map(|(ma, at)| {
                arrived
                    .get(ma)
                    .map(|there| there.saturating_duration_since(*at))
            })
            .collect();
        anyhow::ensure!(
            latencies.len() == dossiers.len(),
            "{} of {} dossiers arrived",
            latencies.len(),
            dossiers.len()
        );
        latencies.sort();
        let last = arrived.values().max().copied().unwrap_or(started);
        let n = dossiers.len() as f64;
        let hub = Measured {
            rate: n / (last - started).as_secs_f64(),
            p50: percentile(&latencies, 0.5),
            p99: percentile(&latencies, 0.99),
        };
        let acked_rate = n / all_acked.unwrap_or_default().as_secs_f64();
        let captured = tap.take(dossiers.len()).await?;
        anyhow::Ok(((hub, acked_rate), captured))
    }
    .await;
    let stopped_a = a.stop().await;
    let stopped_b = b.stop().await;
    let measured = measured?;
    stopped_a?;
    stopped_b?;
    Ok(measured)
}

/// SiteAcks H22's relay to BXD has had back since the process started.
fn acked(hub: &lienthong::hub::Hub) -> anyhow::Result<u64> {
    Ok(hub
        .destination_states()?
        .iter()
        .find(|s| s.destination.kind.name() == "site" && s.destination.name == TO)
        .map(|s| s.delivered)
        .unwrap_or(0))
}

/// The procedure H22 → BXD, then the dossiers filed and received at H22
/// (not timed): their ids and MaHoSo.
async fn prepare(
    args: &BenchArgs,
    addr: std::net::SocketAddr,
) -> anyhow::Result<Vec<(u64, String)>> {
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let mut catalogs = pb::catalog_service_client::CatalogServiceClient::new(channel.clone());
    let mut entry = pb::CatalogEntry {
        code: PROCEDURE.into(),
        name: "Thẩm định thiết kế (tỉnh → Bộ)".into(),
        ..Default::default()
    };
    entry.attributes.insert(
        "interagency_sequence".into(),
        format!("{FROM_AGENCY}, {TO_AGENCY}"),
    );
    let publish = pb::PublishCatalogRequest {
        idempotency_key: "bench-sites-procedures".into(),
        kind: "procedures".into(),
        entries: vec![entry],
        expected_version: None,
    };
    catalogs
        .publish_catalog(authorized(publish, READER_TOKEN)?)
        .await?;
    let mut tasks = Vec::new();
    let workers = 32.min(args.dossiers.max(1));
    for w in 0..workers {
        let mut client = DossierServiceClient::new(channel.clone());
        let share = args.dossiers / workers + usize::from(w < args.dossiers % workers);
        tasks.push(tokio::spawn(async move {
            let mut filed = Vec::with_capacity(share);
            for n in 0..share {
                let key = |step: &str| format!("bench-sites-{w}-{n}-{step}");
                let C::Submit(mut submit) = submission(w) else {
                    anyhow::bail!("the benchmark's submission is not a submit");
                };
                submit.agency_code = FROM_AGENCY.into();
                submit.procedure_code = PROCEDURE.into();
                let (id, _) = call(&mut client, key("submit"), None, C::Submit(submit)).await?;
                let (receive, command) = later_steps().into_iter().next().expect("receive");
                let reply = client
                    .execute(authorized(request(key(receive), Some(id), command), TOKEN)?)
                    .await?
                    .into_inner();
                filed.push((id, reply.dossier.map(|d| d.ma_ho_so).unwrap_or_default()));
            }
            anyhow::Ok(filed)
        }));
    }
    let mut dossiers = Vec::with_capacity(args.dossiers);
    for task in tasks {
        dossiers.extend(task.await??);
    }
    Ok(dossiers)
}

/// BXD's subscription, from its start: when each dossier's copy became
/// durable there (its arrival event), until `expected` arrived.
async fn arrivals(
    addr: std::net::SocketAddr,
    expected: usize,
) -> anyhow::Result<tokio::task::JoinHandle<anyhow::Result<HashMap<String, Instant>>>> {
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let mut events = pb::event_service_client::EventServiceClient::new(channel)
        .max_decoding_message_size(64 << 20);
    let request = authorized(pb::SubscribeRequest { after_seq: Some(0) }, READER_TOKEN)?;
    let mut stream = events.subscribe(request).await?.into_inner();
    Ok(tokio::spawn(async move {
        let mut arrived = HashMap::with_capacity(expected);
        while arrived.len() < expected {
            let event = tokio::time::timeout(STALL, stream.message())
                .await
                .map_err(|_| {
                    anyhow::anyhow!(
                        "no arrival at BXD for {} s ({} of {expected})",
                        STALL.as_secs(),
                        arrived.len()
                    )
                })??
                .ok_or_else(|| anyhow::anyhow!("BXD's event stream ended"))?;
            if !event.ma_ho_so.is_empty() {
                arrived.entry(event.ma_ho_so).or_insert_with(Instant::now);
            }
        }
        anyhow::Ok(arrived)
    }))
}

/// Every dossier forwarded to BXD's agency by `--clients` clients: when
/// each forward's answer (H22's commit) arrived, by MaHoSo.
async fn forward_all(
    args: &BenchArgs,
    addr: std::net::SocketAddr,
    dossiers: &[(u64, String)],
) -> anyhow::Result<Vec<(String, Instant)>> {
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let clients = args.clients.clamp(1, dossiers.len().max(1));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let mut client = DossierServiceClient::new(channel.clone());
        let mine: Vec<(u64, String)> = dossiers.iter().skip(c).step_by(clients).cloned().collect();
        tasks.push(tokio::spawn(async move {
            let mut committed = Vec::with_capacity(mine.len());
            for (id, ma) in mine {
                let forward = C::Forward(pb::ForwardDossier {
                    to_agency_code: TO_AGENCY.into(),
                    note: String::new(),
                });
                let key = format!("bench-sites-forward-{id}");
                client
                    .execute(authorized(request(key, Some(id), forward), TOKEN)?)
                    .await?;
                committed.push((ma, Instant::now()));
            }
            anyhow::Ok(committed)
        }));
    }
    let mut committed = Vec::with_capacity(dossiers.len());
    for task in tasks {
        committed.extend(task.await??);
    }
    Ok(committed)
}

/// The `--sites` table: both rates, both latencies, the ratio.
pub(super) fn report(r: &SitesResult) -> Table {
    let mut t = Table::default();
    t.row(
        format!("inter-site transfer: {} dossiers forwarded at {FROM}, handed over to {TO} over the shovel; copies durable at {TO}", r.transfers),
        format!("{:.0} transfers/s", r.hub.rate),
    );
    t.row(
        format!("SiteAcks back at {FROM} (its relay caught up)"),
        format!("{:.0} transfers/s", r.acked_rate),
    );
    t.row(
        format!(
            "raw shovel: the same {} messages ({} bytes on average, same properties), confirms ({WINDOW} in flight) → quorum queue → shovel (on-confirm) → exchange → quorum queue, consumed",
            r.transfers, r.body_bytes
        ),
        format!("{:.0} msgs/s", r.raw.rate),
    );
    t.ratio(
        "inter-site transfer / raw shovel",
        r.hub.rate,
        r.raw.rate,
        None,
    );
    t.row(
        format!(
            "latency p50 / p99: {FROM}'s commit → {TO}'s durable copy; raw: published → consumed"
        ),
        format!(
            "transfer {:.1} / {:.1} ms; raw shovel {:.1} / {:.1} ms",
            ms(r.hub.p50),
            ms(r.hub.p99),
            ms(r.raw.p50),
            ms(r.raw.p99)
        ),
    );
    t
}
