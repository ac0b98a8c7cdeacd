//! Per-partner limits: how many requests a partner may start per second and
//! how many it may have in progress at once, so that one partner (hostile,
//! broken or merely busy) cannot starve the others.
//!
//! Every entry point admits a request here once it knows the partner (gRPC
//! after authentication, an adapter's HTTP route by its partner, an AMQP
//! command after its sender is identified) and before anything is decoded
//! further or written; a refusal is a `LimitError`, which the hub answers
//! as `RESOURCE_EXHAUSTED` (gRPC), 429 (HTTP) or a parked command (AMQP).
//!
//! The rate is a token bucket kept as one atomic "theoretical arrival time"
//! (the generic cell rate algorithm), and the concurrency an atomic count:
//! each partner's state is its own, built once at start, so admitting takes
//! no lock and partners never contend with each other. Time comes from a
//! `Clock`, so that tests can move it by hand.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A partner's limits, as configured (`[limits]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    /// Requests a partner may start per second, sustained (fractions allowed:
    /// 0.5 is one every two seconds).
    pub requests_per_second: f64,
    /// Requests it may start at once above that rate, after a quiet spell.
    pub burst_requests: u32,
    /// Requests it may have in progress at once.
    pub max_concurrent_requests: u32,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    #[error("partner `{partner}` is over its rate limit ({requests_per_second} requests per second, bursts of {burst_requests}; [limits] requests_per_second): slow down and send it again later")]
    Rate {
        partner: String,
        requests_per_second: f64,
        burst_requests: u32,
    },
    #[error("partner `{partner}` has {max_concurrent_requests} requests in progress already ([limits] max_concurrent_requests): wait for an answer before sending more")]
    Concurrency {
        partner: String,
        max_concurrent_requests: u32,
    },
}

impl LimitError {
    /// What a refused caller is told to wait (HTTP `Retry-After`), in whole
    /// seconds: the time one request's allowance takes to come back, at
    /// least one second and at most a day; one second for a refusal on
    /// requests in progress, which end on their own.
    pub fn retry_after_seconds(&self) -> u64 {
        match self {
            LimitError::Rate {
                requests_per_second,
                ..
            } if *requests_per_second > 0.0 => {
                (1.0 / requests_per_second).ceil().clamp(1.0, 86_400.0) as u64
            }
            LimitError::Rate { .. } => 86_400,
            LimitError::Concurrency { .. } => 1,
        }
    }
}

/// Where the limiter reads the time: monotonic, from any origin.
pub trait Clock: Send + Sync {
    fn now(&self) -> Duration;
}

/// The real clock: time since the limiter was built.
struct Monotonic(Instant);

impl Clock for Monotonic {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

/// One partner's state.
struct PartnerState {
    id: String,
    limit: Limit,
    /// Nanoseconds between two requests at the sustained rate.
    interval_nanos: u64,
    /// How far ahead of now the arrival time may run: the burst.
    tolerance_nanos: u64,
    /// When the bucket would be full again, in the clock's nanoseconds.
    arrival_nanos: AtomicU64,
    in_flight: AtomicU32,
}

impl PartnerState {
    fn new(id: &str, limit: Limit) -> PartnerState {
        // Configuration keeps the rate within 0.001..=1_000_000 per second;
        // the cast saturates whatever it is given.
        let interval_nanos = ((1e9 / limit.requests_per_second) as u64).max(1);
        PartnerState {
            id: id.to_string(),
            limit,
            interval_nanos,
            tolerance_nanos: interval_nanos.saturating_mul(u64::from(limit.burst_requests.max(1))),
            arrival_nanos: AtomicU64::new(0),
            in_flight: AtomicU32::new(0),
        }
    }

    fn take_slot(&self) -> Result<(), LimitError> {
        let max = self.limit.max_concurrent_requests;
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .map(|_| ())
            .map_err(|_| LimitError::Concurrency {
                partner: self.id.clone(),
                max_concurrent_requests: max,
            })
    }

