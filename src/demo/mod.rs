//! `lienthong demo`: one command that shows the hub doing its job on a fresh
//! machine. It starts a hub in this process (embedded default: sled only, no
//! broker) on a temporary data directory and free ports, plus a simulator of
//! every partner — national portal, one-stop system, postal provider,
//! payment gateway, State Treasury, a ministry's legacy system — with each
//! partner's adapter pointing at its simulator. Then it runs a day: dossiers
//! through every channel and path while partner faults are switched on and
//! off, parked deliveries re-driven once a fault is lifted, a reconciliation
//! at the end; it prints a timeline of a few dossiers and a tally per
//! partner, and fails when any acknowledged change did not reach a partner
//! that subscribes to it.
//!
//! The demo is a client of the hub like any partner: it acts through the
//! simulators where a real flow goes through a partner, through the hosted
//! one-stop workspace's pages (over HTTP, as a browser) where the
//! construction department's officers work, through the public portal's
//! pages where a citizen files a dossier online, looks one up, rates it and
//! sends a feedback, and over the hub's gRPC API
//! where the counter files a dossier or an operator acts. So
//! it is a module of the `lienthong` binary, not of the library: it uses
//! only the library's public API and the simulators' (the adapter crates'
//! `simulator` feature), and the library knows nothing of it.

mod client;
mod faults;
mod filing;
mod page;
mod portal;
mod scenario;
pub mod sites;
mod steps;
mod tally;
mod timeline;
mod workspace;
mod world;

pub use tally::Tally;

