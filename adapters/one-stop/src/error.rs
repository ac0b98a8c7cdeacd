//! What can go wrong calling the one-stop system, and how the hub should
//! treat it: 5xx, timeouts and lost connections are retried, any other
//! refusal parks the event with the system's own words.
//!
//! The system refuses only with HTTP statuses, so its one error is the
//! toolkit's failed send ([`SendError`]): unreachable, no answer, or an
//! HTTP status, judged by `SendError::delivery`.

pub use lienthong_adapter::http::SendError;

/// A failed call to the one-stop system.
pub type OneStopError = SendError;

/// How the system is named in every message of a failed call.
pub const PARTNER: &str = "the one-stop system";
