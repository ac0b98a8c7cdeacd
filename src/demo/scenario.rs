//! The day's dossiers: which channel each comes through, which department
//! handles it, which path it takes and how its result goes back — and the
//! driver that lives them all, many at once.
//!
//! Ten kinds repeat: filed online on the national portal (pushed down into
//! the hub by the portal adapter) or on the hosted portal's own pages (an
//! applicant's account, a form with a PDF attached, over HTTP), at the
//! counter (the one-stop officer over gRPC), or collected by the post (a
//! pickup order); handled by the justice
//! department (through the one-stop system, in its own status codes) or the
//! construction department (its officers in the hosted one-stop workspace,
//! its ministry's legacy system listening); with a supplement, fees paid at the gateway, or
//! neither (simple construction permits are decided in the ministry's
//! legacy system); the result at the counter, electronically or by post. Three
//! dossiers take the rare paths: a payment left pending and found by
//! re-query (#4), a refusal (#5), an overdue one with an apology and a new
//! appointment date (#7).

use super::steps::{Action, Dossier};
use super::world::{World, CONSTRUCTION, JUSTICE};
use super::DemoError;
use std::sync::Arc;
use std::time::Duration;

/// Below this, some path would have no dossier.
pub const MIN_DOSSIERS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Filed on the national portal, pushed down by its adapter.
    Portal,
    /// Filed by its applicant on the hosted portal's pages (over HTTP, as a
    /// browser), on channel "online".
    Online,
    /// At the one-stop counter.
    Counter,
    /// Collected by the post at the applicant's address.
    Postal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Department {
    /// Sở Tư pháp: processed in the one-stop system.
    Justice,
    /// Sở Xây dựng: processed by its officers in the hosted workspace.
    Construction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    Simple,
    Supplement,
    Fees,
    /// Fees whose payment the gateway leaves pending; the adapter's
    /// re-query finds it paid.
    FeesPending,
    Refused,
    Overdue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Return {
    Counter,
    Electronic,
    Post,
}

#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// 1-based, as printed.
    pub number: usize,
    pub channel: Channel,
    pub department: Department,
    pub path: Path,
    pub result: Return,
}

impl Plan {
    pub fn agency(&self) -> &'static str {
        match self.department {
            Department::Justice => JUSTICE,
            Department::Construction => CONSTRUCTION,
        }
    }

    /// Simple construction permits are decided in the ministry's legacy
    /// system, which reports it in its own codes.
    pub fn finished_by_ministry(&self) -> bool {
        self.department == Department::Construction && self.path == Path::Simple
    }

    pub fn describe(&self) -> String {
        let channel = match self.channel {
            Channel::Portal => "nộp trực tuyến / filed online on the national portal",
            Channel::Online => {
                "nộp trực tuyến trên Cổng của tỉnh / filed online on the hosted portal's pages"
            }
            Channel::Counter => "nộp tại quầy / at the one-stop counter",
            Channel::Postal => "bưu điện thu gom / collected by the post",
        };
        let path = match self.path {
            Path::Simple => "",
            Path::Supplement => ", supplement requested",
            Path::Fees => ", fees paid online",
            Path::FeesPending => ", payment pending then found by re-query",
            Path::Refused => ", refused at reception",
            Path::Overdue => ", overdue: apology and new date",
        };
        let ministry = if self.finished_by_ministry() {
            ", decided in the ministry's legacy system"
        } else {
            ""
        };
        let result = match (self.path, self.result) {
            (Path::Refused, _) => "",
            (_, Return::Counter) => ", result at the counter",
            (_, Return::Electronic) => ", electronic result",
            (_, Return::Post) => ", result by post",
        };
        format!("{channel}{path}{ministry}{result}")
    }
}

/// The day's plans, in a fixed order (the same every run).
pub fn plans(count: usize) -> Vec<Plan> {
    use Channel::*;
    use Department::*;
    use Path::*;
    use Return::Post as ByPost;
    const KINDS: [(Channel, Department, Path, Return); 10] = [
        (Portal, Justice, Simple, Return::Counter),
        (Counter, Construction, Fees, ByPost),
        (Postal, Justice, Supplement, ByPost),
        (Portal, Justice, Fees, Return::Electronic),
        (Counter, Construction, Supplement, Return::Counter),
        (Online, Construction, Simple, ByPost),
        (Counter, Justice, Fees, Return::Counter),
        (Postal, Construction, Simple, ByPost),
        (Portal, Justice, Supplement, Return::Electronic),
        (Counter, Justice, Simple, ByPost),
    ];
    (0..count)
        .map(|i| {
            let (channel, department, path, result) = KINDS[i % KINDS.len()];
            let path = match i {
                3 => FeesPending,
                4 => Refused,
                6 => Overdue,
                _ => path,
            };
            Plan {
                number: i + 1,
                channel,
                department,
                path,
                result,
            }
        })
        .collect()
}

