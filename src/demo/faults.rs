//! Partner faults, switched on and off through the simulators during the
//! day, and the operator who re-drives what the hub parked once a fault is
//! lifted.
//!
//! At the start every partner misbehaves a little (500s, a lost reply, a
//! refused dossier, busy answers, duplicated push-down lists); then, on a
//! schedule, the portal turns slow and loses its sessions, the post sends
//! tracking twice and out of order, the gateway calls back three times and
//! once with a bad signature, the one-stop system uses a wrong secret for a
//! moment, and the treasury is down long enough for its credit notices to
//! be parked. The operator watches `ListParkedDeliveries` and re-drives a
//! partner's parked events once its outage is over.

use super::client::Client;
use super::world::{World, LEGACY, ONE_STOP, PARTNERS, TREASURY};
use super::DemoError;
use lienthong_adapter_national_portal::simulator::ops;
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[derive(Default)]
struct State {
    /// (seconds since the start, partner, what)
    log: Vec<(f64, &'static str, String)>,
    /// Partners whose outage is not over: their parked events wait.
    outage: HashSet<&'static str>,
    /// Parked deliveries seen: (partner, seq, MaHoSo, event type, reason).
    parked: BTreeSet<(String, u64, String, String, String)>,
    redriven: u64,
}

#[derive(Clone)]
pub struct Faults {
    on: bool,
    /// The demo's start, for the times printed.
    started: Instant,
    /// When the day began, and how long its arrivals last: the schedule's
    /// times are fractions of it.
    day_began: Instant,
    span: Duration,
    state: Arc<Mutex<State>>,
}

impl Faults {
    pub fn new(on: bool, started: Instant, span: Duration) -> Faults {
        Faults {
            on,
            started,
            day_began: Instant::now(),
            span,
            state: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn note(&self, partner: &'static str, what: impl Into<String>) {
        let at = self.started.elapsed().as_secs_f64();
        self.lock().log.push((at, partner, what.into()));
    }

    /// Faults present from the first minute of the day.
    pub fn at_start(&self, w: &World) {
        // The post runs its orders through their flow by itself.
        w.postal
            .switches(|s| s.autopilot = Some(Duration::from_millis(150)));
        if !self.on {
            return;
        }
        w.portal.fail_next(3);
        w.portal.lose_reply_of(ops::SYNC_DOSSIERS, 1);
        w.portal.set_duplicates(true);
        self.note(
            "dvcqg",
            "HTTP 500 ×3, one lost DongBoHoSoMC reply, push-down lists every dossier twice",
        );
        w.one_stop.fail_next(2);
        w.one_stop.reject_next(1);
        self.note(ONE_STOP, "HTTP 500 ×2, then one dossier refused (HTTP 422)");
        w.postal.switches(|s| {
            s.fail_next = 2;
            s.lose_reply_next = 1;
        });
        self.note(
            "vnpost",
            "HTTP 500 ×2, then one order created with its reply lost",
        );
        w.gateway.switches().fail_next(2);
        w.gateway.switches().duplicate_callbacks(2);
        self.note(
            "paygov",
            "INIT HTTP 500 ×2; every callback sent three times",
        );
        w.treasury.switches().fail_next(2);
        w.treasury.switches().wrong_amount_next(1);
        self.note(
            TREASURY,
            "HTTP 500 ×2; one credit booked 1 000 VND too high",
        );
        w.legacy.switches(|s| {
            s.fail_next = 2;
            s.busy_next = 2;
            s.lose_reply_next = 1;
        });
        self.note(LEGACY, "HTTP 500 ×2, busy (maLoi 99) ×2, one reply lost");
    }

    /// The faults that come and go during the day: a timed schedule, and
    /// the treasury's outage, which lasts until the hub has parked some of
    /// its credit notices (at most a few seconds).
    pub fn schedule(&self, world: Arc<World>) -> Schedule {
        if !self.on {
            return Schedule { tasks: Vec::new() };
        }
        let timed = tokio::spawn(self.clone().timed(world.clone()));
        let outage = tokio::spawn(self.clone().treasury_outage(world));
        Schedule {
            tasks: vec![timed, outage],
        }
    }

    /// Waits until `fraction` of the day's arrivals have passed.
    async fn at(&self, fraction: f64) {
        let target = self.span.mul_f64(fraction);
        tokio::time::sleep(target.saturating_sub(self.day_began.elapsed())).await;
    }

    async fn timed(self, w: Arc<World>) {
        self.at(0.15).await;
        w.portal.set_delay(Duration::from_millis(300));
        self.note("dvcqg", "slow: every answer takes 300 ms");
        w.postal.switches(|s| {
            s.duplicate = true;
            s.out_of_order = true;
        });
        self.note("vnpost", "tracking webhooks sent twice and out of order");
        w.gateway.switches().wrong_signature_callbacks(1);
        self.note("paygov", "next callback with a bad MaXacThuc signature");
        w.legacy.switches(|s| s.duplicate_updates = true);
        self.note(LEGACY, "every status update posted twice");
        self.at(0.3).await;
        w.portal.expire_sessions();
        self.note("dvcqg", "every session expired");
        self.at(0.4).await;
        w.portal.set_delay(Duration::ZERO);
        self.note("dvcqg", "fast again");
        self.at(0.1).await;
        w.legacy.switches(|s| s.duplicate_updates = false);
        w.one_stop.set_wrong_secret(true);
        self.note(
            ONE_STOP,
            "status reports with a wrong shared secret (HTTP 403)",
        );
        self.at(0.58).await;
        w.one_stop.set_wrong_secret(false);
        w.one_stop.set_duplicate_callbacks(true);
        self.note(ONE_STOP, "secret fixed; every status report sent twice");
        self.at(0.8).await;
        w.one_stop.set_duplicate_callbacks(false);
        w.postal.switches(|s| {
            s.duplicate = false;
            s.out_of_order = false;
        });
        self.note("vnpost", "tracking in order again");
    }

    async fn treasury_outage(self, w: Arc<World>) {
        self.at(0.1).await;
        self.lock().outage.insert(TREASURY);
        w.treasury.switches().fail_next(1_000_000);
        self.note(TREASURY, "down: every call HTTP 500 (outage)");
        let began = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let parked = match w.operator.delivery_status(TREASURY).await {
                Ok(s) => s.parked,
                Err(_) => 0,
            };
            let long_enough = began.elapsed() > Duration::from_millis(1500);
            if (parked >= 2 && long_enough) || began.elapsed() > Duration::from_secs(6) {
                break;
            }
        }
        w.treasury.switches().fail_next(0);
        self.lock().outage.remove(TREASURY);
        self.note(
            TREASURY,
            "back up: the operator may re-drive its parked notices",
        );
    }

    /// Every switch off, every outage over (the end of the day).
    pub fn lift_all(&self, w: &World) {
        w.portal.set_delay(Duration::ZERO);
        w.portal.fail_next(0);
        w.portal.set_duplicates(false);
        w.one_stop.fail_next(0);
        w.one_stop.reject_next(0);
        w.one_stop.set_wrong_secret(false);
        w.one_stop.set_duplicate_callbacks(false);
        w.postal.switches(|s| {
            s.fail_next = 0;
            s.duplicate = false;
            s.out_of_order = false;
        });
        w.gateway.switches().fail_next(0);
        w.gateway.switches().duplicate_callbacks(0);
        w.treasury.switches().fail_next(0);
        w.legacy.switches(|s| {
            s.fail_next = 0;
            s.busy_next = 0;
            s.duplicate_updates = false;
        });
        let lifted: Vec<_> = self.lock().outage.drain().collect();
        if !lifted.is_empty() {
            self.note("all", "every remaining outage lifted");
        }
    }

    pub fn print_log(&self) {
        let state = self.lock();
        if !self.on {
            println!("\nno faults injected (--no-faults)");
            return;
        }
        println!("\nfaults injected through the simulators' switches:");
        for (at, partner, what) in &state.log {
            println!("  [{at:>4.1} s] {partner:<11} {what}");
        }
        if state.parked.is_empty() {
            println!("no delivery was parked today");
        } else {
            println!(
                "deliveries parked by the hub ({}), every one re-driven by the operator after its fault was lifted:",
                state.parked.len()
            );
            for (partner, seq, ma, kind, reason) in state.parked.iter().take(12) {
                let reason: String = reason.chars().take(90).collect();
                println!("  {partner:<11} seq {seq:<5} {ma:<27} {kind:<31} {reason}");
            }
            if state.parked.len() > 12 {
                println!("  … and {} more", state.parked.len() - 12);
            }
        }
    }
}

/// What the partners' simulators saw of the faults: proof that each switch
/// actually bit, and that the duplicates and forgeries changed nothing.
pub fn print_observed(w: &World) {
    let count = |statuses: &[Option<u16>], wanted: fn(u16) -> bool| {
        statuses.iter().filter(|s| s.is_some_and(wanted)).count()
    };
    println!("what the simulators saw:");
    let portal = w.portal.calls();
    let portal_500 = portal.iter().filter(|c| c.http_status == 500).count();
    println!(
        "  dvcqg       {} calls, {portal_500} answered HTTP 500, {} logins (sessions renewed)",
        portal.len(),
        w.portal.logins()
    );
    let reports = w.one_stop.sent();
    let statuses: Vec<_> = reports.iter().map(|r| Some(r.http_status)).collect();
    println!(
        "  motcua-stp  {} status reports sent: {} applied or already applied, {} refused for a wrong secret (403), sent again",
        reports.len(),
        count(&statuses, |s| s == 200),
        count(&statuses, |s| s == 403)
    );
    let hooks = w.postal.webhook_attempts();
    let statuses: Vec<_> = hooks.iter().map(|h| h.status).collect();
    let unique: HashSet<_> = hooks.iter().map(|h| h.event_id.as_str()).collect();
    println!(
        "  vnpost      {} tracking webhooks for {} events (duplicates and out-of-order absorbed), {} answered 2xx",
        hooks.len(),
        unique.len(),
        count(&statuses, |s| (200..300).contains(&s))
    );
    let callbacks = w.gateway.callbacks();
    let statuses: Vec<_> = callbacks.iter().map(|c| c.status).collect();
    let paid: HashSet<_> = callbacks.iter().map(|c| c.reference.as_str()).collect();
    println!(
        "  paygov      {} callbacks for {} payments: {} accepted, {} forged ones refused (401); {} payments settled",
        callbacks.len(),
        paid.len(),
        count(&statuses, |s| s == 200),
        count(&statuses, |s| s == 401),
        w.gateway.settled().len()
    );
    println!(
        "  kbnn        {} credit notices received (retries included), {} credits booked",
        w.treasury.notices_received(),
        w.treasury.credits().len()
    );
    let calls = w.legacy.calls();
    let updates = w.legacy.updates();
    println!(
        "  bxd-legacy  {} calls: {} HTTP 500, {} busy (maLoi 99), {} already received (maLoi 02); {} updates sent, {} answered 200",
        calls.len(),
        calls.iter().filter(|c| c.http_status == 500).count(),
        calls.iter().filter(|c| c.code == "99").count(),
        calls.iter().filter(|c| c.code == "02").count(),
        updates.len(),
        updates.iter().filter(|u| u.status == Some(200)).count()
    );
}

/// The day's scheduled faults, stopped when the day ends.
pub struct Schedule {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Schedule {
    pub fn abort(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The operator: re-drives parked deliveries of partners not in an outage.
pub struct Operator {
    faults: Faults,
    task: tokio::task::JoinHandle<()>,
}

impl Operator {
    pub fn start(world: Arc<World>, faults: Faults) -> Operator {
        let watching = faults.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(400)).await;
                // A failed admin call is tried again on the next round.
                let _ = redrive_round(&world.operator, &watching).await;
            }
        });
        Operator { faults, task }
    }

