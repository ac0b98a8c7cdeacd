//! `lienthong demo --sites 3`: many hubs, one country, on one terminal. Two
//! provinces (H22, H29) and a ministry (BXD, the Ministry of Construction),
//! each hub its own `lienthong serve` process with its own data directory,
//! ports and broker link, linked by real RabbitMQ dynamic shovels that the
//! hubs declare themselves. No extra broker is needed: one RabbitMQ (the
//! `--amqp-url`, by default the local guest broker) with a vhost per site,
//! created through the management API and deleted at the end with their
//! queues and shovels; the shovel and management plugins are checked first.
//!
//! The story (`story.rs`): dossiers filed in a province, handed over to the
//! ministry, processed there with every change flowing back, handed on to
//! the other province or back home; a command at a site that no longer
//! decides refused; a link cut (a shovel deleted) while a transfer is
//! pending and restored by its hub; the ministry's hub SIGKILLed in the
//! middle of a burst of handovers and restarted. Then (`tally.rs`) each
//! dossier's timeline as every site sees it, and a tally per site: every
//! acknowledged change held once, in order, nothing pending or parked. The
//! demo fails when anything is missing.

mod broker;
mod hubs;
mod story;
mod tally;

pub use broker::{Broker, ENABLE as ENABLE_PLUGINS};
pub use tally::SitesTally;

use super::{DemoArgs, DemoError};
use hubs::SiteHub;
use std::time::Instant;

/// One site of the demo: its code, what it is, and its agencies (code, name).
pub struct Site {
    pub code: &'static str,
    pub name: &'static str,
    pub agencies: &'static [(&'static str, &'static str)],
}

pub const H22: usize = 0;
pub const H29: usize = 1;
pub const BXD: usize = 2;

pub static SITES: [Site; 3] = [
    Site {
        code: "H22",
        name: "province H22 (Quảng Ninh)",
        agencies: &[
            ("000.00.05.H22", "Sở Xây dựng"),
            ("000.00.06.H22", "Sở Nông nghiệp và Môi trường"),
        ],
    },
    Site {
        code: "H29",
        name: "province H29",
        agencies: &[("000.00.05.H29", "Sở Xây dựng")],
    },
    Site {
        code: "BXD",
        name: "Ministry of Construction",
        agencies: &[("000.00.00.G12", "Bộ Xây dựng")],
    },
];

/// Runs the sites demo and prints its timelines and tally; the tally when
/// every acknowledged change is held at every site that should hold it.
pub async fn run(args: &DemoArgs, sites: usize) -> Result<SitesTally, DemoError> {
    if sites != SITES.len() {
        return Err(DemoError::Args {
            option: "--sites".into(),
            problem: format!("is {sites}; the sites demo has 3 (two provinces and a ministry)"),
        });
    }
    let started = Instant::now();
    let broker = Broker::open(&args.amqp_url, &args.management_url).await?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("lienthong-demo-sites-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| DemoError::Dir {
        path: dir.clone(),
        source,
    })?;
    let mut created = Vec::new();
    let mut hubs = Vec::new();
    let outcome = async {
        for site in &SITES {
            let vhost = hubs::vhost(site);
            broker.create_vhost(&vhost).await?;
            created.push(vhost);
        }
        for site in &SITES {
            hubs.push(SiteHub::start(site, &dir, &broker).await?);
        }
        story::header(&broker, &hubs, &dir, started).await?;
        let trips = story::run(&broker, &mut hubs, started).await?;
        tally::timelines(&hubs, &trips).await?;
        let tally = tally::count(&broker, &hubs, &trips).await?;
        tally.print();
        Ok::<_, DemoError>(tally)
    }
    .await;
    // Clean up whatever happened: the hubs first (a running hub would
    // declare its shovels again), then the vhosts with all they hold.
    for hub in &mut hubs {
        hub.stop().await;
    }
    let mut cleaned = Ok(());
    for vhost in &created {
        if let Err(e) = broker.delete_vhost(vhost).await {
            cleaned = Err(e);
        }
    }
    if cleaned.is_ok() {
        println!(
            "\ncleaned up: the 3 hubs stopped, the vhosts {} deleted with their queues and shovels",
            created.join(", ")
        );
    }
    match &outcome {
        Ok(tally) if tally.lost().is_none() => {
            let _ = std::fs::remove_dir_all(&dir);
        }
        _ => println!(
            "the hubs' data directories and logs are kept in {}",
            dir.display()
        ),
    }
    let tally = outcome?;
    cleaned?;
    if let Some(lost) = tally.lost() {
        return Err(DemoError::Lost(lost));
    }
    println!(
        "done in {:.1} s: every acknowledged change is held, once and in order, at every site that takes part in its dossier.",
        started.elapsed().as_secs_f64()
    );
    Ok(tally)
}