/// Time between two arrivals: the day's arrivals last about six seconds.
pub fn arrival_gap(count: usize) -> Duration {
    let count = u32::try_from(count.max(1)).unwrap_or(u32::MAX);
    (Duration::from_secs(6) / count).clamp(Duration::from_millis(5), Duration::from_millis(100))
}

/// A dossier that lived its day.
#[derive(Clone, Debug)]
pub struct Lived {
    pub plan: Plan,
    pub ma_ho_so: String,
}

/// Lives every plan, `concurrency` at a time, starts staggered like a day's
/// arrivals. Answers in plan order; the first failure ends the day.
pub async fn run(
    world: &Arc<World>,
    plans: &[Plan],
    concurrency: usize,
) -> Result<Vec<Lived>, DemoError> {
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let pending_payment = Arc::new(tokio::sync::Mutex::new(()));
    let mut tasks = tokio::task::JoinSet::new();
    for plan in plans.iter().copied() {
        let world = world.clone();
        let permits = permits.clone();
        let pending_payment = pending_payment.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let lived = live(&world, plan, &pending_payment).await;
            (plan.number, lived)
        });
        tokio::time::sleep(arrival_gap(plans.len())).await;
    }
    let mut lived = Vec::with_capacity(plans.len());
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((_, Ok(one))) => lived.push(one),
            Ok((number, Err(e))) => {
                tasks.abort_all();
                return Err(DemoError::Dossier {
                    number,
                    source: Box::new(e),
                });
            }
            Err(join) => {
                tasks.abort_all();
                return Err(DemoError::Lost(format!("a dossier's task ended: {join}")));
            }
        }
    }
    lived.sort_by_key(|l| l.plan.number);
    Ok(lived)
}

/// One dossier's life, from filing to its result.
async fn live(
    world: &World,
    plan: Plan,
    pending_payment: &tokio::sync::Mutex<()>,
) -> Result<Lived, DemoError> {
    let d = Dossier::file(world, plan).await?;
    if plan.channel == Channel::Postal {
        d.wait_for_pickup().await?;
    }
    if plan.department == Department::Justice {
        d.wait_routed_to_one_stop().await?;
    }
    if plan.path == Path::Refused {
        d.act(Action::Refuse).await?;
        return Ok(d.lived());
    }
    let due = if plan.path == Path::Overdue {
        Duration::from_secs(3)
    } else {
        Duration::from_secs(10 * 86_400)
    };
    d.act(Action::Receive { due_in: due }).await?;
    d.act(Action::StartProcessing).await?;
    match plan.path {
        Path::Supplement => {
            d.act(Action::RequestSupplement).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            d.act(Action::SubmitSupplement).await?;
        }
        Path::Fees => {
            d.act(Action::RequestFees).await?;
            d.pay(false).await?;
        }
        Path::FeesPending => {
            // The gateway leaves the payments created now pending for two
            // queries; only this dossier's is created while the switch is on.
            let guard = pending_payment.lock().await;
            world
                .gateway
                .switches()
                .pending_for_queries(2, lienthong_adapter_payment::simulator::Outcome::Success);
            let acted = d.act(Action::RequestFees).await;
            let created = match acted {
                Ok(()) => d.wait_for_payment().await.map(|_| ()),
                Err(e) => Err(e),
            };
            world.gateway.switches().clear_pending_for_queries();
            drop(guard);
            created?;
            d.pay(true).await?;
        }
        Path::Overdue => {
            d.wait_until_overdue().await?;
            d.act(Action::Reschedule {
                due_in: Duration::from_secs(7 * 86_400),
            })
            .await?;
        }
        Path::Simple | Path::Refused => {}
    }
    if plan.finished_by_ministry() {
        d.finish_in_legacy_system().await?;
    } else {
        d.act(Action::Finish).await?;
    }
    match plan.result {
        Return::Post => d.wait_returned_by_post().await?,
        Return::Counter | Return::Electronic => d.act(Action::ReturnResult).await?,
    }
    Ok(d.lived())
}