use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `lienthong demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Dossiers in the day (at least 10, so that every path appears).
    #[arg(long, default_value_t = 60)]
    pub dossiers: usize,
    /// Dossiers whose timeline is printed.
    #[arg(long, default_value_t = 5)]
    pub timelines: usize,
    /// Run the day without injecting partner faults.
    #[arg(long)]
    pub no_faults: bool,
    /// Dossiers in progress at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Where to put the temporary data directory (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
    /// After the day, keep the hub, the simulated partners, the hosted
    /// one-stop workspace and the public portal running (it prints where to
    /// open them and the development officers' sign-ins) until Ctrl-C or
    /// SIGTERM.
    #[arg(long)]
    pub keep_running: bool,
    /// Instead of the day: this many hubs (3: two provinces and a
    /// ministry), each its own process, linked by RabbitMQ shovels on a
    /// vhost per site of --amqp-url; a dossier's timeline as each site
    /// sees it, a link cut, a hub killed, a tally per site (README).
    #[arg(long)]
    pub sites: Option<usize>,
    /// The RabbitMQ of --sites (its vhosts are created and deleted by the demo).
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672")]
    pub amqp_url: String,
    /// That RabbitMQ's management API (the shovel and management plugins
    /// enabled), through which the vhosts are made and the hubs declare
    /// their shovels.
    #[arg(long, default_value = "http://guest:guest@127.0.0.1:15672")]
    pub management_url: String,
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            dossiers: 60,
            timelines: 5,
            no_faults: false,
            concurrency: 16,
            dir: None,
            keep_running: false,
            sites: None,
            amqp_url: "amqp://guest:guest@127.0.0.1:5672".into(),
            management_url: "http://guest:guest@127.0.0.1:15672".into(),
        }
    }
}

/// Why the demo could not run, or what it found lost.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("invalid option `{option}`: {problem}")]
    Args { option: String, problem: String },
    #[error("cannot start the hub: {0}")]
    Hub(#[from] lienthong::app::AppError),
    #[error("cannot start the {which} simulator: {source}")]
    Simulator {
        which: &'static str,
        source: std::io::Error,
    },
    #[error("cannot prepare the data directory {path}: {source}")]
    Dir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to the hub at {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("{what}: the hub answered {code}: {message}")]
    Call {
        what: String,
        code: String,
        message: String,
    },
    #[error("{what}: the {partner} simulator answered {answer}")]
    Partner {
        what: String,
        partner: &'static str,
        answer: String,
    },
    #[error("{what}: the hosted workspace answered {answer}")]
    Workspace { what: String, answer: String },
    #[error("gave up waiting after {seconds} s: {what}")]
    Timeout { what: String, seconds: u64 },
    #[error("dossier #{number}: {source}")]
    Dossier {
        number: usize,
        source: Box<DemoError>,
    },
    #[error("something was lost: {0}")]
    Lost(String),
    #[error("{what}: RabbitMQ's management API answered {answer}")]
    Broker { what: String, answer: String },
    #[error(
        "RabbitMQ lacks the plugin(s) {missing} that the sites need; enable them with: {}",
        sites::ENABLE_PLUGINS
    )]
    Plugins { missing: String },
    #[error("a site hub's configuration: {0}")]
    Config(String),
    #[error("the hub of site {site}: {reason} (its log: {})", log.display())]
    SiteHub {
        site: &'static str,
        reason: String,
        log: std::path::PathBuf,
    },
}

impl DemoError {
    /// A hosted page (workspace or portal) answered other than a browser
    /// expects: `what` the demo was doing, `answer` what it got.
    pub fn web(what: &str, answer: impl std::fmt::Display) -> DemoError {
        DemoError::Workspace {
            what: what.to_string(),
            answer: answer.to_string(),
        }
    }
}

/// Runs the demo and prints its report; the tally, when nothing was lost.
pub async fn run(args: DemoArgs) -> Result<Tally, DemoError> {
    if args.dossiers < scenario::MIN_DOSSIERS || args.dossiers > 10_000 {
        return Err(DemoError::Args {
            option: "--dossiers".into(),
            problem: format!(
                "must be between {} and 10000 (every path needs its dossier)",
                scenario::MIN_DOSSIERS
            ),
        });
    }
    if args.concurrency == 0 {
        return Err(DemoError::Args {
            option: "--concurrency".into(),
            problem: "must be at least 1".into(),
        });
    }
    let started = Instant::now();
    let world = Arc::new(world::World::start(args.dir.as_deref()).await?);
    world.print_header(&args);
    let outcome = run_day(&world, &args, started).await;
    if args.keep_running && outcome.is_ok() {
        world.print_workspace();
        crate::shutdown_signal().await;
    }
    let stopped = world.stop().await;
    let tally = outcome?;
    stopped?;
    println!(
        "\ndone in {:.1} s: every acknowledged change reached every partner subscribed to it.",
        started.elapsed().as_secs_f64()
    );
    Ok(tally)
}

/// A line per rating and published answer the national portal holds,
/// synced by its relay like every event.
fn print_citizen_sync(world: &world::World, started: Instant) {
    let at = started.elapsed().as_secs_f64();
    for r in world.portal.ratings() {
        println!(
            "[{at:>5.1} s] the national portal received the rating of {} (DongBoDanhGia: MucDoHaiLong {}, MaTTHC {}, NgayDanhGia {})",
            r.MaHoSo, r.MucDoHaiLong, r.MaTTHC, r.NgayDanhGia
        );
    }
    for a in world.portal.answers() {
        println!(
            "[{at:>5.1} s] the national portal received the answer to {} (DongBoHoiDap: MADONVI {}, NGAYTRALOI {})",
            a.HOIDAPID, a.MADONVI, a.NGAYTRALOI
        );
    }
}

async fn run_day(
    world: &Arc<world::World>,
    args: &DemoArgs,
    started: Instant,
) -> Result<Tally, DemoError> {
    let span = scenario::arrival_gap(args.dossiers) * args.dossiers as u32;
    let faults = faults::Faults::new(!args.no_faults, started, span);
    faults.at_start(world);
    let operator = faults::Operator::start(world.clone(), faults.clone());
    let schedule = faults.schedule(world.clone());
    let plans = scenario::plans(args.dossiers);
    println!(
        "\n[{:>5.1} s] the day begins: {} dossiers, {} at a time",
        started.elapsed().as_secs_f64(),
        plans.len(),
        args.concurrency
    );
    let lived = scenario::run(world, &plans, args.concurrency).await;
    schedule.abort();
    faults.lift_all(world);
    // A citizen rates a returned dossier and sends a feedback on the hosted
    // portal, an officer answers it in public: the national portal's relay
    // syncs both (DongBoDanhGia, DongBoHoiDap) before the relays settle.
    let said = match (&lived, world.web_addr) {
        (Ok(lived), Some(web)) => portal::rate_and_comment(world, web, lived).await?,
        _ => None,
    };
    if let Some((_, code)) = &said {
        world
            .workspace()?
            .answer_feedback(
                code,
                "Cảm ơn ông/bà. Mức lệ phí của từng thủ tục đã được niêm yết tại Bộ phận Một cửa và trên Cổng dịch vụ công.",
            )
            .await?;
    }
    println!(
        "[{:>5.1} s] every dossier has lived its day; faults lifted, waiting for deliveries to settle",
        started.elapsed().as_secs_f64()
    );
    let settled = operator.finish(world, Duration::from_secs(30)).await;
    let lived = lived?;
    settled?;
    println!(
        "[{:>5.1} s] every partner's relay has caught up, nothing parked",
        started.elapsed().as_secs_f64()
    );
    faults.print_log();
    faults::print_observed(world);
    timeline::print(world, &lived, args.timelines).await?;
    if let (Some(web), Some(one)) = (world.web_addr, lived.iter().find(|l| l.plan.number == 2)) {
        let status = portal::look_up(world, web, one).await?;
        println!(
            "\n[{:>5.1} s] a citizen looked #{} {} up on the portal (http://{web}/tra-cuu, with its ID number): \"{status}\"; a wrong ID number was answered \"not found\"",
            started.elapsed().as_secs_f64(),
            one.plan.number,
            one.ma_ho_so
        );
    }
    if let Some(web) = world.web_addr {
        let online: Vec<String> = lived
            .iter()
            .filter(|l| l.plan.channel == scenario::Channel::Online)
            .map(|l| format!("#{} {}", l.plan.number, l.ma_ho_so))
            .collect();
        if !online.is_empty() {
            println!(
                "[{:>5.1} s] filed by their applicants on the portal's pages (an account, the form of http://{web}/tai-khoan/nop/<MaTTHC>, a PDF attached; channel \"online\"): {}",
                started.elapsed().as_secs_f64(),
                online.join(", ")
            );
        }
        match &said {
            Some((ma, code)) => {
                println!(
                    "[{:>5.1} s] a citizen rated {ma} \"Rất hài lòng\" from its lookup page and sent a feedback (tracking code {code}, http://{web}/phan-anh/{code}); an officer answered it in public",
                    started.elapsed().as_secs_f64()
                );
                print_citizen_sync(world, started);
            }
            None => println!("no dossier was returned today: nothing to rate on the portal"),
        }
    }
    tally::reconcile(world).await?;
    let tally = tally::count(world, &lived).await?;
    tally.print();
    if let Some(lost) = tally.lost() {
        return Err(DemoError::Lost(lost));
    }
    Ok(tally)
}
