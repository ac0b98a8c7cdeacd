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
use std::sync::Arc;
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

/// What a simulator's own call (a webhook, a callback, a status report to
/// the hub) got back: the HTTP status and the body, or no status and why
/// no answer came. Simulators record it for the tests to check.
pub async fn answer_of(request: reqwest::RequestBuilder) -> (Option<u16>, String) {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (Some(status), response.text().await.unwrap_or_default())
        }
        Err(e) => (None, e.to_string()),
    }
}

/// A running simulator: its base URL and the state its routes share with
/// the handle that drives it. Dropping it stops the server.
pub struct Served<S> {
    url: String,
    state: Arc<S>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl<S: Send + Sync + 'static> Served<S> {
    /// Serves `router(state)` on a free loopback port ([`serve_simulator`]).
    pub async fn start(
        name: &'static str,
        state: S,
        router: impl FnOnce(Arc<S>) -> axum::Router,
    ) -> std::io::Result<Served<S>> {
        let state = Arc::new(state);
        let (url, stop) = serve_simulator("127.0.0.1:0", name, |_| router(state.clone())).await?;
        Ok(Served {
            url,
            state,
            _stop: stop,
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The state the routes share.
    pub fn state(&self) -> &Arc<S> {
        &self.state
    }
}

impl<T: Send + 'static> Served<std::sync::Mutex<T>> {
    /// Locks a simulator's state that is one plain-data mutex
    /// ([`crate::sync::lock`]).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, T> {
        crate::sync::lock(&self.state)
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
    async fn a_served_simulator_stops_when_dropped() {
        let served = Served::start("test", AtomicU32::new(7), |n| {
            axum::Router::new().route(
                "/",
                axum::routing::get(move || async move { n.load(Ordering::SeqCst).to_string() }),
            )
        })
        .await
        .unwrap();
        let url = served.url().to_string();
        served.state().store(8, Ordering::SeqCst);
        let http = reqwest::Client::new();
        assert_eq!(
            answer_of(http.get(&url)).await,
            (Some(200), "8".to_string())
        );
        drop(served);
        let mut stopped = false;
        for _ in 0..100 {
            if answer_of(http.get(&url)).await.0.is_none() {
                stopped = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(stopped, "still answering at {url}");
    }

    #[tokio::test]
    async fn faults_fail_the_next_calls_only() {
        let f = Faults::default();
        f.fail_next(1);
        assert!(f.strike().await);
        assert!(!f.strike().await);
    }
}