    fn take_token(&self, now_nanos: u64) -> Result<(), LimitError> {
        let mut arrival = self.arrival_nanos.load(Ordering::Acquire);
        loop {
            let next = arrival.max(now_nanos).saturating_add(self.interval_nanos);
            if next - now_nanos > self.tolerance_nanos {
                return Err(LimitError::Rate {
                    partner: self.id.clone(),
                    requests_per_second: self.limit.requests_per_second,
                    burst_requests: self.limit.burst_requests,
                });
            }
            match self.arrival_nanos.compare_exchange_weak(
                arrival,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(current) => arrival = current,
            }
        }
    }
}

/// Every partner's limits, or none at all (`Limiter::unlimited`).
pub struct Limiter {
    /// Built once; read without a lock.
    partners: HashMap<String, Arc<PartnerState>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("partners", &self.partners.len())
            .finish()
    }
}

impl Limiter {
    /// No limits: every request is admitted (no `[limits]` configured).
    pub fn unlimited() -> Limiter {
        Limiter::with_clock(std::iter::empty(), Arc::new(Monotonic(Instant::now())))
    }

    /// These partners' limits on the real clock; a partner not named here
    /// is not limited.
    pub fn new<'a>(limits: impl IntoIterator<Item = (&'a str, Limit)>) -> Limiter {
        Limiter::with_clock(limits, Arc::new(Monotonic(Instant::now())))
    }

    pub fn with_clock<'a>(
        limits: impl IntoIterator<Item = (&'a str, Limit)>,
        clock: Arc<dyn Clock>,
    ) -> Limiter {
        let partners = limits
            .into_iter()
            .map(|(id, limit)| (id.to_string(), Arc::new(PartnerState::new(id, limit))))
            .collect();
        Limiter { partners, clock }
    }

    /// Admits one request of `partner`, or says which limit it is over. The
    /// request counts as in progress until the `Admission` is dropped; a
    /// refused request takes nothing from the partner's allowance.
    pub fn admit(&self, partner: &str) -> Result<Admission, LimitError> {
        let Some(state) = self.partners.get(partner) else {
            return Ok(Admission(None));
        };
        state.take_slot()?;
        // From here the slot is released by the admission's drop, whatever
        // the rate says.
        let admission = Admission(Some(state.clone()));
        let now = u64::try_from(self.clock.now().as_nanos()).unwrap_or(u64::MAX);
        state.take_token(now)?;
        Ok(admission)
    }

    /// Takes one request's allowance of `partner`'s rate, without a
    /// concurrency slot: for each command of a stream whose opening was
    /// admitted (and holds its slot) already. A refusal takes nothing.
    pub fn take_rate(&self, partner: &str) -> Result<(), LimitError> {
        let Some(state) = self.partners.get(partner) else {
            return Ok(());
        };
        let now = u64::try_from(self.clock.now().as_nanos()).unwrap_or(u64::MAX);
        state.take_token(now)
    }
}

/// A request in progress: its partner's concurrency slot, given back on drop.
#[must_use = "the request counts as in progress only while its admission is kept"]
pub struct Admission(Option<Arc<PartnerState>>);