    /// Stops watching; then, with every fault lifted, waits until each
    /// partner's relay has settled every committed event with nothing
    /// parked (re-driving what is).
    pub async fn finish(self, world: &World, timeout: Duration) -> Result<(), DemoError> {
        self.task.abort();
        let deadline = Instant::now() + timeout;
        loop {
            redrive_round(&world.operator, &self.faults).await?;
            let mut behind = Vec::new();
            for partner in PARTNERS {
                let s = world.operator.delivery_status(partner).await?;
                if s.cursor < s.committed || s.parked > 0 {
                    behind.push(format!(
                        "{partner} (cursor {} of {}, {} parked)",
                        s.cursor, s.committed, s.parked
                    ));
                }
            }
            if behind.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(DemoError::Timeout {
                    what: format!("relays settling: {}", behind.join(", ")),
                    seconds: timeout.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn redrive_round(operator: &Client, faults: &Faults) -> Result<(), DemoError> {
    for partner in PARTNERS {
        if faults.lock().outage.contains(partner) {
            continue;
        }
        let parked = operator.parked(partner).await?;
        if parked.is_empty() {
            continue;
        }
        {
            let mut state = faults.lock();
            for p in &parked {
                state.parked.insert((
                    partner.to_string(),
                    p.seq,
                    p.ma_ho_so.clone(),
                    p.event_type.clone(),
                    p.reason.clone(),
                ));
            }
        }
        let redriven = operator.redrive(partner).await?;
        faults.lock().redriven += u64::from(redriven);
        faults.note(
            partner_name(partner),
            format!(
                "operator re-drove {redriven} parked {}",
                if redriven == 1 {
                    "delivery"
                } else {
                    "deliveries"
                }
            ),
        );
    }
    Ok(())
}

fn partner_name(partner: &str) -> &'static str {
    PARTNERS
        .iter()
        .find(|p| **p == partner)
        .copied()
        .unwrap_or("?")
}
