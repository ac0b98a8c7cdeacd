//! The HTTP client adapters call their partners with, and how a call that
//! got no answer reads: every adapter builds and words them alike.

use std::time::Duration;

/// A client whose every call ends within `timeout`, and whose connection
/// attempts give up after `connect_timeout` (or `timeout`, if shorter).
pub fn http_client(
    timeout: Duration,
    connect_timeout: Duration,
) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(connect_timeout.min(timeout))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// What became of a call that got no answer: `timed out`, `could not
/// connect`, or `failed`.
pub fn transport_failure(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_port_could_not_connect() {
        // Bind, learn the port, close it: nothing listens there now.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = http_client(Duration::from_secs(5), Duration::from_secs(1)).unwrap();
        let e = client
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(transport_failure(&e), "could not connect");
    }
}