impl Drop for Admission {
    fn drop(&mut self) {
        if let Some(state) = &self.0 {
            state.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refused_caller_is_told_how_long_one_request_takes_to_come_back() {
        let rate = |requests_per_second| super::LimitError::Rate {
            partner: "postal".into(),
            requests_per_second,
            burst_requests: 2,
        };
        assert_eq!(rate(0.001).retry_after_seconds(), 1000);
        assert_eq!(rate(0.3).retry_after_seconds(), 4);
        assert_eq!(rate(100.0).retry_after_seconds(), 1, "never under a second");
        assert_eq!(rate(1e-9).retry_after_seconds(), 86_400, "never over a day");
        let busy = super::LimitError::Concurrency {
            partner: "postal".into(),
            max_concurrent_requests: 4,
        };
        assert_eq!(busy.retry_after_seconds(), 1);
    }

    use super::*;
    /// A clock the test moves by hand (nanoseconds).
    #[derive(Default)]
    struct Manual(AtomicU64);

    impl Manual {
        fn advance(&self, by: Duration) {
            self.0.fetch_add(by.as_nanos() as u64, Ordering::SeqCst);
        }
    }

    impl Clock for Manual {
        fn now(&self) -> Duration {
            Duration::from_nanos(self.0.load(Ordering::SeqCst))
        }
    }

    fn limit(rate: f64, burst: u32, concurrent: u32) -> Limit {
        Limit {
            requests_per_second: rate,
            burst_requests: burst,
            max_concurrent_requests: concurrent,
        }
    }

    fn limiter(clock: &Arc<Manual>) -> Limiter {
        Limiter::with_clock(
            [("busy", limit(1.0, 2, 10)), ("calm", limit(1.0, 2, 10))],
            clock.clone(),
        )
    }

    #[test]
    fn a_burst_is_admitted_then_the_rate_refuses_until_time_passes() {
        let clock = Arc::new(Manual::default());
        let limits = limiter(&clock);
        assert!(limits.admit("busy").is_ok());
        assert!(limits.admit("busy").is_ok());
        let refused = limits.admit("busy").err().expect("third within the second");
        assert_eq!(
            refused,
            LimitError::Rate {
                partner: "busy".into(),
                requests_per_second: 1.0,
                burst_requests: 2
            }
        );
        assert!(refused.to_string().contains("requests_per_second"));
        clock.advance(Duration::from_millis(999));
        assert!(limits.admit("busy").is_err(), "not yet a whole interval");
        clock.advance(Duration::from_millis(1));
        assert!(limits.admit("busy").is_ok(), "one token back after 1 s");
        assert!(limits.admit("busy").is_err());
    }

    #[test]
    fn a_streamed_command_takes_the_rate_but_no_slot() {
        let clock = Arc::new(Manual::default());
        let limits = Limiter::with_clock([("busy", limit(1.0, 2, 1))], clock.clone());
        let stream = limits.admit("busy").expect("the stream is admitted");
        assert!(limits.take_rate("busy").is_ok(), "no slot needed");
        assert!(matches!(
            limits.take_rate("busy"),
            Err(LimitError::Rate { .. })
        ));
        clock.advance(Duration::from_secs(1));
        assert!(limits.take_rate("busy").is_ok());
        assert!(limits.take_rate("nobody").is_ok(), "unlimited partner");
        drop(stream);
    }

    #[test]
    fn a_refused_request_takes_nothing_from_the_allowance() {
        let clock = Arc::new(Manual::default());
        let limits = limiter(&clock);
        for _ in 0..2 {
            let _ = limits.admit("busy").unwrap();
        }
        for _ in 0..100 {
            assert!(limits.admit("busy").is_err());
        }
        clock.advance(Duration::from_secs(1));
        assert!(
            limits.admit("busy").is_ok(),
            "refusals did not push it back"
        );
    }

    #[test]
    fn one_partner_over_its_rate_leaves_the_others_alone() {
        let clock = Arc::new(Manual::default());
        let limits = limiter(&clock);
        while limits.admit("busy").is_ok() {}
        assert!(limits.admit("calm").is_ok());
        assert!(limits.admit("calm").is_ok());
        assert!(
            limits.admit("unnamed").is_ok(),
            "a partner not named is not limited"
        );
    }

    #[test]
    fn concurrency_counts_requests_until_their_admission_is_dropped() {
        let clock = Arc::new(Manual::default());
        let limits = Limiter::with_clock([("p", limit(1000.0, 1000, 2))], clock.clone());
        let first = limits.admit("p").unwrap();
        let second = limits.admit("p").unwrap();
        let refused = limits.admit("p").err().expect("two in progress");
        assert!(matches!(
            refused,
            LimitError::Concurrency {
                max_concurrent_requests: 2,
                ..
            }
        ));
        drop(first);
        let third = limits.admit("p").expect("a slot was given back");
        drop((second, third));
        // A request refused by the rate gives its slot back too.
        let strict = Limiter::with_clock([("q", limit(1.0, 1, 1))], clock);
        let _kept = strict.admit("q").unwrap();
        drop(_kept);
        assert!(matches!(strict.admit("q"), Err(LimitError::Rate { .. })));
        assert!(
            matches!(strict.admit("q"), Err(LimitError::Rate { .. })),
            "not Concurrency: the slot came back"
        );
    }

    #[test]
    fn unlimited_admits_everything() {
        let limits = Limiter::unlimited();
        let kept: Vec<_> = (0..10_000).map(|_| limits.admit("any").unwrap()).collect();
        assert_eq!(kept.len(), 10_000);
    }
}
