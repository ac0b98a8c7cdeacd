//! Officers of the hosted one-stop module: who they are, what role they hold,
//! and the records that guard their sign-in (sessions, failed attempts).
//!
//! Plain data and the lockout rule as a pure function, so that the store can
//! apply it atomically and tests can name it without a web server.

use super::UnixMillis;
use serde::{Deserialize, Serialize};

/// The roles of a one-stop workspace (Decree 61/2018, Circular 22/2019).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficerRole {
    /// Receives dossiers at the one-stop unit (Bộ phận Một cửa).
    Reception,
    /// Processes dossiers in a specialised department.
    Specialist,
    /// Approves results.
    Leader,
    /// Runs the system for the agency.
    Administrator,
}

impl OfficerRole {
    pub const ALL: [OfficerRole; 4] = [
        OfficerRole::Reception,
        OfficerRole::Specialist,
        OfficerRole::Leader,
        OfficerRole::Administrator,
    ];

    /// The name used in configuration.
    pub fn name(self) -> &'static str {
        match self {
            OfficerRole::Reception => "reception",
            OfficerRole::Specialist => "specialist",
            OfficerRole::Leader => "leader",
            OfficerRole::Administrator => "administrator",
        }
    }

    pub fn parse(name: &str) -> Option<OfficerRole> {
        OfficerRole::ALL.into_iter().find(|r| r.name() == name)
    }

    /// What the pages call it.
    pub fn vietnamese(self) -> &'static str {
        match self {
            OfficerRole::Reception => "Cán bộ tiếp nhận",
            OfficerRole::Specialist => "Chuyên viên xử lý",
            OfficerRole::Leader => "Lãnh đạo phê duyệt",
            OfficerRole::Administrator => "Quản trị hệ thống",
        }
    }
}

/// One officer's account. `password_hash` is a PHC string (argon2id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerAccount {
    pub login: String,
    pub name: String,
    pub role: OfficerRole,
    pub agency_code: String,
    /// The officer's unit inside the agency (one-stop unit or department).
    pub unit: String,
    pub password_hash: String,
}

/// A signed-in officer's session, stored under the digest of its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerSession {
    pub login: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
}

impl OfficerSession {
    pub fn is_live(&self, now: UnixMillis) -> bool {
        now < self.expires_at
    }
}

/// Consecutive failed sign-ins of one account, and its lock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginFailures {
    /// Failures since the last success or the last lock.
    pub count: u32,
    pub locked_until: Option<UnixMillis>,
}

/// How many failures lock an account, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_millis: i64,
}

impl LoginFailures {
    pub fn is_locked(&self, now: UnixMillis) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The record after one more failure at `now`: the failure that reaches
    /// the policy's count locks the account and starts counting afresh.
    /// Failures while locked change nothing (the lock is not extended, so an
    /// attacker cannot keep an officer out for ever by guessing).
    pub fn after_failure(&self, now: UnixMillis, policy: LockoutPolicy) -> LoginFailures {
        if self.is_locked(now) {
            return self.clone();
        }
        let count = self.count + 1;
        if count >= policy.max_failures {
            LoginFailures {
                count: 0,
                locked_until: Some(UnixMillis(now.0 + policy.lock_millis)),
            }
        } else {
            LoginFailures {
                count,
                locked_until: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: LockoutPolicy = LockoutPolicy {
        max_failures: 3,
        lock_millis: 60_000,
    };

    #[test]
    fn the_nth_failure_locks_for_the_configured_time() {
        let now = UnixMillis(1_000);
        let mut failures = LoginFailures::default();
        for _ in 0..2 {
            failures = failures.after_failure(now, POLICY);
            assert!(!failures.is_locked(now));
        }
        failures = failures.after_failure(now, POLICY);
        assert!(failures.is_locked(now));
        assert!(failures.is_locked(UnixMillis(60_999)));
        assert!(!failures.is_locked(UnixMillis(61_000)));
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let locked = LoginFailures {
            count: 0,
            locked_until: Some(UnixMillis(5_000)),
        };
        assert_eq!(locked.after_failure(UnixMillis(4_000), POLICY), locked);
    }

    #[test]
    fn roles_parse_by_their_configuration_names() {
        for role in OfficerRole::ALL {
            assert_eq!(OfficerRole::parse(role.name()), Some(role));
        }
        assert_eq!(OfficerRole::parse("chairman"), None);
    }
}
