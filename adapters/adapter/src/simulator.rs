//! Serving a partner simulator: every adapter crate ships one (for its tests,
//! the hub's integration tests and `lienthong demo`), and they all listen
//! and stop the same way, and misbehave with the same switches: a delay
//! before every answer, the next calls failing, and countdowns of their own
//! ("the next `n` callbacks carry a wrong signature"). The gateway and the
//! treasury serve their signed daily files alike too ([`daily_file`]).

use crate::ma_xac_thuc::DailyFileRequest;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

/// A switch that acts on the next `n` occasions, then turns itself off.
#[derive(Debug, Default)]
pub struct Countdown(AtomicU32);

impl Countdown {
    /// Acts on the next `n` occasions (0: off).
    pub fn arm(&self, n: u32) {
        self.0.store(n, Ordering::SeqCst);
    }

    /// Whether this occasion is one it acts on (counting it).
    pub fn take(&self) -> bool {
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// The faults every simulator's API can show.
#[derive(Debug, Default)]
pub struct Faults {
    delay_ms: AtomicU64,
    fail_next: Countdown,
}

impl Faults {
    /// Every answer waits this long.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// The next `n` calls fail (HTTP 500, nothing done).
    pub fn fail_next(&self, n: u32) {
        self.fail_next.arm(n);
    }

    /// Waits the delay; then whether this call is one that fails.
    pub async fn strike(&self) -> bool {
        let delay = Duration::from_millis(self.delay_ms.load(Ordering::SeqCst));
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        self.fail_next.take()
    }
}

/// Serves a simulator's routes on `addr` (`127.0.0.1:0` for any free port)
/// until the returned sender is dropped or fired; returns its base URL.
/// `app` is given that URL, for a simulator whose answers name itself.
pub async fn serve_simulator(
    addr: &str,
    name: &'static str,
    app: impl FnOnce(&str) -> axum::Router,
) -> std::io::Result<(String, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = app(&url);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let stopped = async {
            let _ = stopped.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::warn!(error = %e, simulator = name, "simulator stopped with an error");
        }
    });
    Ok((url, stop))
}

/// A daily file server's answer (the gateway's settlement file, the
/// treasury's credit file): `file_of(day)` as CSV once the request is
/// `partner_code`'s, signed with `secret`, for a real day; else the 401 or
/// 400 of [`DailyFileRequest::day`].
pub fn daily_file(
    request: &DailyFileRequest,
    partner_code: &str,
    secret: &str,
    file_of: impl FnOnce(&str) -> String,
) -> Response {
    match request.day(partner_code, secret) {
        Ok(day) => ([("content-type", "text/csv; charset=utf-8")], file_of(day)).into_response(),
        Err((status, why)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            why,
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_countdown_acts_n_times_then_stops() {
        let c = Countdown::default();
        assert!(!c.take());
        c.arm(2);
        assert!(c.take() && c.take());
        assert!(!c.take());
    }

    #[tokio::test]
    async fn faults_fail_the_next_calls_only() {
        let f = Faults::default();
        f.fail_next(1);
        assert!(f.strike().await);
        assert!(!f.strike().await);
    }
}
