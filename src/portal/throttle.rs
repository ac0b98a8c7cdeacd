//! How often one client address may use the public lookup: at most
//! `attempts` lookups in a window of `window` (fixed windows, each starting
//! at the address's first lookup after the previous one ended), so that
//! MaHoSo and second facts cannot be tried in bulk.
//!
//! Every lookup counts, right or wrong: counting only the wrong ones would
//! tell a prober which pair was right. The table is bounded (`max_clients`):
//! when it is full, windows that have ended are dropped first, then the
//! oldest window — one address cannot grow the table without end. Time is
//! handed in (`now_millis`), so the rule is tested without waiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// The most client addresses the table keeps (about 1 MiB).
pub const MAX_CLIENTS: usize = 10_000;

/// `[web] lookup_attempts`, `lookup_window_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleSettings {
    pub attempts: u32,
    pub window_millis: i64,
    pub max_clients: usize,
}

#[derive(Clone, Copy, Debug)]
struct Window {
    started: i64,
    used: u32,
}

pub struct Throttle {
    settings: ThrottleSettings,
    clients: Mutex<HashMap<IpAddr, Window>>,
}

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Throttle {
        Throttle {
            settings,
            clients: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> ThrottleSettings {
        self.settings
    }

    /// Counts one lookup of `client` at `now_millis`: `Ok` when allowed,
    /// else the seconds until its window ends (at least 1), for
    /// `Retry-After`.
    pub fn admit(&self, client: IpAddr, now_millis: i64) -> Result<(), u64> {
        let window = self.settings.window_millis;
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let ended = |w: &Window| now_millis >= w.started + window;
        if !clients.contains_key(&client) && clients.len() >= self.settings.max_clients {
            clients.retain(|_, w| !ended(w));
            if clients.len() >= self.settings.max_clients {
                let oldest = clients
                    .iter()
                    .min_by_key(|(_, w)| w.started)
                    .map(|(ip, _)| *ip);
                if let Some(ip) = oldest {
                    clients.remove(&ip);
                }
            }
        }
        let entry = clients.entry(client).or_insert(Window {
            started: now_millis,
            used: 0,
        });
        if ended(entry) {
            *entry = Window {
                started: now_millis,
                used: 0,
            };
        }
        if entry.used >= self.settings.attempts {
            let left = entry.started + window - now_millis;
            return Err((left.max(1) as u64).div_ceil(1000));
        }
        entry.used += 1;
        Ok(())
    }

    /// How many addresses the table holds now.
    pub fn clients(&self) -> usize {
        self.clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(attempts: u32, max_clients: usize) -> Throttle {
        Throttle::new(ThrottleSettings {
            attempts,
            window_millis: 60_000,
            max_clients,
        })
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn an_address_gets_its_attempts_then_waits_for_the_window_to_end() {
        let t = throttle(3, 100);
        for at in [0, 10, 20] {
            assert_eq!(t.admit(ip(1), at), Ok(()));
        }
        assert_eq!(t.admit(ip(1), 1_000), Err(59), "59 s of the window left");
        assert_eq!(t.admit(ip(1), 59_999), Err(1), "never less than a second");
        assert_eq!(t.admit(ip(1), 60_000), Ok(()), "a new window");
    }

    #[test]
    fn addresses_are_counted_apart() {
        let t = throttle(1, 100);
        assert_eq!(t.admit(ip(1), 0), Ok(()));
        assert!(t.admit(ip(1), 1).is_err());
        assert_eq!(
            t.admit(ip(2), 1),
            Ok(()),
            "another address is not held back"
        );
    }

    #[test]
    fn the_table_stays_bounded() {
        let t = throttle(1, 3);
        for last in 0..50 {
            assert_eq!(t.admit(ip(last), i64::from(last)), Ok(()));
            assert!(t.clients() <= 3, "at most 3 addresses kept");
        }
        // The newest addresses are still held to their window.
        assert!(t.admit(ip(49), 60).is_err());
    }

    #[test]
    fn ended_windows_are_dropped_before_live_ones() {
        let t = throttle(1, 2);
        assert_eq!(t.admit(ip(1), 0), Ok(()));
        assert_eq!(t.admit(ip(2), 59_000), Ok(()));
        // ip(1)'s window has ended: it goes, ip(2) stays limited.
        assert_eq!(t.admit(ip(3), 61_000), Ok(()));
        assert!(t.admit(ip(2), 61_000).is_err());
    }
}
